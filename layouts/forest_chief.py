"""林长制 forest-chief command screen: its spec (tiles, places, metrics) and Chinese labels.

The "1+2+5" platform on one screen: the chief-duty and patrol grids, the five scenarios and
the closed loop 巡查 → 上报 → 核实 → 处置 → 考核. The data behind each tile is computed in
``callbacks/forest_chief.py``.
"""

from __future__ import annotations

from dashboard.registry import GridPos, ScreenSpec, TileSpec, register_screen
from datasources.feeds import SCENARIOS, STAGES

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
LISTS = (("resources", "资源清单"), ("duties", "责任清单"), ("tasks", "任务清单"),
         ("results", "成绩清单"), ("negative", "负面清单"))

SCREEN = register_screen(
    ScreenSpec(
        slug=SLUG,
        title="林长制数字化监管",
        title_en="Forest chiefs, live",
        description="林长体系与两张网格、五大场景、巡查—上报—核实—处置—考核闭环与各区考核",
        feeds=(PATROL, INCIDENT, FIRE),
        tiles=(
            TileSpec(
                "duty", "kpis", "林长体系与巡护", "Chiefs and patrols", GridPos(0, 0, 9, 2),
                feed=PATROL,
                metrics=("forest.chiefs.total", *(f"forest.chiefs.{lv}" for lv in LEVEL_LABELS),
                         "forest.rangers.on_patrol", "forest.rangers.total",
                         "forest.patrol.coverage", "forest.patrol.grids_visited",
                         "forest.patrol.grids_total"),
                note="巡护中：已开始、未结束且1小时内有签到；覆盖率：今日有巡护记录的网格占比",
            ),
            TileSpec(
                "cases", "kpis", "案件办理", "Cases", GridPos(9, 0, 8, 2), feed=INCIDENT,
                metrics=("forest.cases.open", "forest.cases.reported_today",
                         "forest.cases.overdue", "forest.cases.ontime_rate",
                         "forest.cases.closed_30d"),
                note="在办：已上报未考核；超期：在当前环节停留超过时限；按期办结：各环节均未超时",
            ),
            TileSpec(
                "resources", "kpis", "森林资源与火险", "Forest and fire danger",
                GridPos(17, 0, 7, 2), feed=FIRE,
                metrics=("forest.coverage", "forest.coverage.previous", "forest.trees.ancient",
                         "forest.trees.reserve", "forest.fire_risk.level"),
                note="森林覆盖率与古树名木总数为公开统计（全市）；火险等级为当前最高",
            ),
            TileSpec(
                "funnel", "funnel", "闭环处置漏斗", "The closed loop",
                GridPos(0, 2, 6, 5), feed=INCIDENT,
                metrics=tuple(f"forest.funnel.{s}.{m}" for s in STAGES
                              for m in ("reached", "current", "median_hours", "overdue")),
                note="条形：近30日到达该环节的案件；停留：进入该环节到下一环节的中位小时数",
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
            ),
            TileSpec(
                "ranking", "ranking", "各区林长制考核得分", "District assessment",
                GridPos(17, 2, 7, 6), feed=INCIDENT, metrics=("forest.score.<adcode>",),
                note="得分由按期办结率、巡护覆盖率与超期案件计算，公式见图块底部",
            ),
            TileSpec(
                "ticker", "ticker", "实时动态", "Latest events", GridPos(17, 8, 7, 4),
                feed=PATROL, note="案件流转、巡护开始与结束、极高火险",
            ),
        ),
    )
)
