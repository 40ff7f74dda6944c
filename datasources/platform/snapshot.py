"""The snapshot database (快照库): master data and daily history, read by tiles and the worker.

SQLite by default, PostgreSQL in production; the same code runs on both. Read methods return
small frozen dataclasses, never ORM objects, so callers cannot lazy-load across sessions.
``SnapshotStore`` holds what every database has (districts, notes, walls, the schema, CSV
loading, the master lookup); each enabled domain adds its tables and its reads
(``store.forest.rangers()``). ``load_csv_dir`` is what ``greenwall snapshot load DIR`` runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from datasources.platform import walls
from datasources.platform.domain import Domain, StoreReads, load_domains
from datasources.platform.master import SnapshotMasterLookup
from datasources.platform.schema import (
    Base,
    CsvTable,
    District,
    DistrictRow,
    Meta,
    SnapshotError,
    SnapshotLoadError,
)

PLATFORM_TABLES = (District, Meta, walls.WallRecord, walls.WallDisplayRecord)
"""The tables every database has, whichever domains are enabled."""


class DomainReads:
    """The base of a domain's snapshot reads (``Domain.reads``): its sessions, whether its
    master data is there (rows in ``master_table``), and district-scoped row reads."""

    master_table: ClassVar[type]

    def __init__(self, sessions: sessionmaker, engine: Engine, schema: str | None):
        self._sessions = sessions
        self._engine = engine
        self._schema = schema

    def is_empty(self) -> bool:
        """True when the domain's master table is missing or holds no row."""
        table = self.master_table
        if not inspect(self._engine).has_table(table.__tablename__, schema=self._schema):
            return True
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(table)) == 0

    def _rows(self, query: Any, district_col: Any, order_col: Any, district: str | None) -> list:
        """The rows of ``query`` in ``district`` (all for ``None``), ordered by ``order_col``."""
        if district is not None:
            query = query.where(district_col == district)
        with self._sessions() as session:
            return list(session.execute(query.order_by(order_col)))


_BASE_READS = {*dir(DomainReads), *DomainReads.__annotations__}


class SnapshotStore:
    """The snapshot database at ``url``; ``schema`` (PostgreSQL only) isolates its tables.

    ``domains`` are the enabled domains (default: ``load_domains()``). Each one's reads are
    ``store.<domain name>`` (``store.forest.patrol_grids()``); their methods are also the
    store's own (``store.stations()`` is ``store.waste.stations()``), so a screen need not know
    which domain a table belongs to. Two domains may not offer a read of the same name.
    """

    def __init__(self, url: str, schema: str | None = None,
                 domains: Iterable[Domain] | None = None):
        self.url = url
        self.schema = schema
        self.engine = _create_engine(url, schema)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._lookup: SnapshotMasterLookup | None = None
        self.domains = load_domains() if domains is None else tuple(domains)
        self._reads: dict[str, StoreReads] = {
            d.name: d.reads(self._sessions, self.engine, schema) for d in self.domains}
        self._read_owner: dict[str, StoreReads] = {}
        for name, reads in self._reads.items():
            for attribute in dir(reads):
                if attribute.startswith("_") or hasattr(type(self), attribute) \
                        or attribute in _BASE_READS:
                    continue
                owner = self._read_owner.setdefault(attribute, reads)
                if owner is not reads:
                    raise SnapshotError(f"two domains offer the snapshot read {attribute!r} "
                                        f"(one of them {name})")

    def __getattr__(self, name: str) -> Any:
        # Only called for what the store itself lacks: a domain's reads, or one of its methods.
        reads = self.__dict__.get("_reads", {})
        if name in reads:
            return reads[name]
        owner = self.__dict__.get("_read_owner", {}).get(name)
        if owner is None:
            raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r} "
                                 f"(domains enabled: {', '.join(reads) or 'none'})")
        return getattr(owner, name)

    def tables(self) -> list[Any]:
        """The tables of this database (the platform's and the enabled domains'), parents
        before children."""
        wanted = {model.__table__ for model in PLATFORM_TABLES}
        wanted |= {model.__table__ for domain in self.domains for model in domain.tables}
        return [table for table in Base.metadata.sorted_tables if table in wanted]

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
            Base.metadata.create_all(conn, tables=self.tables())

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

    def master_lookup(self) -> SnapshotMasterLookup:
        """The process-wide in-memory ``MasterLookup`` (loaded on first use)."""
        if self._lookup is None:
            self._lookup = SnapshotMasterLookup(
                lambda: [d.master(self._reads[d.name]) for d in self.domains])
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
        tables = {t.name: t for t in self.tables()}
        for name, file in files.items():
            if name not in tables:
                raise SnapshotLoadError(
                    file, f"no table {name!r}; expected one of {', '.join(sorted(tables))}"
                )
        self.create_schema()
        counts = {}
        with self.engine.begin() as conn:
            # Parents before children, so foreign keys can be checked against loaded rows.
            for table in tables.values():
                if table.name in files:
                    counts[table.name] = CsvTable(conn, table, files[table.name]).load(progress)
        if self._lookup is not None:
            self._lookup.refresh()
        return counts


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
