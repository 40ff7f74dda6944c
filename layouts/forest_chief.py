"""林长制 forest-chief command screen: its spec (tiles, places, metrics) and its labels.

The "1+2+5" platform on one screen: the chief-duty and patrol grids, the five scenarios and
the closed loop 巡查 → 上报 → 核实 → 处置 → 考核. The data behind each tile is computed in
``callbacks/forest_chief.py``; every Chinese label and text template it uses has its English
in ``LABELS`` (``dashboard.i18n``).
"""

from __future__ import annotations

from dashboard.registry import Band, Format, GridPos, Larger, ScreenSpec, TileSpec
from datasources.forest.feeds import SCENARIOS, STAGES
from datasources.forest.stats import SCORE_FORMULA

SLUG = "forest-chief"
PATROL = "forest.patrol"
INCIDENT = "forest.incident"
FIRE = "forest.fire_risk"

STAGE_LABELS = {"reported": "上报", "verified": "核实", "disposed": "处置", "assessed": "考核"}
# What a case at each stage waits for (待核实: reported, waiting to be verified, …).
WAITING_LABELS = {"reported": "待核实", "verified": "待处置", "disposed": "待考核", "assessed": "已办结"}
SCENARIO_LABELS = {
    "deforestation": "毁林占绿",
    "neglect": "林地失管失养",
    "fire": "森林火险",
    "wildlife": "野生动物保护",
    "ancient_tree": "古树名木",
}
LEVEL_LABELS = {"city": "市级", "district": "区级", "town": "镇街", "village": "村居"}
# An open case past its stage's deadline (负面清单): what is overdue.
OVERDUE_LABELS = {"reported": "待核实超期", "verified": "待处置超期", "disposed": "待考核超期"}

# Texts composed around values (``dashboard.i18n.Text``), filled with raw values where drawn.
COVERAGE_YEAR = "森林覆盖率·{year}"
# In a district's scope: the published coverage is the city's, and says so.
CITY_COVERAGE_YEAR = "全市森林覆盖率·{year}"
YEAR = "{year}年"
SCOPE_CHIEF = "林长：{chief}"
WITHIN_HOURS = "时限{hours:g}小时"
WITHIN_DAYS = "时限{days:g}天"
OVERDUE_LINE = "{case} {scenario} {overdue}{days:.1f}天"
CASE = "{case} {scenario}"
PATROL_LINE = "{ranger} · {grid}"
FIRE_LEVEL = "火险{level}级"
LEVEL = "{level}级"
CASE_NOTE = "案件说明：{note}"
# The map: a case marker's tooltip and the grid info panel (``callbacks/forest_map.py``).
MARKER = "{case} {scenario} · {waiting}"
MARKER_LATE = "{case} {scenario} · {waiting} · 超期"
GRID_UNKNOWN = "网格 {grid} 未登记"
GRID_PLACE = " {district} · {area:.1f} km²"

