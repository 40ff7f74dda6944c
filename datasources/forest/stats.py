"""The forest-chief (林长制) figures, computed from a ``ForestView`` for one scope at its ``now``.

Pure functions: the same view gives the same figures, so tests can pin ``now`` anywhere —
for instance either side of a deadline that falls on the next day. Deadlines are
``Settings.forest_deadlines_ms``: how long a case may stay at each open stage.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from datasources.forest.feeds import SCENARIOS, STAGES
from datasources.forest.reader import Case, ForestView

DAY_MS = 86_400_000
WINDOW_DAYS = 30
HOUR_MS = 3_600_000
# 考核得分 weights: on-time closure, patrol coverage, and the share of open cases not overdue.
SCORE_WEIGHTS = {"closure": 40, "coverage": 40, "not_overdue": 20}
SCORE_FORMULA = (
    "得分 = 40×近30日按期办结率 + 40×今日巡护覆盖率 + 20×(1 − 超期÷在办)；"
    "无办结或无在办案件时该项计满分"
)


@dataclass(frozen=True)
class StageRow:
    """One stage of the loop: cases there now, cases that reached it in 30 days, the median
    hours cases spent there before the next step (for 考核: the whole loop), overdue now."""

    stage: str
    current: int
    reached: int
    median_hours: float | None
    overdue: int | None


@dataclass(frozen=True)
class Closure:
    """Cases closed (assessed, 考核) in the last 30 days, and those that met every deadline."""

    closed: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """按期办结率, or ``None`` before the first closed case."""
        return self.on_time / self.closed if self.closed else None


@dataclass(frozen=True)
class ScenarioRow:
    """One of the five scenarios (五大场景): open cases, reported this month, daily reports."""

    scenario: str
    open: int
    this_month: int
    trend: tuple[int, ...]


def scoped(cases: Iterable[Case], district: str | None) -> list[Case]:
    """The cases of ``district`` (all of them for ``None``, the city)."""
    return [c for c in cases if district is None or c.district == district]


def is_overdue(case: Case, now_ms: int, deadlines: dict[str, int]) -> bool:
    """Open past its stage's deadline: counted in elapsed time, so a case reported at 23:30
    with 24 hours to be verified is overdue from 23:30 the next day, not from midnight."""
    limit = deadlines.get(case.stage)
    return limit is not None and now_ms - case.since_ms > limit


def _window(view: ForestView) -> int:
    return view.now_ms - WINDOW_DAYS * DAY_MS


def _logged(view: ForestView, district: str | None, stage: str) -> list[Case]:
    since = _window(view)
    k = STAGES.index(stage) + 1
    return [c for c in scoped(view.log, district)
            if len(c.times) == k and since <= c.times[-1] <= view.now_ms]


def funnel(view: ForestView, district: str | None, deadlines: dict[str, int]) -> list[StageRow]:
    """The closed loop 上报 → 核实 → 处置 → 考核, stage by stage."""
    cases = scoped(view.open_cases, district)
    rows = []
    for k, stage in enumerate(STAGES):
        reached = _logged(view, district, stage)
        if k + 1 < len(STAGES):
            done = _logged(view, district, STAGES[k + 1])
            spans = [c.times[k + 1] - c.times[k] for c in done]
            here = [c for c in cases if c.stage == stage]
            current = len(here)
            overdue: int | None = sum(is_overdue(c, view.now_ms, deadlines) for c in here)
        else:  # closed cases stay at 考核: count those closed in the window, and the whole loop
            spans = [c.times[-1] - c.times[0] for c in reached]
            current, overdue = len(reached), None
        median = round(statistics.median(spans) / HOUR_MS, 1) if spans else None
        rows.append(StageRow(stage, current, len(reached), median, overdue))
    return rows


def closure(view: ForestView, district: str | None, deadlines: dict[str, int]) -> Closure:
    """Cases assessed in the last 30 days; on time when every step met its deadline."""
    closed = _logged(view, district, STAGES[-1])
    limits = [deadlines[s] for s in STAGES[:-1]]
    on_time = sum(all(c.times[k + 1] - c.times[k] <= limits[k] for k in range(len(limits)))
                  for c in closed)
    return Closure(len(closed), on_time)


def overdue_count(view: ForestView, district: str | None, deadlines: dict[str, int]) -> int:
    return sum(is_overdue(c, view.now_ms, deadlines) for c in scoped(view.open_cases, district))


def scenarios(view: ForestView, district: str | None, tz: ZoneInfo) -> list[ScenarioRow]:
    """Open cases and reports this month per scenario, and reports per day over 30 days."""
    now = datetime.fromtimestamp(view.now_ms / 1000, tz)
    today = now.date()
    month_start = int(datetime(now.year, now.month, 1, tzinfo=tz).timestamp() * 1000)
    days = [today - timedelta(days=back) for back in range(WINDOW_DAYS - 1, -1, -1)]
    index = {d: i for i, d in enumerate(days)}
    reports = [c for c in scoped(view.log, district) if len(c.times) == 1]
    open_cases = scoped(view.open_cases, district)
    rows = []
    for scenario in SCENARIOS:
        trend = [0] * len(days)
        month = 0
        for case in reports:
            if case.scenario != scenario or case.times[0] > view.now_ms:
                continue
            month += case.times[0] >= month_start
            slot = index.get(datetime.fromtimestamp(case.times[0] / 1000, tz).date())
            if slot is not None:
                trend[slot] += 1
        rows.append(ScenarioRow(scenario, sum(c.scenario == scenario for c in open_cases),
                                month, tuple(trend)))
    return rows


def coverage(view: ForestView, grids: Iterable[str]) -> tuple[int, int, float | None]:
    """Patrol grids visited today among ``grids``: (visited, total, share)."""
    grids = list(grids)
    visited = sum(1 for g in grids if view.visits.get(g))
    return visited, len(grids), (visited / len(grids) if grids else None)


def on_patrol(view: ForestView, rangers: Iterable[str], idle_after_ms: int) -> int:
    """How many of ``rangers`` are on patrol now (巡护中)."""
    return sum(1 for r in rangers
               if r in view.rangers and view.rangers[r].on_patrol(view.now_ms, idle_after_ms))


def score(on_time_rate: float | None, coverage_share: float | None, overdue: int,
          open_cases: int, active: bool) -> float | None:
    """考核得分 (0–100) by ``SCORE_FORMULA``; ``None`` for a district with no activity at all."""
    if not active:
        return None
    parts = {
        "closure": 1.0 if on_time_rate is None else on_time_rate,
        "coverage": coverage_share or 0.0,
        "not_overdue": 1.0 - overdue / open_cases if open_cases else 1.0,
    }
    return round(sum(SCORE_WEIGHTS[k] * v for k, v in parts.items()), 1)


def by_district(view: ForestView) -> dict[str | None, ForestView]:
    """The view split by district (``None``: cases whose grid is not registered), in one pass,
    so per-district figures need not filter the whole city sixteen times."""
    opened: dict[str | None, list[Case]] = {}
    logged: dict[str | None, list[Case]] = {}
    for case in view.open_cases:
        opened.setdefault(case.district, []).append(case)
    for case in view.log:
        logged.setdefault(case.district, []).append(case)
    return {d: replace(view, open_cases=tuple(opened.get(d, ())), log=tuple(logged.get(d, ())))
            for d in set(opened) | set(logged)}
