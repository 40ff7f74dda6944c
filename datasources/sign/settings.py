"""The signboard (户外招牌) domain's own settings (``GREENWALL_SIGN_*``): the sensor alarm
thresholds, normal and in typhoon mode, and the time limits of the rectification loop.

Read once at import of ``datasources.sign`` (``SIGN_SETTINGS``), so a bad value stops the start
with its reason. The thresholds are to be confirmed with the bureau: DB31/T 977-2023 sets how a
signboard is built, not what a tilt sensor should alarm at.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SignSettings(BaseSettings):
    """Thresholds and limits of the signboard screen."""

    model_config = SettingsConfigDict(env_prefix="GREENWALL_SIGN_", extra="ignore")

    tilt_deg: float = Field(3.0, gt=0, le=45, description="a sensor alarms at this tilt (degrees) or more")
    vibration_mm_s: float = Field(
        20.0, gt=0, le=500, description="…or at this vibration velocity (mm/s) or more")
    typhoon_tilt_deg: float = Field(
        1.5, gt=0, le=45, description="the tilt alarm in typhoon mode (at most tilt_deg)")
    typhoon_vibration_mm_s: float = Field(
        10.0, gt=0, le=500, description="the vibration alarm in typhoon mode (at most vibration_mm_s)")
    typhoon: bool = Field(
        False, description="typhoon mode before the duty officer's first switch on sign.typhoon")
    low_battery_pct: int = Field(20, ge=0, le=100, description="a sensor's battery is low below this")
    silent_after_min: float = Field(
        30, gt=0, description="a sensor unheard this long counts as offline (readings every 10 min)")
    notify_within_h: float = Field(24, gt=0, description="a hazard found is overdue unless notified within")
    rectify_within_h: float = Field(
        168, gt=0, description="a notified hazard is overdue unless rectified within")
    verify_within_h: float = Field(72, gt=0, description="a rectification is overdue unless verified within")

    @model_validator(mode="after")
    def _typhoon_is_tighter(self) -> SignSettings:
        if self.typhoon_tilt_deg > self.tilt_deg:
            raise ValueError(f"GREENWALL_SIGN_TYPHOON_TILT_DEG ({self.typhoon_tilt_deg:g}) must not "
                             f"exceed GREENWALL_SIGN_TILT_DEG ({self.tilt_deg:g}): typhoon mode "
                             "tightens the thresholds")
        if self.typhoon_vibration_mm_s > self.vibration_mm_s:
            raise ValueError(f"GREENWALL_SIGN_TYPHOON_VIBRATION_MM_S ({self.typhoon_vibration_mm_s:g})"
                             f" must not exceed GREENWALL_SIGN_VIBRATION_MM_S "
                             f"({self.vibration_mm_s:g}): typhoon mode tightens the thresholds")
        return self

    def limits(self, typhoon: bool) -> tuple[float, float]:
        """(tilt °, vibration mm/s) a reading alarms at, in the mode given."""
        if typhoon:
            return self.typhoon_tilt_deg, self.typhoon_vibration_mm_s
        return self.tilt_deg, self.vibration_mm_s

    def stage_limits_ms(self) -> dict[str, int]:
        """How long a case may stay at each open stage before it is overdue."""
        return {"found": int(self.notify_within_h * 3_600_000),
                "notified": int(self.rectify_within_h * 3_600_000),
                "rectified": int(self.verify_within_h * 3_600_000)}


@lru_cache(maxsize=1)
def sign_settings() -> SignSettings:
    """The settings of this process (read once)."""
    return SignSettings()
