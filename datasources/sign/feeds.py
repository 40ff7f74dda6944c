"""The signboard (户外招牌) feeds: sensor readings of large signs, the hazard loop of
inspections and rectification, and the duty officer's typhoon-mode switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, get_args

from pydantic import PlainValidator, model_validator

from datasources.platform.feeds import (
    FeedEvent,
    Identifier,
    OptionalText,
    feed,
    feed_error,
    integer_in,
    number_in,
    one_of,
    optional_one_of,
)

Online = Literal["1", "0"]
Stage = Literal["found", "notified", "rectified", "verified"]
STAGES: tuple[str, ...] = get_args(Stage)
"""A hazard's loop, in order: 发现 → 告知设置人 → 整改 → 复核销项; one step at a time."""
Category = Literal["tilt", "corrosion", "loose", "panel", "electrical", "other"]
CATEGORIES: tuple[str, ...] = get_args(Category)
"""倾斜 tilt, 锈蚀 corrosion, 松动 loose (fixings), 面板破损 panel, 电气隐患 electrical, 其他 other."""
Mode = Literal["on", "off"]

TILT_RANGE = (0.0, 90.0)
VIBRATION_RANGE = (0.0, 500.0)


def optional_number_in(low: float, high: float) -> Callable[[object], float | None]:
    """Like ``number_in``, but blank (or absent) is ``None``: an offline sensor sends no value."""
    check = number_in(low, high)

    def validate(value: object) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return check(value)

    return validate


@feed("sign.sensor")
class SensorReading(FeedEvent):
    """招牌传感器: a large signboard's sensor reports every ten minutes — its tilt from the
    installed position (degrees), vibration velocity (mm/s), battery (%) and whether it is
    online (``1``) or reported offline by the IoT platform (``0``, without readings)."""

    freshness_s = (1200, 3600)

    sensor: Identifier
    sign: Identifier
    online: Annotated[Online, PlainValidator(one_of(Online))]
    tilt: Annotated[float | None, PlainValidator(optional_number_in(*TILT_RANGE))] = None
    vibration: Annotated[float | None, PlainValidator(optional_number_in(*VIBRATION_RANGE))] = None
    battery: Annotated[int, PlainValidator(integer_in(0, 100))]

    @model_validator(mode="after")
    def _online_has_readings(self) -> SensorReading:
        if self.online == "1" and (self.tilt is None or self.vibration is None):
            raise feed_error("an online reading needs tilt and vibration (offline: online=0)")
        return self


@feed("sign.inspection")
class CaseStep(FeedEvent):
    """招牌隐患闭环: a hazard of a signboard moves one step through ``STAGES`` — found (with its
    ``category``), notified to the owner (设置人), rectified, verified. A skip or a step back is
    dead-lettered with why, by the ingest script."""

    freshness_s = (3600, 6 * 3600)
    quiet_hours = "20:00-07:00"  # inspectors and owners work in the day

    case: Identifier
    sign: Identifier
    stage: Annotated[Stage, PlainValidator(one_of(Stage))]
    category: Annotated[Category | None, PlainValidator(optional_one_of(Category))] = None
    inspector: OptionalText = None
    note: OptionalText = None

    @model_validator(mode="after")
    def _found_has_category(self) -> CaseStep:
        if self.stage == "found" and self.category is None:
            raise feed_error(f"a hazard found needs a category (one of {', '.join(CATEGORIES)})")
        return self


@feed("sign.typhoon")
class TyphoonSwitch(FeedEvent):
    """台风模式: the duty officer switches typhoon mode on (a typhoon warning is in force) or
    off; the newest switch by event time holds, and tightens the sensors' alarm thresholds."""

    # A switch, not a cadence: a quiet feed is not a late one.
    freshness_s = (366 * 86400, 732 * 86400)

    mode: Annotated[Mode, PlainValidator(one_of(Mode))]
    officer: Identifier
    note: OptionalText = None
