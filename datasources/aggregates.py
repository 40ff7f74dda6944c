"""The live-feed aggregates in Redis: their field scheme, how each feed's events change them,
and how tiles read them.

Writer and reader share the field-name functions below, so the scheme lives in one place.
Per Shanghai day ``D`` (of the event time) and scope ``S`` (a district adcode, or the city
``310000``):

=====================================  ============================================  =========
key                                    field                                         value
=====================================  ============================================  =========
``day("weighing", D)``                 ``tonnes:S:<category>``                       tonnes
                                       ``loads:S:<category>``                        loads
                                       ``station_tonnes:<adcode>:<category>:<id>``   tonnes
                                       ``station_loads:<adcode>:<category>:<id>``    loads
``day("weighing_hourly", D)``          ``S:<hour 0–23>``                             tonnes
``day("quality", D)``                  ``verdict:S:<verdict>``                       count
                                       ``site:<verdict>:<site>``                     count
``day_list("unqualified", D)``         JSON trace, newest first, newest 500          —
``latest("camera_seen")``              ``<camera>``                                  epoch ms
``latest("camera_district")``          ``<camera>``                                  adcode
``unregistered(kind)``                 sorted set: ids unknown to master data        last seen ms
=====================================  ============================================  =========

Identifiers come last in a field so that they may contain ``:``. Per-day keys expire
``DAY_TTL_S`` after their last write; "today" and "yesterday" are always there.

State kept per entity id (``camera_seen``, ``camera_district``; the forest's rangers) is
bounded: registered ids are bounded by master data, and at most ``UNREGISTERED_KEPT`` ids per
kind that master data does not know are kept, the most recently seen; the ingest script
deletes an id's state (the hashes named by ``entity_state``) when it drops the id from
``unregistered(kind)``. So a flood of made-up ids cannot grow Redis without end.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import redis

from dashboard.districts import CITY_ADCODE, DISTRICTS, resolve_district
from datasources.deadletter import DeadLetterStatus, deadletter_status
from datasources.feeds import FEEDS, WASTE_CATEGORIES, QualityVerdict, Weighing
from datasources.keys import Keys
from datasources.master import MasterLookup, check_kind

DAY_TTL_S = 3 * 24 * 3600
UNQUALIFIED_KEPT = 500
UNREGISTERED_KEPT = 10_000
"""Unregistered ids kept per kind (and their per-entity state), the most recently seen."""


def tonnes_field(scope: str, category: str) -> str:
    return f"tonnes:{scope}:{category}"


def loads_field(scope: str, category: str) -> str:
    return f"loads:{scope}:{category}"


def station_tonnes_field(district: str, category: str, station: str) -> str:
    return f"station_tonnes:{district}:{category}:{station}"


def station_loads_field(district: str, category: str, station: str) -> str:
    return f"station_loads:{district}:{category}:{station}"


def hourly_field(scope: str, hour: int) -> str:
    return f"{scope}:{hour}"


def verdict_field(scope: str, verdict: str) -> str:
    return f"verdict:{scope}:{verdict}"


def site_verdict_field(verdict: str, site: str) -> str:
    return f"site:{verdict}:{site}"


@dataclass(frozen=True)
class Track:
    """A process whose subjects move through ``stages`` one at a time, in order (e.g. a forest
    case 上报 → 核实 → 处置 → 考核).

    The ingest script keeps each subject's state in ``open_key`` (a hash) until its last stage,
    then in ``closed_key`` (indexed by time in the sorted set ``closed_at_key``) for
    ``retain_ms``; ``label`` names a subject in dead-letter reasons. At most ``open_kept``
    subjects are open at once: a new one beyond that is dead-lettered, so a flood of made-up
    subjects cannot grow the open hash without end.
    """

    open_key: str
    closed_key: str
    closed_at_key: str
    label: str
    retain_ms: int
    stages: tuple[str, ...]
    open_kept: int = 50_000


class Effects(Protocol):
    """What one valid event will change, recorded by its feed's effect function.

    Nothing is written while recording: the ingest script applies an event's effects only
    if the event counts (its entry was still pending for this worker, its ``event_id`` new).
    """

    keys: Keys
    master: MasterLookup

    def day_hour(self, ts_ms: int) -> tuple[str, int]:
        """The local day ``YYYY-MM-DD`` and hour 0–23 of an epoch-ms time."""
        ...

    def daily(self, key: str) -> str:
        """``key`` itself, marked as per-day: it expires ``DAY_TTL_S`` after its last write."""
        ...

    def retained(self, key: str, ttl_s: int) -> str:
        """``key`` itself, marked to expire ``ttl_s`` after its last write."""
        ...

    def newest(self, key: str, field: str, ts_ms: int, value: str) -> None:
        """Set ``field`` to ``"<ts_ms>|<value>"`` unless it holds a newer time already."""
        ...

    def step(self, track: Track, subject: str, stage: str, identity: str, record: str,
             note: str, log_key: str, log_field: str) -> None:
        """Move ``subject`` of ``track`` to ``stage``; the event counts only if that is the
        stage right after its current one (a new subject starts at the first), else it is
        dead-lettered with why. ``identity`` must stay what the first stage said, ``record``
        (JSON) is kept from the first stage, a non-empty ``note`` replaces the record's; the
        subject's timeline ("ts1,ts2,…") is written to ``log_key``/``log_field``."""
        ...

    def add(self, key: str, field: str, amount: float) -> None: ...

    def count(self, key: str, field: str, n: int = 1) -> None: ...

    def keep_max(self, key: str, field: str, value: int) -> None: ...

    def set(self, key: str, field: str, value: str) -> None: ...

    def push(self, key: str, value: str) -> None:
        """Prepend to a list that keeps only its newest ``UNQUALIFIED_KEPT`` items."""
        ...

    def touch_district(self, adcode: str) -> None:
        """Announce that data of this district changed (for the changes stream)."""
        ...

    def note_entity(self, kind: str, ident: str) -> None:
        """List ``ident`` as unregistered if master data does not know it (newest
        ``UNREGISTERED_KEPT`` per kind; an id dropped from the list loses its
        ``entity_state``)."""
        ...


