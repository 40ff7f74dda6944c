"""环城生态公园带 ring ecological park-belt screen: its spec and labels (data:
``callbacks/ring_belt.py``).

The issue deadline, the project stages' time limits and the section score's weights are
settings (``GREENWALL_BELT_*``), to be confirmed with the bureau.
"""

from __future__ import annotations

from dashboard.registry import Band, Format, GridPos, ScreenSpec, TileSpec

SLUG = "ring-belt"
DEVICE, INSPECTION, PROJECT, GATE = "belt.device", "belt.inspection", "belt.project", "park.gate"

STAGE_LABELS = {"plan": "方案编制", "approve": "立项", "design": "初步设计", "build": "施工",
                "accept": "竣工验收"}
KIND_LABELS = {"camera": "监控", "tower": "视频塔", "light": "照明", "toilet": "公厕",
               "sensor": "传感器", "broadcast": "广播", "screen": "信息屏"}
CATEGORY_LABELS = {"facility": "设施损坏", "greening": "绿化养护", "hygiene": "环境卫生",
                   "safety": "安全隐患", "fire": "火情隐患", "pest": "病虫害"}
STATUS_LABELS = {"open": "已开放", "building": "在建", "planning": "前期"}
BEFORE = "2023年前"
OPENED_IN = "{year}年开放"
YEAR = "{year}年"
# Texts composed around values (``dashboard.i18n.Text``).
SCORE_FORMULA = ("得分 = {coverage:g} × 今日巡查覆盖率 + {closure:g} × 按期整改率（30日） + "
                 "{devices:g} × 设备在线率")
FAULT_ROW = "{park} · {device}"
SECTION_PLACE = "标段 {section} · {contractor}"
FOR_HOURS = "{hours:.0f} 小时"
PARK_INFO = "{district} · {status}"
OPENED_NOTE = "开放于 {year}"
DEVICES_LINE = "设备 {online}/{total} 在线 · 故障 {fault}"
ISSUES_LINE = "今日巡查 {visits} 次 · 待整改 {open}"

