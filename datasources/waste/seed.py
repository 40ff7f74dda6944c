"""Demo waste-sorting data (演示数据) for a freshly seeded snapshot database.

Invented transfer stations, collection sites, vehicles and quality cameras placed inside the
real district boundaries — every one named "…（演示）" and flagged ``is_demo`` — daily targets
calibrated on published city totals, and 30 days of weighing and quality history.
Deterministic for a given ``rng_seed`` and day; ``datasources.platform.seed`` runs it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from dashboard.districts import CITY_ADCODE, DISTRICTS, District
from datasources.platform.schema import Meta
from datasources.platform.seed import (
    DEMO_SUFFIX,
    SeedError,
    SeedPart,
    area_km2,
    insert,
    load_boundaries,
    short_name,
)
from datasources.platform.snapshot import SnapshotStore
from datasources.waste.schema import (
    CATEGORIES,
    CollectionSite,
    DailyQuality,
    DailyWeighing,
    QualityCamera,
    TransferStation,
    Vehicle,
    WasteTarget,
)

HISTORY_DAYS = 30

# City-wide daily tonnage by category, Jan–May 2024 averages reported by CCTV (央视, via
# 格隆汇) quoting the Shanghai Landscaping & City Appearance Administration (市绿化市容局):
# 湿垃圾 9,111 t/d, 干垃圾 17,060 t/d, 可回收物 7,627 t/d, 有害垃圾 2.1 t/d.
CITY_DAILY_TONNES: dict[str, float] = {
    "wet": 9111.0,
    "dry": 17060.0,
    "recyclable": 7627.0,
    "hazardous": 2.1,
}
CITY_DAILY_TONNES_SOURCE = "http://bbs.lyxww.cn/mrkx/202407/397819.html"

# District shares of the city targets follow resident population: 2020 census figures
# (第七次人口普查) rounded to 10,000 people. A plausible demo split, not official tonnage.
POPULATION_10K: dict[str, float] = {
    "310101": 66, "310104": 111, "310105": 69, "310106": 98, "310107": 124, "310109": 76,
    "310110": 124, "310112": 265, "310113": 224, "310114": 183, "310115": 568, "310116": 82,
    "310117": 191, "310118": 127, "310120": 114, "310151": 64,
}  # fmt: skip

# Unqualified share of wet-garbage loads rises with a district's place in the H1 2021 city
# waste-sorting assessment (上观新闻 2021-07-30; 黄浦/奉贤 share 15–16): rank 1 → 5 %, 16 → 12 %.
QUALITY_RANK_2021H1: dict[str, float] = {
    "310110": 1, "310114": 2, "310151": 3, "310112": 4, "310105": 5, "310113": 6,
    "310118": 7, "310104": 8, "310109": 9, "310116": 10, "310106": 11, "310107": 12,
    "310117": 13, "310115": 14, "310101": 15.5, "310120": 15.5,
}  # fmt: skip
QUALITY_RANK_SOURCE = "https://j.eastday.com/m/162759744877011598"

# Households put out more at weekends; Monday…Sunday, mean exactly 1.
WEEKDAY_FACTORS: tuple[float, ...] = (0.99, 0.98, 0.98, 0.99, 1.00, 1.03, 1.03)
VERDICTS_PER_CAMERA_PER_DAY = 500  # bins tipped under one camera in a day
CAMERA_SHARE = 0.85  # most, not all, collection sites have a quality camera
INSET_DEG = 0.003  # keep demo entities ≈300 m inside the boundary
MIN_SPACING_DEG = 0.004  # so markers in one district do not sit on each other


def unqualified_share(adcode: str) -> float:
    """A district's typical share of unqualified wet-garbage loads (5–12 %)."""
    rank = QUALITY_RANK_2021H1.get(adcode, 8.5)
    return 0.05 + (rank - 1) / 15 * 0.07


def district_targets() -> dict[str, dict[str, float]]:
    """Daily targets by district and category, summing exactly to ``CITY_DAILY_TONNES``."""
    total = sum(POPULATION_10K.values())
    biggest = max(POPULATION_10K, key=POPULATION_10K.__getitem__)
    targets: dict[str, dict[str, float]] = {d.adcode: {} for d in DISTRICTS}
    for category, city in CITY_DAILY_TONNES.items():
        digits = 3 if category == "hazardous" else 1
        for adcode in targets:
            targets[adcode][category] = round(city * POPULATION_10K[adcode] / total, digits)
        # The biggest district absorbs the rounding so districts add up to the city figure.
        others = sum(t[category] for a, t in targets.items() if a != biggest)
        targets[biggest][category] = round(city - others, digits)
    return targets


class _Placer:
    """Random points inside a district, inset from its edge and spaced apart."""

    def __init__(self, rng: random.Random, geometry: BaseGeometry):
        inset = geometry.buffer(-INSET_DEG)
        self.area = inset if inset.area > 0.2 * geometry.area else geometry
        self.prepared = prep(self.area)
        self.rng = rng
        self.placed: list[tuple[float, float]] = []

    def point(self) -> tuple[float, float]:
        """A new point inside the area, away from the others if at all possible."""
        minx, miny, maxx, maxy = self.area.bounds
        fallback = None
        for _ in range(5000):
            lon = round(self.rng.uniform(minx, maxx), 6)
            lat = round(self.rng.uniform(miny, maxy), 6)
            if self.prepared.contains(Point(lon, lat)):
                if not self._crowded(lon, lat):
                    break
                fallback = fallback or (lon, lat)
        else:
            if fallback is None:
                raise SeedError("could not place a point inside the district")
            lon, lat = fallback
        self.placed.append((lon, lat))
        return lon, lat

    def _crowded(self, lon: float, lat: float) -> bool:
        return any(
            abs(lon - x) < MIN_SPACING_DEG and abs(lat - y) < MIN_SPACING_DEG
            for x, y in self.placed
        )


