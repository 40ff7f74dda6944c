"""Park master data: the key parks with published positions (``data/parks.csv``), a demo park in
each district that has none there (named "…（演示）"), their gates, and the city's park counts
by year (``data/park_counts.csv``). Sources: ``data/SOURCE.md``.

A capacity the park has not published is derived from its area by GB 51192-2016's
C = A / Am (``derived_capacity``); the daily capacity is then three times the instantaneous one,
the ratio of 上海植物园's published figures (104,910 / 34,970). Both are marked ``derived``.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from importlib import resources

from shapely.geometry import shape

from dashboard.districts import DISTRICTS
from datasources.park.schema import Park, ParkCount, ParkGate
from datasources.platform.seed import DEMO_SUFFIX, SeedPart, insert, load_boundaries, short_name
from datasources.platform.snapshot import SnapshotStore

AREA_PER_VISITOR_M2 = {"森林公园": 60.0, "郊野公园": 60.0}
"""Am of GB 51192-2016 (m² of park per visitor at once) by category; others
``DEFAULT_AREA_PER_VISITOR_M2``. The low end of the standard's ranges: the largest capacity it
allows. To be confirmed with the bureau."""
DEFAULT_AREA_PER_VISITOR_M2 = 30.0
DAILY_PER_INSTANT = 3.0
CENTRAL = {"310101", "310104", "310105", "310106", "310107", "310109", "310110"}
"""The districts inside the inner ring, where parks are city and pocket parks."""
DEMO_CATEGORIES = {True: ("城市公园", "口袋公园"), False: ("郊野公园", "森林公园", "城市公园")}
DEMO_AREA_HA = {"城市公园": (8, 40), "郊野公园": (120, 400), "口袋公园": (0.3, 1.2),
                "森林公园": (60, 200)}


def derived_capacity(area_ha: float, category: str) -> tuple[int, int]:
    """(instantaneous, daily) capacity of a park of ``area_ha`` by C = A / Am."""
    instant = int(area_ha * 10_000 / AREA_PER_VISITOR_M2.get(category, DEFAULT_AREA_PER_VISITOR_M2))
    return instant, int(instant * DAILY_PER_INSTANT)


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("datasources.park").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _optional(value: str, kind: type = str):
    return kind(value) if value.strip() else None


def real_parks() -> list[Park]:
    """The key parks of ``data/parks.csv``, capacities derived where none is published."""
    parks = []
    for row in _csv("parks.csv"):
        area = _optional(row["area_ha"], float)
        instant, daily = _optional(row["capacity_instant"], int), _optional(row["capacity_daily"], int)
        basis = row["capacity_basis"] or None
        if instant is None and area is not None:
            instant, daily = derived_capacity(area, row["category"])
            basis = "derived"
        parks.append(Park(
            id=row["id"], name=row["name"], name_en=row["name_en"] or None, district=row["district"],
            category=row["category"], lat=float(row["lat"]), lon=float(row["lon"]), area_ha=area,
            open_24h=row["open_24h"] == "true", hours=row["hours"] or None,
            capacity_instant=instant, capacity_daily=daily, capacity_basis=basis,
            source_url=row["source_url"] or None, note=row["note"] or None, is_demo=False))
    return parks


def demo_parks(rng_seed: int, taken: set[str]) -> list[Park]:
    """One demo park inside each district not in ``taken``: city and pocket parks in turn
    inside the inner ring, country, forest and city parks outside."""
    rng = random.Random(f"park:{rng_seed}")
    boundaries = load_boundaries()
    parks = []
    turn = {True: 0, False: 0}
    for district in (d for d in DISTRICTS if d.adcode not in taken):
        central = district.adcode in CENTRAL
        choices = DEMO_CATEGORIES[central]
        category = choices[turn[central] % len(choices)]
        turn[central] += 1
        point = shape(boundaries[district.adcode]).representative_point()
        area = round(rng.uniform(*DEMO_AREA_HA[category]), 1)
        instant, daily = derived_capacity(area, category)
        open_24h = category in ("城市公园", "口袋公园")
        parks.append(Park(
            id=f"PK-D{district.adcode}", name=f"{short_name(district)}{category}{DEMO_SUFFIX}",
            name_en=None, district=district.adcode, category=category,
            lat=round(point.y, 5), lon=round(point.x, 5), area_ha=area, open_24h=open_24h,
            hours=None if open_24h else "06:00-18:00", capacity_instant=instant,
            capacity_daily=daily, capacity_basis="derived", source_url=None,
            note="demo park; position inside its district, not a real park's", is_demo=True))
    return parks


def gates_of(parks: list[Park]) -> list[ParkGate]:
    """Gates by size: a pocket park has one, a large park up to six (1 per 30 ha, at least 2;
    two when the area is not known)."""
    gates = []
    for park in parks:
        area = park.area_ha
        n = 1 if area is not None and area < 2 else max(2, min(6, round((area or 60) / 30)))
        gates += [ParkGate(id=f"{park.id}-G{k}", park_id=park.id, name=f"{k}号门")
                  for k in range(1, n + 1)]
    return gates


def park_counts() -> list[ParkCount]:
    return [ParkCount(year=int(r["year"]), category=r["category"], count=int(r["count"]),
                      open_24h=_optional(r["open_24h"], int), source_url=r["source_url"] or None)
            for r in _csv("park_counts.csv")]


def seed_parks(store: SnapshotStore, rng_seed: int, today: date, fresh: bool) -> SeedPart | None:
    """Key parks (real, and demo ones for the other districts), gates and park counts, into a
    database without parks."""
    # Park counts are the park domain's alone: other domains may add parks (the belt does).
    if not store.park.is_empty() and store.park.park_counts():
        return None
    parks = real_parks()
    parks += demo_parks(rng_seed, {p.district for p in parks})
    gates = gates_of(parks)
    insert(store, [*parks, *gates, *park_counts()])
    demo = sum(p.is_demo for p in parks)
    return SeedPart({"parks": len(parks), "park_gates": len(gates)},
                    f"{len(parks)} key parks ({len(parks) - demo} real, {demo} demo), "
                    f"{len(gates)} gates, park counts by year")
