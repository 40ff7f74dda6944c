"""Simulated water-area feeds (模拟水域保洁): boats patrolling their sections, collections,
aquatic-plant clearance, daily section assessments and the issue loop. All demo.

- **Boats** work 06:00–20:00: each reports every ``REPORT_MIN`` minutes (staggered), sailing up
  and down its home section's course (one round trip in ``ROUND_TRIP_MIN``), collecting in
  about a third of its half-hour slots, and docks at 20:00 (one ``docked`` report).
- **Collections**: at the end of each collecting slot, the boat unloads 0.05–0.6 t (up to 1.5×
  on 特级 water, the busiest).
- **Plants**: in each working hour 08–18 a section has clearance with probability
  ``PLANT_SHARE`` (higher on the upper Huangpu and district waters, where 水葫芦 come in):
  200–5000 m², 70 % 水葫芦, about 15 kg a m².
- **Assessments**: each section once a day 09:00–16:00, criteria 70–100.
- **Issues**: an assessment finds one with probability ``ISSUE_SHARE``; assigned 10–90 min
  later, closed 2–30 h after it was found (some past the 24 h deadline).

Everything derives from the rng seed and the time alone: stable ``event_id`` s.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo

from datasources.platform.publisher import Planned, drop_one_of, replaced
from datasources.platform.snapshot import SnapshotStore
from datasources.water.schema import BoatRow, SectionRow

BOAT, COLLECTION, INSPECTION, PLANTS, ISSUE = (
    "water.boat", "water.collection", "water.inspection", "water.plants", "water.issue")
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
REPORT_MIN = 3
ROUND_TRIP_MIN = 150
SLOT_MS = 30 * MINUTE_MS
COLLECT_SHARE = 0.35
WORK_HOURS = (6, 20)
PLANT_SHARE = {"special": 0.15, "first": 0.4, "district": 0.5}
ISSUE_SHARE = 0.3
CATEGORY_WEIGHTS = {"floating": 40, "shore": 25, "plants": 20, "facility": 10, "other": 5}
ISSUE_TEXT = {"floating": "水面漂浮垃圾聚集", "shore": "滩涂沉积垃圾", "plants": "水葫芦聚集",
              "facility": "拦截网破损", "other": "码头凹档杂物"}
CLOSE_HOURS = (2, 30)
HISTORY_DAYS = 2

MALFORMATIONS = {
    BOAT: {"status": replaced("status", "sailing", "停泊", ""),
           "position": replaced("lat", "29.5", "abc", "91"),
           "missing": drop_one_of("boat", "section", "lat", "lon", "status")},
    COLLECTION: {"tonnes": replaced("tonnes", "0", "-1", "80", "lots"),
                 "missing": drop_one_of("boat", "section", "tonnes")},
    INSPECTION: {"score": replaced("floating", "101", "-5", "9.5"),
                 "missing": drop_one_of("inspection", "inspector", "section", "shore")},
    PLANTS: {"species": replaced("species", "lotus", ""),
             "area": replaced("area_m2", "0", "12.5", "many"),
             "missing": drop_one_of("section", "species", "area_m2")},
    ISSUE: {"stage": replaced("stage", "done", "派单", ""),
            # Well-formed but out of order: only the ingest script's stage check catches it.
            "skip": lambda bad, pick: bad.update(stage="closed", issue=bad["issue"] + "-X"),
            "missing": drop_one_of("issue", "section", "stage")},
}


def _course(section: SectionRow) -> tuple[list[tuple[float, float]], list[float]]:
    points = section.points()
    cumulative = [0.0]
    for (a, b), (c, d) in zip(points, points[1:], strict=False):
        cumulative.append(cumulative[-1] + math.hypot(c - a, (d - b) * math.cos(math.radians(a))))
    return points, cumulative


def position(section: SectionRow, share: float) -> tuple[float, float]:
    """The point ``share`` (0–1) of the way along the section's course."""
    points, cumulative = _course(section)
    if len(points) == 1 or cumulative[-1] == 0:
        return points[0]
    goal = share * cumulative[-1]
    for k in range(1, len(points)):
        if cumulative[k] >= goal:
            span = cumulative[k] - cumulative[k - 1] or 1.0
            f = (goal - cumulative[k - 1]) / span
            (a, b), (c, d) = points[k - 1], points[k]
            return a + (c - a) * f, b + (d - b) * f
    return points[-1]


@dataclass(frozen=True)
class SimBoat:
    id: str
    section: SectionRow
    phase_min: int
    trip_phase: float


