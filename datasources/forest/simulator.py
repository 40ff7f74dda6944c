"""Simulated forest-chief (林长制) feeds: ranger patrols, fire-danger ratings and cases, planned
for the platform's simulator (``datasources.platform.publisher``).

Every day is planned from the rng seed and the date alone, so each
message has a stable ``event_id`` and replaying a period is deduplicated downstream (the case
loop also recognises a step it has already taken). The daily shape:

- patrols (巡护): most rangers walk a morning round and many an afternoon one, checking in
  every 10–20 minutes on the grids of their village duty grid; a few walk a night fire watch;
- fire danger (森林火险等级): each district rated every 10 minutes, higher in the dry season
  and on dry, windy afternoons;
- cases (案件): reported during patrol hours, then verified within hours, disposed of within
  days and assessed within weeks — with a share late at each step, so some are overdue.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as dtime
from functools import lru_cache

from datasources.forest.feeds import SCENARIOS, STAGES
from datasources.platform.publisher import (
    Malformation,
    Planned,
    drop_one_of,
    malformed,
    replaced,
)
from datasources.platform.snapshot import SnapshotStore

PATROL, INCIDENT, FIRE = "forest.patrol", "forest.incident", "forest.fire_risk"
FEEDS = (PATROL, INCIDENT, FIRE)
HOUR_MS, DAY_MS = 3_600_000, 86_400_000
CASES_PER_DAY = 80  # city-wide reports a day, spread over the districts by their grids
HISTORY_DAYS = 40  # a backfill replays this many days of cases, so 30-day figures are whole
LONGEST_CASE_DAYS = 60  # no planned case takes longer from report to assessment
FIRE_EVERY_MIN = 10
# Hours each step takes (median, lognormal spread, cap): verify (3 h), dispose (30 h),
# assess (36 h); the spreads leave about 3 %, 3 % and 1 % of cases late at each step, and
# the caps keep every case within LONGEST_CASE_DAYS.
STEP_HOURS = ((3, 1.1, 72), (30, 0.9, 20 * 24), (36, 1.25, 35 * 24))
SCENARIO_WEIGHTS = {"deforestation": 20, "neglect": 30, "fire": 15, "wildlife": 15,
                    "ancient_tree": 20}
# Hours of the day when patrols find and report things (relative weights, 0–23).
REPORT_HOURS = (0, 0, 0, 0, 0, 0, 1, 4, 8, 9, 9, 7, 4, 6, 8, 8, 6, 3, 1, 1, 1, 0, 0, 0)
NOTES = {
    "deforestation": ("林地内发现违规堆放建筑垃圾", "疑似擅自砍伐林木", "林地被圈占用作停车"),
    "neglect": ("林下杂草丛生、枯死木未清理", "林带缺株断档未补植", "养护围栏破损"),
    "fire": ("林缘发现焚烧痕迹", "林区内有人吸烟野炊", "可燃物堆积过多"),
    "wildlife": ("发现受伤野生鸟类", "林间发现捕鸟网", "发现疑似非法捕猎工具"),
    "ancient_tree": ("古树枝干开裂存在倒伏风险", "古树保护范围内违规硬化", "古树出现病虫害"),
}
DISPOSED_NOTES = ("已责令整改并完成复绿", "已清理并恢复原状", "已移交执法部门处理",
                  "已完成补植养护", "已救护放归")


@dataclass(frozen=True, slots=True)
class SimGrid:
    id: str
    district: str
    lat: float
    lon: float


@dataclass(frozen=True)
class ForestEntities:
    """What the forest simulator needs from master data: grids, rangers' grids, trees."""

    grids: tuple[SimGrid, ...]
    rangers: tuple[tuple[str, tuple[SimGrid, ...]], ...]
    trees: tuple[SimGrid, ...]  # a tree's grid id with the tree's own position

    @classmethod
    def from_store(cls, store: SnapshotStore) -> ForestEntities | None:
        """Read from a ``SnapshotStore``; ``None`` when it has no forest master data."""
        forest = store.forest
        if forest.is_empty():
            return None
        grids = tuple(SimGrid(g.id, g.district, g.lat, g.lon) for g in forest.patrol_grids())
        by_duty: dict[str, list[SimGrid]] = {}
        duty = {g.id: g.duty_grid_id for g in forest.patrol_grids()}
        for grid in grids:
            by_duty.setdefault(duty[grid.id], []).append(grid)
        rangers = tuple((r.id, tuple(by_duty.get(r.duty_grid_id, ()))) for r in forest.rangers())
        trees = tuple(SimGrid(t.grid_id, t.district, t.lat, t.lon)
                      for t in forest.trees() if t.grid_id)
        return cls(grids, tuple(r for r in rangers if r[1]), trees)

    def plan(self, tz: tzinfo, rng_seed: int) -> ForestPlan:
        """The simulator plan of these entities."""
        return ForestPlan(self, tz, rng_seed)


