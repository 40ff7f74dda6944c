"""Reads of the forest-chief (林长制) master data: chiefs, grids, rangers, trees, coverage.

``SnapshotStore.forest`` is one of these; like the store it hands out frozen rows, never ORM
objects. ``district=None`` means the whole city.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import sessionmaker

from datasources.forest_schema import (
    AncientTree,
    ChiefRow,
    CoverageRow,
    DutyGrid,
    ForestChief,
    ForestCoverage,
    PatrolGrid,
    PatrolGridRow,
    Ranger,
    RangerRow,
    TreeRow,
)


class ForestReads:
    """The forest tables of one snapshot database."""

    def __init__(self, sessions: sessionmaker, engine: Any, schema: str | None):
        self._sessions = sessions
        self._engine = engine
        self._schema = schema

    def is_empty(self) -> bool:
        """True when the forest tables are missing or hold no patrol grid."""
        if not inspect(self._engine).has_table(PatrolGrid.__tablename__, schema=self._schema):
            return True
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(PatrolGrid)) == 0

    def chiefs(self, district: str | None = None) -> list[ChiefRow]:
        """Chiefs (林长) with their duty grids; a district's scope holds its own chiefs."""
        c, g = ForestChief, DutyGrid
        query = select(c.id, c.name, c.level, c.district, g.id, g.name, g.parent_id, c.is_demo) \
            .join(g, g.chief_id == c.id).order_by(c.id)
        if district is not None:
            query = query.where(c.district == district)
        with self._sessions() as session:
            return [ChiefRow(*row) for row in session.execute(query)]

    def patrol_grids(self, district: str | None = None) -> list[PatrolGridRow]:
        p = PatrolGrid
        query = select(p.id, p.district, p.duty_grid_id, p.lat, p.lon, p.area_km2).order_by(p.id)
        if district is not None:
            query = query.where(p.district == district)
        with self._sessions() as session:
            return [PatrolGridRow(*row) for row in session.execute(query)]

    def grid_geojson(self, district: str | None = None) -> dict[str, Any]:
        """Patrol grids as a WGS84 FeatureCollection (property ``id``: a grid's id names its
        district)."""
        p = PatrolGrid
        query = select(p.id, p.boundary_geojson).order_by(p.id)
        if district is not None:
            query = query.where(p.district == district)
        with self._sessions() as session:
            features = [
                {"type": "Feature", "properties": {"id": ident}, "geometry": json.loads(boundary)}
                for ident, boundary in session.execute(query)
            ]
        return {"type": "FeatureCollection", "features": features}

    def rangers(self, district: str | None = None) -> list[RangerRow]:
        r = Ranger
        query = select(r.id, r.name, r.district, r.duty_grid_id, r.is_demo).order_by(r.id)
        if district is not None:
            query = query.where(r.district == district)
        with self._sessions() as session:
            return [RangerRow(*row) for row in session.execute(query)]

    def trees(self, district: str | None = None) -> list[TreeRow]:
        t = AncientTree
        query = select(t.id, t.name, t.species, t.kind, t.district, t.grid_id, t.lat, t.lon) \
            .order_by(t.id)
        if district is not None:
            query = query.where(t.district == district)
        with self._sessions() as session:
            return [TreeRow(*row) for row in session.execute(query)]

    def tree_counts(self, district: str | None = None) -> dict[str, int]:
        """Register entries by kind (``ancient`` 古树名木, ``reserve`` 古树后续资源)."""
        t = AncientTree
        query = select(t.kind, func.count()).group_by(t.kind)
        if district is not None:
            query = query.where(t.district == district)
        with self._sessions() as session:
            return dict(Counter(dict(session.execute(query).all())))

    def coverage(self) -> list[CoverageRow]:
        """City forest coverage by year, oldest first."""
        f = ForestCoverage
        with self._sessions() as session:
            rows = session.execute(select(f.year, f.percent, f.source_url, f.note).order_by(f.year))
            return [CoverageRow(*row) for row in rows]
