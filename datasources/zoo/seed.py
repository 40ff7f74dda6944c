"""Zoo master data: 上海动物园's areas, houses, species (real names and protection classes,
demo head counts), demo diet plans and sensor ranges (``data/*.csv``, sources in
``data/SOURCE.md``), two demo keepers per area, and the zoo's published figures."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources

from datasources.platform.seed import DEMO_SUFFIX, SeedPart, insert
from datasources.platform.snapshot import SnapshotStore
from datasources.zoo.schema import ZooArea, ZooDiet, ZooEnclosure, ZooFact, ZooKeeper, ZooSpecies

ZOO_DISTRICT = "310105"
"""长宁区: 上海动物园, 虹桥路2381号."""
KEEPERS_PER_AREA = 2


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("datasources.zoo").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _true(value: str) -> bool:
    return value.strip().lower() == "true"


def zoo_rows() -> list:
    """The curated tables of ``data/`` and the demo keepers, ready to insert."""
    areas = [ZooArea(id=r["id"], name=r["name"], name_en=r["name_en"] or None,
                     source_url=r["source_url"] or None, is_demo=_true(r["is_demo"]))
             for r in _csv("zoo_areas.csv")]
    enclosures = [ZooEnclosure(
        id=r["id"], name=r["name"], name_en=r["name_en"] or None, area=r["area"],
        district=ZOO_DISTRICT, t_min=float(r["t_min"]), t_max=float(r["t_max"]),
        h_min=float(r["h_min"]), h_max=float(r["h_max"]), source_url=r["source_url"] or None,
        is_demo=_true(r["is_demo"])) for r in _csv("zoo_enclosures.csv")]
    species = [ZooSpecies(id=r["id"], name=r["name"], name_en=r["name_en"] or None,
                          protection=r["protection"], enclosure=r["enclosure"],
                          heads=int(r["heads"]), source_url=r["source_url"] or None)
               for r in _csv("zoo_species.csv")]
    diets = [ZooDiet(species=r["species"], food=r["food"], kg_per_day=float(r["kg_per_day"]),
                     feeds_per_day=int(r["feeds_per_day"])) for r in _csv("zoo_diets.csv")]
    keepers = [ZooKeeper(id=f"KP-{a.id.removeprefix('ZA-')}-{n}",
                         name=f"饲养员{k * KEEPERS_PER_AREA + n:02d}{DEMO_SUFFIX}", area=a.id,
                         is_demo=True)
               for k, a in enumerate(areas) for n in range(1, KEEPERS_PER_AREA + 1)]
    facts = [ZooFact(key=r["key"], value=r["value"], unit=r["unit"], label=r["label"],
                     source_url=r["source_url"] or None) for r in _csv("zoo_facts.csv")]
    return [*areas, *enclosures, *species, *diets, *keepers, *facts]


def seed_zoo(store: SnapshotStore, rng_seed: int, today: date, fresh: bool) -> SeedPart | None:
    """The zoo's tables into a database without them."""
    if not store.zoo.is_empty():
        return None
    rows = zoo_rows()
    insert(store, rows)
    counts = {kind: sum(isinstance(r, kind) for r in rows)
              for kind in (ZooEnclosure, ZooSpecies, ZooDiet, ZooKeeper)}
    return SeedPart({"zoo_enclosures": counts[ZooEnclosure], "zoo_species": counts[ZooSpecies]},
                    f"{counts[ZooEnclosure]} zoo houses, {counts[ZooSpecies]} species, "
                    f"{counts[ZooDiet]} diet items (demo), {counts[ZooKeeper]} keepers (demo)")
