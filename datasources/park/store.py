"""Reads of the park master data (``store.park``): key parks, their gates and the park counts by
year; and what the ingest worker needs of them."""

from __future__ import annotations

import math

from sqlalchemy import select

from dashboard.settings import Settings
from datasources.park.schema import GateRow, Park, ParkCount, ParkCountRow, ParkGate, ParkRow
from datasources.platform.master import MasterPart
from datasources.platform.snapshot import DomainReads


class ParkReads(DomainReads):
    """The park tables of one snapshot database (empty without parks)."""

    master_table = Park

    def parks(self, district: str | None = None) -> list[ParkRow]:
        """Key parks (重点公园), by id; a district's scope holds its own."""
        p = Park
        query = select(p.id, p.name, p.name_en, p.district, p.category, p.lat, p.lon, p.area_ha,
                       p.open_24h, p.hours, p.capacity_instant, p.capacity_daily,
                       p.capacity_basis, p.source_url, p.note, p.is_demo)
        return [ParkRow(*row) for row in self._rows(query, p.district, p.id, district)]

    def park_gates(self) -> list[GateRow]:
        g = ParkGate
        with self._sessions() as session:
            return [GateRow(*row) for row in session.execute(
                select(g.id, g.park_id, g.name).order_by(g.park_id, g.id))]

    def park_counts(self) -> list[ParkCountRow]:
        """The city's parks by year and category (``全部`` the total), oldest first."""
        c = ParkCount
        with self._sessions() as session:
            return [ParkCountRow(*row) for row in session.execute(
                select(c.year, c.category, c.count, c.open_24h, c.source_url)
                .order_by(c.year, c.category))]


def alert_lines(capacity: int | None, bands: tuple[float, ...]) -> tuple[int, ...]:
    """People at which a park of ``capacity`` enters the announce band (较拥挤, the third
    limit) and is full (100 %); none without a capacity."""
    if not capacity:
        return ()
    return (math.ceil(capacity * bands[2]), capacity)


def master_part(reads: ParkReads) -> MasterPart:
    """The registered parks; each one's district, whether it is open 24 hours (its in-park
    count then carries across midnight), and the lines its count is watched across."""
    parks = [] if reads.is_empty() else reads.parks()
    bands = Settings().park_bands
    return MasterPart(
        ids={"park": frozenset(p.id for p in parks)},
        tables={
            "park_district": {p.id: p.district for p in parks},
            "park_open_24h": {p.id: True for p in parks if p.open_24h},
            "park_watch": {p.id: alert_lines(p.capacity_instant, bands) for p in parks
                           if p.capacity_instant},
        },
    )