class WaterPlan:
    """The water domain's simulated messages of any period (a ``Plan``)."""

    name = "water"
    feeds = (BOAT, COLLECTION, INSPECTION, PLANTS, ISSUE)
    malformations = MALFORMATIONS

    def __init__(self, sections: tuple[SectionRow, ...], boats: tuple[SimBoat, ...],
                 tz: tzinfo, rng_seed: int):
        self.sections, self.boats, self.tz, self.rng_seed = sections, boats, tz, rng_seed
        self._days: dict[int, list[Planned]] = {}

    def _day_start(self, at_ms: int) -> int:
        day = datetime.fromtimestamp(at_ms / 1000, self.tz).date()
        return int(datetime.combine(day, datetime.min.time(), self.tz).timestamp() * 1000)

    def _working(self, at_ms: int) -> bool:
        hour = datetime.fromtimestamp(at_ms / 1000, self.tz).hour
        return WORK_HOURS[0] <= hour < WORK_HOURS[1]

    def _collecting(self, boat: SimBoat, slot: int) -> bool:
        return random.Random(f"{self.rng_seed}:wc:{boat.id}:{slot}").random() < COLLECT_SHARE

    # ---- boats and collections ----
    def _boat_events(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        period = REPORT_MIN * MINUTE_MS
        for boat in self.boats:
            first = (start_ms - boat.phase_min * MINUTE_MS) // period * period \
                + boat.phase_min * MINUTE_MS
            for at in range(first, end_ms, period):
                if at < start_ms or not self._working(at):
                    continue
                cycle = (at / (ROUND_TRIP_MIN * MINUTE_MS) + boat.trip_phase) % 1.0
                lat, lon = position(boat.section, 1 - abs(1 - 2 * cycle))
                status = "collecting" if self._collecting(boat, at // SLOT_MS) else "patrolling"
                yield Planned(at, BOAT, {
                    "ts": str(at), "event_id": f"water-boat-{boat.id}-{at}", "boat": boat.id,
                    "section": boat.section.id, "lat": f"{lat:.5f}", "lon": f"{lon:.5f}",
                    "status": status})
            # Docked at the end of the working day, at the section's first point.
            day = self._day_start(start_ms)
            while day < end_ms:
                dock = day + WORK_HOURS[1] * HOUR_MS + boat.phase_min * 1000
                if start_ms <= dock < end_ms:
                    lat, lon = boat.section.points()[0]
                    yield Planned(dock, BOAT, {
                        "ts": str(dock), "event_id": f"water-boat-{boat.id}-{dock}-dock",
                        "boat": boat.id, "section": boat.section.id, "lat": f"{lat:.5f}",
                        "lon": f"{lon:.5f}", "status": "docked"})
                day = self._day_start(day + 36 * HOUR_MS)
            # A collecting slot ends with an unload.
            for slot in range(start_ms // SLOT_MS, end_ms // SLOT_MS + 1):
                at = slot * SLOT_MS + SLOT_MS - MINUTE_MS
                if not (start_ms <= at < end_ms and self._working(at)
                        and self._collecting(boat, slot)):
                    continue
                rng = random.Random(f"{self.rng_seed}:wt:{boat.id}:{slot}")
                factor = 1.5 if boat.section.grade == "special" else 1.0
                yield Planned(at, COLLECTION, {
                    "ts": str(at), "event_id": f"water-col-{boat.id}-{slot}", "boat": boat.id,
                    "section": boat.section.id,
                    "tonnes": f"{rng.uniform(0.05, 0.6) * factor:.2f}"})

    # ---- plants ----
    def _plant_events(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        for hour in range(start_ms // HOUR_MS, end_ms // HOUR_MS + 1):
            local = datetime.fromtimestamp(hour * HOUR_MS / 1000, self.tz).hour
            if not 8 <= local < 18:
                continue
            for section in self.sections:
                rng = random.Random(f"{self.rng_seed}:wp:{section.id}:{hour}")
                if rng.random() >= PLANT_SHARE.get(section.grade, 0.3):
                    continue
                at = hour * HOUR_MS + rng.randrange(60) * MINUTE_MS
                if not start_ms <= at < end_ms:
                    continue
                species = rng.choices(("hyacinth", "duckweed", "other"), (70, 20, 10))[0]
                area = rng.randint(200, 5000)
                yield Planned(at, PLANTS, {
                    "ts": str(at), "event_id": f"water-plant-{section.id}-{hour}",
                    "section": section.id, "species": species, "area_m2": str(area),
                    "tonnes": f"{area * 0.015:.1f}"})

    # ---- assessments and issues ----
    def _day_plan(self, day_start: int) -> list[Planned]:
        cached = self._days.get(day_start)
        if cached is not None:
            return cached
        out: list[Planned] = []
        day = datetime.fromtimestamp(day_start / 1000, self.tz).strftime("%Y%m%d")
        for section in self.sections:
            rng = random.Random(f"{self.rng_seed}:wi:{section.id}:{day}")
            at = day_start + (9 * 60 + rng.randrange(7 * 60)) * MINUTE_MS
            ident = f"WI-{section.id}-{day}"
            scores = [rng.randint(70, 100) for _ in range(3)]
            out.append(Planned(at, INSPECTION, {
                "ts": str(at), "event_id": f"water-{ident}", "inspection": ident,
                "inspector": f"SGC-{rng.randint(1, 6):02d}", "section": section.id,
                "floating": str(scores[0]), "shore": str(scores[1]), "facility": str(scores[2])}))
            if rng.random() >= ISSUE_SHARE:
                continue
            issue = f"WQ-{section.id}-{day}"
            category = rng.choices(tuple(CATEGORY_WEIGHTS), tuple(CATEGORY_WEIGHTS.values()))[0]
            assigned = at + rng.randint(10, 90) * MINUTE_MS
            closed = at + rng.randint(*CLOSE_HOURS) * HOUR_MS + rng.randrange(60) * MINUTE_MS
            base = {"issue": issue, "section": section.id}
            out += [
                Planned(at, ISSUE, {"ts": str(at), "event_id": f"water-{issue}-found", **base,
                                    "stage": "found", "category": category,
                                    "note": ISSUE_TEXT[category]}, closes_ms=closed),
                Planned(assigned, ISSUE, {"ts": str(assigned), "event_id": f"water-{issue}-assigned",
                                          **base, "stage": "assigned",
                                          "company": section.company}, closes_ms=closed),
                Planned(closed, ISSUE, {"ts": str(closed), "event_id": f"water-{issue}-closed",
                                        **base, "stage": "closed"}, closes_ms=closed)]
        self._days[day_start] = out
        while len(self._days) > 10:
            del self._days[next(iter(self._days))]
        return out

    def _daily_events(self, start_ms: int, end_ms: int, from_ms: int) -> list[Planned]:
        out = []
        day = self._day_start(from_ms)
        while day < end_ms:
            out += [p for p in self._day_plan(day) if start_ms <= p.at_ms < end_ms]
            day = self._day_start(day + 36 * HOUR_MS)
        return out

    def events_between(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        events = [*self._boat_events(start_ms, end_ms), *self._plant_events(start_ms, end_ms),
                  # An issue found up to CLOSE_HOURS ago may close now.
                  *self._daily_events(start_ms, end_ms,
                                      start_ms - (CLOSE_HOURS[1] + 2) * HOUR_MS)]
        return iter(sorted(events, key=lambda p: (p.at_ms, p.feed, p.fields["event_id"])))

    def history(self, until_ms: int) -> Iterator[Planned]:
        """Before ``until_ms``: the issue steps of the last ``HISTORY_DAYS`` days, so that a
        backfill's later steps follow the found ones (well inside the feed's 30 days)."""
        since = until_ms - HISTORY_DAYS * DAY_MS
        steps = [p for p in self._daily_events(since, until_ms, since) if p.feed == ISSUE]
        return iter(sorted(steps, key=lambda p: (p.at_ms, p.feed, p.fields["event_id"])))


@dataclass(frozen=True)
class WaterSimulation:
    """What the plan is made of: the sections and their boats."""

    sections: tuple[SectionRow, ...]
    boats: tuple[BoatRow, ...]

    @classmethod
    def from_store(cls, store: SnapshotStore) -> WaterSimulation | None:
        if store.water.is_empty():
            return None
        return cls(tuple(store.water.water_sections()), tuple(store.water.water_boats()))

    def plan(self, tz: tzinfo, rng_seed: int) -> WaterPlan:
        rng = random.Random(f"{rng_seed}:water")
        by_id = {s.id: s for s in self.sections}
        boats = tuple(SimBoat(b.id, by_id[b.section], rng.randrange(REPORT_MIN), rng.random())
                      for b in self.boats if b.section in by_id)
        return WaterPlan(self.sections, boats, tz, rng_seed)



