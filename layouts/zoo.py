"""野生动物监管 wildlife-care screen of 上海动物园 (保育、营养、健康、安全; work-plan tasks 12/23):
its spec and labels (data: ``callbacks/zoo.py``).

The sensor board's alarm lines and the feeding-compliance bands are the zoo domain's settings
(``GREENWALL_ZOO_*``, ``datasources/zoo/settings.py``), to be confirmed with the zoo.
"""

from __future__ import annotations

from dashboard.registry import Band, Format, GridPos, ScreenSpec, TileSpec

SLUG = "zoo"
FEEDING, HEALTH, SENSOR, SAFETY = "zoo.feeding", "zoo.health", "zoo.enclosure", "zoo.safety"

CLASS_LABELS = {"first": "国家一级", "second": "国家二级", "cites": "CITES附录（境外）",
                "none": "非重点保护"}
STAGE_LABELS = {"reported": "上报", "diagnosed": "诊断", "treated": "治疗", "recovered": "康复"}
KIND_LABELS = {"fall": "摔倒", "feeding": "违规投喂", "climbing": "翻越护栏", "throwing": "投掷物品",
               "lost_child": "儿童走失", "medical": "游客急病", "other": "其他"}
SEVERITY_LABELS = {"low": "一般", "medium": "较重", "high": "严重"}
COMPLIANCE_LABELS = {0: "未投喂", 1: "达标", 3: "偏低", 5: "不足"}
SENSOR_LABELS = {0: "无数据", 1: "正常", 2: "门开", 4: "门久开", 5: "超限"}
# Texts composed around values (``dashboard.i18n.Text``).
HOUR = "{hour:02d}时"
SPECIES_N = "{n} 种"
RANGE = "{low:g}–{high:g}℃"

LABELS = {
    **{v: e for v, e in zip(CLASS_LABELS.values(),
                            ("National class I", "National class II", "CITES (from abroad)",
                             "Not listed"), strict=True)},
    **{v: e for v, e in zip(STAGE_LABELS.values(),
                            ("Reported", "Diagnosed", "Treated", "Recovered"), strict=True)},
    **{v: e for v, e in zip(KIND_LABELS.values(),
                            ("Fall", "Feeding", "Climbing", "Throwing", "Lost child", "Unwell",
                             "Other"), strict=True)},
    **{v: e for v, e in zip(SEVERITY_LABELS.values(), ("Minor", "Serious", "Severe"), strict=True)},
    "未投喂": "Not fed", "达标": "On plan", "偏低": "Low", "不足": "Short",
    "无数据": "No data", "正常": "Normal", "门开": "Door open", "门久开": "Door left open",
    "超限": "Out of range",
    HOUR: "{hour:02d}h", SPECIES_N: "{n} species", RANGE: "{low:g}–{high:g} °C",
    # figures and units
    "动物（公布）": "Animals (published)", "物种（公布）": "Species (published)",
    "保护物种（约）": "Protected (approx.)",
    "今日投喂": "Feedings today", "计划投喂": "Planned", "投喂量完成率": "Fed vs due",
    "在治病例": "Open vet cases", "今日上报": "Reported today", "今日康复": "Recovered today",
    "环境告警": "Sensor alarms now", "门未关": "Doors open", "无数据馆舍": "Silent",
    "今日安全事件": "Safety incidents today", "严重": "Severe",
    "公布种数": "Published", "登记物种": "Registered", "个体（演示）": "Animals (demo)",
    "实投 kg": "Given kg", "应投 kg": "Due kg", "计划外": "Off plan",
    "完成率": "Done", "湿度": "Humidity", "温度 ℃": "Temp °C", "门开 分钟": "Door min",
    "环节": "Stage", "当前": "Now", "今日": "Today", "近30日": "30 days",
    "投喂次数": "Feedings", "安全事件": "Incidents", "今日体检": "Checks today",
    "计划外投喂": "Off-plan feedings",
    "时间": "Time", "馆舍": "House", "类型": "Kind", "等级": "Severity",
    "今日暂无安全事件": "No incident today",
    "只": "animals", "种": "species", "次": "", "起": "", "个": "", "处": "", "kg": "kg",
    # tile notes
    "完成率 = 今日实投 ÷ 截至此时应投（日计划在投喂时段内均摊，计划为演示）；最低在前":
        "Done = food given today ÷ the plan due by now (spread over the feeding hours; demo "
        "plans); lowest first",
    "公布数据（一级、二级为约数）；登记物种按国家名录/CITES；个体数为演示":
        "Published (class I and II approximate); registered species by the national list and "
        "CITES; animal counts are demo",
    "当前：停在该环节的病例（康复为近30日）；今日：今日进入该环节":
        "Now: cases at the stage (recovered: 30 days); today: entering the stage today",
    "超限：温湿度超出该馆设定范围；门久开：饲养门开启超过设定分钟；告警在前":
        "Out of range: temperature or humidity outside the house's range; door left open: "
        "longer than the set minutes; alarms first",
    "游客安全事件，最新在前": "Visitor safety incidents, newest first",
    # the index card
    "上海动物园：保育环境、营养投喂、健康诊疗与游客安全":
        "Shanghai Zoo: enclosures, feeding, animal health and visitor safety",
}

