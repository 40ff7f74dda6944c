"""Simulated signboard feeds (模拟户外招牌): sensor readings every ten minutes and the hazard
loop of inspections and rectification. Typhoon mode is the duty officer's switch: the
simulator sends none (``greenwall`` or a test sends ``sign.typhoon``).

- **Readings**: each sensor every ``EVERY_MIN`` minutes (staggered by sensor). Its tilt holds
  near its own resting tilt (0.2–1.2°; ``AGED_SHARE`` of the signs, aged ones, rest at 1.6–2.6°,
  over the typhoon threshold but under the normal one), vibration follows the day's wind (more
  in the afternoon). An alarm episode starts in a six-hour slot with probability
  ``ALARM_PER_SLOT`` (tilt 3.2–6° or vibration 22–60 mm/s for 20–180 minutes), an offline one
  with ``OFFLINE_PER_SLOT`` (30–240 minutes: one ``online=0`` message, then silence). Battery
  runs down over ``BATTERY_DAYS`` and is replaced.
- **Hazards**: each signboard has a hazard found on a day with probability ``FOUND_PER_DAY``
  (between 09:00 and 17:00), notified 2–36 hours later, rectified 1–10 days after that and
  verified 1–4 days later — some past the settings' limits, so the screen has overdue ones.

Everything is derived from the rng seed and the time alone: stable ``event_id`` s, so a replay
after a restart is deduplicated. A backfill reaches back ``HISTORY_DAYS`` for hazards (whole
loops, all younger than the feed's ``kept_s``); readings from yesterday on.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from datasources.platform.publisher import Planned, drop_one_of, replaced
from datasources.platform.snapshot import SnapshotStore
from datasources.sign.feeds import STAGES
from datasources.sign.schema import SensorRow, SignRow

SENSOR, INSPECTION = "sign.sensor", "sign.inspection"
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
EVERY_MIN = 10
SLOT_MS = 6 * HOUR_MS
ALARM_PER_SLOT = 0.06
OFFLINE_PER_SLOT = 0.008
ALARM_MIN = (20, 180)
OFFLINE_MIN = (30, 240)
LOOKBACK_SLOTS = 1  # episodes last at most 4 h: one slot back covers them
AGED_SHARE = 0.08
BATTERY_DAYS = 400
FOUND_PER_DAY = 0.02
STEP_HOURS = ((2, 36), (24, 240), (24, 96))  # before notified, rectified, verified
HISTORY_DAYS = 30
CATEGORY_WEIGHTS = {"tilt": 15, "corrosion": 30, "loose": 25, "panel": 15, "electrical": 10,
                    "other": 5}
CATEGORY_TEXT = {"tilt": "招牌倾斜", "corrosion": "钢结构锈蚀", "loose": "连接件松动",
                 "panel": "面板破损", "electrical": "电线未穿管", "other": "其他隐患"}

MALFORMATIONS = {
    SENSOR: {"tilt": replaced("tilt", "-1", "95", "abc"),
             "battery": replaced("battery", "101", "50.5", "full"),
             "online": replaced("online", "yes", "在线", "2"),
             "missing": drop_one_of("sensor", "sign", "online", "battery")},
    INSPECTION: {"stage": replaced("stage", "closed", "整改", ""),
                 "category": lambda bad, pick: bad.update(stage="found", category=""),
                 # Well-formed but out of order: only the ingest script's stage check catches it.
                 "skip": lambda bad, pick: bad.update(
                     stage=STAGES[(STAGES.index(bad["stage"]) + 2) % len(STAGES)]),
                 "missing": drop_one_of("case", "sign", "stage")},
}


@dataclass(frozen=True)
class SimSensor:
    id: str
    sign: str
    phase_min: int  # its reading minute within the ten
    rest_tilt: float
    battery_phase: int


@lru_cache(maxsize=100_000)
def _episodes(seed: int, sensor: str, slot: int) -> tuple[tuple[int, int, str], ...]:
    """The (start, end, kind) episodes beginning in six-hour ``slot`` of ``sensor``."""
    rng = random.Random(f"{seed}:sign:{sensor}:{slot}")
    out = []
    if rng.random() < ALARM_PER_SLOT:
        start = slot * SLOT_MS + rng.randrange(SLOT_MS // MINUTE_MS) * MINUTE_MS
        out.append((start, start + rng.randint(*ALARM_MIN) * MINUTE_MS,
                    rng.choice(("tilt", "tilt", "vibration"))))
    if rng.random() < OFFLINE_PER_SLOT:
        start = slot * SLOT_MS + rng.randrange(SLOT_MS // MINUTE_MS) * MINUTE_MS
        out.append((start, start + rng.randint(*OFFLINE_MIN) * MINUTE_MS, "offline"))
    return tuple(out)


class SignPlan:
    """The signboards' simulated messages of any period (a ``Plan``)."""

    name = "sign"
    feeds = (SENSOR, INSPECTION)
    malformations = MALFORMATIONS

    def __init__(self, signs: tuple[SignRow, ...], sensors: tuple[SimSensor, ...], tz: tzinfo,
                 rng_seed: int):
        self.signs, self.sensors, self.tz, self.rng_seed = signs, sensors, tz, rng_seed
        self._days: dict[int, list[Planned]] = {}

    # ---- readings ----
    def episode_at(self, sensor: SimSensor, at_ms: int) -> tuple[int, int, str] | None:
        """The episode a sensor is in at ``at_ms`` (offline over alarm), if any."""
        slot = at_ms // SLOT_MS
        found = None
        for s in range(slot - LOOKBACK_SLOTS, slot + 1):
            for episode in _episodes(self.rng_seed, sensor.id, s):
                if episode[0] <= at_ms < episode[1]:
                    if episode[2] == "offline":
                        return episode
                    found = episode
        return found

    def _reading(self, sensor: SimSensor, at: int) -> dict[str, str] | None:
        episode = self.episode_at(sensor, at)
        base = {"ts": str(at), "event_id": f"sign-{sensor.id}-{at}", "sensor": sensor.id,
                "sign": sensor.sign}
        battery = max(5, 100 - int(((at // DAY_MS + sensor.battery_phase) % BATTERY_DAYS) * 0.22))
        if episode and episode[2] == "offline":
            if at - episode[0] >= EVERY_MIN * MINUTE_MS:
                return None  # silent after saying so
            return {**base, "online": "0", "battery": str(battery)}
        rng = random.Random(f"{self.rng_seed}:r:{sensor.id}:{at}")
        hour = datetime.fromtimestamp(at / 1000, self.tz).hour
        wind = 1.0 + 0.8 * max(0.0, 1 - abs(hour - 15) / 6)
        tilt = sensor.rest_tilt + rng.uniform(-0.1, 0.1)
        vibration = rng.uniform(1.0, 5.0) * wind
        if episode and episode[2] == "tilt":
            tilt = 3.2 + random.Random(f"{sensor.id}:{episode[0]}").uniform(0, 2.8)
        elif episode:
            vibration = 22 + random.Random(f"{sensor.id}:{episode[0]}").uniform(0, 38)
        return {**base, "online": "1", "tilt": f"{max(0.0, tilt):.2f}",
                "vibration": f"{vibration:.1f}", "battery": str(battery)}

    def _reading_events(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        period = EVERY_MIN * MINUTE_MS
        for sensor in self.sensors:
            offset = sensor.phase_min * MINUTE_MS
            first = (start_ms - offset) // period * period + offset
            for at in range(first if first >= start_ms else first + period, end_ms, period):
                fields = self._reading(sensor, at)
                if fields is not None:
                    yield Planned(at, SENSOR, fields)

    # ---- hazards ----
    def _day_cases(self, day_start_ms: int) -> list[Planned]:
        cached = self._days.get(day_start_ms)
        if cached is None:
            cached = self._days[day_start_ms] = list(self._plan_day(day_start_ms))
            while len(self._days) > 60:
                del self._days[next(iter(self._days))]
        return cached

    def _plan_day(self, day_start_ms: int) -> Iterator[Planned]:
        day = datetime.fromtimestamp(day_start_ms / 1000, self.tz).strftime("%Y%m%d")
        for sign in self.signs:
            rng = random.Random(f"{self.rng_seed}:case:{sign.id}:{day}")
            if rng.random() >= FOUND_PER_DAY:
                continue
            case = f"YH-{sign.id}-{day}"
            category = rng.choices(tuple(CATEGORY_WEIGHTS), tuple(CATEGORY_WEIGHTS.values()))[0]
            times = [day_start_ms + (9 * 60 + rng.randrange(8 * 60)) * MINUTE_MS]
            for low, high in STEP_HOURS:
                times.append(times[-1] + rng.randint(low, high) * HOUR_MS
                             + rng.randrange(60) * MINUTE_MS)
            for stage, at in zip(STAGES, times, strict=True):
                fields = {"ts": str(at), "event_id": f"sign-{case}-{stage}", "case": case,
                          "sign": sign.id, "stage": stage, "inspector": f"XC-{sign.district}"}
                if stage == STAGES[0]:
                    fields |= {"category": category, "note": CATEGORY_TEXT[category]}
                yield Planned(at, INSPECTION, fields, closes_ms=times[-1])

    def _case_events(self, start_ms: int, end_ms: int, found_from_ms: int) -> list[Planned]:
        """Case steps in [start, end), of cases found since ``found_from_ms``."""
        out = []
        day = datetime.fromtimestamp(found_from_ms / 1000, self.tz).date()
        last = datetime.fromtimestamp(end_ms / 1000, self.tz).date()
        while day <= last:
            day_start = int(datetime.combine(day, datetime.min.time(), self.tz).timestamp() * 1000)
            out += [p for p in self._day_cases(day_start) if start_ms <= p.at_ms < end_ms]
            day += timedelta(days=1)
        return out

    def events_between(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        longest = sum(high for _, high in STEP_HOURS) + 24
        events = [*self._reading_events(start_ms, end_ms),
                  *self._case_events(start_ms, end_ms, start_ms - longest * HOUR_MS)]
        return iter(sorted(events, key=lambda p: (p.at_ms, p.feed, p.fields["event_id"])))

    def history(self, until_ms: int) -> Iterator[Planned]:
        """Before ``until_ms``: the hazard steps of the last ``HISTORY_DAYS`` (whole loops:
        a case found earlier is left out, so no step comes without its find)."""
        since = until_ms - HISTORY_DAYS * DAY_MS
        return iter(sorted(self._case_events(since, until_ms, since),
                           key=lambda p: (p.at_ms, p.feed, p.fields["event_id"])))


@dataclass(frozen=True)
class SignSimulation:
    """What the plan is made of: the signboards and their sensors."""

    signs: tuple[SignRow, ...]
    sensors: tuple[SensorRow, ...]

    @classmethod
    def from_store(cls, store: SnapshotStore) -> SignSimulation | None:
        if store.sign.is_empty():
            return None
        return cls(tuple(store.sign.sign_boards()), tuple(store.sign.sign_sensors()))

    def plan(self, tz: tzinfo, rng_seed: int) -> SignPlan:
        rng = random.Random(f"{rng_seed}:sign")
        sensors = []
        for s in self.sensors:
            aged = rng.random() < AGED_SHARE
            rest = rng.uniform(1.6, 2.6) if aged else rng.uniform(0.2, 1.2)
            sensors.append(SimSensor(s.id, s.sign, rng.randrange(EVERY_MIN), round(rest, 2),
                                     rng.randrange(BATTERY_DAYS)))
        return SignPlan(self.signs, tuple(sensors), tz, rng_seed)
