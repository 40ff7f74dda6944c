"""Demo forest-chief (林长制) master data: the two grids, chiefs, rangers and the tree register.

Patrol grids (巡护责任网格) are H3 cells at resolution ``GRID_RESOLUTION`` (about 5 km² each)
clipped to the real district boundaries, so a cell on a district line becomes one grid on
each side; slivers under ``MIN_GRID_KM2`` are left out. Chief-duty grids (林长履职网格) nest
市 → 区 → 镇街 (the cells sharing an H3 parent one level up) → 村居 (up to three neighbouring
patrol grids). Every invented entity is named "…（演示）" and flagged ``is_demo``.

The real figures — tree totals and forest coverage — are copied below with their sources;
the product never reads ``../shared`` at run time.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

import h3
from shapely.geometry import Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep
from sqlalchemy import select

from dashboard.districts import BY_ADCODE, CITY_ADCODE, DISTRICTS
from datasources.forest.schema import (
    AncientTree,
    DutyGrid,
    ForestChief,
    ForestCoverage,
    PatrolGrid,
    Ranger,
)
from datasources.platform.schema import Meta
from datasources.platform.seed import DEMO_SUFFIX, SeedPart, area_km2, insert, load_boundaries, short_name
from datasources.platform.snapshot import SnapshotStore

GRID_RESOLUTION = 7  # H3 cells of about 5.2 km²: about 2,000 patrol grids city-wide
MIN_GRID_KM2 = 2.0  # smaller clipped pieces (river banks, coast) are not worth a grid
GRID_DECIMALS = 4  # about 10 m: plenty for a screen, and it keeps the GeoJSON small
GRID_SIMPLIFY_DEG = 0.0005
MIN_TOWN_CELLS = 3  # a smaller edge piece of an H3 parent joins the nearest town
VILLAGE_CELLS = 3  # patrol grids per village-level duty grid, at most

# 古树名木 in the whole city, April 2016 (东方网/劳动报 2016-04-17, quoting the bureau): 1,595
# registered ancient and famous trees and 1,045 reserve trees (古树后续资源).
ANCIENT_TREES_2016 = 1595
RESERVE_TREES_2016 = 1045
TREES_SOURCE = (
    "https://shanghai.baogaosu.com/xinwen/%E6%A3%B5%E5%8F%A4%E6%A0%91%E5%90%8D%E6%9C%A8%E8%AE%A4"
    "%E5%85%BB%E5%8F%97%E8%BF%BD%E6%8D%A7%E4%B9%9D%E6%88%90%E4%BB%A5%E4%B8%8A/45976498"
)
# 森林覆盖率 of the city: 16.2 % in 2017 (forest land over 1.7 million mu, target 18 % by 2020)
# and 18.49 % in 2020 (2021 plenary meeting of the city greening committee, 中国建设新闻网).
FOREST_COVERAGE: tuple[tuple[int, float, str, str], ...] = (
    (2017, 16.2, "http://shcafe.org/shzxxw/1741.html", "森林面积超170万亩；目标2020年18%"),
    (2020, 18.49, "http://www.jiushunlipin.com/html/2021/yaowen_0308/2434622.html",
     "2021年市绿化委员会全体会议"),
)
# Common species among Shanghai's registered old trees, with a demo weight each.
TREE_SPECIES: tuple[tuple[str, int], ...] = (
    ("银杏", 30), ("香樟", 18), ("广玉兰", 10), ("榉树", 8), ("朴树", 8), ("圆柏", 7),
    ("桂花", 7), ("黄杨", 5), ("罗汉松", 4), ("枸骨", 3),
)  # fmt: skip


@dataclass(frozen=True)
class Cell:
    """One patrol grid before it becomes a row: its H3 cell clipped to a district."""

    h3_cell: str
    district: str
    geometry: BaseGeometry
    km2: float


def district_cells(adcode: str, district: BaseGeometry) -> list[Cell]:
    """The H3 cells touching ``district``, clipped to it, north to south, slivers dropped."""
    candidates: set[str] = set()
    for polygon in getattr(district, "geoms", [district]):
        # Cells are listed by centre; a margin of about one cell catches the edge cells.
        candidates |= set(h3.geo_to_cells(polygon.buffer(0.03), GRID_RESOLUTION))
    prepared = prep(district)
    cells = []
    for cell in sorted(candidates):
        hexagon = Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])
        if not prepared.intersects(hexagon):
            continue
        clipped = hexagon.intersection(district)
        km2 = area_km2(clipped)
        if km2 >= MIN_GRID_KM2:
            cells.append(Cell(cell, adcode, clipped, km2))
    cells.sort(key=lambda c: (-round(c.geometry.centroid.y, 3), c.geometry.centroid.x))
    return cells


def _towns(cells: list[Cell]) -> list[list[Cell]]:
    """Cells grouped into towns (镇街) by their H3 parent; small edge groups join the nearest."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        groups.setdefault(h3.cell_to_parent(cell.h3_cell, GRID_RESOLUTION - 1), []).append(cell)
    big = [g for g in groups.values() if len(g) >= MIN_TOWN_CELLS] or list(groups.values())[:1]
    for group in groups.values():
        if any(group is b for b in big):
            continue
        here = group[0].geometry.centroid
        nearest = min(big, key=lambda b: b[0].geometry.centroid.distance(here))
        nearest.extend(group)
    return big