def _station_count(km2: float) -> int:
    return 2 if km2 < 100 else 3 if km2 < 700 else 4


def _site_count(adcode: str) -> int:
    return 8 + round(7 * POPULATION_10K[adcode] / max(POPULATION_10K.values()))


def _demo_entities(
    rng: random.Random, district: District, geometry: BaseGeometry, targets: dict[str, float]
) -> list[Any]:
    """Stations, vehicles, sites and cameras of one district, as ORM objects."""
    code, short = district.adcode, short_name(district)
    placer = _Placer(rng, geometry)
    n_stations = _station_count(area_km2(geometry))
    capacity = sum(targets.values()) * 1.3 / n_stations  # headroom over the average day
    stations = []
    for n in range(1, n_stations + 1):
        lon, lat = placer.point()
        stations.append(
            TransferStation(
                id=f"ST-{code}-{n:02d}", name=f"{short}{n}号中转站{DEMO_SUFFIX}", district=code,
                lat=lat, lon=lon, capacity_tpd=float(max(50, round(capacity / 50) * 50)),
                is_demo=True,
            )
        )
    entities: list[Any] = list(stations)
    n_sites = _site_count(code)
    with_camera = set(rng.sample(range(1, n_sites + 1), round(CAMERA_SHARE * n_sites)))
    for n in range(1, n_sites + 1):
        lon, lat = placer.point()
        nearest = min(stations, key=lambda s: (s.lon - lon) ** 2 + (s.lat - lat) ** 2)
        vehicle = Vehicle(
            id=f"VH-{code}-{n:03d}", plate=f"沪演{code[-2:]}{n:03d}", district=code,
            station_id=nearest.id, is_demo=True,
        )
        site = CollectionSite(
            id=f"CS-{code}-{n:03d}", name=f"{short}收集点{n:03d}{DEMO_SUFFIX}", district=code,
            lat=lat, lon=lon, vehicle_id=vehicle.id, is_demo=True,
        )
        entities += [vehicle, site]
        if n in with_camera:
            entities.append(
                QualityCamera(id=f"QC-{code}-{n:03d}", district=code, site_id=site.id, is_demo=True)
            )
    return entities


def _history(
    rng: random.Random, targets: dict[str, dict[str, float]], cameras: dict[str, int], end: date
) -> list[Any]:
    """``HISTORY_DAYS`` days of weighing and quality up to ``end``, as ORM objects."""
    rows: list[Any] = []
    for offset in range(HISTORY_DAYS - 1, -1, -1):
        day = end - timedelta(days=offset)
        weekday = WEEKDAY_FACTORS[day.weekday()]
        for adcode, by_category in targets.items():
            for category in CATEGORIES:
                tonnes = by_category[category] * weekday * rng.gauss(1.0, 0.03)
                rows.append(
                    DailyWeighing(day=day, district=adcode, category=category,
                                  tonnes=round(max(tonnes, 0.0), 3))
                )
            verdicts = round(cameras[adcode] * VERDICTS_PER_CAMERA_PER_DAY * weekday
                             * rng.gauss(1.0, 0.04))
            weekend = 0.005 if day.weekday() >= 5 else 0.0
            share = min(max(unqualified_share(adcode) + weekend + rng.gauss(0, 0.008), 0.03), 0.12)
            unqualified = round(verdicts * share)
            rows.append(DailyQuality(day=day, district=adcode,
                                     qualified=verdicts - unqualified, unqualified=unqualified))
    return rows


def seed_waste(store: SnapshotStore, rng_seed: int, today: date, fresh: bool) -> SeedPart | None:
    """Waste demo entities, targets and history, into a database whose districts were just
    seeded (``fresh``); ``None`` for any other database."""
    if not fresh:
        return None
    rng = random.Random(rng_seed)
    boundaries = load_boundaries()
    targets = district_targets()
    objects: list[Any] = []
    entities: list[Any] = []
    for district in DISTRICTS:
        geometry = shape(boundaries[district.adcode])
        entities += _demo_entities(rng, district, geometry, targets[district.adcode])
    rows_by_kind = {kind: [e for e in entities if isinstance(e, kind)]
                    for kind in (TransferStation, CollectionSite, Vehicle, QualityCamera)}
    cameras = {d.adcode: 0 for d in DISTRICTS}
    for camera in rows_by_kind[QualityCamera]:
        cameras[camera.district] += 1
    objects += entities
    objects += [WasteTarget(district=CITY_ADCODE, category=c, tonnes_per_day=t)
                for c, t in CITY_DAILY_TONNES.items()]
    objects += [WasteTarget(district=adcode, category=c, tonnes_per_day=t)
                for adcode, by_category in targets.items() for c, t in by_category.items()]
    objects += _history(rng, targets, cameras, end=today - timedelta(days=1))
    objects += [
        Meta(key="seed.targets_source", value=CITY_DAILY_TONNES_SOURCE),
        Meta(key="seed.quality_rank_source", value=QUALITY_RANK_SOURCE),
    ]
    insert(store, objects)
    added = {kind.__tablename__: len(rows) for kind, rows in rows_by_kind.items()}
    return SeedPart(
        {"stations": added["transfer_stations"], "sites": added["collection_sites"],
         "vehicles": added["vehicles"], "cameras": added["quality_cameras"],
         "history_days": HISTORY_DAYS},
        f"{added['transfer_stations']} stations, {added['collection_sites']} sites, "
        f"{added['vehicles']} vehicles, {added['quality_cameras']} cameras (demo) and "
        f"{HISTORY_DAYS} days of history",
    )


