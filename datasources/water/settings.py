"""The water-area domain's own settings (``GREENWALL_WATER_*``): the section score's weights,
the issue deadline and when a boat counts as no longer on patrol. Read once at the package's
import, so a bad value stops the start with its reason; defaults to be confirmed with the
bureau (水上管理处)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WaterSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GREENWALL_WATER_", extra="ignore")

    score_weights: str = Field(
        "40,35,25", description="section score: weights of 水面漂浮物, 岸线滩涂 and 设施与作业 "
        "(three numbers ≥ 0, comma-separated, not all 0); score = Σ weight × criterion ÷ Σ weight")
    issue_close_within_h: float = Field(
        24, gt=0, le=24 * 30, description="an issue not closed this long after it was found is "
        "overdue")
    boat_silent_after_s: float = Field(
        900, gt=0, le=86_400, description="a boat unheard this long no longer counts as on patrol")
    good_score: float = Field(90, ge=0, le=100, description="a section score from here up is 优")
    fair_score: float = Field(80, ge=0, le=100, description="…from here up 良, below it 差")

    @field_validator("score_weights")
    @classmethod
    def _weights(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",")]
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"must be three numbers like 40,35,25, got {value!r}") from None
        if len(numbers) != 3 or any(n < 0 for n in numbers) or not sum(numbers):
            raise ValueError(f"must be three numbers ≥ 0, not all 0, got {value!r}")
        return value

    @property
    def weights(self) -> tuple[float, float, float]:
        a, b, c = (float(p) for p in self.score_weights.split(","))
        return a, b, c

    def score(self, floating: float, shore: float, facility: float) -> float:
        """Σ weight × criterion ÷ Σ weight, 0–100."""
        w = self.weights
        return (w[0] * floating + w[1] * shore + w[2] * facility) / sum(w)


@lru_cache(maxsize=1)
def water_settings() -> WaterSettings:
    """The settings of this process (cached; ``water_settings.cache_clear()`` re-reads)."""
    return WaterSettings()
