"""Ring-belt master data: the belt's 50 parks (``data/belt_parks.csv``: real names, districts and
opening years where published, demo ones named "…（演示）"; positions approximate unless
published), its sections and contractors (demo), 驿站 (demo), published figures, and demo
devices in each open park. Sources: ``data/SOURCE.md``.

An open belt park is also put among the visitor-flow domain's parks (``parks``, same id) with
gates, unless it is there already (顾村公园): its gates then report on ``park.gate`` like any
park's. A capacity is derived from a published area (GB 51192-2016, as for every park); a demo
park gets a demo area.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from importlib import resources

from datasources.belt.schema import BeltDevice, BeltFact, BeltPark, BeltSection, BeltStation
from datasources.park.schema import Park
from datasources.park.seed import derived_capacity, gates_of
from datasources.platform.seed import DEMO_SUFFIX, SeedPart, insert
from datasources.platform.snapshot import SnapshotStore

DEVICE_MIX = {"camera": (3, 6), "light": (2, 4), "toilet": (1, 2), "sensor": (1, 3),
              "broadcast": (1, 1), "screen": (0, 1)}
"""Demo devices per open park, by kind (low, high); a video tower (视频塔) in about two parks of
three: one every 3 km along 98 km."""
TOWER_SHARE = 0.66
KIND_NAMES = {"camera": "监控", "tower": "视频塔", "light": "照明", "toilet": "公厕",
              "sensor": "传感器", "broadcast": "广播", "screen": "信息屏"}
KIND_NAMES_EN = {"camera": "Camera", "tower": "Tower", "light": "Light", "toilet": "Toilet",
                 "sensor": "Sensor", "broadcast": "Speaker", "screen": "Screen"}
KIND_CODES = {"camera": "CAM", "tower": "TWR", "light": "LGT", "toilet": "WC", "sensor": "SNS",
              "broadcast": "BRD", "screen": "SCR"}
DEMO_AREA_HA = (15, 80)


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("datasources.belt").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _optional(value: str, kind: type = str):
    return kind(value) if value.strip() else None


def _true(value: str) -> bool:
    return value.strip().lower() == "true"


def belt_rows() -> tuple[list[BeltSection], list[BeltPark], list[BeltStation], list[BeltFact],
                         list[dict[str, str]]]:
    """The curated tables of ``data/`` (and the parks' raw rows, for their visitor-flow part)."""
    sections = [BeltSection(id=r["id"], name=r["name"], name_en=r["name_en"] or None,
                            contractor=r["contractor"],
                            is_demo=_true(r["is_demo"])) for r in _csv("belt_sections.csv")]
    raw = _csv("belt_parks.csv")
    parks = [BeltPark(
        id=r["id"], name=r["name"], name_en=r["name_en"] or None, district=r["district"],
        status=r["status"], opened=_optional(r["opened"], int), lat=float(r["lat"]),
        lon=float(r["lon"]), position=r["position"], area_ha=_optional(r["area_ha"], float),
        section=r["section"], source_url=r["source_url"] or None, note=r["note"] or None,
        is_demo=_true(r["is_demo"])) for r in raw]
    stations = [BeltStation(id=r["id"], name=r["name"], park=r["park"], lat=float(r["lat"]),
                            lon=float(r["lon"]), is_demo=_true(r["is_demo"]))
                for r in _csv("belt_stations.csv")]
    facts = [BeltFact(key=r["key"], value=r["value"], unit=r["unit"], label=r["label"],
                      source_url=r["source_url"] or None) for r in _csv("belt_facts.csv")]
    return sections, parks, stations, facts, raw


def visitor_parks(raw: list[dict[str, str]], taken: set[str], rng_seed: int) -> list[Park]:
    """The open belt parks not among the visitor-flow parks yet, as parks there."""
    rng = random.Random(f"belt-parks:{rng_seed}")
    parks = []
    for r in raw:
        if r["status"] != "open" or r["id"] in taken:
            continue
        area, basis, demo = _optional(r["area_ha"], float), None, _true(r["is_demo"])
        if area is None and demo:
            area = round(rng.uniform(*DEMO_AREA_HA), 1)
        instant = daily = None
        if area is not None:
            instant, daily = derived_capacity(area, r["category"])
            basis = "derived"
        note = "环城生态公园带; " + (r["note"] or "")
        parks.append(Park(
            id=r["id"], name=r["name"], name_en=r["name_en"] or None, district=r["district"],
            category=r["category"], lat=float(r["lat"]), lon=float(r["lon"]), area_ha=area,
            open_24h=_true(r["open_24h"]), hours=r["hours"] or None, capacity_instant=instant,
            capacity_daily=daily, capacity_basis=basis, source_url=r["source_url"] or None,
            note=note.strip("; ")[:512], is_demo=demo))
    return parks


def demo_devices(parks: list[BeltPark], rng_seed: int) -> list[BeltDevice]:
    """Demo devices of each open park, by ``DEVICE_MIX``."""
    rng = random.Random(f"belt-devices:{rng_seed}")
    devices = []
    for park in (p for p in parks if p.status == "open"):
        mix = dict(DEVICE_MIX)
        if rng.random() < TOWER_SHARE:
            mix["tower"] = (1, 1)
        for kind, (low, high) in mix.items():
            for n in range(1, rng.randint(low, high) + 1):
                devices.append(BeltDevice(
                    id=f"{park.id}-{KIND_CODES[kind]}{n:02d}", park=park.id, kind=kind,
                    name=f"{KIND_NAMES[kind]}{n:02d}{DEMO_SUFFIX}",
                    name_en=f"{KIND_NAMES_EN[kind]} {n:02d} (demo)", is_demo=True))
    return devices


def seed_belt(store: SnapshotStore, rng_seed: int, today: date, fresh: bool) -> SeedPart | None:
    """The belt's parks, sections, 驿站, figures and demo devices into a database without
    them; its open parks among the visitor-flow parks, with gates."""
    if not store.belt.is_empty():
        return None
    sections, parks, stations, facts, raw = belt_rows()
    taken = {p.id for p in store.park.parks()}
    counted = visitor_parks(raw, taken, rng_seed)
    devices = demo_devices(parks, rng_seed)
    insert(store, [*sections, *parks, *stations, *facts, *devices, *counted, *gates_of(counted)])
    real = sum(not p.is_demo for p in parks)
    return SeedPart({"belt_parks": len(parks), "belt_devices": len(devices)},
                    f"{len(parks)} belt parks ({real} real, {len(parks) - real} demo), "
                    f"{len(sections)} sections, {len(stations)} 驿站, {len(devices)} devices; "
                    f"{len(counted)} of them new visitor-flow parks")
