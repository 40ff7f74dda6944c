"""水域市容环境质量监管 water-area screen: its spec and labels (data:
``callbacks/water_area.py``).

The section score's weights, the issue deadline and when a boat stops counting as on patrol
are the domain's settings (``GREENWALL_WATER_*``, ``datasources/water/settings.py``), to be
confirmed with the bureau (水上管理处).
"""

from __future__ import annotations

from dashboard.registry import Band, Format, GridPos, ScreenSpec, TileSpec

SLUG = "water-area"
BOAT, COLLECTION, INSPECTION, PLANTS, ISSUE = (
    "water.boat", "water.collection", "water.inspection", "water.plants", "water.issue")

STATUS_LABELS = {"patrolling": "巡航", "collecting": "打捞作业", "docked": "停泊"}
SPECIES_LABELS = {"hyacinth": "水葫芦", "duckweed": "绿萍", "other": "其他水生植物"}
CATEGORY_LABELS = {"floating": "水面漂浮物", "shore": "岸线滩涂", "plants": "水生植物",
                   "facility": "拦截设施", "other": "其他"}
STAGE_LABELS = {"found": "发现", "assigned": "派单", "closed": "办结"}
GRADE_LABELS = {"good": "优", "fair": "良", "poor": "差"}
SCORE_FORMULA = ("得分 = ({floating:g}×水面漂浮物 + {shore:g}×岸线滩涂 + {facility:g}×设施与作业)"
                 " ÷ {total:g}；优 ≥ {good:g}，良 ≥ {fair:g}")
COLLECTED = "打捞 {tonnes:.2f} 吨"
CLEARED = "{species} {area:,} m²"
ASSESSED = "考核 {score:.1f} 分"
ISSUE_STEP = "{stage} · {category}"
TRACK = "航迹（近30分钟）"

LABELS = {
    **dict(zip(STATUS_LABELS.values(), ("Patrolling", "Collecting", "Docked"), strict=True)),
    **dict(zip(SPECIES_LABELS.values(), ("Water hyacinth", "Duckweed", "Other plants"),
               strict=True)),
    **dict(zip(CATEGORY_LABELS.values(), ("Floating waste", "Shore and mudflat", "Aquatic plants",
                                          "Booms", "Other"), strict=True)),
    **dict(zip(STAGE_LABELS.values(), ("Found", "Assigned", "Closed"), strict=True)),
    "优": "Good", "良": "Fair", "差": "Poor",
    SCORE_FORMULA: "Score = ({floating:g}×floating waste + {shore:g}×shore + {facility:g}×booms "
                   "and work) ÷ {total:g}; good ≥ {good:g}, fair ≥ {fair:g}",
    COLLECTED: "Collected {tonnes:.2f} t", CLEARED: "{species} {area:,} m²",
    ASSESSED: "Assessed {score:.1f}", ISSUE_STEP: "{stage} · {category}",
    TRACK: "Track (last 30 min)",
    # figures and units
    "巡航保洁船": "Boats on patrol", "打捞作业中": "Collecting now",
    "今日打捞": "Collected today", "水生植物整治": "Plants cleared",
    "待办问题": "Open issues", "超期问题": "Overdue", "吨": "t", "艘": "boats", "个": "",
    "m²": "m²", "件": "", "分": "", "次": "", "今日": "Today", "当前": "Now", "超期": "Overdue",
    "环节": "Stage", "时间": "Time", "河段": "Section", "事件": "Event",
    "昨日": "Yesterday", "类别": "Kind", "打捞": "Collection", "今日打捞（吨）": "Collected today (t)",
    "今日打捞作业": "Collections today", "区内平均考核得分": "District mean score",
    "水葫芦清理面积": "Hyacinth cleared", "今日考核": "Assessed today",
    "今日水生植物（吨）": "Plants today (t)",
    "2025年干流水葫芦（公布）": "Main-stream hyacinth 2025 (published)",
    "暂无事件": "No event yet", "暂无考核": "No assessment yet",
    "保洁船（当前位置）": "Boats (now)",
    # tile notes
    "河段走向为近似；圆点为保洁船当前位置，小点为近30分钟航迹；点击区名进入该区":
        "Section courses are approximate; dots are boats now, small dots their last 30 minutes; "
        "a district's name opens its view",
    "每河段最新一次考核，最低分在前；权重为设置项":
        "Each section's newest assessment, lowest first; the weights are settings",
    "当前：停在该环节的问题（办结为今日）；今日：今日进入该环节；超期：发现后超过时限（设置）未办结":
        "Now: issues at the stage (closed: today); today: entering it today; overdue: open past "
        "the deadline (a setting) since found",
    "公布数据见数据来源；今日数据为保洁单位上报": "Published figures: see the data sources; today's "
                                                  "as the companies report",
    "按责任区单位（公司）合计": "By the company keeping the sections",
    "打捞、水生植物、考核与问题，最新在前": "Collections, plants, assessments and issues, newest first",
    # the index card
    "水域市容环境：保洁船巡航、打捞量、水生植物整治、河段考核与问题闭环":
        "Water areas: boats on patrol, waste collected, aquatic plants, section scores and issues",
}