RATE = Format(percent=True, decimals=0)

SCREEN = ScreenSpec(
    slug=SLUG,
    title="野生动物监管",
    title_en="Wildlife care, Shanghai Zoo",
    description="上海动物园：保育环境、营养投喂、健康诊疗与游客安全",
    feeds=(FEEDING, HEALTH, SENSOR, SAFETY),
    labels=LABELS,
    tiles=(
        TileSpec(
            "overview", "kpis", "动物园概况", "The zoo today", GridPos(0, 0, 16, 3), feed=FEEDING,
            metrics=("zoo.animals", "zoo.feedings_today", "zoo.cases_open", "zoo.sensor_alarms",
                     "zoo.incidents_today"),
            formats={"zoo.animals": Format(unit="只"), "zoo.species": Format(unit="种"),
                     "zoo.protected_species": Format(unit="种"),
                     "zoo.feedings_today": Format(unit="次"), "zoo.feedings_plan": Format(unit="次"),
                     "zoo.feeding_rate": Format(percent=True, decimals=0),
                     "zoo.cases_open": Format(unit="个"), "zoo.cases_reported_today": Format(unit="个"),
                     "zoo.recovered_today": Format(unit="个"),
                     "zoo.sensor_alarms": Format(unit="处", bands=(Band(1, "bad"), Band(0, "good"))),
                     "zoo.doors_open": Format(unit="处"), "zoo.sensors_silent": Format(unit="处"),
                     "zoo.incidents_today": Format(unit="起"),
                     "zoo.incidents_high": Format(unit="起", bands=(Band(1, "bad"),
                                                                   Band(0, "good")))},
        ),
        TileSpec(
            "classes", "statgrid", "保护等级", "Protection classes", GridPos(16, 0, 8, 3),
            metrics=("zoo.class_species.<class>",),
            note="公布数据（一级、二级为约数）；登记物种按国家名录/CITES；个体数为演示",
            formats={"zoo.class_published.<class>": Format(unit="种"),
                     "zoo.class_species.<class>": Format(unit="种"),
                     "zoo.class_heads.<class>": Format(unit="只")},
        ),
        TileSpec(
            "areas", "board", "各展区投喂完成率", "Feeding by area", GridPos(0, 3, 8, 5),
            feed=FEEDING, metrics=("zoo.area_rate.<area>",),
            note="完成率 = 今日实投 ÷ 截至此时应投（日计划在投喂时段内均摊，计划为演示）；最低在前",
            formats={"zoo.area_rate.<area>": RATE, "zoo.area_kg.<area>": Format(decimals=0),
                     "zoo.area_due.<area>": Format(decimals=0)},
        ),
        TileSpec(
            "species", "ranking", "投喂完成率最低物种", "Species least fed vs plan",
            GridPos(0, 8, 8, 4), feed=FEEDING, metrics=("zoo.species_rate.<species>",),
            formats={"zoo.species_rate.<species>": RATE},
        ),
        TileSpec(
            "cases", "funnel", "兽医病例", "Vet cases", GridPos(8, 3, 8, 4), feed=HEALTH,
            metrics=("zoo.cases.<stage>",),
            note="当前：停在该环节的病例（康复为近30日）；今日：今日进入该环节",
            formats={"zoo.cases.<stage>": Format(unit="个"),
                     "zoo.cases_entered.<stage>": Format(unit="个")},
        ),
        TileSpec(
            "hourly", "timeseries", "逐时投喂与安全事件", "Feedings and incidents by hour",
            GridPos(8, 7, 8, 5), feed=FEEDING, metrics=("zoo.checks_today", "zoo.off_plan_today"),
            formats={"zoo.checks_today": Format(unit="次"),
                     "zoo.off_plan_today": Format(unit="次")},
        ),
        TileSpec(
            "sensors", "board", "馆舍环境监测", "Enclosure sensors", GridPos(16, 3, 8, 5),
            feed=SENSOR, metrics=("zoo.temp.<enclosure>",),
            note="超限：温湿度超出该馆设定范围；门久开：饲养门开启超过设定分钟；告警在前",
            formats={"zoo.temp.<enclosure>": Format(decimals=1),
                     "zoo.humidity.<enclosure>": RATE,
                     "zoo.door_min.<enclosure>": Format()},
        ),
        TileSpec(
            "safety", "ticker", "游客安全事件", "Visitor safety", GridPos(16, 8, 8, 4), feed=SAFETY,
            note="游客安全事件，最新在前",
        ),
    ),
)