LABELS = {
    # the closed loop and its stages
    "上报": "Reported", "核实": "Verified", "处置": "Disposed", "考核": "Assessed",
    "待核实": "To verify", "待处置": "To dispose", "待考核": "To assess", "已办结": "Closed",
    "待核实超期": "verification overdue by", "待处置超期": "disposal overdue by",
    "待考核超期": "assessment overdue by",
    "事件": "Event", "状态": "Stage", "环节": "Stage", "全程": "whole loop", "当前": "Now",
    "停留中位": "Median stay", "超期": "Overdue", "本月": "This month", "在办": "Open",
    "办结": "Closed", "已巡": "Patrolled", "近30日": "30 days",
    # units
    "个": "", "件": "cases", "名": "", "株": "trees", "格": "cells", "级": "", "小时": "h",
    "天": "d",
    # figures
    "今日上报": "Reported today", "今日巡护覆盖率": "Patrol coverage today",
    "今日未巡网格": "Unpatrolled today", "任务清单": "Tasks", "资源清单": "Resources",
    "责任清单": "Responsibilities", "成绩清单": "Achievements", "负面清单": "Negative list",
    "区级": "District", "市级": "City", "镇街": "Town", "村居": "Village",
    "古树名木": "Heritage trees", "各级林长": "Forest chiefs", "后续资源": "Reserve trees",
    "在办案件": "Open cases", "履职网格": "Duty grids", "巡护中护林员": "Rangers on patrol",
    "巡护网格": "Patrol grids", "护林员": "Rangers", "林长": "Chiefs", "网格": "Grids",
    "网格面积": "Grid area", "待办案件": "Open cases",
    "按期办结": "Closed on time", "无超期案件": "No overdue cases", "本月上报": "Reported this month",
    "超期案件": "Overdue cases", "近30日上报": "Reported, 30 days", "近30日到达": "Arrived, 30 days",
    "近30日办结": "Closed, 30 days", "近30日按期办结率": "On time, 30 days",
    "当前火险等级": "Fire danger now", "森林覆盖率": "Forest cover",
    "全市森林覆盖率": "City-wide forest cover",
    COVERAGE_YEAR: "Forest cover · {year}", YEAR: "{year}",
    CITY_COVERAGE_YEAR: "City-wide forest cover · {year}",
    # scenarios, events and the map
    "森林火险": "Fire risk", "毁林占绿": "Deforestation",
    "林地失管失养": "Neglected forest land", "野生动物保护": "Wildlife", "开始巡护": "Patrol started",
    "巡护签到": "Patrol check-in", "结束巡护": "Patrol finished", "极高火险": "Extreme fire danger",
    "森林火险等级": "Fire danger level", "未登记网格": "unregistered grid",
    "未登记护林员": "unregistered ranger", "今日已巡网格": "Patrolled today",
    "毁林占绿点": "Deforestation", "时间": "Time", "区": "District",
    SCOPE_CHIEF: "Chief: {chief}", WITHIN_HOURS: "within {hours:g} h",
    WITHIN_DAYS: "within {days:g} days",
    OVERDUE_LINE: "{case} {scenario}: {overdue} {days:.1f} d",
    FIRE_LEVEL: "Fire danger {level}", LEVEL: "level {level}",
    MARKER: "{case} {scenario} · {waiting}", MARKER_LATE: "{case} {scenario} · {waiting} · overdue",
    GRID_UNKNOWN: "Grid {grid} is not registered", GRID_PLACE: " {district} · {area:.1f} km²",
    "今日巡护": "Patrols today", "次": "", "责任林长": "Chiefs in charge", "巡护中": "on patrol",
    "未在巡": "off patrol", "无在办案件": "No open cases",
    "该网格不在授权范围内 (this grid is outside your grant)": "This grid is outside your grant",
    # tile notes and explanations
    "在办案件、本月上报，及近30日每日上报": "Open cases, reported this month, and daily reports over 30 days",
    "在办：已上报未考核；超期：在当前环节停留超过时限；按期办结：各环节均未超时":
        "Open: reported, not yet assessed; overdue: past its stage's deadline; on time: no "
        "stage overdue",
    "巡护中：已开始、未结束且1小时内有签到；覆盖率：今日有巡护记录的网格占比":
        "On patrol: started, not finished, checked in within the hour; coverage: share of "
        "grids patrolled today",
    "当前：停在该环节的在办案件（考核为近30日办结）；停留：到下一环节的中位用时":
        "Now: open cases at this stage (assessed: closed in 30 days); stay: median time to "
        "the next stage",
    SCORE_FORMULA:
        "Score = 40 × on-time closure (30 d) + 40 × patrol coverage today + 20 × (1 − overdue "
        "÷ open); a term without cases scores in full",
    "得分由按期办结率、巡护覆盖率与超期案件计算，公式见图块底部":
        "Score from on-time closure, patrol coverage and overdue cases; formula below",
    "条形：近30日到达该环节的案件；停留：进入该环节到下一环节的中位小时数":
        "Bars: cases reaching the stage in 30 days; stay: median hours to the next stage",
    "案件流转、巡护开始与结束、极高火险": "Case steps, patrols starting and finishing, extreme fire danger",
    "森林覆盖率与古树名木总数为公开统计（全市）；火险等级为当前最高":
        "Forest coverage and old-tree totals are published city figures; fire danger is the "
        "highest now",
    "点击网格：查看责任林长、护林员与在办案件；点击区名：进入该区":
        "Click a grid for its chiefs, rangers and open cases; a district's name for its view",
    "网格：今日巡护次数；区块：当前火险等级；点击网格看林长、护林员与案件，点击区名进入该区":
        "Grids: patrols today; districts: fire danger now; click a grid for its chiefs, "
        "rangers and cases, a district's name for its view",
    # the index card and the ticker's tooltips
    "林长体系与两张网格、五大场景、巡查—上报—核实—处置—考核闭环与各区考核":
        "Chiefs and the two grids, the five scenarios, the loop patrol → report → verify → "
        "dispose → assess, and the districts' assessment",
    CASE_NOTE: "Case note: {note}",
}

# How each number reads (``dashboard.registry.Format``); the payload carries raw values.
PEOPLE, CELLS, CASES, TREES, UNITS = (Format(unit=u) for u in ("名", "格", "件", "株", "个"))
SHARE = Format(percent=True, decimals=1)
# A stay in hours, from two days on in days.
HOURS = Format(unit="小时", decimals=1, larger=Larger(48, 24, "天"))

