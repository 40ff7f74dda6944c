"""垃圾分类 waste-sorting command screen: its spec (tiles, places, metrics).

The data behind each tile is computed in ``callbacks/waste_sorting.py``.
"""

from __future__ import annotations

from dashboard.registry import GridPos, ScreenSpec, TileSpec, register_screen

SLUG = "waste-sorting"
CATEGORIES = ("wet", "dry", "recyclable", "hazardous")
CATEGORY_LABELS = {"wet": "湿垃圾", "dry": "干垃圾", "recyclable": "可回收物", "hazardous": "有害垃圾"}
CATEGORY_LABELS_EN = {"wet": "Wet", "dry": "Dry", "recyclable": "Recyclable",
                      "hazardous": "Hazardous"}

WEIGHING = "waste.weighing"
QUALITY = "waste.quality"

SCREEN = register_screen(
    ScreenSpec(
        slug=SLUG,
        title="垃圾分类实时监管",
        title_en="Waste sorting, live",
        description="车载称重、湿垃圾品质识别探头、中转站与16区排名",
        feeds=(WEIGHING, QUALITY),
        tiles=(
            TileSpec(
                "tonnes", "counters", "今日分类清运量（吨）", "Tonnes collected today",
                GridPos(0, 0, 16, 3), feed=WEIGHING,
                metrics=tuple(f"waste.tonnes_today.{c}" for c in CATEGORIES),
                note="车载称重累计，对比日目标",
            ),
            TileSpec(
                "recycling", "gauge", "资源回收利用率", "Resource recovery rate",
                GridPos(16, 0, 4, 3), feed=WEIGHING,
                metrics=("waste.recycling_rate", "waste.tonnes_today.total"),
                note="（可回收物 + 湿垃圾资源化量）÷ 生活垃圾清运总量，按今日称重计",
            ),
            TileSpec(
                "cameras", "gauge", "湿垃圾品质识别探头", "Wet-waste quality cameras",
                GridPos(20, 0, 4, 3), feed=QUALITY,
                metrics=("waste.qualified_rate", "waste.cameras.online", "waste.cameras.total"),
                note="在线：近15分钟有识别结果",
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
            ),
            TileSpec(
                "hourly", "timeseries", "今日逐时清运量 vs 昨日", "Hourly tonnes vs yesterday",
                GridPos(16, 3, 8, 4), feed=WEIGHING,
                metrics=("waste.loads_today", "waste.tonnes_this_hour"),
            ),
            TileSpec(
                "unqualified", "ticker", "不合格湿垃圾溯源", "Unqualified loads traced back",
                GridPos(16, 7, 8, 5), feed=QUALITY,
                note="收集点 → 收运车辆 → 中转站",
            ),
        ),
    )
)