EffectFunction = Callable[[Any, Effects], None]
EFFECTS: dict[str, EffectFunction] = {}
EVENTS_KEPT_S: dict[str, int] = {}
"""Per feed: how old an event may be and still count (what its aggregates keep)."""
ENTITY_STATE: dict[str, tuple[str, ...]] = {}
"""Per entity kind: the ``latest(name)`` hashes keyed by that kind's ids."""


def effects_of(feed: str, kept_s: int = DAY_TTL_S) -> Callable[[EffectFunction], EffectFunction]:
    """Register how events of ``feed`` change the aggregates; an event older than ``kept_s``
    is dead-lettered (its aggregates would be forgotten already)."""

    def register(function: EffectFunction) -> EffectFunction:
        EFFECTS[feed] = function
        EVENTS_KEPT_S[feed] = kept_s
        return function

    return register


def entity_state(kind: str, *latest_names: str) -> None:
    """Declare that the hashes ``keys.latest(name)`` hold per-id state of entity ``kind``, so
    that an unregistered id's state goes when the id falls off ``unregistered(kind)``."""
    ENTITY_STATE[check_kind(kind)] = (*ENTITY_STATE.get(kind, ()), *latest_names)


entity_state("camera", "camera_seen", "camera_district")


@effects_of("waste.weighing")
def weighing_effects(event: Weighing, fx: Effects) -> None:
    """Tonnes and loads by district × station × category, rolled up; tonnes per hour."""
    day, hour = fx.day_hour(event.ts_ms)
    totals = fx.daily(fx.keys.day("weighing", day))
    hourly = fx.daily(fx.keys.day("weighing_hourly", day))
    for scope in (event.district, CITY_ADCODE):
        fx.add(totals, tonnes_field(scope, event.category), event.tonnes)
        fx.count(totals, loads_field(scope, event.category))
        fx.add(hourly, hourly_field(scope, hour), event.tonnes)
    station = (event.district, event.category, event.station)
    fx.add(totals, station_tonnes_field(*station), event.tonnes)
    fx.count(totals, station_loads_field(*station))
    fx.touch_district(event.district)
    fx.note_entity("station", event.station)
    fx.note_entity("vehicle", event.vehicle)


