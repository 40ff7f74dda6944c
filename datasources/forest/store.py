"""Reads of the forest-chief (林长制) master data: chiefs, grids, rangers, trees, coverage.

``SnapshotStore.forest`` is one of these (its methods are also the store's own); like the
store it hands out frozen rows, never ORM objects. ``district=None`` means the whole city.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from datasources.forest.schema import (
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
from datasources.platform.master import MasterPart
from datasources.platform.snapshot import DomainReads


class ForestReads(DomainReads):
    """The forest tables of one snapshot database (empty without patrol grids)."""

    master_table = PatrolGrid

    def chiefs(self, district: str | None = None) -> list[ChiefRow]:
        """Chiefs (林长) with their duty grids; a district's scope holds its own chiefs."""
        c, g = ForestChief, DutyGrid
        query = select(c.id, c.name, c.level, c.district, g.id, g.name, g.parent_id, c.is_demo) \
            .join(g, g.chief_id == c.id)
        return [ChiefRow(*row) for row in self._rows(query, c.district, c.id, district)]

    def patrol_grids(self, district: str | None = None) -> list[PatrolGridRow]:
        p = PatrolGrid
        query = select(p.id, p.district, p.duty_grid_id, p.lat, p.lon, p.area_km2)
        return [PatrolGridRow(*row) for row in self._rows(query, p.district, p.id, district)]

    def grid_geojson(self, district: str | None = None) -> dict[str, Any]:
        """Patrol grids as a WGS84 FeatureCollection (property ``id``: a grid's id names its
        district)."""
        p = PatrolGrid
        query = select(p.id, p.boundary_geojson)
        features = [
            {"type": "Feature", "properties": {"id": ident}, "geometry": json.loads(boundary)}
            for ident, boundary in self._rows(query, p.district, p.id, district)
        ]
        return {"type": "FeatureCollection", "features": features}

    def rangers(self, district: str | None = None) -> list[RangerRow]:
        r = Ranger
        query = select(r.id, r.name, r.district, r.duty_grid_id, r.is_demo)
        return [RangerRow(*row) for row in self._rows(query, r.district, r.id, district)]

    def trees(self, district: str | None = None) -> list[TreeRow]:
        t = AncientTree
        query = select(t.id, t.name, t.species, t.kind, t.district, t.grid_id, t.lat, t.lon)
        return [TreeRow(*row) for row in self._rows(query, t.district, t.id, district)]

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


def master_part(reads: ForestReads) -> MasterPart:
    """What the ingest worker needs of the forest master data: the registered rangers and
    patrol grids, and each grid's district (``grid_district``)."""
    grids = {} if reads.is_empty() else {g.id: g.district for g in reads.patrol_grids()}
    return MasterPart(
        ids={"ranger": frozenset(r.id for r in reads.rangers()) if grids else frozenset(),
             "patrol_grid": frozenset(grids)},
        tables={"grid_district": grids},
    )
