"""Simulated zoo feeds (模拟上海动物园): feedings by the diet plans, routine health checks and vet
cases, enclosure sensors every five minutes, and visitor safety incidents in opening hours.

- **Feedings**: each diet item of each species ``feeds_per_day`` times a day at fixed rounds
  (08:30, 14:30; one a day at 10:30), a few minutes late; ``kg`` is the plan's share × 0.8–1.1;
  ``MISSED`` of the rounds are skipped and ``OFF_PLAN`` of them give a food the plan lacks
  (零食), so compliance is near but under 100 %.
- **Health**: ``CHECKS_PER_DAY`` routine checks between 09:00 and 16:00; a vet case starts on a
  day with probability ``CASES_PER_DAY`` per slot and runs 上报 → 诊断 (1–6 h) → 治疗 (1–24 h) →
  康复 (2–14 days).
- **Sensors**: every enclosure reports every ``SENSOR_EVERY_MIN`` minutes (staggered): a daily
  temperature curve inside its range, humidity likewise, its keeper door open for a few minutes
  at the feeding rounds; with ``EXCURSION_PER_SLOT`` per six-hour slot a temperature excursion
  (20–90 min, 2–5 °C past the range) and with ``DOOR_LEFT_PER_SLOT`` a door left open 15–45 min.
- **Safety**: about ``INCIDENTS_PER_DAY`` incidents a day between 08:00 and 17:00, 70 % low,
  25 % medium, 5 % high.

Everything is derived from the rng seed and the time alone: stable ``event_id`` s, so a replay
after a restart is deduplicated. History reaches back ``HISTORY_DAYS`` for the vet cases (whole
cases, well inside the feed's ``CASE_STEP_KEPT_S``); the rest starts with yesterday.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from datasources.platform.publisher import Planned, drop_one_of, replaced
from datasources.platform.snapshot import SnapshotStore
from datasources.zoo.effects import CASE_STEP_KEPT_S
from datasources.zoo.feeds import CASE_STAGES
from datasources.zoo.schema import DietRow, EnclosureRow, KeeperRow, SpeciesRow

FEEDING, HEALTH, SENSOR, SAFETY = "zoo.feeding", "zoo.health", "zoo.enclosure", "zoo.safety"
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
ROUNDS = {1: ((10, 30),), 2: ((8, 30), (14, 30)), 3: ((8, 30), (11, 30), (15, 0))}
MISSED = 0.04
OFF_PLAN = 0.02
CHECKS_PER_DAY = 10
CASE_SLOTS = 4
CASES_PER_DAY = 0.2  # per slot: about 0.8 a day
CASE_HOURS = ((1, 6), (1, 24), (48, 14 * 24))  # to 诊断, to 治疗, to 康复
SENSOR_EVERY_MIN = 5
SLOT_MS = 6 * HOUR_MS
EXCURSION_PER_SLOT = 0.015
DOOR_LEFT_PER_SLOT = 0.01
INCIDENTS_PER_DAY = 6
HISTORY_DAYS = 40
assert HISTORY_DAYS * 86_400 < CASE_STEP_KEPT_S
NOTES = ("食欲下降", "轻微外伤", "腹泻", "呼吸道感染", "跛行", "皮肤病")
SEVERITY_WEIGHTS = {"low": 70, "medium": 25, "high": 5}
KIND_WEIGHTS = {"fall": 20, "feeding": 30, "climbing": 15, "throwing": 15, "lost_child": 10,
                "medical": 8, "other": 2}
INCIDENT_NOTES = {"fall": "游客在台阶处摔倒", "feeding": "游客违规投喂", "climbing": "游客翻越护栏",
                  "throwing": "游客向动物投掷物品", "lost_child": "儿童与家长走散",
                  "medical": "游客身体不适", "other": "其他情况"}

MALFORMATIONS = {
    FEEDING: {"kg": replaced("kg", "0", "-3", "lots", "9999"),
              "missing": drop_one_of("enclosure", "species", "food", "kg", "keeper")},
    HEALTH: {"stage": replaced("stage", "cured", "诊断", ""),
             # Well-formed but out of order: only the ingest script's stage check catches it.
             "skip": lambda bad, pick: bad.update(stage="recovered") if bad["stage"] != "check"
             else bad.update(stage="treated", case=bad["case"] + "-ghost"),
             "missing": drop_one_of("case", "species", "enclosure", "stage", "vet")},
    SENSOR: {"temp_c": replaced("temp_c", "99", "hot", "-60"),
             "humidity": replaced("humidity", "120", "-1", "wet"),
             "door": replaced("door", "ajar", "OPEN", "开"),
             "missing": drop_one_of("enclosure", "sensor", "temp_c", "humidity", "door")},
    SAFETY: {"kind": replaced("kind", "fight", "摔倒", ""),
             "severity": replaced("severity", "critical", "HIGH", "3"),
             "missing": drop_one_of("incident", "enclosure", "kind", "severity")},
}


@lru_cache(maxsize=100_000)
def _episodes(seed: int, enclosure: str, slot: int) -> tuple[tuple[int, int, str, float], ...]:
    """The (start, end, kind, size) episodes starting in six-hour ``slot`` of an enclosure."""
    rng = random.Random(f"{seed}:zoo-enc:{enclosure}:{slot}")
    out = []
    if rng.random() < EXCURSION_PER_SLOT:
        start = slot * SLOT_MS + rng.randrange(SLOT_MS // MINUTE_MS) * MINUTE_MS
        out.append((start, start + rng.randint(20, 90) * MINUTE_MS, "hot" if rng.random() < 0.6
                    else "cold", rng.uniform(2, 5)))
    if rng.random() < DOOR_LEFT_PER_SLOT:
        start = slot * SLOT_MS + rng.randrange(SLOT_MS // MINUTE_MS) * MINUTE_MS
        out.append((start, start + rng.randint(15, 45) * MINUTE_MS, "door", 0.0))
    return tuple(out)


@dataclass(frozen=True)
class SimFeed:
    """One diet item of one species, fed ``rounds`` times a day."""

    species: str
    enclosure: str
    food: str
    kg: float  # per round
    rounds: tuple[tuple[int, int], ...]
    keepers: tuple[str, ...]


class ZooPlan:
    """The zoo's simulated messages of any period (a ``Plan``)."""

    name = "zoo"
    feeds = (FEEDING, HEALTH, SENSOR, SAFETY)
    malformations = MALFORMATIONS

    def __init__(self, feeds_: tuple[SimFeed, ...], enclosures: tuple[EnclosureRow, ...],
                 species: tuple[SpeciesRow, ...], tz: tzinfo, rng_seed: int):
        self.items, self.enclosures, self.species = feeds_, enclosures, species
        self.tz, self.rng_seed = tz, rng_seed
        self._days: dict[int, list[Planned]] = {}

    def _day_start(self, at_ms: int) -> int:
        day = datetime.fromtimestamp(at_ms / 1000, self.tz).date()
        return int(datetime.combine(day, datetime.min.time(), self.tz).timestamp() * 1000)

    def _days_between(self, start_ms: int, end_ms: int) -> Iterator[int]:
        day = datetime.fromtimestamp(start_ms / 1000, self.tz).date()
        last = datetime.fromtimestamp(end_ms / 1000, self.tz).date()
        while day <= last:
            yield int(datetime.combine(day, datetime.min.time(), self.tz).timestamp() * 1000)
            day += timedelta(days=1)

    # ---- the day's plan: feedings, checks, case starts, incidents ----
    def _day(self, day_ms: int) -> list[Planned]:
        cached = self._days.get(day_ms)
        if cached is None:
            cached = self._days[day_ms] = sorted(self._plan_day(day_ms), key=_order)
            while len(self._days) > 80:
                del self._days[next(iter(self._days))]
        return cached

    def _plan_day(self, day_ms: int) -> Iterator[Planned]:
        stamp = datetime.fromtimestamp(day_ms / 1000, self.tz).strftime("%Y%m%d")
        yield from self._feedings(day_ms, stamp)
        yield from self._health(day_ms, stamp)
        yield from self._incidents(day_ms, stamp)

    def _feedings(self, day_ms: int, stamp: str) -> Iterator[Planned]:
        for item in self.items:
            for n, (hour, minute) in enumerate(item.rounds):
                rng = random.Random(f"{self.rng_seed}:zoo-feed:{item.species}:{item.food}:{stamp}:{n}")
                if rng.random() < MISSED:
                    continue
                at = day_ms + (hour * 60 + minute + rng.randrange(25)) * MINUTE_MS
                food = "零食" if rng.random() < OFF_PLAN else item.food
                yield Planned(at, FEEDING, {
                    "ts": str(at), "event_id": f"zoo-feed-{item.species}-{item.food}-{stamp}-{n}",
                    "enclosure": item.enclosure, "species": item.species, "food": food,
                    "kg": f"{item.kg * rng.uniform(0.8, 1.1):.2f}",
                    "keeper": rng.choice(item.keepers)})

    def _health(self, day_ms: int, stamp: str) -> Iterator[Planned]:
        if not self.species:
            return
        rng = random.Random(f"{self.rng_seed}:zoo-health:{stamp}")
        for n in range(CHECKS_PER_DAY):
            at = day_ms + (9 * 60 + rng.randrange(7 * 60)) * MINUTE_MS
            sp = rng.choice(self.species)
            yield Planned(at, HEALTH, {
                "ts": str(at), "event_id": f"zoo-check-{stamp}-{n}", "case": f"TJ-{stamp}-{n}",
                "species": sp.id, "enclosure": sp.enclosure, "stage": "check",
                "vet": f"VET-{rng.randint(1, 4)}"})
        for slot in range(CASE_SLOTS):
            if rng.random() >= CASES_PER_DAY:
                continue
            sp = rng.choice(self.species)
            case = f"BL-{stamp}-{slot}"
            at = day_ms + (8 * 60 + rng.randrange(9 * 60)) * MINUTE_MS
            times = [at]
            for low, high in CASE_HOURS:
                at += rng.randint(low, high) * HOUR_MS + rng.randrange(60) * MINUTE_MS
                times.append(at)
            note, vet = rng.choice(NOTES), f"VET-{rng.randint(1, 4)}"
            for stage, when in zip(CASE_STAGES, times, strict=True):
                yield Planned(when, HEALTH, {
                    "ts": str(when), "event_id": f"zoo-{case}-{stage}", "case": case,
                    "species": sp.id, "enclosure": sp.enclosure, "stage": stage, "vet": vet,
                    "note": note if stage == CASE_STAGES[0] else ""}, closes_ms=times[-1])

    def _incidents(self, day_ms: int, stamp: str) -> Iterator[Planned]:
        if not self.enclosures:
            return
        rng = random.Random(f"{self.rng_seed}:zoo-safety:{stamp}")
        for n in range(rng.randint(INCIDENTS_PER_DAY - 3, INCIDENTS_PER_DAY + 3)):
            at = day_ms + (8 * 60 + rng.randrange(9 * 60)) * MINUTE_MS
            kind = rng.choices(tuple(KIND_WEIGHTS), tuple(KIND_WEIGHTS.values()))[0]
            yield Planned(at, SAFETY, {
                "ts": str(at), "event_id": f"zoo-safety-{stamp}-{n}", "incident": f"AQ-{stamp}-{n}",
                "enclosure": rng.choice(self.enclosures).id, "kind": kind,
                "severity": rng.choices(tuple(SEVERITY_WEIGHTS),
                                        tuple(SEVERITY_WEIGHTS.values()))[0],
                "note": INCIDENT_NOTES[kind]})

    # ---- sensors ----
    def reading(self, enclosure: EnclosureRow, at_ms: int) -> tuple[float, float, str]:
        """An enclosure's temperature, humidity and door at ``at_ms``."""
        hour = (at_ms - self._day_start(at_ms)) / HOUR_MS
        rng = random.Random(f"{self.rng_seed}:zoo-read:{enclosure.id}:{at_ms}")
        mid_t, span_t = (enclosure.t_min + enclosure.t_max) / 2, (enclosure.t_max - enclosure.t_min)
        temp = mid_t + 0.2 * span_t * math.sin((hour - 9) / 24 * 2 * math.pi) + rng.uniform(-0.5, 0.5)
        mid_h, span_h = (enclosure.h_min + enclosure.h_max) / 2, (enclosure.h_max - enclosure.h_min)
        humidity = mid_h - 0.2 * span_h * math.sin((hour - 9) / 24 * 2 * math.pi) + rng.uniform(-2, 2)
        door = "closed"
        # The keeper door opens for the feeding rounds (about ten minutes).
        if any(0 <= (hour * 60 - (h * 60 + m)) < 10 for h, m in ROUNDS[2]):
            door = "open"
        slot = at_ms // SLOT_MS
        for s in range(slot - 1, slot + 1):
            for start, end, kind, size in _episodes(self.rng_seed, enclosure.id, s):
                if start <= at_ms < end:
                    if kind == "hot":
                        temp = enclosure.t_max + size
                    elif kind == "cold":
                        temp = enclosure.t_min - size
                    else:
                        door = "open"
        return round(temp, 1), round(min(max(humidity, 0), 100), 1), door

    def _sensor_events(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        period = SENSOR_EVERY_MIN * MINUTE_MS
        for k, enclosure in enumerate(self.enclosures):
            phase = (k * 20_000) % period
            first = (start_ms - phase) // period * period + phase
            for at in range(first, end_ms, period):
                if at < start_ms:
                    continue
                temp, humidity, door = self.reading(enclosure, at)
                yield Planned(at, SENSOR, {
                    "ts": str(at), "event_id": f"zoo-sns-{enclosure.id}-{at}",
                    "enclosure": enclosure.id, "sensor": f"SN-{enclosure.id}",
                    "temp_c": f"{temp:g}", "humidity": f"{humidity:g}", "door": door})

    def events_between(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        # A case begun up to 15 days ago may step now.
        planned = [p for day in self._days_between(start_ms - 16 * DAY_MS, end_ms)
                   for p in self._day(day) if start_ms <= p.at_ms < end_ms
                   and (p.feed == HEALTH or day >= self._day_start(start_ms) - DAY_MS)]
        return iter(sorted([*planned, *self._sensor_events(start_ms, end_ms)], key=_order))

    def history(self, until_ms: int) -> Iterator[Planned]:
        """Before ``until_ms``: the vet cases begun in the last ``HISTORY_DAYS`` (whole cases,
        so their steps stay in order) and the routine checks of those days."""
        out = [p for day in self._days_between(until_ms - HISTORY_DAYS * DAY_MS, until_ms - 1)
               for p in self._day(day) if p.feed == HEALTH and p.at_ms < until_ms]
        return iter(sorted(out, key=_order))


def _order(p: Planned) -> tuple:
    return (p.at_ms, p.feed, p.fields["event_id"])


@dataclass(frozen=True)
class ZooSimulation:
    """What the plan is made of: the zoo's houses, species, diet plans and keepers."""

    enclosures: tuple[EnclosureRow, ...]
    species: tuple[SpeciesRow, ...]
    diets: tuple[DietRow, ...]
    keepers: tuple[KeeperRow, ...]

    @classmethod
    def from_store(cls, store: SnapshotStore) -> ZooSimulation | None:
        if store.zoo.is_empty():
            return None
        zoo = store.zoo
        return cls(tuple(zoo.zoo_enclosures()), tuple(zoo.zoo_species()), tuple(zoo.zoo_diets()),
                   tuple(zoo.zoo_keepers()))

    def plan(self, tz: tzinfo, rng_seed: int) -> ZooPlan:
        species = {s.id: s for s in self.species}
        area_of = {e.id: e.area for e in self.enclosures}
        keepers: dict[str, tuple[str, ...]] = {}
        for k in self.keepers:
            keepers[k.area] = (*keepers.get(k.area, ()), k.id)
        items = []
        for d in self.diets:
            sp = species.get(d.species)
            if sp is None:
                continue
            rounds = ROUNDS.get(d.feeds_per_day, ROUNDS[2])
            items.append(SimFeed(sp.id, sp.enclosure, d.food, d.kg_per_day / len(rounds), rounds,
                                 keepers.get(area_of.get(sp.enclosure, ""), ()) or ("KEEPER",)))
        return ZooPlan(tuple(items), self.enclosures, self.species, tz, rng_seed)
