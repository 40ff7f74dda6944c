"""Simulated park gate counts (模拟闸机客流), planned minute by minute for the platform's simulator
(``datasources.platform.publisher``), and the crowd drill (``greenwall simulate --crowd``).

Every gate of every key park reports once a minute, when anyone passed. A park's visitors of a
day are a share of its daily capacity — higher at weekends and on public holidays, so that a
holiday's total over the key parks (about 0.75 million) is of the order of the real city-wide
peaks (1.43 million on May Day 2024, over all 973 parks) — spread over the day by its
category's curve (morning exercise and afternoon outings in city parks, mid-day in country
and forest parks, mornings and evenings in pocket parks). Visitors leave after a stay typical
of the category; a park that closes at night takes no one in during its last stay before
closing, so it empties by then.
Each message is planned from the rng seed, the gate and the minute alone: a stable
``event_id``, so a replay after a restart is deduplicated.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache

from datasources.park.schema import ParkRow
from datasources.platform.publisher import Planned, drop_one_of, overlong, replaced
from datasources.platform.snapshot import SnapshotStore

GATE = "park.gate"
MINUTE_MS = 60_000
DAY_MS = 24 * 3600 * 1000

# Relative arrivals per hour of the day (0–23, local time), by category.
HOURLY = {
    "city": (1, 1, 0, 0, 1, 6, 14, 16, 14, 16, 18, 14, 10, 12, 16, 18, 14, 12, 10, 8, 6, 4, 2, 1),
    "country": (0, 0, 0, 0, 0, 1, 3, 6, 12, 18, 20, 16, 12, 14, 16, 12, 8, 4, 1, 0, 0, 0, 0, 0),
    "pocket": (1, 0, 0, 0, 1, 5, 14, 16, 10, 6, 5, 5, 6, 5, 5, 6, 8, 12, 16, 16, 12, 8, 4, 2),
}
CURVE = {"郊野公园": "country", "森林公园": "country", "口袋公园": "pocket"}
STAY_MIN = {"city": 100, "country": 150, "pocket": 30}
VISIT_SHARE = {"weekday": 0.12, "weekend": 0.35, "holiday": 0.8}
"""Visitors of a day as a share of the park's daily capacity: on a holiday 顾村公园 (200,000 a
day) then takes about its record day, 159,002 (cherry blossom, sxjjr.com)."""
NO_CAPACITY_DAILY = 40_000
"""Daily capacity assumed for the flow of a park that has none (no published area)."""
HOLIDAYS = {(1, 1), (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (10, 1), (10, 2), (10, 3), (10, 4),
            (10, 5), (10, 6), (10, 7)}
"""New Year, May Day and National Day weeks (month, day); the lunar holidays are not modelled."""

MALFORMATIONS = {GATE: {
    "counts": replaced("entered", "-5", "many", "10001", "2.5"),
    "both_zero": lambda bad, pick: bad.update(entered="0", exited="0"),
    "missing": drop_one_of("park", "gate", "entered", "exited"),
    "overlong": overlong("gate"),
}}


def day_kind(day: date) -> str:
    if (day.month, day.day) in HOLIDAYS:
        return "holiday"
    return "weekend" if day.weekday() >= 5 else "weekday"


@dataclass(frozen=True)
class SimPark:
    """A key park as the simulator uses it."""

    id: str
    gates: tuple[str, ...]
    curve: str
    daily: int
    hours: tuple[int, int] | None  # open, close in minutes of the day; None: open 24 hours
    capacity: int | None


def _hours(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    start, end = (int(h) * 60 + int(m) for h, m in (part.split(":") for part in text.split("-")))
    return start, end


def _sim_park(park: ParkRow, gates: tuple[str, ...]) -> SimPark:
    return SimPark(park.id, gates, CURVE.get(park.category, "city"),
                   park.capacity_daily or NO_CAPACITY_DAILY,
                   None if park.open_24h else _hours(park.hours), park.capacity_instant)


class ParkPlan:
    """The park gate messages of any period (a ``Plan``)."""

    name = "park"
    feeds = (GATE,)
    malformations = MALFORMATIONS

    def __init__(self, parks: tuple[SimPark, ...], tz: tzinfo, rng_seed: int):
        self.parks, self.tz, self.rng_seed = parks, tz, rng_seed

    def arrivals(self, park: SimPark, at_ms: int) -> float:
        """Expected entries in the minute starting at ``at_ms``: the day's visitors spread
        over the minutes the park lets people in, by its curve."""
        local = datetime.fromtimestamp(at_ms / 1000, self.tz)
        minute = local.hour * 60 + local.minute
        if not _admits(park, minute):
            return 0.0
        share = VISIT_SHARE[day_kind(local.date())]
        return park.daily * share * HOURLY[park.curve][local.hour] / _minutes_weight(park)

    def events_between(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        first = -(-start_ms // MINUTE_MS) * MINUTE_MS
        for at in range(first, end_ms, MINUTE_MS):
            for park in self.parks:
                came = self.arrivals(park, at - MINUTE_MS)
                left = self.arrivals(park, at - MINUTE_MS - STAY_MIN[park.curve] * MINUTE_MS)
                for gate in park.gates:
                    rng = random.Random(f"{self.rng_seed}:{gate}:{at}")
                    entered = _draw(rng, came / len(park.gates))
                    exited = _draw(rng, left / len(park.gates))
                    if entered or exited:
                        yield Planned(at, GATE, {
                            "ts": str(at), "event_id": f"park-{gate}-{at}", "park": park.id,
                            "gate": gate, "entered": str(entered), "exited": str(exited)})

    def history(self, until_ms: int) -> Iterator[Planned]:
        return iter(())


def _admits(park: SimPark, minute: int) -> bool:
    """Whether the park lets people in at this minute of the day: a park that closes takes no
    one in during its last stay before closing."""
    if park.hours is None:
        return True
    opens, closes = park.hours
    return opens <= minute < closes - STAY_MIN[park.curve]


@lru_cache(maxsize=256)
def _minutes_weight(park: SimPark) -> float:
    """The curve's weight summed over the minutes the park lets people in."""
    return float(sum(HOURLY[park.curve][m // 60] for m in range(1440) if _admits(park, m)))


def _draw(rng: random.Random, mean: float) -> int:
    """A count around ``mean``: Poisson-like spread, whole, ≥ 0, at most a gate's limit."""
    if mean <= 0:
        return 0
    if mean < 5:
        return sum(rng.random() < mean / 5 for _ in range(5))
    return max(0, min(10_000, round(rng.gauss(mean, math.sqrt(mean)))))


@dataclass(frozen=True)
class ParkSimulation:
    """What the plan is made of: the key parks with their gates."""

    parks: tuple[SimPark, ...]

    @classmethod
    def from_store(cls, store: SnapshotStore) -> ParkSimulation | None:
        if store.park.is_empty():
            return None
        gates: dict[str, list[str]] = {}
        for gate in store.park.park_gates():
            gates.setdefault(gate.park_id, []).append(gate.id)
        parks = tuple(_sim_park(p, tuple(gates[p.id])) for p in store.park.parks() if gates.get(p.id))
        return cls(parks)

    def plan(self, tz: tzinfo, rng_seed: int) -> ParkPlan:
        return ParkPlan(self.parks, tz, rng_seed)


class CrowdDrill:
    """A drill (``greenwall simulate --crowd <park>``): over ``minutes`` minutes from
    ``start_ms`` a crowd of the park's whole instantaneous capacity comes in through its gates,
    stays as long again, and leaves over as long again — so the park crosses the announce band
    (and 100 % if it held many already) and falls back. Its messages have their own
    ``event_id`` s (``crowd-…``). A ``PlanSource`` and its own ``Plan``."""

    name = "park-crowd"
    feeds = (GATE,)
    malformations = MALFORMATIONS

    def __init__(self, park: SimPark, start_ms: int, minutes: int = 15):
        if not park.capacity:
            raise ValueError(f"park {park.id} has no capacity: a crowd drill needs one")
        # From the next whole minute: a minute already begun may be past the publisher's cursor.
        self.park, self.start_ms, self.minutes = park, -(-start_ms // MINUTE_MS) * MINUTE_MS, minutes
        self.end_ms = self.start_ms + 3 * minutes * MINUTE_MS

    def plan(self, tz: tzinfo, rng_seed: int) -> CrowdDrill:
        return self

    def events_between(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        park, per_minute = self.park, self.park.capacity / self.minutes / len(self.park.gates)
        first = max(self.start_ms, -(-start_ms // MINUTE_MS) * MINUTE_MS)
        for at in range(first, min(end_ms, self.end_ms), MINUTE_MS):
            phase = (at - self.start_ms) // (self.minutes * MINUTE_MS)  # 0 in, 1 stay, 2 out
            if phase == 1:
                continue
            for k, gate in enumerate(park.gates):
                # Whole people, summing to the capacity over the phase.
                step = (at - self.start_ms) // MINUTE_MS % self.minutes
                n = math.floor(per_minute * (step + 1) + k / len(park.gates)) - math.floor(
                    per_minute * step + k / len(park.gates))
                if n:
                    yield Planned(at, GATE, {
                        "ts": str(at), "event_id": f"crowd-{gate}-{self.start_ms}-{at}",
                        "park": park.id, "gate": gate,
                        "entered": str(n if phase == 0 else 0), "exited": str(n if phase == 2 else 0)})

    def history(self, until_ms: int) -> Iterator[Planned]:
        return iter(())


def crowd_drill(store: SnapshotStore, park_id: str, start: datetime, minutes: int = 15) -> CrowdDrill:
    """The drill for ``park_id`` from ``start``; ``ValueError`` names the parks if it is unknown."""
    simulation = ParkSimulation.from_store(store)
    parks = {p.id: p for p in (simulation.parks if simulation else ())}
    if park_id not in parks:
        raise ValueError(f"no key park {park_id!r}; the parks are {', '.join(sorted(parks))}")
    return CrowdDrill(parks[park_id], int(start.timestamp() * 1000), minutes)


def minutes_until(drill: CrowdDrill, now: datetime) -> timedelta:
    return timedelta(milliseconds=max(0, drill.end_ms - int(now.timestamp() * 1000)))