def _rounded(geometry: BaseGeometry) -> dict[str, Any]:
    simple = geometry.simplify(GRID_SIMPLIFY_DEG, preserve_topology=True)

    def walk(coords: Any) -> Any:
        if coords and isinstance(coords[0], float | int):
            return [round(coords[0], GRID_DECIMALS), round(coords[1], GRID_DECIMALS)]
        return [walk(part) for part in coords]

    geo = mapping(simple)
    return {"type": geo["type"], "coordinates": walk(geo["coordinates"])}


class _Builder:
    """Collects the ORM objects of the forest master data, district by district."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.objects: list[Any] = []
        self.grid_of_cell: dict[tuple[str, str], str] = {}

    def chief(self, ident: str, name: str, level: str, district: str, parent: str | None) -> str:
        """A chief and the duty grid they answer for; returns the duty grid id."""
        grid_id = ident.replace("LZ-", "DG-", 1)
        self.objects.append(ForestChief(id=ident, name=f"{name}林长{DEMO_SUFFIX}", level=level,
                                        district=district, is_demo=True))
        self.objects.append(DutyGrid(id=grid_id, name=f"{name}林长履职网格{DEMO_SUFFIX}", level=level,
                                     district=district, parent_id=parent, chief_id=ident,
                                     is_demo=True))
        return grid_id

    def district(self, adcode: str, geometry: BaseGeometry, city_grid: str) -> None:
        short = short_name(BY_ADCODE[adcode])
        district_grid = self.chief(f"LZ-{adcode}", BY_ADCODE[adcode].name, "district", adcode,
                                   city_grid)
        grid_no = ranger_no = 0
        for town_no, members in enumerate(_towns(district_cells(adcode, geometry)), start=1):
            town_grid = self.chief(f"LZ-{adcode}-T{town_no:02d}", f"{short}第{town_no:02d}镇街",
                                   "town", adcode, district_grid)
            for village_no, first in enumerate(range(0, len(members), VILLAGE_CELLS), start=1):
                village_grid = self.chief(
                    f"LZ-{adcode}-T{town_no:02d}-V{village_no}",
                    f"{short}第{town_no:02d}镇街{village_no}号村居", "village", adcode, town_grid)
                for cell in members[first:first + VILLAGE_CELLS]:
                    grid_no += 1
                    grid_id = f"PG-{adcode}-{grid_no:03d}"
                    inside = cell.geometry.representative_point()
                    self.grid_of_cell[(adcode, cell.h3_cell)] = grid_id
                    self.objects.append(PatrolGrid(
                        id=grid_id, district=adcode, duty_grid_id=village_grid,
                        h3_cell=cell.h3_cell, lat=round(inside.y, 6), lon=round(inside.x, 6),
                        area_km2=round(cell.km2, 3),
                        boundary_geojson=json.dumps(_rounded(cell.geometry), separators=(",", ":")),
                        is_demo=True,
                    ))
                ranger_no += 1
                self.objects.append(Ranger(
                    id=f"RG-{adcode}-{ranger_no:03d}", name=f"护林员{short}-{ranger_no:03d}{DEMO_SUFFIX}",
                    district=adcode, duty_grid_id=village_grid, is_demo=True))

    def trees(self, geometries: dict[str, BaseGeometry]) -> None:
        """The register's totals, spread over the districts (by the square root of their area:
        old trees stand in old towns as much as in the countryside)."""
        weights = {a: area_km2(g) ** 0.5 for a, g in geometries.items()}
        species = [s for s, _ in TREE_SPECIES]
        species_weights = [w for _, w in TREE_SPECIES]
        prepared = {a: prep(g) for a, g in geometries.items()}
        for kind, prefix, total in (("ancient", "GS", ANCIENT_TREES_2016),
                                    ("reserve", "GH", RESERVE_TREES_2016)):
            districts = self.rng.choices(list(weights), weights=list(weights.values()), k=total)
            for n, adcode in enumerate(districts, start=1):
                lon, lat, grid = self._tree_spot(adcode, geometries[adcode], prepared[adcode])
                name = self.rng.choices(species, weights=species_weights)[0]
                label = "古树" if kind == "ancient" else "后续资源"
                self.objects.append(AncientTree(
                    id=f"{prefix}-{n:04d}", name=f"{label}{prefix}-{n:04d} {name}{DEMO_SUFFIX}",
                    species=name, kind=kind, district=adcode, grid_id=grid, lat=lat, lon=lon,
                    is_demo=True))

    def _tree_spot(self, adcode: str, geometry: BaseGeometry, prepared: Any) -> tuple:
        minx, miny, maxx, maxy = geometry.bounds
        for _ in range(10_000):
            lon = round(self.rng.uniform(minx, maxx), 6)
            lat = round(self.rng.uniform(miny, maxy), 6)
            grid = self.grid_of_cell.get((adcode, h3.latlng_to_cell(lat, lon, GRID_RESOLUTION)))
            if grid and prepared.contains(Point(lon, lat)):
                return lon, lat, grid
        raise RuntimeError(f"no place for a tree in {adcode}")


def forest_objects(boundaries: dict[str, dict[str, Any]], rng_seed: int) -> list[Any]:
    """Every forest master-data row for the given WGS84 district geometries, as ORM objects.

    Deterministic for a given ``rng_seed``; its own random stream, so the waste demo data
    seeded beside it does not change.
    """
    rng = random.Random(f"greenwall-forest:{rng_seed}")
    builder = _Builder(rng)
    city_grid = builder.chief("LZ-310000", "上海市总", "city", CITY_ADCODE, None)
    geometries = {d.adcode: shape(boundaries[d.adcode]) for d in DISTRICTS}
    for adcode, geometry in geometries.items():
        builder.district(adcode, geometry, city_grid)
    builder.trees(geometries)
    builder.objects += [ForestCoverage(year=y, percent=p, source_url=u, note=n)
                        for y, p, u, n in FOREST_COVERAGE]
    return builder.objects


def seed_forest(store: SnapshotStore, rng_seed: int, today: date, fresh: bool) -> SeedPart | None:
    """The forest-chief master data, beside districts that are already there; ``None`` when
    the database has patrol grids already."""
    if not store.forest.is_empty():
        return None
    objects = forest_objects(load_boundaries(), rng_seed)
    objects.append(Meta(key="seed.forest_trees_source", value=TREES_SOURCE))
    with store.session() as session:
        # Published figures (coverage by year) and notes may be there already; keep them.
        years = set(session.scalars(select(ForestCoverage.year)))
        notes = set(session.scalars(select(Meta.key)))
    objects = [o for o in objects
               if not (isinstance(o, ForestCoverage) and o.year in years)
               and not (isinstance(o, Meta) and o.key in notes)]
    insert(store, objects)
    added: dict[str, int] = {}
    for obj in objects:
        added[obj.__tablename__] = added.get(obj.__tablename__, 0) + 1
    return SeedPart(
        {"patrol_grids": added["patrol_grids"], "chiefs": added["forest_chiefs"],
         "rangers": added["rangers"], "trees": added["ancient_trees"]},
        f"{added['patrol_grids']} patrol grids, {added['forest_chiefs']} forest chiefs, "
        f"{added['rangers']} rangers and {added['ancient_trees']} register trees (demo)",
    )