SCREEN = ScreenSpec(
    slug=SLUG,
    title="林长制数字化监管",
    title_en="Forest chiefs, live",
    description="林长体系与两张网格、五大场景、巡查—上报—核实—处置—考核闭环与各区考核",
    feeds=(PATROL, INCIDENT, FIRE),
    labels=LABELS,
    tiles=(
        TileSpec(
            "duty", "kpis", "林长体系与巡护", "Chiefs and patrols", GridPos(0, 0, 9, 2),
            feed=PATROL,
            metrics=("forest.chiefs.total", *(f"forest.chiefs.{lv}" for lv in LEVEL_LABELS),
                     "forest.rangers.on_patrol", "forest.rangers.total",
                     "forest.patrol.coverage", "forest.patrol.grids_visited",
                     "forest.patrol.grids_total"),
            note="巡护中：已开始、未结束且1小时内有签到；覆盖率：今日有巡护记录的网格占比",
            formats={"forest.chiefs.total": PEOPLE, "forest.rangers.on_patrol": PEOPLE,
                     "forest.rangers.total": PEOPLE, "forest.patrol.coverage": SHARE,
                     "forest.patrol.grids_visited": CELLS, "forest.patrol.grids_total": CELLS},
        ),
        TileSpec(
            "cases", "kpis", "案件办理", "Cases", GridPos(9, 0, 8, 2), feed=INCIDENT,
            metrics=("forest.cases.open", "forest.cases.reported_today",
                     "forest.cases.overdue", "forest.cases.ontime_rate",
                     "forest.cases.closed_30d"),
            note="在办：已上报未考核；超期：在当前环节停留超过时限；按期办结：各环节均未超时",
            formats={"forest.cases.open": CASES, "forest.cases.reported_today": CASES,
                     "forest.cases.overdue": Format(unit="件", bands=(Band(1, "bad"),
                                                                     Band(0, "good"))),
                     "forest.cases.ontime_rate": Format(percent=True, decimals=1, bands=(
                         Band(0.9, "good"), Band(0, "warn"))),
                     "forest.cases.closed_30d": CASES},
        ),
        TileSpec(
            "resources", "kpis", "森林资源与火险", "Forest and fire danger",
            GridPos(17, 0, 7, 2), feed=FIRE,
            metrics=("forest.coverage", "forest.coverage.previous", "forest.trees.ancient",
                     "forest.trees.reserve", "forest.fire_risk.level"),
            note="森林覆盖率与古树名木总数为公开统计（全市）；火险等级为当前最高",
            formats={"forest.coverage": Format(unit="%", decimals=2),
                     "forest.coverage.previous": Format(unit="%", decimals=1),
                     "forest.trees.ancient": TREES, "forest.trees.reserve": TREES,
                     # 森林火险等级: 4–5 high, 3 middling, 1–2 low.
                     "forest.fire_risk.level": Format(unit="级", bands=(
                         Band(4, "bad"), Band(3, "warn"), Band(1, "good")))},
        ),
        TileSpec(
            "funnel", "funnel", "闭环处置漏斗", "The closed loop",
            GridPos(0, 2, 6, 5), feed=INCIDENT,
            metrics=tuple(f"forest.funnel.{s}.{m}" for s in STAGES
                          for m in ("reached", "current", "median_hours", "overdue")),
            note="条形：近30日到达该环节的案件；停留：进入该环节到下一环节的中位小时数",
            formats={f"forest.funnel.{s}.median_hours": HOURS for s in STAGES},
        ),
        TileSpec(
            "scenarios", "statgrid", "五大场景", "Five scenarios", GridPos(0, 7, 6, 5),
            feed=INCIDENT,
            metrics=tuple(f"forest.scenario.{s}.{m}" for s in SCENARIOS
                          for m in ("open", "month")),
            note="在办案件、本月上报，及近30日每日上报",
        ),
        TileSpec(
            "map", "cellmap", "巡护网格 · 火险等级 · 在办案件", "Patrol grids, fire, cases",
            GridPos(6, 2, 11, 7), feed=PATROL,
            note="网格：今日巡护次数；区块：当前火险等级；点击网格看林长、护林员与案件，点击区名进入该区",
        ),
        TileSpec(
            "lists", "panels", "林长五张清单", "The chief's five lists", GridPos(6, 9, 11, 3),
            feed=INCIDENT,
            metrics=("forest.lists.resources.grids", "forest.lists.duties.chiefs",
                     "forest.lists.tasks.pending", "forest.lists.results.closed",
                     "forest.lists.negative.overdue"),
            formats={"forest.lists.resources.grids": UNITS,
                     "forest.lists.resources.area": Format(unit="km²"),
                     "forest.lists.resources.trees": TREES,
                     "forest.lists.duties.chiefs": PEOPLE, "forest.lists.duties.rangers": PEOPLE,
                     "forest.lists.duties.duty_grids": UNITS, "forest.lists.tasks.pending": CASES,
                     "forest.lists.tasks.verify": CASES, "forest.lists.tasks.unpatrolled": UNITS,
                     "forest.lists.results.closed": CASES, "forest.lists.results.ontime": CASES,
                     "forest.lists.results.month": CASES, "forest.lists.negative.overdue": CASES},
        ),
        TileSpec(
            "ranking", "ranking", "各区林长制考核得分", "District assessment",
            GridPos(17, 2, 7, 6), feed=INCIDENT, metrics=("forest.score.<adcode>",),
            formats={"forest.score.<adcode>": Format(decimals=1)},
            note="得分由按期办结率、巡护覆盖率与超期案件计算，公式见图块底部",
        ),
        TileSpec(
            "ticker", "ticker", "实时动态", "Latest events", GridPos(17, 8, 7, 4),
            feed=PATROL, note="案件流转、巡护开始与结束、极高火险",
        ),
    ),
)
