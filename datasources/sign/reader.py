"""Reading the signboard (户外招牌) aggregates: the sensors' newest readings, the hourly alarms,
the hazard cases and the typhoon switch (key scheme in ``datasources.sign.effects``).
``SignReader.view()`` returns the whole city in one ``SignView``; the screen's callbacks scope it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dashboard.districts import CITY_ADCODE
from datasources.platform.feedstats import LiveReader
from datasources.sign.effects import case_track
from datasources.sign.feeds import STAGES

LOG_DAYS = 31  # today and the 30 days before


@dataclass(frozen=True, slots=True)
class Reading:
    """A sensor's newest reading (``tilt``/``vibration`` ``None`` when it reported offline)."""

    sensor: str
    at_ms: int
    tilt: float | None
    vibration: float | None
    battery: int
    online: bool
    sign: str


@dataclass(frozen=True, slots=True)
class Case:
    """An open hazard case: ``times[k]`` is when it entered ``STAGES[k]``."""

    case: str
    sign: str
    district: str | None
    category: str
    times: tuple[int, ...]

    @property
    def stage(self) -> str:
        return STAGES[len(self.times) - 1]

    @property
    def since_ms(self) -> int:
        return self.times[-1]


@dataclass(frozen=True, slots=True)
class LoggedStep:
    """A case step of the last 30 days; ``district`` ``None`` for a sign master data lacks."""

    district: str | None
    stage: str
    case: str
    at_ms: int


@dataclass(frozen=True)
class SignView:
    """Everything the signboard screen reads from Redis, city-wide, at ``now_ms``."""

    now_ms: int
    day: str
    readings: dict[str, Reading]
    alarms_today: dict[str, int]  # ``M:S:H`` → readings in alarm
    alarms_yesterday: dict[str, int]
    cases: tuple[Case, ...]
    case_log: tuple[LoggedStep, ...]
    typhoon: tuple[bool, int, str] | None  # (on, since ms, officer) of the newest switch
    version: int = 0

    def hourly(self, typhoon: bool, scope: str | None, yesterday: bool = False) -> list[int]:
        """Readings in alarm by hour 0–23 under the threshold set given."""
        counts = self.alarms_yesterday if yesterday else self.alarms_today
        mode = "t" if typhoon else "n"
        return [counts.get(f"{mode}:{scope or CITY_ADCODE}:{h}", 0) for h in range(24)]


def _reading(sensor: str, raw: str) -> Reading:
    at, tilt, vibration, battery, online, sign = raw.split("|", 5)
    return Reading(sensor, int(at), float(tilt) if tilt else None,
                   float(vibration) if vibration else None, int(battery), online == "1", sign)


def _case(case: str, raw: str) -> Case:
    state = json.loads(raw)
    record = state.get("r") or {}
    return Case(case=case, sign=record.get("sign", ""), district=record.get("district"),
                category=record.get("category") or "",
                times=tuple(int(t) for t in state["t"].split(",")))


def _step(field: str, value: str) -> LoggedStep:
    scope, stage, case = field.split(":", 2)
    return LoggedStep(None if scope == CITY_ADCODE else scope, stage, case,
                      int(value.split(",")[-1]))


def _typhoon(raw: str | None) -> tuple[bool, int, str] | None:
    if not raw:
        return None
    at, mode, officer = raw.split("|", 2)
    return mode == "on", int(at), officer


class SignReader(LiveReader):
    """The sign domain's reader (``sources.sign``); the 30-day case log is re-read only when
    case steps came in."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._log: tuple[tuple, tuple[LoggedStep, ...]] | None = None
        self._lock = threading.Lock()

    def view(self, now: datetime | None = None) -> SignView:
        """The signboards' aggregates at ``now`` (aware; default the current time)."""
        now = (now or datetime.now(self._tz)).astimezone(self._tz)
        today = now.date()
        keys = self._keys
        pipe = self._client.pipeline(transaction=True)  # sees whole ingest batches only
        pipe.hgetall(keys.latest("sign_sensor"))
        pipe.hgetall(keys.day("sign_alarm", today.isoformat()))
        pipe.hgetall(keys.day("sign_alarm", (today - timedelta(days=1)).isoformat()))
        pipe.hgetall(case_track(keys).open_key)
        pipe.hget(keys.latest("sign_typhoon"), "mode")
        pipe.hget(keys.feed_stats, "sign.inspection:ingested")
        pipe.get(keys.version)
        readings, today_alarms, yesterday_alarms, cases, typhoon, stepped, version = pipe.execute()
        return SignView(
            now_ms=int(now.timestamp() * 1000), day=today.isoformat(),
            readings={s: _reading(s, raw) for s, raw in readings.items()},
            alarms_today={k: int(v) for k, v in today_alarms.items()},
            alarms_yesterday={k: int(v) for k, v in yesterday_alarms.items()},
            cases=tuple(sorted((_case(c, raw) for c, raw in cases.items()),
                               key=lambda c: (c.times[0], c.case))),
            case_log=self._read_log(today, stepped), typhoon=_typhoon(typhoon),
            version=int(version or 0))

    def _read_log(self, today: date, stepped: str | None) -> tuple[LoggedStep, ...]:
        fingerprint = (today, stepped)
        with self._lock:
            if self._log is not None and self._log[0] == fingerprint:
                return self._log[1]
        pipe = self._client.pipeline(transaction=False)
        for back in range(LOG_DAYS):
            pipe.hgetall(self._keys.day("sign_case_log", (today - timedelta(days=back)).isoformat()))
        log = tuple(_step(f, v) for day in pipe.execute() for f, v in day.items())
        with self._lock:
            self._log = (fingerprint, log)
        return log
