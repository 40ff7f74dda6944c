"""Reading the zoo (上海动物园) aggregates: feedings, health checks and vet cases, enclosure
sensors and doors, safety incidents (key scheme in ``datasources.zoo.effects``).
``ZooReader.view()`` returns the whole zoo in one ``ZooView``; the screen's callbacks scope it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dashboard.districts import CITY_ADCODE
from datasources.platform.feedstats import LiveReader
from datasources.zoo.effects import case_track
from datasources.zoo.feeds import CASE_STAGES

LOG_DAYS = 31  # today and the 30 days before


@dataclass(frozen=True, slots=True)
class Case:
    """A vet case under way: ``times[k]`` is when it entered ``CASE_STAGES[k]``."""

    case: str
    species: str
    enclosure: str
    district: str | None
    vet: str
    note: str | None
    times: tuple[int, ...]

    @property
    def stage(self) -> str:
        return CASE_STAGES[len(self.times) - 1]


@dataclass(frozen=True, slots=True)
class LoggedStep:
    """A case step of the last 30 days; ``district`` ``None`` for an unknown enclosure."""

    district: str | None
    stage: str
    case: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class Reading:
    """An enclosure's newest sensor reading and its door (open or closed since when)."""

    enclosure: str
    at_ms: int
    temp_c: float | None
    humidity: float | None
    door: str | None
    door_since_ms: int | None


@dataclass(frozen=True, slots=True)
class Incident:
    """A visitor safety incident of the day."""

    incident: str
    at_ms: int
    enclosure: str
    district: str | None
    kind: str
    severity: str
    note: str | None


@dataclass(frozen=True)
class ZooView:
    """Everything the zoo screen reads from Redis, zoo-wide, at ``now_ms``."""

    now_ms: int
    day: str
    feeding: dict[str, float]  # the day's fields: ``kg:S``, ``n:S``, ``off:S``, ``h:H``
    health: dict[str, int]  # the day's ``check`` and stages entered
    cases: tuple[Case, ...]
    case_log: tuple[LoggedStep, ...]
    readings: dict[str, Reading]
    safety: dict[str, int]
    incidents: tuple[Incident, ...]  # newest first
    version: int = 0

    def fed(self, field: str) -> float:
        return self.feeding.get(field, 0)


def _case(case: str, raw: str) -> Case:
    state = json.loads(raw)
    record = state.get("r") or {}
    return Case(case=case, species=record.get("species", ""),
                enclosure=record.get("enclosure", ""), district=record.get("district"),
                vet=record.get("vet", ""), note=record.get("note"),
                times=tuple(int(t) for t in state["t"].split(",")))


def _step(field: str, value: str) -> LoggedStep:
    scope, stage, case = field.split(":", 2)
    return LoggedStep(None if scope == CITY_ADCODE else scope, stage, case,
                      int(value.split(",")[-1]))


def _readings(sensors: dict[str, str], doors: dict[str, str]) -> dict[str, Reading]:
    out = {}
    for enclosure in {*sensors, *doors}:
        temp = hum = door = since = None
        at = 0
        if enclosure in sensors:
            ms, temp_s, hum_s, _ = sensors[enclosure].split("|", 3)
            at, temp, hum = int(ms), float(temp_s), float(hum_s)
        if enclosure in doors:
            ms, since_s, door, _ = doors[enclosure].split("|", 3)
            at, since = max(at, int(ms)), int(since_s)
        out[enclosure] = Reading(enclosure, at, temp, hum, door, since)
    return out


def _incident(raw: str) -> Incident:
    item = json.loads(raw)
    return Incident(incident=item["incident"], at_ms=int(item["ts"]), enclosure=item["enclosure"],
                    district=item.get("district"), kind=item["kind"], severity=item["severity"],
                    note=item.get("note"))


class ZooReader(LiveReader):
    """The zoo domain's reader (``sources.zoo``); the 30-day case log is re-read only when
    health messages came in."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._log: tuple[tuple, tuple[LoggedStep, ...]] | None = None
        self._lock = threading.Lock()

    def view(self, now: datetime | None = None) -> ZooView:
        """The zoo's aggregates at ``now`` (aware; default the current time)."""
        now = (now or datetime.now(self._tz)).astimezone(self._tz)
        today = now.date()
        day = today.isoformat()
        keys = self._keys
        pipe = self._client.pipeline(transaction=True)  # sees whole ingest batches only
        pipe.hgetall(keys.day("zoo_feeding", day))
        pipe.hgetall(keys.day("zoo_health", day))
        pipe.hgetall(case_track(keys).open_key)
        pipe.hgetall(keys.latest("zoo_sensor"))
        pipe.hgetall(keys.latest("zoo_door"))
        pipe.hgetall(keys.day("zoo_safety", day))
        pipe.lrange(keys.day("zoo_safety_list", day), 0, -1)
        pipe.hget(keys.feed_stats, "zoo.health:ingested")
        pipe.get(keys.version)
        feeding, health, cases, sensors, doors, safety, incidents, stepped, version = pipe.execute()
        incidents = sorted((_incident(raw) for raw in incidents),
                           key=lambda i: (-i.at_ms, i.incident))
        return ZooView(
            now_ms=int(now.timestamp() * 1000), day=day,
            feeding={k: float(v) for k, v in feeding.items()},
            health={k: int(v) for k, v in health.items()},
            cases=tuple(sorted((_case(c, raw) for c, raw in cases.items()),
                               key=lambda c: (c.times[0], c.case))),
            case_log=self._read_log(today, stepped),
            readings=_readings(sensors, doors),
            safety={k: int(v) for k, v in safety.items()},
            incidents=tuple(incidents), version=int(version or 0))

    def _read_log(self, today: date, stepped: str | None) -> tuple[LoggedStep, ...]:
        fingerprint = (today, stepped)
        with self._lock:
            if self._log is not None and self._log[0] == fingerprint:
                return self._log[1]
        pipe = self._client.pipeline(transaction=False)
        for back in range(LOG_DAYS):
            pipe.hgetall(self._keys.day("zoo_case_log", (today - timedelta(days=back)).isoformat()))
        steps = tuple(_step(f, v) for day in pipe.execute() for f, v in day.items())
        with self._lock:
            self._log = (fingerprint, steps)
        return steps
