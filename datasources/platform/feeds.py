"""Validation of live-feed messages: what every feed model shares, and ``parse_event``.

A message arrives as the flat field → string dict that ``XREADGROUP`` returns. Every feed
shares ``ts`` (ISO-8601 with offset, or epoch milliseconds; missing → the stream entry ID's
time) and an optional upstream ``event_id``. A message that does not validate raises
``FeedValidationError`` whose ``reason`` tells a person what to fix, e.g.
``tonnes: must be > 0 and ≤ 50, got '-3'``.

This module holds what every feed shares: the ``FeedEvent`` base, the reusable field types
and validators, the registry ``FEEDS`` and the time and size checks. A domain package defines
its feeds in its own ``feeds`` module, each a model registered with ``@feed("park.gate")``
(and its effects in the domain's ``effects`` module, ``datasources.platform.effects``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dashboard.districts import resolve_district
from dashboard.settings import ConfigError, QuietHours, Settings, quiet_windows

FEEDS: dict[str, type[FeedEvent]] = {}
"""Every feed model defined so far (by the domain packages imported), by feed name."""

# Shanghai's land and islands, with a margin: a position outside is a unit or axis mix-up.
SHANGHAI_LAT = (30.6, 31.95)
SHANGHAI_LON = (120.8, 122.3)

IDENTIFIER_MAX = 64
EVENT_ID_MAX = 128
TEXT_MAX = 256
# Epoch values outside this window are almost always seconds sent as milliseconds (or a
# unit mix-up upstream); rejecting them beats counting events into 1970.
EARLIEST_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
LATEST_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z
TS_MAX = 64
# A message bigger than this is no feed message (a bug or an attack upstream): it is
# dead-lettered with its fields cut short, so the dead-letter stream stays bounded too.
MESSAGE_BYTES_MAX = 64 * 1024
MESSAGE_FIELDS_MAX = 64

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bytes that are not UTF-8 reach us as lone surrogates (the reader decodes with
# "surrogateescape", so that such a message can still be dead-lettered byte for byte).
_NOT_UTF8 = re.compile("[\ud800-\udfff]")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SHOWN_MAX = 80


class FeedValidationError(ValueError):
    """A message that cannot be counted; ``reason`` says why, in words a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _invalid(reason: str) -> PydanticCustomError:
    # The reason goes through the context so that braces in user input are never
    # taken for template placeholders.
    return PydanticCustomError("feed_value", "{reason}", {"reason": reason})


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if len(text) > _SHOWN_MAX:
        text = text[:_SHOWN_MAX] + "…"
    return repr(text)


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _plain(text: str, value: object) -> str:
    """``text`` if it is valid UTF-8 without control characters."""
    if _NOT_UTF8.search(text):
        raise _invalid(f"must be valid UTF-8 text, got {_shown(value)}")
    if _CONTROL.search(text):
        raise _invalid(f"must not contain control characters, got {_shown(value)}")
    return text


def _identifier(value: object) -> str:
    text = _text(value).strip()
    if not 1 <= len(text) <= IDENTIFIER_MAX:
        raise _invalid(f"must be 1–{IDENTIFIER_MAX} characters, got {_shown(value)}")
    return _plain(text, value)


def _event_id(value: object) -> str | None:
    text = _text(value).strip()
    if not text:
        return None
    if len(text) > EVENT_ID_MAX:
        raise _invalid(f"must be 1–{EVENT_ID_MAX} characters, got {len(text)}")
    return _plain(text, value)


def _optional_text(value: object) -> str | None:
    text = _text(value).strip()
    if not text:
        return None
    if len(text) > TEXT_MAX:
        raise _invalid(f"must be at most {TEXT_MAX} characters, got {len(text)}")
    return _plain(text, value)


def _district(value: object) -> str:
    try:
        return resolve_district(_text(value)).adcode
    except KeyError:
        raise _invalid(
            f"unknown district {_shown(_text(value).strip())} "
            "(expected a 6-digit Shanghai adcode or exact Chinese name)"
        ) from None


