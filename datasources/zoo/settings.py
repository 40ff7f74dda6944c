"""The zoo domain's own settings (``GREENWALL_ZOO_*``): the sensor board's alarm lines and the
feeding-compliance bands, to be confirmed with the zoo. Read once (``zoo_settings()``); the
package reads them at import, so a bad value stops the start with its reason."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ZooSettings(BaseSettings):
    """Thresholds of the 野生动物监管 screen."""

    model_config = SettingsConfigDict(env_prefix="GREENWALL_ZOO_", extra="ignore")

    door_alarm_min: int = Field(10, ge=1, le=240)
    """A keeper door (串门) open this many minutes or longer is an alarm."""
    sensor_silent_min: int = Field(15, ge=2, le=240)
    """An enclosure whose sensors were not heard for this long shows 无数据."""
    compliance_good: float = Field(0.9, gt=0, le=1.5)
    """Feeding done ÷ plan from this share up is 达标 (green)."""
    compliance_warn: float = Field(0.6, gt=0, le=1.5)
    """… from this share up 偏低 (amber); below it 不足 (red)."""

    feeding_hours: str = "08:00-16:00"
    """The keepers' feeding hours: the day's plan falls due evenly across them, so compliance
    at any time of day is food given ÷ the plan due by then."""

    @field_validator("feeding_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        found = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", value.strip())
        if not found or int(found[1]) * 60 + int(found[2]) >= int(found[3]) * 60 + int(found[4]):
            raise ValueError(f"GREENWALL_ZOO_FEEDING_HOURS must be HH:MM-HH:MM, start before end, "
                             f"got {value!r}")
        return value.strip()

    def feeding_minutes(self) -> tuple[int, int]:
        """The feeding hours as minutes after midnight (start, end)."""
        start, end = self.feeding_hours.split("-")
        return tuple(int(h) * 60 + int(m) for h, m in (start.split(":"), end.split(":")))

    def due_share(self, minute_of_day: float) -> float:
        """The share of a day's plan due by ``minute_of_day`` (0 before, 1 after the hours)."""
        start, end = self.feeding_minutes()
        return min(max((minute_of_day - start) / (end - start), 0.0), 1.0)

    @model_validator(mode="after")
    def _bands_in_order(self) -> ZooSettings:
        if self.compliance_warn >= self.compliance_good:
            raise ValueError(f"GREENWALL_ZOO_COMPLIANCE_WARN ({self.compliance_warn}) must be below "
                             f"GREENWALL_ZOO_COMPLIANCE_GOOD ({self.compliance_good})")
        return self


@lru_cache(maxsize=1)
def zoo_settings() -> ZooSettings:
    """The settings from the environment, read once."""
    return ZooSettings()