class ForestPlan:
    """The forest messages of any period, planned day by day."""

    name = "forest"
    feeds = FEEDS

    def __init__(self, entities: ForestEntities, tz: tzinfo, rng_seed: int):
        self.entities, self.tz, self.rng_seed = entities, tz, rng_seed
        self.malformations = MALFORMATIONS
        self._by_district: dict[str, list[SimGrid]] = {}
        for grid in entities.grids:
            self._by_district.setdefault(grid.district, []).append(grid)
        self._districts = sorted(self._by_district)
        self._patrols = lru_cache(maxsize=3)(self._plan_patrols)
        self._cases = lru_cache(maxsize=LONGEST_CASE_DAYS + 8)(self._plan_cases)

    def _midnight(self, day: date) -> int:
        return int(datetime.combine(day, dtime(), self.tz).timestamp() * 1000)

    def _rng(self, kind: str, day: date) -> random.Random:
        return random.Random(f"greenwall-forest-sim:{kind}:{self.rng_seed}:{day.isoformat()}")

    def _ts(self, at_ms: int) -> str:
        return datetime.fromtimestamp(at_ms / 1000, self.tz).isoformat(timespec="milliseconds")

    def _point(self, rng: random.Random, grid: SimGrid, spread: float = 0.004) -> tuple[str, str]:
        return (f"{grid.lat + rng.uniform(-spread, spread):.5f}",
                f"{grid.lon + rng.uniform(-spread, spread):.5f}")

    # ---- patrols and fire danger: planned per calendar day ----

    def _plan_patrols(self, day: date) -> tuple[list[int], list[Planned]]:
        rng, start = self._rng("patrol", day), self._midnight(day)
        planned: list[Planned] = []
        rounds = ((0.85, 7.0, 9.5, 2.5, 4.0), (0.5, 13.5, 15.0, 2.0, 3.0), (0.03, 19.0, 20.0, 2.5, 3.5))
        for ranger, grids in self.entities.rangers:
            for share, first, last, shortest, longest in rounds:
                if rng.random() >= share:
                    continue
                at = start + int(rng.uniform(first, last) * HOUR_MS)
                end = at + int(rng.uniform(shortest, longest) * HOUR_MS)
                offset = rng.randrange(len(grids))
                kinds = ["start"]
                while at < end:
                    grid = grids[offset % len(grids)]
                    lat, lon = self._point(rng, grid)
                    planned.append(Planned(at, PATROL, {"ranger": ranger, "grid": grid.id,
                                                        "kind": kinds.pop() if kinds else "checkpoint",
                                                        "lat": lat, "lon": lon}))
                    offset += 1
                    at += int(rng.uniform(10, 20) * 60_000)
                lat, lon = self._point(rng, grid)
                planned.append(Planned(end, PATROL, {"ranger": ranger, "grid": grid.id,
                                                     "kind": "finish", "lat": lat, "lon": lon}))
        dry_season = day.month in (11, 12, 1, 2, 3, 4)
        for n, district in enumerate(self._districts):
            base = 2.4 if dry_season else 1.5
            windy = rng.random() < 0.3  # a dry, windy day: afternoons rate one or two higher
            for minute in range(n % FIRE_EVERY_MIN, 24 * 60, FIRE_EVERY_MIN):
                hour = minute / 60
                afternoon = math.exp(-((hour - 14.5) / 3.0) ** 2)
                level = base + afternoon * (1.6 if windy else 0.8) + rng.uniform(-0.3, 0.3)
                planned.append(Planned(start + minute * 60_000, FIRE, {
                    "district": district, "level": str(min(5, max(1, round(level))))}))
        planned.sort(key=lambda p: p.at_ms)
        for seq, p in enumerate(planned, start=1):
            tag = "P" if p.feed == PATROL else "F"
            p.fields.update(ts=self._ts(p.at_ms), event_id=f"sim{self.rng_seed}-{day:%Y%m%d}-{tag}{seq:06d}")
        return [p.at_ms for p in planned], planned

    # ---- cases: planned per report day, with their later steps ----

    def _plan_cases(self, day: date) -> tuple[list[int], list[Planned]]:
        rng, start = self._rng("cases", day), self._midnight(day)
        weights = [len(self._by_district[d]) for d in self._districts]
        hours = list(range(24))
        planned: list[Planned] = []
        count = max(0, round(rng.gauss(CASES_PER_DAY, CASES_PER_DAY ** 0.5)))
        for n in range(1, count + 1):
            scenario = rng.choices(SCENARIOS, [SCENARIO_WEIGHTS[s] for s in SCENARIOS])[0]
            if scenario == "ancient_tree" and self.entities.trees:
                grid = rng.choice(self.entities.trees)
                lat, lon = f"{grid.lat:.5f}", f"{grid.lon:.5f}"
            else:
                grid = rng.choice(self._by_district[rng.choices(self._districts, weights)[0]])
                lat, lon = self._point(rng, grid)
            incident = f"AJ-{day:%Y%m%d}-{n:03d}"
            at = start + int((rng.choices(hours, REPORT_HOURS)[0] + rng.random()) * HOUR_MS)
            steps = [at]
            for median_h, spread, longest_h in STEP_HOURS:
                taken = min(rng.lognormvariate(math.log(median_h), spread), longest_h)
                steps.append(steps[-1] + int(taken * HOUR_MS))
            for k, (stage, when) in enumerate(zip(STAGES, steps, strict=True)):
                fields = {"incident": incident, "scenario": scenario, "stage": stage,
                          "grid": grid.id, "lat": lat, "lon": lon,
                          "ts": self._ts(when),
                          "event_id": f"sim{self.rng_seed}-{day:%Y%m%d}-I{n:03d}-{k + 1}"}
                if stage == "reported":
                    fields["note"] = rng.choice(NOTES[scenario])
                elif stage == "disposed":
                    fields["note"] = rng.choice(DISPOSED_NOTES)
                planned.append(Planned(when, INCIDENT, fields, steps[-1]))
        planned.sort(key=lambda p: p.at_ms)
        return [p.at_ms for p in planned], planned

    # ---- windows ----

    def events_between(self, start_ms: int, end_ms: int, feeds: tuple[str, ...] = FEEDS
                       ) -> Iterator[Planned]:
        """The planned messages with ``start_ms <= at < end_ms`` of ``feeds``, in time order."""
        found: list[Planned] = []
        first = datetime.fromtimestamp(start_ms / 1000, self.tz).date()
        last = datetime.fromtimestamp(max(start_ms, end_ms - 1) / 1000, self.tz).date()
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        if PATROL in feeds or FIRE in feeds:
            for day in days:
                found += [p for p in _window(self._patrols(day), start_ms, end_ms) if p.feed in feeds]
        if INCIDENT in feeds:
            report_day = first - timedelta(days=LONGEST_CASE_DAYS)
            while report_day <= last:
                found += _window(self._cases(report_day), start_ms, end_ms)
                report_day += timedelta(days=1)
        found.sort(key=lambda p: p.at_ms)
        return iter(found)

    def history(self, until_ms: int) -> Iterator[Planned]:
        """Every step before ``until_ms`` of the cases still open at some time in the
        ``HISTORY_DAYS`` before it (for a backfill): whole cases, so the loop stays in order."""
        since = until_ms - HISTORY_DAYS * DAY_MS
        steps = self.events_between(since - LONGEST_CASE_DAYS * DAY_MS, until_ms, (INCIDENT,))
        return (p for p in steps if p.closes_ms >= since)


