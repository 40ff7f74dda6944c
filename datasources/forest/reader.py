"""Reading the forest-chief (林长制) aggregates: open cases, the 30-day case log, patrols, fire risk.

``ForestReader.view()`` returns the whole city in one ``ForestView`` (a district's screen also
ranks all 16 districts); ``datasources.forest.stats`` turns it into the numbers the screen
shows, for any scope. The key scheme is in ``datasources.forest.effects``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import redis

from datasources.forest.effects import case_track
from datasources.forest.feeds import STAGES
from datasources.platform.keys import Keys

LOG_DAYS = 31  # today and the 30 days before: a rolling 30 days, and the month so far


@dataclass(frozen=True, slots=True)
class Case:
    """A forest case (林长制案件) with its stage timeline: ``times[k]`` entered ``STAGES[k]``."""

    incident: str
    scenario: str
    grid: str
    district: str | None
    times: tuple[int, ...]
    lat: float | None = None
    lon: float | None = None
    note: str | None = None

    @property
    def stage(self) -> str:
        return STAGES[len(self.times) - 1]

    @property
    def since_ms(self) -> int:
        """When the case entered its current stage."""
        return self.times[-1]


@dataclass(frozen=True, slots=True)
class RangerState:
    """A ranger's (护林员) latest patrol start, finish and message, in epoch ms, and grid."""

    started: int | None
    finished: int | None
    seen: int | None
    grid: str | None

    def on_patrol(self, now_ms: int, idle_after_ms: int) -> bool:
        """Started and not finished since, and heard from recently."""
        if self.started is None or (self.finished or 0) >= self.started:
            return False
        return self.seen is not None and now_ms - self.seen <= idle_after_ms


@dataclass(frozen=True)
class ForestView:
    """Everything the forest-chief screen reads from Redis, city-wide, at ``now_ms``.

    ``open_cases`` are the cases not yet assessed; ``log`` holds one ``Case`` per step taken
    in the last ``LOG_DAYS`` days (a case's timeline up to that step, filed under the step's
    stage), so 30-day figures need no per-case history beyond it.
    """

    now_ms: int
    day: str
    open_cases: tuple[Case, ...]
    log: tuple[Case, ...]
    visits: dict[str, int]
    patrol_counts: dict[str, dict[str, int]]
    rangers: dict[str, RangerState]
    fire: dict[str, int]
    fire_peak: dict[str, int]
    events: tuple[dict, ...]
    version: int = 0


def _state_case(incident: str, raw: str) -> Case:
    state = json.loads(raw)
    record = state.get("r") or {}
    return Case(incident=incident, scenario=record.get("scenario", ""),
                grid=record.get("grid", ""), district=record.get("district"),
                times=tuple(int(t) for t in state["t"].split(",")),
                lat=record.get("lat"), lon=record.get("lon"), note=record.get("note"))


def _log_case(field: str, value: str) -> Case:
    scope, _, scenario, incident = field.split(":", 3)
    return Case(incident=incident, scenario=scenario, grid="",
                district=None if scope == "310000" else scope,
                times=tuple(int(t) for t in value.split(",")))


def _ints(values: dict[str, str]) -> dict[str, int]:
    return {k: int(v) for k, v in values.items()}


class ForestReader:
    """Reads the forest aggregates; the 30-day log is re-read only when cases changed."""

    def __init__(self, client: redis.Redis, keys: Keys, tz: ZoneInfo) -> None:
        self._client = client
        self._keys = keys
        self._tz = tz
        self._log: tuple[tuple, tuple[Case, ...]] | None = None
        self._lock = threading.Lock()

    def view(self, now: datetime | None = None) -> ForestView:
        """The city-wide forest aggregates at ``now`` (aware; default the current time)."""
        if now is None:
            now = datetime.now(self._tz)
        elif now.tzinfo is None:
            raise ValueError(f"now must carry a time zone, got naive {now.isoformat()}")
        now_ms = int(now.timestamp() * 1000)
        day = now.astimezone(self._tz).date().isoformat()
        keys, track = self._keys, case_track(self._keys)
        pipe = self._client.pipeline(transaction=True)
        pipe.hgetall(track.open_key)
        pipe.hget(keys.feed_stats, "forest.incident:ingested")
        pipe.hgetall(keys.day("forest_patrol", day))
        for name in ("ranger_started", "ranger_finished", "ranger_seen", "ranger_where"):
            pipe.hgetall(keys.latest(name))
        pipe.hgetall(keys.latest("fire_risk"))
        pipe.hgetall(keys.day("forest_fire", day))
        pipe.lrange(keys.day_list("forest_events", day), 0, -1)
        pipe.get(keys.version)
        (open_raw, ingested, patrol, started, finished, seen, where, fire, peak, events,
         version) = pipe.execute()

        visits: dict[str, int] = {}
        counts: dict[str, dict[str, int]] = {}
        for field, value in patrol.items():
            kind, _, rest = field.partition(":")
            if kind == "visit":
                visits[rest] = int(value)
            else:
                counts.setdefault(rest, {})[kind] = int(value)
        started, finished, seen = _ints(started), _ints(finished), _ints(seen)
        rangers = {}
        for ranger in set(started) | set(finished) | set(seen):
            grid = where.get(ranger, "").partition("|")[2] or None
            rangers[ranger] = RangerState(started.get(ranger), finished.get(ranger),
                                          seen.get(ranger), grid)
        return ForestView(
            now_ms=now_ms,
            day=day,
            open_cases=tuple(sorted((_state_case(i, raw) for i, raw in open_raw.items()),
                                    key=lambda c: (c.times[0], c.incident))),
            log=self._read_log(date.fromisoformat(day), int(ingested or 0)),
            visits=visits,
            patrol_counts=counts,
            rangers=rangers,
            fire={d: int(v.partition("|")[2]) for d, v in fire.items()},
            fire_peak={f.partition(":")[2]: int(v) for f, v in peak.items()},
            events=tuple(json.loads(e) for e in events),
            version=int(version or 0),
        )

    def _read_log(self, today: date, ingested: int) -> tuple[Case, ...]:
        # The log changes only when a case moves: cache it by the day and the incident count.
        fingerprint = (today, ingested)
        with self._lock:
            if self._log is not None and self._log[0] == fingerprint:
                return self._log[1]
        pipe = self._client.pipeline(transaction=False)
        for back in range(LOG_DAYS):
            pipe.hgetall(self._keys.day("forest_log", (today - timedelta(days=back)).isoformat()))
        log = tuple(_log_case(field, value) for day in pipe.execute()
                    for field, value in day.items())
        with self._lock:
            self._log = (fingerprint, log)
        return log