LABELS = {
    **{v: e for v, e in zip(STAGE_LABELS.values(),
                            ("Planning", "Approval", "Design", "Construction", "Acceptance"),
                            strict=True)},
    **{v: e for v, e in zip(KIND_LABELS.values(),
                            ("Camera", "Tower", "Light", "Toilet", "Sensor", "Speaker",
                             "Screen"), strict=True)},
    **{v: e for v, e in zip(CATEGORY_LABELS.values(),
                            ("Facility damage", "Greening care", "Hygiene", "Safety hazard",
                             "Fire hazard", "Pests"), strict=True)},
    "已开放": "Open", "在建": "Under construction", "前期": "Preparation",
    BEFORE: "Before 2023", OPENED_IN: "Opened {year}", YEAR: "{year}",
    SCORE_FORMULA: "Score = {coverage:g} × inspection coverage today + {closure:g} × on-time "
                   "closure (30 d) + {devices:g} × devices online",
    FAULT_ROW: "{park} · {device}", SECTION_PLACE: "Section {section} · {contractor}",
    FOR_HOURS: "{hours:.0f} h", PARK_INFO: "{district} · {status}", OPENED_NOTE: "Opened {year}",
    DEVICES_LINE: "Devices {online}/{total} online · {fault} at fault",
    ISSUES_LINE: "Inspections today {visits} · open issues {open}",
    # figures and units
    "已开放公园": "Parks open", "规划公园": "Planned", "在建/前期": "Not yet open",
    "在园游客": "Visitors now", "今日入园": "Entries today", "拥挤预警": "Crowding alerts",
    "外环绿道": "Ring green way", "环长": "Belt length", "驿站": "Rest stations",
    "设备在线率": "Devices online", "在线": "Online", "设备": "Devices", "故障设备": "At fault",
    "离线": "Offline", "未上报": "Not reporting", "故障": "Fault",
    "今日发现问题": "Issues found today", "今日整改": "Closed today", "待整改": "Open",
    "超期未改": "Overdue", "按期整改率": "On time (30 d)", "今日巡查": "Inspections today",
    "当年开放": "Opened that year", "累计开放": "Open in total", "今年开放": "Opened this year",
    "环节": "Stage", "当前": "Now", "超期": "Overdue", "近30日": "30 days",
    "座": "parks", "个": "", "台": "devices", "人": "people", "次": "", "项": "",
    "小时": "h", "km": "km", "时间": "Time", "公园": "Park", "事项": "What", "状态": "State",
    "待处置": "Open", "已整改": "Closed", "较拥挤": "Crowded", "已满": "Full", "已回落": "Back below",
    "今日暂无预警": "No alert today", "暂无故障设备": "No device at fault",
    "暂无在建项目": "No project under way",
    "区内设备在线率": "District devices online",
    "游客（圆点大小）与开放年份（颜色）": "Visitors (dot size) and opening year (colour)",
    "点击公园：查看设备、巡查与项目；点击区名：进入该区":
        "Click a park for its devices, inspections and projects; a district's name for its view",
    "在建项目": "Projects under way", "今日巡查问题": "Open issues", "无": "None",
    "该公园不在授权范围内 (this park is outside your grant)":
        "This park is outside your grant",
    "未知公园": "Unknown park",
    # tile notes
    "位置为沿外环的近似位置（顾村公园除外）；开放年份与名称见数据来源":
        "Positions are approximate along the outer ring (but Gucun); names and years as "
        "published",
    "心跳每30分钟；故障自首次报告起计时": "Heartbeats every 30 min; a fault counts from its first report",
    "超期：超过整改时限（设置）未整改": "Overdue: not closed within the deadline (a setting)",
    "当前：停在该环节的项目（竣工验收为近30日）；超期：停留超过该环节时限（设置）；近30日：进入该环节":
        "Now: projects at the stage (acceptance: in 30 days); overdue: past the stage's limit "
        "(settings); 30 days: entering the stage",
    "已开放公园的游客（公园闸机），在园人数前列": "Visitors of the open parks (park gates), most first",
    "火情隐患与病虫害（巡查），拥挤（闸机），最新在前":
        "Fire hazards and pests (inspections), crowding (gates), newest first",
    "公布数据：环上公园开放年份": "Published: parks' opening years",
    # the index card
    "环城生态公园带：50座公园、项目全生命周期、设施设备、巡查考核与游客":
        "The ring park belt: 50 parks, project life cycle, devices, inspections and visitors",
}

PEOPLE = Format(unit="人")
SHARE = Format(percent=True, decimals=1)
HOURS = Format(unit="小时")

