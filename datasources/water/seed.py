"""Water-area master data from ``data/``: sections (real rivers and stretches where published,
demo ones named "…（演示）"), the companies keeping them (real project units where published,
else demo), demo cleaning boats and published figures. Sources: ``data/SOURCE.md``."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources

from datasources.platform.seed import SeedPart, insert
from datasources.platform.snapshot import SnapshotStore
from datasources.water.schema import WaterBoat, WaterCompany, WaterFact, WaterSection


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("datasources.water").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _true(value: str) -> bool:
    return value.strip().lower() == "true"


def water_rows() -> list:
    """The curated tables of ``data/``, as ORM objects."""
    companies = [WaterCompany(id=r["id"], name=r["name"], name_en=r["name_en"] or None,
                              source_url=r["source_url"] or None, is_demo=_true(r["is_demo"]))
                 for r in _csv("water_companies.csv")]
    sections = [WaterSection(
        id=r["id"], name=r["name"], name_en=r["name_en"] or None, river=r["river"],
        district=r["district"], company=r["company"], grade=r["grade"], path=r["path"],
        source_url=r["source_url"] or None, note=r["note"] or None, is_demo=_true(r["is_demo"]))
        for r in _csv("water_sections.csv")]
    boats = [WaterBoat(id=r["id"], name=r["name"], name_en=r["name_en"] or None,
                       section=r["section"], is_demo=True) for r in _csv("water_boats.csv")]
    facts = [WaterFact(key=r["key"], value=r["value"], unit=r["unit"], label=r["label"],
                       label_en=r["label_en"], source_url=r["source_url"] or None)
             for r in _csv("water_facts.csv")]
    return [*companies, *sections, *boats, *facts]


def seed_water(store: SnapshotStore, rng_seed: int, today: date, fresh: bool) -> SeedPart | None:
    """The sections, companies, boats and figures into a database without them."""
    if not store.water.is_empty():
        return None
    rows = water_rows()
    insert(store, rows)
    count = {kind: sum(isinstance(r, kind) for r in rows)
             for kind in (WaterSection, WaterCompany, WaterBoat)}
    return SeedPart({"water_sections": count[WaterSection], "water_boats": count[WaterBoat]},
                    f"{count[WaterSection]} water sections, {count[WaterCompany]} companies, "
                    f"{count[WaterBoat]} cleaning boats (demo)")
