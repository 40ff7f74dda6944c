"""Signboard master data: the demo large signboards of the 16 districts and their sensors
(``data/sign_boards.csv``, ``data/sign_sensors.csv``; all "…（演示）", placed inside their
district). Sources of the published figures: ``data/SOURCE.md``."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources

from datasources.platform.seed import SeedPart, insert
from datasources.platform.snapshot import SnapshotStore
from datasources.sign.schema import SignBoard, SignSensor


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("datasources.sign").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _true(value: str) -> bool:
    return value.strip().lower() == "true"


def sign_rows() -> tuple[list[SignBoard], list[SignSensor]]:
    """The curated tables of ``data/``."""
    signs = [SignBoard(id=r["id"], name=r["name"], name_en=r["name_en"] or None,
                       district=r["district"], kind=r["kind"], risk=r["risk"],
                       area_m2=float(r["area_m2"]) if r["area_m2"] else None,
                       lat=float(r["lat"]), lon=float(r["lon"]), is_demo=_true(r["is_demo"]))
             for r in _csv("sign_boards.csv")]
    sensors = [SignSensor(id=r["id"], sign=r["sign"],
                          installed=int(r["installed"]) if r["installed"] else None,
                          is_demo=_true(r["is_demo"])) for r in _csv("sign_sensors.csv")]
    return signs, sensors


def seed_sign(store: SnapshotStore, rng_seed: int, today: date, fresh: bool) -> SeedPart | None:
    """The signboards and sensors into a database without them."""
    if not store.sign.is_empty():
        return None
    signs, sensors = sign_rows()
    insert(store, [*signs, *sensors])
    return SeedPart({"sign_boards": len(signs), "sign_sensors": len(sensors)},
                    f"{len(signs)} large signboards (demo), {len(sensors)} sensors (demo)")