@effects_of("waste.quality")
def quality_effects(event: QualityVerdict, fx: Effects) -> None:
    """Verdict counts by district, city and site; camera last seen; unqualified loads traced."""
    day, _ = fx.day_hour(event.ts_ms)
    verdicts = fx.daily(fx.keys.day("quality", day))
    for scope in (event.district, CITY_ADCODE):
        fx.count(verdicts, verdict_field(scope, event.verdict))
    fx.count(verdicts, site_verdict_field(event.verdict, event.site))
    fx.keep_max(fx.keys.latest("camera_seen"), event.camera, event.ts_ms)
    fx.set(fx.keys.latest("camera_district"), event.camera, event.district)
    if event.verdict == "unqualified":
        trace = fx.master.trace_site(event.site)
        load = {
            "ts_ms": event.ts_ms,
            "district": event.district,
            "camera": event.camera,
            "site": event.site,
            "vehicle": trace.vehicle if trace else None,
            "station": trace.station if trace else None,
            "issue": event.issue,
            "confidence": event.confidence,
        }
        unqualified = fx.daily(fx.keys.day_list("unqualified", day))
        fx.push(unqualified, json.dumps(load, ensure_ascii=False))
    fx.touch_district(event.district)
    fx.note_entity("camera", event.camera)
    fx.note_entity("site", event.site)


@dataclass(frozen=True)
class QualityCount:
    """Wet-garbage quality verdicts (品质识别) in one scope."""

    qualified: int = 0
    unqualified: int = 0

    @property
    def total(self) -> int:
        return self.qualified + self.unqualified

    @property
    def rate(self) -> float | None:
        """Qualified share (合格率), or ``None`` before the first verdict."""
        return self.qualified / self.total if self.total else None


@dataclass(frozen=True)
class UnqualifiedLoad:
    """An unqualified load traced back: station ← vehicle ← collection site."""

    ts_ms: int
    district: str
    camera: str
    site: str
    vehicle: str | None
    station: str | None
    issue: str | None
    confidence: float


@dataclass(frozen=True)
class FeedStats:
    """Counters of one feed; times are epoch ms (event time, and Redis time of ingest)."""

    ingested: int
    deadlettered: int
    duplicates: int
    last_event_ms: int | None
    last_ingest_ms: int | None


@dataclass(frozen=True)
class WasteView:
    """Everything the waste-sorting screen shows for one day, city-wide or for one district.

    ``version`` is the data version the view was read at (read in the same transaction).
    """

    day: str
    district: str | None
    tonnes: dict[str, float]
    loads: int
    hourly: list[float]
    hourly_yesterday: list[float]
    tonnes_by_district: dict[str, dict[str, float]]
    station_tonnes: dict[str, float]
    quality: QualityCount
    quality_by_district: dict[str, QualityCount]
    camera_last_seen: dict[str, int]
    unqualified: list[UnqualifiedLoad]
    version: int = 0


def _hourly(values: dict[str, str], scope: str) -> list[float]:
    return [float(values.get(hourly_field(scope, hour), 0)) for hour in range(24)]


def _quality(values: dict[str, str], scope: str) -> QualityCount:
    return QualityCount(
        qualified=int(values.get(verdict_field(scope, "qualified"), 0)),
        unqualified=int(values.get(verdict_field(scope, "unqualified"), 0)),
    )


