"""The snapshot database (快照库): master data and daily history, read by tiles and the worker.

SQLite by default, PostgreSQL in production; the same code runs on both. Read methods return
small frozen dataclasses, never ORM objects, so callers cannot lazy-load across sessions.
``load_csv_dir`` is what ``greenwall snapshot load DIR`` runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from dashboard.districts import CITY_ADCODE
from datasources import forest_schema  # noqa: F401  (its tables join Base.metadata)
from datasources.forest_store import ForestReads
from datasources.master import SiteTrace, check_kind
from datasources.snapshot_schema import (
    CATEGORIES,
    Base,
    CameraRow,
    CollectionSite,
    CsvTable,
    DailyQuality,
    DailyWeighing,
    District,
    DistrictRow,
    HistoryPoint,
    QualityCamera,
    QualityPoint,
    SiteRow,
    SnapshotError,
    SnapshotLoadError,
    StationRow,
    TransferStation,
    Vehicle,
    VehicleRow,
    WasteTarget,
)


class SnapshotMasterLookup:
    """``datasources.master.MasterLookup`` over the snapshot, held in memory.

    The ingest worker asks it about every message, so it is loaded once and answers without
    touching the database; ``refresh()`` reloads it (the store does so after its own writes).
    """

    def __init__(self, store: SnapshotStore):
        self._store = store
        self._ids: dict[str, frozenset[str]] = {}
        self._traces: dict[str, SiteTrace] = {}
        self._grid_districts: dict[str, str] = {}
        self.refresh()

    def refresh(self) -> None:
        """Reload every id and site trace from the database."""
        stations = self._store.stations()
        vehicles = {v.id: v for v in self._store.vehicles()}
        sites = self._store.sites()
        cameras = self._store.cameras()
        traces = {}
        for site in sites:
            vehicle = vehicles.get(site.vehicle_id) if site.vehicle_id else None
            traces[site.id] = SiteTrace(
                district=site.district,
                vehicle=site.vehicle_id,
                station=vehicle.station_id if vehicle else None,
            )
        forest = self._store.forest
        grids = {} if forest.is_empty() else {g.id: g.district for g in forest.patrol_grids()}
        ids = {
            "station": frozenset(s.id for s in stations),
            "camera": frozenset(c.id for c in cameras),
            "site": frozenset(traces),
            "vehicle": frozenset(vehicles),
            "ranger": frozenset(r.id for r in forest.rangers()) if grids else frozenset(),
            "patrol_grid": frozenset(grids),
        }
        # Readers in other threads see either the old or the new state, never a mix.
        self._ids, self._traces, self._grid_districts = ids, traces, grids

    def trace_site(self, site: str) -> SiteTrace | None:
        """The district, vehicle and station behind a collection site; None if unknown."""
        return self._traces.get(site)

    def is_registered(self, kind: str, ident: str) -> bool:
        """Whether the master data knows entity ``ident`` of ``kind`` (station/camera/…).

        Raises ``datasources.master.UnknownEntityKind`` for any other kind.
        """
        return ident in self._ids[check_kind(kind)]

    def grid_district(self, grid: str) -> str | None:
        """The district (adcode) of a patrol grid (巡护网格); None if unknown."""
        return self._grid_districts.get(grid)


class SnapshotStore:
    """The snapshot database at ``url``; ``schema`` (PostgreSQL only) isolates its tables."""

    def __init__(self, url: str, schema: str | None = None):
        self.url = url
        self.schema = schema
        self.engine = _create_engine(url, schema)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._lookup: SnapshotMasterLookup | None = None
        self.forest = ForestReads(self._sessions, self.engine, schema)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction, committed on success (used by seeding).

        The in-memory master lookup, if one is in use, is reloaded after the commit.
        """
        with self._sessions() as session, session.begin():
            yield session
        if self._lookup is not None:
            self._lookup.refresh()

    def create_schema(self) -> None:
        """Create the tables that do not exist yet (and the PostgreSQL schema, if named)."""
        with self.engine.begin() as conn:
            if self.schema:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            import datasources.walls  # noqa: F401  (registers the wall tables on Base)

            Base.metadata.create_all(conn)

    def is_empty(self) -> bool:
        """True when there are no tables yet or no district in them."""
        if not inspect(self.engine).has_table(District.__tablename__, schema=self.schema):
            return True
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(District)) == 0

    def districts(self) -> list[DistrictRow]:
        """The districts (without boundaries), by adcode."""
        with self._sessions() as session:
            rows = session.execute(
                select(District.adcode, District.name, District.name_en, District.area_km2)
                .order_by(District.adcode)
            )
            return [DistrictRow(*row) for row in rows]

    def district_geojson(self) -> dict[str, Any]:
        """The districts as a WGS84 FeatureCollection (properties adcode, name, name_en)."""
        with self._sessions() as session:
            rows = session.execute(
                select(District.adcode, District.name, District.name_en, District.boundary_geojson)
                .order_by(District.adcode)
            )
            features = [
                {
                    "type": "Feature",
                    "properties": {"adcode": adcode, "name": name, "name_en": name_en},
                    "geometry": json.loads(boundary) if boundary else None,
                }
                for adcode, name, name_en, boundary in rows
            ]
        return {"type": "FeatureCollection", "features": features}

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

    def master_lookup(self) -> SnapshotMasterLookup:
        """The process-wide in-memory ``MasterLookup`` (loaded on first use)."""
        if self._lookup is None:
            self._lookup = SnapshotMasterLookup(self)
        return self._lookup

    def load_csv_dir(self, path: Path, progress: bool = True) -> dict[str, int]:
        """Upsert every ``<table>.csv`` in ``path`` by primary key, all in one transaction.

        Returns rows loaded per table. Raises ``SnapshotLoadError`` naming file, line and
        column for the first bad row, in which case nothing is loaded.
        """
        path = Path(path)
        if not path.is_dir():
            raise SnapshotLoadError(path, "not a directory")
        files = {p.stem: p for p in sorted(path.glob("*.csv"))}
        tables = {t.name: t for t in Base.metadata.sorted_tables}
        for name, file in files.items():
            if name not in tables:
                raise SnapshotLoadError(
                    file, f"no table {name!r}; expected one of {', '.join(sorted(tables))}"
                )
        self.create_schema()
        counts = {}
        with self.engine.begin() as conn:
            # Parents before children, so foreign keys can be checked against loaded rows.
            for table in Base.metadata.sorted_tables:
                if table.name in files:
                    counts[table.name] = CsvTable(conn, table, files[table.name]).load(progress)
        if self._lookup is not None:
            self._lookup.refresh()
        return counts

    def _rows(self, query: Any, district_col: Any, order_col: Any, district: str | None) -> list:
        if district is not None:
            query = query.where(district_col == district)
        with self._sessions() as session:
            return list(session.execute(query.order_by(order_col)))


def _create_engine(url: str, schema: str | None) -> Engine:
    parsed = make_url(url)
    if schema is not None and parsed.get_backend_name() != "postgresql":
        raise SnapshotError("a schema can only be given for PostgreSQL")
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or every checkout would see a new empty database.
            options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        else:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    if schema is not None:
        engine = engine.execution_options(schema_translate_map={None: schema})
    return engine


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked; enforce them so it behaves like PostgreSQL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