def _event_time(value: object) -> int:
    text = _text(value).strip()
    if len(text) > TS_MAX:
        raise _invalid(f"must be at most {TS_MAX} characters, got {len(text)}")
    if text.isascii() and text.isdigit():
        return _in_clock_range(int(text), text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        if _numeric(text):
            raise _invalid(f"epoch milliseconds must be a whole number, got {_shown(value)}") from None
        raise _invalid(
            f"expected ISO-8601 with offset (e.g. '2026-11-29T10:00:00+08:00') "
            f"or epoch milliseconds, got {_shown(value)}"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _invalid(f"missing time-zone offset in {_shown(text)}")
    # Checked here, not later: year 1 or 9999 shifted by its offset is a time that
    # datetime cannot hold, so turning it into a local day would raise outside validation.
    return _in_clock_range((moment - _EPOCH) // timedelta(milliseconds=1), text)


def _numeric(text: str) -> bool:
    """Whether ``text`` reads as a number (NaN, inf, negative, decimal, exponent)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _in_clock_range(ms: int, text: str) -> int:
    if not EARLIEST_MS <= ms < LATEST_MS:
        what = "epoch milliseconds " if text.isdigit() else ""
        raise _invalid(
            f"{what}{_shown(text)} is outside 2000–2100"
            + (" (seconds sent instead of milliseconds?)" if what else "")
        )
    return ms


def number_in(low: float, high: float, *, above_low: bool = False) -> Callable[[object], float]:
    """A validator for a decimal string in [low, high] (or (low, high] when ``above_low``)."""
    rule = f"> {low:g} and ≤ {high:g}" if above_low else f"between {low:g} and {high:g}"

    def validate(value: object) -> float:
        try:
            number = float(_text(value).strip())
        except ValueError:
            raise _invalid(f"must be a number, got {_shown(value)}") from None
        inside = (low < number if above_low else low <= number) and number <= high
        if not math.isfinite(number) or not inside:
            raise _invalid(f"must be {rule}, got {_shown(value)}")
        return number

    return validate


def integer_in(low: int, high: int) -> Callable[[object], int]:
    """A validator for a whole number in [low, high], written without a decimal point."""

    def validate(value: object) -> int:
        text = _text(value).strip()
        if not (text.isascii() and text.lstrip("-").isdigit()) or not low <= int(text) <= high:
            raise _invalid(f"must be a whole number {low}–{high}, got {_shown(value)}")
        return int(text)

    return validate


def one_of(choices: Any) -> Callable[[object], str]:
    """A validator for one of a ``Literal``'s values, compared exactly."""
    allowed = get_args(choices)

    def validate(value: object) -> str:
        text = _text(value).strip()
        if text not in allowed:
            raise _invalid(f"must be one of {', '.join(allowed)}, got {_shown(value)}")
        return text

    return validate


def optional_one_of(choices: Any) -> Callable[[object], str | None]:
    """Like ``one_of``, but blank (or absent) is ``None``."""
    check = one_of(choices)

    def validate(value: object) -> str | None:
        return check(value) if value is not None and _text(value).strip() else None

    return validate


def feed_error(reason: str) -> PydanticCustomError:
    """A validation error with ``reason`` as its dead-letter text, for a model's own checks
    across fields (raise it from a ``model_validator``)."""
    return _invalid(reason)


Identifier = Annotated[str, PlainValidator(_identifier)]
"""A station, vehicle, camera, site, park or gate id: 1–64 characters, no control characters."""
DistrictCode = Annotated[str, PlainValidator(_district)]
"""A district given as adcode or exact Chinese name, normalised to its adcode."""
OptionalText = Annotated[str | None, PlainValidator(_optional_text)]
"""Free text up to 256 characters; blank counts as absent."""
EventTime = Annotated[int, PlainValidator(_event_time)]
Latitude = Annotated[float, PlainValidator(number_in(*SHANGHAI_LAT))]
"""WGS84 latitude inside Shanghai."""
Longitude = Annotated[float, PlainValidator(number_in(*SHANGHAI_LON))]
"""WGS84 longitude inside Shanghai."""


class FeedEvent(BaseModel):
    """What every feed message carries: the event time and the optional upstream id."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    feed: ClassVar[str]
    # (live while newer than, delayed until) seconds since the feed's last event, for a feed
    # with a cadence of its own; None: the settings' live_after_s / stale_after_s. Operators
    # change it without code by GREENWALL_FRESHNESS (``configure_freshness``).
    freshness_s: ClassVar[tuple[float, float] | None] = None
    # Daily hours (bureau time, "22:00-06:00[,…]") in which the feed is expected to be silent
    # (patrols rest at night); None: none. GREENWALL_QUIET_HOURS overrides it per feed.
    quiet_hours: ClassVar[str | None] = None
    ts_ms: EventTime = Field(validation_alias="ts", description="event time, epoch ms")
    event_id: Annotated[str | None, PlainValidator(_event_id)] = None

    @model_validator(mode="before")
    @classmethod
    def _time_from_entry_id(cls, data: Any, info: ValidationInfo) -> Any:
        """A message without ``ts`` (or with a blank one) happened when it was appended."""
        if isinstance(data, dict) and not _text(data.get("ts", "")).strip():
            entry_id = (info.context or {}).get("entry_id", "")
            millis = entry_id.partition("-")[0]
            if millis.isdigit():
                data = {**data, "ts": millis}
        return data


@dataclass(frozen=True)
class Freshness:
    """When a feed's last event counts as live, delayed or stale, and the daily quiet hours
    (bureau time) in which its silence is expected: a patrol feed at night is "quiet"."""

    live_s: float
    delayed_s: float
    quiet: QuietHours | None = None

    def status(self, age_s: float | None, now: datetime) -> str:
        """``live``, ``delayed``, ``stale``, ``quiet`` or ``no-data`` for a last event
        ``age_s`` old at ``now`` (an aware time in the bureau's zone).

        In quiet hours a feed that is not live is quiet; after them its age counts from
        their end at the latest, so a feed has ``live_s`` to wake up before it is delayed.
        """
        if age_s is None:
            return "no-data"
        if self.quiet is not None:
            if self.quiet.contains(now):
                return "live" if age_s <= self.live_s else "quiet"
            age_s = min(age_s, self.quiet.since_end_s(now))
        if age_s <= self.live_s:
            return "live"
        return "delayed" if age_s <= self.delayed_s else "stale"


_DEFAULT_LIMITS = (Settings.model_fields["live_after_s"].default,
                   Settings.model_fields["stale_after_s"].default)
_configured: dict[str, Freshness] = {}
_configured_default: list[Freshness] = []


def configure_freshness(settings: Settings, feeds: Iterable[str] | None = None) -> None:
    """Apply ``GREENWALL_FRESHNESS`` and ``GREENWALL_QUIET_HOURS`` to this process's feeds.

    ``feeds`` are the enabled feeds (default: every registered one). A feed named in either
    setting that is not one of them is a :class:`ConfigError` listing those that are.
    """
    known = sorted(FEEDS if feeds is None else feeds)
    limits, quiet = settings.freshness_by_feed, settings.quiet_hours_by_feed
    for setting, named in (("GREENWALL_FRESHNESS", limits), ("GREENWALL_QUIET_HOURS", quiet)):
        unknown = sorted(set(named) - set(known))
        if unknown:
            raise ConfigError(f"{setting} names unknown feed{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(map(repr, unknown))}; the feeds are: {', '.join(known)}")
    default = (settings.live_after_s, settings.stale_after_s)
    if not 0 < default[0] <= default[1]:
        raise ConfigError(f"GREENWALL_LIVE_AFTER_S ({default[0]:g}) must be above 0 and at most "
                          f"GREENWALL_STALE_AFTER_S ({default[1]:g})")
    _configured.clear()
    for name in known:
        model = FEEDS.get(name)
        own = limits.get(name) or (model.freshness_s if model is not None else None) or default
        own_quiet = quiet[name] if name in quiet else _model_quiet(model)
        _configured[name] = Freshness(*own, quiet=own_quiet or None)
    _configured_default[:] = [Freshness(*default)]


def feed_freshness(name: str | None) -> Freshness:
    """A feed's freshness as configured (``configure_freshness``); before that, or for no
    feed, its model's own (``FeedEvent.freshness_s``) or the settings' defaults."""
    if name in _configured:
        return _configured[name]
    model = FEEDS.get(name or "")
    if model is not None and model.freshness_s is not None:
        return Freshness(*model.freshness_s, quiet=_model_quiet(model))
    default = _configured_default[0] if _configured_default else Freshness(*_DEFAULT_LIMITS)
    return Freshness(default.live_s, default.delayed_s, quiet=_model_quiet(model))


def _model_quiet(model: type[FeedEvent] | None) -> QuietHours | None:
    """The quiet hours a feed model declares (``FeedEvent.quiet_hours``), if any."""
    return quiet_windows(model.quiet_hours) if model is not None and model.quiet_hours else None


def feed(name: str) -> Callable[[type[FeedEvent]], type[FeedEvent]]:
    """Register a model as the schema of feed ``name`` (stream ``greenwall:feed:<name>``)."""

    def register(model: type[FeedEvent]) -> type[FeedEvent]:
        model.feed = name
        FEEDS[name] = model
        return model

    return register


def _reason(error: ValidationError) -> str:
    missing, problems = [], []
    for problem in error.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"]) or "message"
        if problem["type"] == "missing":
            missing.append(where)
        else:
            problems.append(f"{where}: {problem['msg']}")
    if missing:
        problems.insert(0, f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    return "; ".join(problems)


def parse_event(feed: str, fields: dict[str, str], entry_id: str,
                models: Mapping[str, type[FeedEvent]] | None = None) -> FeedEvent:
    """Validate one stream entry of ``feed``; raise ``FeedValidationError`` if it can't count.

    ``models`` are the feeds that may be named (default: every registered feed).
    """
    models = FEEDS if models is None else models
    model = models.get(feed)
    if model is None:
        raise FeedValidationError(f"unknown feed {feed!r} (known: {', '.join(sorted(models))})")
    try:
        return model.model_validate(fields, context={"entry_id": entry_id})
    except ValidationError as error:
        raise FeedValidationError(_reason(error)) from None


def _span(ms: int) -> str:
    seconds = ms / 1000
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def check_event_time(ts_ms: int, now_ms: int, *, ahead_ms: int, kept_ms: int) -> None:
    """Raise ``FeedValidationError`` unless an event at ``ts_ms`` may count at ``now_ms``.

    An event more than ``ahead_ms`` in the future would pin the feed's freshness at "live"
    while the feed is down; one older than ``kept_ms`` lands in aggregates already forgotten.
    """
    if ts_ms - now_ms > ahead_ms:
        raise FeedValidationError(
            f"ts: {_span(ts_ms - now_ms)} ahead of the server clock "
            f"(at most {_span(ahead_ms)}, GREENWALL_MAX_CLOCK_SKEW_S)")
    if now_ms - ts_ms > kept_ms:
        raise FeedValidationError(
            f"ts: {_span(now_ms - ts_ms)} old; the aggregates of this feed keep {_span(kept_ms)}")


def message_size(fields: dict[str, str]) -> int:
    """The bytes of a message's field names and values, as Redis holds them."""
    return sum(len(name.encode("utf-8", "surrogateescape")) + len(value.encode("utf-8", "surrogateescape"))
               for name, value in fields.items())


def oversize_reason(fields: dict[str, str]) -> str | None:
    """Why a message is too big to be a feed message, or ``None`` if it is not."""
    # Every message passes here: count characters first (a UTF-8 character is at most 4 bytes)
    # and encode only a message that might be too big.
    if len(fields) <= MESSAGE_FIELDS_MAX and 4 * sum(
            len(name) + len(value) for name, value in fields.items()) <= MESSAGE_BYTES_MAX:
        return None
    size = message_size(fields)
    if size <= MESSAGE_BYTES_MAX and len(fields) <= MESSAGE_FIELDS_MAX:
        return None
    return (f"message too large: {size:,} bytes in {len(fields):,} fields (at most "
            f"{MESSAGE_BYTES_MAX:,} bytes and {MESSAGE_FIELDS_MAX} fields)")
