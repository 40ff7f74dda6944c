"""Reads of the waste-sorting (垃圾分类) master data and history: stations, sites, vehicles,
cameras, daily targets and the daily weighing and quality history.

``SnapshotStore.waste`` is one of these (its methods are also the store's own:
``store.stations()``); like the store it hands out frozen rows, never ORM objects.
``district=None`` means the whole city.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from dashboard.districts import CITY_ADCODE
from datasources.platform.master import MasterPart, SiteTrace
from datasources.platform.snapshot import DomainReads
from datasources.waste.schema import (
    CATEGORIES,
    CameraRow,
    CollectionSite,
    DailyQuality,
    DailyWeighing,
    HistoryPoint,
    QualityCamera,
    QualityPoint,
    SiteRow,
    StationRow,
    TransferStation,
    Vehicle,
    VehicleRow,
    WasteTarget,
)


class WasteReads(DomainReads):
    """The waste tables of one snapshot database (empty without transfer stations)."""

    master_table = TransferStation

    def stations(self, district: str | None = None) -> list[StationRow]:
        t = TransferStation
        query = select(t.id, t.name, t.district, t.lat, t.lon, t.capacity_tpd, t.is_demo)
        return [StationRow(*row) for row in self._rows(query, t.district, t.id, district)]

    def sites(self, district: str | None = None) -> list[SiteRow]:
        s = CollectionSite
        query = select(s.id, s.name, s.district, s.lat, s.lon, s.vehicle_id, s.is_demo)
        return [SiteRow(*row) for row in self._rows(query, s.district, s.id, district)]

    def vehicles(self, district: str | None = None) -> list[VehicleRow]:
        v = Vehicle
        query = select(v.id, v.plate, v.district, v.station_id, v.is_demo)
        return [VehicleRow(*row) for row in self._rows(query, v.district, v.id, district)]

    def cameras(self, district: str | None = None) -> list[CameraRow]:
        c, s = QualityCamera, CollectionSite
        query = select(c.id, c.district, c.site_id, s.lat, s.lon, c.is_demo).outerjoin(
            s, s.id == c.site_id
        )
        return [CameraRow(*row) for row in self._rows(query, c.district, c.id, district)]

    def entity_names(self) -> dict[str, str]:
        """How ids read on screen: station and site names, vehicle plates (id if none)."""
        names = {v.id: v.plate or v.id for v in self.vehicles()}
        names |= {s.id: s.name for s in self.stations()}
        names |= {s.id: s.name for s in self.sites()}
        return names

    def targets(self, district: str | None = None) -> dict[str, float]:
        """Daily target tonnes by category for a district, or the city when None.

        The city falls back to the sum of district targets where no city row exists.
        """
        code = district or CITY_ADCODE
        with self._sessions() as session:
            rows = dict(
                session.execute(
                    select(WasteTarget.category, WasteTarget.tonnes_per_day).where(
                        WasteTarget.district == code
                    )
                ).all()
            )
            if code == CITY_ADCODE and len(rows) < len(CATEGORIES):
                sums = session.execute(
                    select(WasteTarget.category, func.sum(WasteTarget.tonnes_per_day))
                    .where(WasteTarget.district != CITY_ADCODE)
                    .group_by(WasteTarget.category)
                )
                for category, total in sums:
                    rows.setdefault(category, float(total))
        return {c: float(rows[c]) for c in CATEGORIES if c in rows}

    def history(
        self, days: int, district: str | None = None, end: date | None = None
    ) -> list[HistoryPoint]:
        """Daily tonnes by category for the ``days`` days up to ``end`` (inclusive).

        ``end`` defaults to the latest day on record; ``district=None`` sums the city.
        """
        w = DailyWeighing
        scope = [] if district is None else [w.district == district]
        with self._sessions() as session:
            end = end or session.scalar(select(func.max(w.day)).where(*scope))
            if end is None:
                return []
            rows = session.execute(
                select(w.day, w.category, func.sum(w.tonnes))
                .where(*scope, w.day > end - timedelta(days=days), w.day <= end)
                .group_by(w.day, w.category)
            ).all()
        order = {c: i for i, c in enumerate(CATEGORIES)}
        rows.sort(key=lambda r: (r[0], order.get(r[1], len(order))))
        return [HistoryPoint(day, cat, round(float(tonnes), 3)) for day, cat, tonnes in rows]

    def quality_history(
        self, days: int, district: str | None = None, end: date | None = None
    ) -> list[QualityPoint]:
        """Daily qualified / unqualified verdict counts, like ``history``."""
        q = DailyQuality
        scope = [] if district is None else [q.district == district]
        with self._sessions() as session:
            end = end or session.scalar(select(func.max(q.day)).where(*scope))
            if end is None:
                return []
            rows = session.execute(
                select(q.day, func.sum(q.qualified), func.sum(q.unqualified))
                .where(*scope, q.day > end - timedelta(days=days), q.day <= end)
                .group_by(q.day)
                .order_by(q.day)
            )
            return [QualityPoint(day, int(ok), int(bad)) for day, ok, bad in rows]


def master_part(reads: WasteReads) -> MasterPart:
    """What the ingest worker needs of the waste master data: the registered stations, cameras,
    sites and vehicles, and where each site's garbage goes (``site_trace``)."""
    vehicles = {v.id: v for v in reads.vehicles()}
    traces = {}
    for site in reads.sites():
        vehicle = vehicles.get(site.vehicle_id) if site.vehicle_id else None
        traces[site.id] = SiteTrace(
            district=site.district,
            vehicle=site.vehicle_id,
            station=vehicle.station_id if vehicle else None,
        )
    return MasterPart(
        ids={
            "station": frozenset(s.id for s in reads.stations()),
            "camera": frozenset(c.id for c in reads.cameras()),
            "site": frozenset(traces),
            "vehicle": frozenset(vehicles),
        },
        tables={"site_trace": traces},
    )