TONNES = Format(decimals=1, unit="吨")
M2 = Format(unit="m²")

SCREEN = ScreenSpec(
    slug=SLUG,
    title="水域市容环境质量监管",
    title_en="Water-area cleaning",
    description="水域市容环境：保洁船巡航、打捞量、水生植物整治、河段考核与问题闭环",
    feeds=(BOAT, COLLECTION, INSPECTION, PLANTS, ISSUE),
    labels=LABELS,
    tiles=(
        TileSpec(
            "headline", "kpis", "今日概况", "Today", GridPos(0, 0, 10, 2), feed=COLLECTION,
            metrics=("water.boats_on_patrol", "water.tonnes_today", "water.area_today",
                     "water.issues_open", "water.issues_overdue"),
            formats={"water.boats_on_patrol": Format(unit="艘"), "water.tonnes_today": TONNES,
                     "water.boats_collecting": Format(unit="艘"),
                     "water.area_today": M2, "water.issues_open": Format(unit="件"),
                     "water.issues_overdue": Format(unit="件", bands=(Band(1, "bad"),
                                                                     Band(0, "good")))},
        ),
        TileSpec(
            "map", "cellmap", "河段与保洁船", "Sections and boats", GridPos(0, 2, 10, 10),
            feed=BOAT,
        ),
        TileSpec(
            "sections", "ranking", "各河段今日打捞量", "Collected by section",
            GridPos(10, 0, 7, 5), feed=COLLECTION, metrics=("water.tonnes.<section>",),
            formats={"water.tonnes.<section>": Format(decimals=2, unit="吨")},
        ),
        TileSpec(
            "companies", "ranking", "责任区单位打捞排名", "Collected by company",
            GridPos(10, 5, 7, 3), feed=COLLECTION, metrics=("water.company_tonnes.<company>",),
            note="按责任区单位（公司）合计",
            formats={"water.company_tonnes.<company>": Format(decimals=2, unit="吨")},
        ),
        TileSpec(
            "hourly", "timeseries", "逐时打捞量（今日/昨日）", "Hourly collection vs yesterday",
            GridPos(10, 8, 7, 4), feed=COLLECTION, metrics=("water.tonnes_yesterday",),
            formats={"water.tonnes_yesterday": TONNES},
        ),
        TileSpec(
            "scores", "ranking", "河段质量考核得分", "Section quality scores",
            GridPos(17, 0, 7, 4), feed=INSPECTION, metrics=("water.score.<section>",),
            note="每河段最新一次考核，最低分在前；权重为设置项",
            formats={"water.score.<section>": Format(decimals=1)},
        ),
        TileSpec(
            "issues", "funnel", "问题闭环", "Issue loop", GridPos(17, 4, 7, 3), feed=ISSUE,
            metrics=("water.issues.<stage>",),
            note="当前：停在该环节的问题（办结为今日）；今日：今日进入该环节；超期：发现后超过时限（设置）未办结",
            formats={"water.issues.<stage>": Format(unit="件"),
                     "water.issues_today.<stage>": Format(unit="件"),
                     "water.issues_late.<stage>": Format(unit="件", bands=(
                         Band(1, "bad"), Band(0, "good")))},
        ),
        TileSpec(
            "plants", "kpis", "水生植物整治", "Aquatic plants", GridPos(17, 7, 7, 2), feed=PLANTS,
            metrics=("water.hyacinth_today", "water.published_hyacinth_2025"),
            note="公布数据见数据来源；今日数据为保洁单位上报",
            formats={"water.hyacinth_today": M2, "water.plant_tonnes_today": TONNES,
                     "water.published_hyacinth_2025": Format(unit="吨")},
        ),
        TileSpec(
            "events", "ticker", "实时事件", "Live events", GridPos(17, 9, 7, 3), feed=COLLECTION,
            note="打捞、水生植物、考核与问题，最新在前",
        ),
    ),
)
