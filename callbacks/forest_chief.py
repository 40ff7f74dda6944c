"""林长制 forest-chief screen: the data behind each tile, from live aggregates and master data.

Every figure is for the screen's scope (the city, or one district with ``?district=``); the
ranking always lists all 16 districts. The map and its grid info panel are in
``callbacks/forest_map.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from callbacks.forest_map import ForestMaster, load_master, map_tile, register_forest_map
from dashboard import theme
from dashboard.districts import BY_ADCODE, DISTRICTS
from dashboard.sources import Sources
from datasources.forest import stats as fs
from datasources.forest.feeds import STAGES
from datasources.forest.reader import ForestView
from layouts.forest_chief import (
    CASE,
    CASE_NOTE,
    CITY_COVERAGE_YEAR,
    COVERAGE_YEAR,
    FIRE,
    INCIDENT,
    LEVEL,
    LEVEL_LABELS,
    OVERDUE_LABELS,
    OVERDUE_LINE,
    PATROL,
    PATROL_LINE,
    SCENARIO_LABELS,
    SCOPE_CHIEF,
    SLUG,
    STAGE_LABELS,
    WAITING_LABELS,
    WITHIN_DAYS,
    WITHIN_HOURS,
    YEAR,
)
from layouts.kinds import Stat, TileData, text
from layouts.kinds.funnel import Funnel, FunnelStage
from layouts.kinds.kpis import Kpi, Kpis
from layouts.kinds.panels import Panel, Panels
from layouts.kinds.ranking import Ranking, RankRow
from layouts.kinds.statgrid import GridRow, StatGrid
from layouts.kinds.ticker import Ticker, TickerRow

__all__ = ["SLUG", "payload"]

TICKER_ROWS = 30
OVERDUE_LINES = 4


def _rounded(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


class _Scope:
    """The figures of one scope, computed once and shared by the tiles."""

    def __init__(self, sources: Sources, view: ForestView, master: ForestMaster,
                 district: str | None):
        settings = sources.settings
        self.district, self.view, self.master = district, view, master
        self.deadlines = settings.forest_deadlines_ms
        self.split = fs.by_district(view)
        self.local = view if district is None else self.split.get(district) or _empty(view)
        self.grids = master.grid_ids(district)
        self.visited, self.grid_total, self.coverage = fs.coverage(view, self.grids)
        idle = int(settings.ranger_off_patrol_after_s * 1000)
        self.rangers = master.ranger_ids(district)
        self.on_patrol = fs.on_patrol(view, master.rangers_seen_in(view, district), idle)
        self.funnel = fs.funnel(self.local, None, self.deadlines)
        self.closure = fs.closure(self.local, None, self.deadlines)
        self.overdue = fs.overdue_count(self.local, None, self.deadlines)
        self.open = len(self.local.open_cases)


def _empty(view: ForestView) -> ForestView:
    """The view without cases: a district that has none."""
    return replace(view, open_cases=(), log=())


def _duty(scope: _Scope) -> Kpis:
    levels = scope.master.chief_levels(scope.district)
    chiefs = tuple(Stat(f"forest.chiefs.{lv}", LEVEL_LABELS[lv], levels.get(lv, 0))
                   for lv in LEVEL_LABELS)
    return Kpis((
        Kpi(Stat("forest.chiefs.total", "各级林长", sum(levels.values())), chiefs),
        Kpi(Stat("forest.rangers.on_patrol", "巡护中护林员", scope.on_patrol),
            (Stat("forest.rangers.total", "护林员", len(scope.rangers)),)),
        Kpi(Stat("forest.patrol.coverage", "今日巡护覆盖率", _rounded(scope.coverage)),
            (Stat("forest.patrol.grids_visited", "已巡", scope.visited),
             Stat("forest.patrol.grids_total", "网格", scope.grid_total))),
    ))


def _cases(scope: _Scope) -> Kpis:
    tz = scope.master.tz
    today = sum(1 for c in scope.local.log if len(c.times) == 1
                and datetime.fromtimestamp(c.times[0] / 1000, tz).date().isoformat() == scope.view.day)
    rate = scope.closure.rate
    return Kpis((
        Kpi(Stat("forest.cases.open", "在办案件", scope.open),
            (Stat("forest.cases.reported_today", "今日上报", today),)),
        Kpi(Stat("forest.cases.overdue", "超期案件", scope.overdue)),
        Kpi(Stat("forest.cases.ontime_rate", "近30日按期办结率", _rounded(rate)),
            (Stat("forest.cases.closed_30d", "办结", scope.closure.closed),)),
    ))


def _resources(scope: _Scope) -> Kpis:
    history = scope.master.coverage
    latest = history[-1] if history else None
    previous = history[-2] if len(history) > 1 else None
    trees = scope.master.tree_counts(scope.district)
    levels = [lv for d, lv in scope.view.fire.items() if scope.district in (None, d)]
    level = max(levels) if levels else None
    # Coverage is published for the city alone: a district's screen labels it as the city's.
    coverage_label = COVERAGE_YEAR if scope.district is None else CITY_COVERAGE_YEAR
    return Kpis((
        Kpi(Stat("forest.coverage", text(coverage_label, year=latest.year) if latest
                 else "森林覆盖率" if scope.district is None else "全市森林覆盖率",
                 latest.percent if latest else None),
            (Stat("forest.coverage.previous", text(YEAR, year=previous.year), previous.percent),)
            if previous else ()),
        Kpi(Stat("forest.trees.ancient", "古树名木", trees.get("ancient", 0)),
            (Stat("forest.trees.reserve", "后续资源", trees.get("reserve", 0)),)),
        Kpi(Stat("forest.fire_risk.level", "当前火险等级", level)),
    ))


def _funnel(scope: _Scope) -> Funnel:
    deadlines = scope.deadlines
    limits = {"reported": text(WITHIN_HOURS, hours=deadlines["reported"] / 3_600_000),
              "verified": text(WITHIN_DAYS, days=deadlines["verified"] / 86_400_000),
              "disposed": text(WITHIN_DAYS, days=deadlines["disposed"] / 86_400_000),
              "assessed": "全程"}
    stages = []
    for row in scope.funnel:
        key = f"forest.funnel.{row.stage}"
        stages.append(FunnelStage(
            key=row.stage, label=STAGE_LABELS[row.stage], hint=limits[row.stage],
            bar=Stat(f"{key}.reached", "近30日", row.reached),
            cells=(Stat(f"{key}.current", WAITING_LABELS[row.stage], row.current),
                   Stat(f"{key}.median_hours", "停留中位", row.median_hours),
                   Stat(f"{key}.overdue", "超期", row.overdue)),
        ))
    return Funnel(tuple(stages), columns=("环节", "近30日到达", "当前", "停留中位", "超期"),
                  note="当前：停在该环节的在办案件（考核为近30日办结）；停留：到下一环节的中位用时")


def _scenarios(scope: _Scope, sources: Sources) -> StatGrid:
    rows = fs.scenarios(scope.local, None, sources.settings.tz)
    return StatGrid(
        tuple(GridRow(
            key=r.scenario, label=SCENARIO_LABELS[r.scenario],
            cells=(Stat(f"forest.scenario.{r.scenario}.open", "在办", r.open),
                   Stat(f"forest.scenario.{r.scenario}.month", "本月", r.this_month)),
            spark=tuple(float(v) for v in r.trend), colour=theme.SCENARIO_COLOURS[r.scenario])
            for r in rows),
        columns=("在办", "本月"), spark_label="近30日上报",
    )


def _ranking(scope: _Scope) -> Ranking:
    rows = []
    for d in DISTRICTS:
        local = scope.split.get(d.adcode) or _empty(scope.view)
        closed = fs.closure(local, None, scope.deadlines)
        overdue = fs.overdue_count(local, None, scope.deadlines)
        _, _, share = fs.coverage(scope.view, scope.master.grid_ids(d.adcode))
        active = bool(local.open_cases or closed.closed or share)
        value = fs.score(closed.rate, share, overdue, len(local.open_cases), active)
        rows.append(RankRow(
            key=d.adcode, label=d.name, value=value,
            metric=f"forest.score.{d.adcode}", href=f"/screens/{SLUG}?district={d.adcode}",
            selected=d.adcode == scope.district))
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.key))
    return Ranking(tuple(rows), bar_max=100.0, footer=fs.SCORE_FORMULA)


def _ticker(sources: Sources, scope: _Scope) -> Ticker:
    tz = sources.settings.tz
    names = scope.master.names
    # A district's screen names only its own rangers: one of another district, or one the
    # master data does not know, walking a grid here stays unnamed (the city names them).
    own = None if scope.district is None else set(scope.rangers)
    rows = []
    for event in scope.view.events:
        district = event.get("district")
        if scope.district is not None and district != scope.district:
            continue
        when = datetime.fromtimestamp(event["ts_ms"] / 1000, tz).strftime("%H:%M:%S")
        place = BY_ADCODE[district].name if district in BY_ADCODE else "未登记网格"
        feed, what = event.get("feed"), event.get("what", "")
        subject = event.get("subject", "")
        if feed == "incident":
            line = text(CASE, case=event.get("subject"),
                        scenario=text(SCENARIO_LABELS.get(event.get("scenario"), "")))
            status = STAGE_LABELS.get(what, what)
            note = event.get("note")
            title = text(CASE_NOTE, note=note) if note else ""
        elif feed == "patrol":
            if own is not None and subject not in own:
                subject = ""
            line = text(PATROL_LINE, ranger=names.get(subject, subject) or text("未登记护林员"),
                        grid=event.get("grid"))
            status, title = ("开始巡护" if what == "start" else "结束巡护"), ""
        else:
            line, status, title = "森林火险等级", text(LEVEL, level=what), ""
        rows.append(TickerRow(key=f"{event['ts_ms']}-{subject or len(rows)}-{what}",
                              cells=(when, place, line, status), title=title))
        if len(rows) >= TICKER_ROWS:
            break
    return Ticker(tuple(rows), header=("时间", "区", "事件", "状态"), empty_text="暂无数据")


def _lists(scope: _Scope) -> Panels:
    m, district, rows = scope.master, scope.district, {r.stage: r for r in scope.funnel}
    trees = m.tree_counts(district)
    levels = m.chief_levels(district)
    chief = m.scope_chief(district)
    overdue = sorted((c for c in scope.local.open_cases
                      if fs.is_overdue(c, scope.view.now_ms, scope.deadlines)),
                     key=lambda c: c.since_ms)
    now, limits = scope.view.now_ms, scope.deadlines
    negative = tuple(
        text(OVERDUE_LINE, case=c.incident,
             scenario=text(SCENARIO_LABELS.get(c.scenario, c.scenario)),
             overdue=text(OVERDUE_LABELS[c.stage]),
             days=(now - c.since_ms - limits[c.stage]) / 86_400_000)
        for c in overdue[:OVERDUE_LINES])
    pending = sum(rows[s].current for s in STAGES[:-1])
    month = sum(r.this_month for r in fs.scenarios(scope.local, None, m.tz))
    return Panels(
        heading=text(SCOPE_CHIEF, chief=chief) if chief else "",
        panels=(
            Panel("resources", "资源清单", (
                Stat("forest.lists.resources.grids", "巡护网格", scope.grid_total),
                Stat("forest.lists.resources.area", "网格面积", round(m.area_km2(district), 1)),
                Stat("forest.lists.resources.trees", "古树名木", trees.get("ancient", 0)))),
            Panel("duties", "责任清单", (
                Stat("forest.lists.duties.chiefs", "林长", sum(levels.values())),
                Stat("forest.lists.duties.rangers", "护林员", len(scope.rangers)),
                Stat("forest.lists.duties.duty_grids", "履职网格", sum(levels.values())))),
            Panel("tasks", "任务清单", (
                Stat("forest.lists.tasks.pending", "待办案件", pending),
                Stat("forest.lists.tasks.verify", "待核实", rows["reported"].current),
                Stat("forest.lists.tasks.unpatrolled", "今日未巡网格",
                     scope.grid_total - scope.visited))),
            Panel("results", "成绩清单", (
                Stat("forest.lists.results.closed", "近30日办结", scope.closure.closed),
                Stat("forest.lists.results.ontime", "按期办结", scope.closure.on_time),
                Stat("forest.lists.results.month", "本月上报", month))),
            Panel("negative", "负面清单", (
                Stat("forest.lists.negative.overdue", "超期案件", scope.overdue),), negative,
                empty="无超期案件"),
        ),
    )


def payload(sources: Sources, district: str | None) -> dict[str, TileData]:
    """Every tile of the forest-chief screen for one scope (``None`` = the whole city)."""
    view = sources.forest.view()
    master = load_master(sources)
    scope = _Scope(sources, view, master, district)
    stats = sources.live.feed_stats()
    patrol_at, incident_at, fire_at = (stats[f].last_event_ms for f in (PATROL, INCIDENT, FIRE))
    return {
        "duty": TileData(_duty(scope), patrol_at),
        "cases": TileData(_cases(scope), incident_at),
        "resources": TileData(_resources(scope), fire_at),
        "funnel": TileData(_funnel(scope), incident_at),
        "scenarios": TileData(_scenarios(scope, sources), incident_at),
        "map": TileData(map_tile(sources, view, master, district, scope.deadlines), patrol_at),
        "lists": TileData(_lists(scope), incident_at),
        "ranking": TileData(_ranking(scope), incident_at),
        "ticker": TileData(_ticker(sources, scope), patrol_at),
    }


def register(app, sources: Sources) -> None:
    """This screen's own interaction: a click on a patrol grid fills the info panel."""
    register_forest_map(app, sources)