SCREEN = ScreenSpec(
    slug=SLUG,
    title="环城生态公园带监管",
    title_en="Ring park belt",
    description="环城生态公园带：50座公园、项目全生命周期、设施设备、巡查考核与游客",
    feeds=(DEVICE, INSPECTION, PROJECT, GATE),
    labels=LABELS,
    tiles=(
        TileSpec(
            "overview", "kpis", "公园带概况", "The belt", GridPos(0, 0, 9, 3), feed=GATE,
            metrics=("belt.parks_open", "belt.visitors_in_park", "belt.greenway_km"),
            formats={"belt.parks_open": Format(unit="座"), "belt.parks_planned": Format(unit="座"),
                     "belt.parks_pending": Format(unit="座"),
                     "belt.visitors_in_park": PEOPLE, "belt.visitors_today": PEOPLE,
                     "belt.visitors_alerts": Format(unit="座", bands=(Band(1, "bad"),
                                                                     Band(0, "good"))),
                     "belt.greenway_km": Format(unit="km"), "belt.length_km": Format(unit="km"),
                     "belt.stations": Format(unit="座")},
        ),
        TileSpec(
            "map", "map", "公园带分布", "The belt on the map", GridPos(0, 3, 9, 6), feed=GATE,
            note="位置为沿外环的近似位置（顾村公园除外）；开放年份与名称见数据来源",
        ),
        TileSpec(
            "visitors", "ranking", "环上公园在园游客", "Visitors by belt park", GridPos(0, 9, 9, 3),
            feed=GATE, metrics=("belt.visitors.<park>",), formats={"belt.visitors.<park>": PEOPLE},
            note="已开放公园的游客（公园闸机），在园人数前列",
        ),
        TileSpec(
            "devices", "kpis", "设施设备", "Devices", GridPos(9, 0, 7, 3), feed=DEVICE,
            metrics=("belt.devices_online_rate", "belt.devices_fault"),
            note="心跳每30分钟；故障自首次报告起计时",
            formats={"belt.devices_online_rate": Format(percent=True, decimals=1, bands=(
                         Band(0.95, "good"), Band(0.9, "warn"), Band(0, "bad"))),
                     "belt.devices_online": Format(unit="台"), "belt.devices": Format(unit="台"),
                     "belt.devices_fault": Format(unit="台", bands=(Band(1, "bad"),
                                                                   Band(0, "good"))),
                     "belt.devices_offline": Format(unit="台"),
                     "belt.devices_silent": Format(unit="台")},
        ),
        TileSpec(
            "kinds", "timeseries", "各类设备故障与离线", "Faults by kind", GridPos(9, 3, 7, 3),
            feed=DEVICE,
        ),
        TileSpec(
            "faults", "ranking", "最久未修复故障", "Oldest open faults", GridPos(9, 6, 7, 3),
            feed=DEVICE, metrics=("belt.fault_hours.<device>",),
            note="心跳每30分钟；故障自首次报告起计时",
            formats={"belt.fault_hours.<device>": HOURS},
        ),
        TileSpec(
            "opened", "timeseries", "环上公园逐年开放", "Parks opened by year", GridPos(9, 9, 7, 3),
            metrics=("belt.opened_this_year",), note="公布数据：环上公园开放年份",
            formats={"belt.opened_this_year": Format(unit="座")},
        ),
        TileSpec(
            "issues", "kpis", "巡查与整改", "Inspections and issues", GridPos(16, 0, 8, 2),
            feed=INSPECTION, metrics=("belt.issues_found", "belt.issues_overdue"),
            note="超期：超过整改时限（设置）未整改",
            formats={"belt.issues_found": Format(unit="个"), "belt.issues_closed": Format(unit="个"),
                     "belt.issues_open": Format(unit="个"),
                     "belt.issues_overdue": Format(unit="个", bands=(Band(1, "bad"),
                                                                    Band(0, "good"))),
                     "belt.issues_on_time": SHARE, "belt.inspections_today": Format(unit="次")},
        ),
        TileSpec(
            "sections", "ranking", "标段考核得分", "Section assessment", GridPos(16, 2, 8, 4),
            feed=INSPECTION, metrics=("belt.score.<section>",),
            formats={"belt.score.<section>": Format(decimals=1)},
        ),
        TileSpec(
            "projects", "funnel", "项目全生命周期", "Project life cycle", GridPos(16, 6, 8, 3),
            feed=PROJECT, metrics=("belt.projects.<stage>",),
            note="当前：停在该环节的项目（竣工验收为近30日）；超期：停留超过该环节时限（设置）；近30日：进入该环节",
            formats={"belt.projects.<stage>": Format(unit="项"),
                     "belt.projects_overdue.<stage>": Format(unit="项", bands=(
                         Band(1, "bad"), Band(0, "good"))),
                     "belt.projects_entered.<stage>": Format(unit="项")},
        ),
        TileSpec(
            "alerts", "ticker", "预警", "Alerts", GridPos(16, 9, 8, 3), feed=INSPECTION,
            note="火情隐患与病虫害（巡查），拥挤（闸机），最新在前",
        ),
    ),
)
