"""垃圾分类 waste-sorting command screen: its spec (tiles, places, metrics) and its labels.

The data behind each tile is computed in ``callbacks/waste_sorting.py``; every Chinese label
and text template it uses has its English in ``LABELS`` (``dashboard.i18n``).
"""

from __future__ import annotations

from dashboard.registry import Format, GridPos, ScreenSpec, TileSpec

SLUG = "waste-sorting"
CATEGORIES = ("wet", "dry", "recyclable", "hazardous")
CATEGORY_LABELS = {"wet": "湿垃圾", "dry": "干垃圾", "recyclable": "可回收物", "hazardous": "有害垃圾"}

WEIGHING = "waste.weighing"
QUALITY = "waste.quality"

# Texts composed around values (``dashboard.i18n.Text``), filled with raw values where drawn.
HOUR = "{hour:02d}时"
CAMERA_NOTE = "探头 {camera}，置信度 {confidence:.2f}"
ROUTE = "{site} → {vehicle} → {station}"

LABELS = {
    # categories and units
    "湿垃圾": "Wet", "干垃圾": "Dry", "可回收物": "Recyclable", "有害垃圾": "Hazardous",
    "吨": "t", "车": "loads", "次": "checks",
    # figures
    "回收利用率": "Recovery", "资源化": "Recovered", "总量": "Total",
    "品质合格率": "Qualified", "在线探头": "Online", "探头总数": "Cameras", "今日识别": "Checks today",
    "今日车次": "Loads today", "本小时": "This hour", "今日": "Today", "昨日": "Yesterday",
    HOUR: "{hour:02d}:00",
    # map and ranking
    "今日合格率": "Qualified rate today",
    "中转站今日进场量（演示站点）": "Transfer stations, tonnes today (demo sites)",
    # unqualified loads
    "时间": "Time", "区": "District", "问题": "Issue", "收集点 → 车辆 → 中转站": "Site → vehicle → station",
    "今日暂无不合格记录": "No unqualified loads today", "品质不合格": "Unqualified",
    "未登记收集点": "unregistered site", "未登记车辆": "unregistered vehicle",
    "未登记中转站": "unregistered station",
    CAMERA_NOTE: "camera {camera}, confidence {confidence:.2f}",
    # issues a quality camera reports (feed values)
    "混有塑料袋": "Plastic bags mixed in", "混有干垃圾": "Dry waste mixed in",
    "含有害垃圾": "Hazardous waste inside", "桶满溢": "Bin overflowing", "未破袋": "Bags not opened",
    "混有可回收物": "Recyclables mixed in", "混有玻璃": "Glass mixed in",
    # tile notes
    "（可回收物 + 湿垃圾资源化量）÷ 生活垃圾清运总量，按今日称重计":
        "(recyclable + wet tonnes recovered) ÷ all tonnes weighed today",
    "车载称重累计，对比日目标": "Vehicle weighing so far today, against the daily target",
    "在线：近15分钟有识别结果": "Online: a verdict within 15 minutes",
    "区块颜色：今日合格率；圆点：中转站今日进场吨数":
        "Colour: qualified rate today; dots: tonnes into each transfer station today",
    "收集点 → 收运车辆 → 中转站": "Collection site → vehicle → transfer station",
    # the index card
    "车载称重、湿垃圾品质识别探头、中转站与16区排名":
        "Vehicle weighing, wet-waste quality cameras, transfer stations and the 16 districts ranked",
}

# How each number reads (``dashboard.registry.Format``); the payload carries raw values.
TONNES = Format(unit="吨")
SHARE = Format(percent=True, decimals=1)
DECIMALS = {"wet": 1, "dry": 1, "recyclable": 1, "hazardous": 2}

SCREEN = ScreenSpec(
    slug=SLUG,
    title="垃圾分类实时监管",
    title_en="Waste sorting, live",
    description="车载称重、湿垃圾品质识别探头、中转站与16区排名",
    feeds=(WEIGHING, QUALITY),
    labels=LABELS,
    tiles=(
        TileSpec(
            "tonnes", "counters", "今日分类清运量（吨）", "Tonnes collected today",
            GridPos(0, 0, 16, 3), feed=WEIGHING,
            metrics=tuple(f"waste.tonnes_today.{c}" for c in CATEGORIES),
            note="车载称重累计，对比日目标",
            formats={f"waste.tonnes_today.{c}": Format(unit="吨", decimals=DECIMALS[c])
                     for c in CATEGORIES},
        ),
        TileSpec(
            "recycling", "gauge", "资源回收利用率", "Recovery rate",
            GridPos(16, 0, 4, 3), feed=WEIGHING,
            metrics=("waste.recycling_rate", "waste.tonnes_today.total"),
            note="（可回收物 + 湿垃圾资源化量）÷ 生活垃圾清运总量，按今日称重计",
            formats={"waste.recycling_rate": SHARE, "waste.tonnes_today.recovered": TONNES,
                     "waste.tonnes_today.total": TONNES},
        ),
        TileSpec(
            "cameras", "gauge", "湿垃圾品质识别探头", "Quality cameras",
            GridPos(20, 0, 4, 3), feed=QUALITY,
            metrics=("waste.qualified_rate", "waste.cameras.online", "waste.cameras.total"),
            note="在线：近15分钟有识别结果",
            formats={"waste.qualified_rate": SHARE, "waste.quality.checks": Format(unit="次")},
        ),
        TileSpec(
            "map", "map", "各区湿垃圾品质合格率与中转站", "Qualified rate by district",
            GridPos(0, 3, 10, 9), feed=QUALITY,
            note="区块颜色：今日合格率；圆点：中转站今日进场吨数",
        ),
        TileSpec(
            "ranking", "ranking", "16区湿垃圾品质合格率排名", "District ranking",
            GridPos(10, 3, 6, 9), feed=QUALITY,
            metrics=("waste.qualified_rate.<adcode>",),
            formats={"waste.qualified_rate.<adcode>": SHARE},
        ),
        TileSpec(
            "hourly", "timeseries", "今日逐时清运量 vs 昨日", "Hourly tonnes vs yesterday",
            GridPos(16, 3, 8, 4), feed=WEIGHING,
            metrics=("waste.loads_today", "waste.tonnes_this_hour"),
            formats={"waste.loads_today": Format(unit="车"), "waste.tonnes_this_hour": TONNES},
        ),
        TileSpec(
            "unqualified", "ticker", "不合格湿垃圾溯源", "Unqualified loads traced back",
            GridPos(16, 7, 8, 5), feed=QUALITY,
            note="收集点 → 收运车辆 → 中转站",
        ),
    ),
)