class Aggregates:
    """Reads the aggregates for tiles; every read is one round trip (a MULTI/EXEC pipeline,
    so it sees whole ingest batches only)."""

    def __init__(self, client: redis.Redis, keys: Keys, tz: ZoneInfo) -> None:
        self._client = client
        self._keys = keys
        self._tz = tz

    def today(self, now: datetime | None = None) -> str:
        """The local day ``YYYY-MM-DD`` at ``now`` (default: the current time)."""
        if now is None:
            now = datetime.now(self._tz)
        elif now.tzinfo is None:
            raise ValueError(f"now must carry a time zone, got naive {now.isoformat()}")
        return now.astimezone(self._tz).date().isoformat()

    def waste_view(
        self, district: str | None = None, day: str | None = None, limit: int = 30
    ) -> WasteView:
        """The waste-sorting aggregates of ``day`` (default today) in ``district``'s scope
        (adcode or Chinese name; ``None`` or ``310000`` for the whole city)."""
        if district is not None and district != CITY_ADCODE:
            district = resolve_district(district).adcode
        else:
            district = None
        scope = district or CITY_ADCODE
        day = day or self.today()
        yesterday = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        keys = self._keys
        pipe = self._client.pipeline(transaction=True)
        pipe.hgetall(keys.day("weighing", day))
        pipe.hgetall(keys.day("weighing_hourly", day))
        pipe.hgetall(keys.day("weighing_hourly", yesterday))
        pipe.hgetall(keys.day("quality", day))
        pipe.hgetall(keys.latest("camera_seen"))
        pipe.hgetall(keys.latest("camera_district"))
        # A district's newest loads may sit anywhere in the city-wide list.
        pipe.lrange(keys.day_list("unqualified", day), 0, -1 if district else max(limit - 1, 0))
        pipe.get(keys.version)
        weighing, hourly, hourly_before, quality, seen, camera_district, loads, version = (
            pipe.execute()
        )

        station_tonnes: dict[str, float] = {}
        for field, value in weighing.items():
            if field.startswith("station_tonnes:"):
                _, adcode, _, station = field.split(":", 3)
                if district is None or adcode == district:
                    station_tonnes[station] = station_tonnes.get(station, 0.0) + float(value)
        unqualified = []
        for raw in loads:
            if len(unqualified) >= limit:
                break
            load = UnqualifiedLoad(**json.loads(raw))
            if district is None or load.district == district:
                unqualified.append(load)
        return WasteView(
            day=day,
            district=district,
            tonnes={c: float(weighing.get(tonnes_field(scope, c), 0)) for c in WASTE_CATEGORIES},
            loads=sum(int(weighing.get(loads_field(scope, c), 0)) for c in WASTE_CATEGORIES),
            hourly=_hourly(hourly, scope),
            hourly_yesterday=_hourly(hourly_before, scope),
            tonnes_by_district={
                d.adcode: {c: float(weighing.get(tonnes_field(d.adcode, c), 0)) for c in WASTE_CATEGORIES}
                for d in DISTRICTS
            },
            station_tonnes=station_tonnes,
            quality=_quality(quality, scope),
            quality_by_district={d.adcode: _quality(quality, d.adcode) for d in DISTRICTS},
            camera_last_seen={
                camera: int(ms)
                for camera, ms in seen.items()
                if district is None or camera_district.get(camera) == district
            },
            unqualified=unqualified,
            version=int(version or 0),
        )

    def feed_stats(self) -> dict[str, FeedStats]:
        """Counters of every known feed (zeros for a feed not seen yet)."""
        stats = self._client.hgetall(self._keys.feed_stats)

        def optional(field: str) -> int | None:
            value = stats.get(field)
            return int(value) if value is not None else None

        return {
            name: FeedStats(
                ingested=int(stats.get(f"{name}:ingested", 0)),
                deadlettered=int(stats.get(f"{name}:deadlettered", 0)),
                duplicates=int(stats.get(f"{name}:duplicates", 0)),
                last_event_ms=optional(f"{name}:last_event_ms"),
                last_ingest_ms=optional(f"{name}:last_ingest_ms"),
            )
            for name in FEEDS
        }

    def deadletter(self) -> DeadLetterStatus:
        """The dead-letter stream's length, MAXLEN and the dead letters trimmed unread."""
        return deadletter_status(self._client, self._keys)

    def version(self) -> int:
        """The data version: bumped by every ingest batch that changed something."""
        return int(self._client.get(self._keys.version) or 0)

    def unregistered(self, kind: str) -> set[str]:
        """Ids of ``kind`` seen in feeds but unknown to master data (the most recently seen
        ``UNREGISTERED_KEPT``)."""
        key = self._keys.unregistered(check_kind(kind))
        try:
            return set(self._client.zrange(key, 0, -1))
        except redis.ResponseError:  # still the plain set of older versions, until the next ingest
            return set(self._client.smembers(key))