def _window(plan: tuple[list[int], list[Planned]], start_ms: int, end_ms: int) -> list[Planned]:
    times, planned = plan
    return planned[bisect.bisect_left(times, start_ms):bisect.bisect_left(times, end_ms)]


_REQUIRED = {PATROL: ("ranger", "grid", "kind", "lat", "lon"),
             INCIDENT: ("incident", "scenario", "stage", "grid", "lat", "lon"),
             FIRE: ("district", "level")}


def _skip_stage(bad: dict[str, str], pick: int) -> None:
    # Well-formed but out of the loop's order (a step that skips or reverses one): only the
    # ingest script's stage check can catch it.
    k = STAGES.index(bad["stage"])
    bad["stage"] = STAGES[k + 2] if k + 2 < len(STAGES) else STAGES[0]


MALFORMATIONS: dict[str, dict[str, Malformation]] = {
    PATROL: {
        "bad_kind": replaced("kind", "pause", "START", "签到"),
        "lat_outside": replaced("lat", "39.9042", "0", "121.47"),
        "missing_field": drop_one_of(*_REQUIRED[PATROL]),
        "bad_ts": replaced("ts", "2026-11-29 08:00", "tomorrow", "1795912502"),
    },
    INCIDENT: {
        "bad_stage": replaced("stage", "closed", "Reported", "核实"),
        "bad_scenario": replaced("scenario", "flood", "毁林", "Fire"),
        "skip_stage": _skip_stage,
        "missing_field": drop_one_of(*_REQUIRED[INCIDENT]),
    },
    FIRE: {
        "level_out_of_range": replaced("level", "0", "6", "3.5"),
        "unknown_district": replaced("district", "310199", "火星区", "3101"),
    },
}
"""How the simulator breaks a forest message, per feed (``bad_ratio``)."""


def malform(fields: dict[str, str], feed: str, kind: str) -> dict[str, str]:
    """A copy of a valid forest message broken in one way, with its own ``event_id``."""
    return malformed(fields, MALFORMATIONS[feed], kind)
