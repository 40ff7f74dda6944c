"""公园游客量 park visitor-flow command screen: its spec and labels (data: ``callbacks/park_flow.py``).

Comfort bands are settings (``GREENWALL_PARK_COMFORT_BANDS``); their defaults follow LB/T
034-2014's 80 % rule and are to be confirmed with the bureau.
"""

from __future__ import annotations

from dashboard.registry import Band, Format, GridPos, ScreenSpec, TileSpec

SLUG = "park-flow"
GATE = "park.gate"
OCCUPANCY = "park.occupancy"

BAND_LABELS = ("无承载量", "舒适", "较舒适", "一般", "较拥挤", "拥挤")
"""Band 0 (no capacity known) and the five comfort bands, least crowded first."""
FULL = "已满 · 暂停入园"
ANNOUNCE = "较拥挤 · 公告限流"
CLEARED = "已回落"
COUNTED, ESTIMATED = "实测", "估算"

# Texts composed around values (``dashboard.i18n.Text``).
HOUR = "{hour:02d}时"
BELOW = "{label} <{high:.0%}"
FROM = "{label} ≥{low:.0%}"
LOAD = "{in_park:,} / {capacity:,} 人"
YEAR = "{year}年"

LABELS = {
    # bands and states
    "无承载量": "No capacity", "舒适": "Comfortable", "较舒适": "Fairly comfortable", "一般": "Busy",
    "较拥挤": "Crowded", "拥挤": "Very crowded", FULL: "Full · entry suspended",
    ANNOUNCE: "Crowded · announce, throttle", CLEARED: "Back below",
    COUNTED: "counted", ESTIMATED: "estimated",
    BELOW: "{label} <{high:.0%}", FROM: "{label} ≥{low:.0%}", LOAD: "{in_park:,} / {capacity:,}",
    # figures and units
    "人": "people", "个": "parks", "在园人数": "In parks now", "今日入园": "Entries today",
    "今日离园": "Exits today", "昨日同时": "Yesterday, same time", "实测公园": "Parks counted",
    "拥挤预警公园": "Parks on crowding alert", "已满公园": "Parks full", "接入公园": "Parks connected",
    "未登记公园": "Unregistered",
    "今日": "Today", "昨日": "Yesterday", "本小时入园": "Entries this hour", HOUR: "{hour:02d}:00",
    "在园": "In park", "承载量": "Capacity", "今日入园人次": "Entries today",
    "在园（人）": "In park", "瞬时承载（人）": "Capacity", "今日入园（人次）": "Entries today",
    "时间": "Time", "公园": "Park", "状态": "State", "在园 / 承载": "In / capacity",
    "今日暂无拥挤预警": "No crowding alert today", "暂无接入公园": "No connected park here",
    "在园人数（圆点大小）与舒适度（颜色）": "In park (dot size) and comfort (colour)",
    "区内公园在园率": "District load of its parks",
    # 千园之城
    YEAR: "{year}", "城市公园": "City parks", "口袋公园": "Pocket parks", "乡村公园": "Rural parks",
    "全部": "All parks", "目标 1000": "Target 1,000", "公园总数": "Parks",
    "24小时开放": "Open 24 h", "座": "parks",
    # tile notes
    "在园人数 ÷ 瞬时承载量；≥80% 公告并限流（LB/T 034-2014），分级为设置，待市局确认":
        "In park ÷ instantaneous capacity; from 80 % announce and throttle (LB/T 034-2014); "
        "bands are settings, to be confirmed with the bureau",
    "闸机进出累计；24小时开放公园在园人数跨日延续，今日入园自0时起":
        "Gate counts; 24-hour parks carry their count across midnight, entries today start at 00:00",
    "越过拥挤线的时刻，最新在前": "When each park crossed a line, newest first",
    "市绿化市容局公布，2025年为8月数": "Published by the bureau; 2025 is the August figure",
    "今日入园人次，点击区名查看该区": "Entries today",
    # the index card
    "接入公园在园人数、舒适度、拥挤预警与千园之城":
        "Parks whose gates report: visitors now, comfort, crowding alerts, and the city of a "
        "thousand parks",
    "公园分布与舒适度": "Parks and comfort", "公园舒适度（最拥挤在前）": "Parks, most crowded first",
}

PEOPLE = Format(unit="人")
LOAD_SHARE = Format(percent=True, decimals=0)

SCREEN = ScreenSpec(
    slug=SLUG,
    title="公园游客量实时监测",
    title_en="Park visitor flow, live",
    description="接入公园在园人数、舒适度、拥挤预警与千园之城",
    feeds=(GATE, OCCUPANCY),
    labels=LABELS,
    tiles=(
        TileSpec(
            "now", "kpis", "全市公园游客", "Visitors in parks", GridPos(0, 0, 9, 3), feed=GATE,
            metrics=("park.in_park", "park.entries_today", "park.alerts"),
            note="闸机进出累计；24小时开放公园在园人数跨日延续，今日入园自0时起",
            # The figures under a headline share its unit: not repeated (room for English).
            formats={"park.in_park": PEOPLE, "park.entries_today": PEOPLE,
                     "park.alerts": Format(unit="个", bands=(Band(1, "bad"), Band(0, "good")))},
        ),
        TileSpec(
            "thousand", "timeseries", "千园之城", "City of a thousand parks",
            GridPos(9, 0, 7, 3), metrics=("park.count", "park.open_24h_share"),
            note="市绿化市容局公布，2025年为8月数",
            formats={"park.count": Format(unit="座"), "park.open_24h_share": LOAD_SHARE},
        ),
        TileSpec(
            "alerts", "ticker", "拥挤预警", "Crowding alerts", GridPos(16, 0, 8, 4), feed=GATE,
            note="越过拥挤线的时刻，最新在前",
        ),
        TileSpec(
            "map", "map", "公园分布与舒适度", "Parks and comfort", GridPos(0, 3, 7, 9),
            feed=GATE, note="在园人数（圆点大小）与舒适度（颜色）",
        ),
        TileSpec(
            "board", "board", "公园舒适度（最拥挤在前）", "Parks, most crowded first", GridPos(7, 3, 9, 9),
            feed=GATE, metrics=("park.in_park.<park>", "park.entries_today.<park>",
                                "park.capacity.<park>"),
            note="在园人数 ÷ 瞬时承载量；≥80% 公告并限流（LB/T 034-2014），分级为设置，待市局确认",
            formats={"park.in_park.<park>": PEOPLE, "park.entries_today.<park>": PEOPLE,
                     "park.capacity.<park>": PEOPLE, "park.load.<park>": LOAD_SHARE},
        ),
        TileSpec(
            "hourly", "timeseries", "今日逐时入园 vs 昨日", "Hourly entries vs yesterday",
            GridPos(16, 4, 8, 4), feed=GATE, metrics=("park.entries_this_hour",),
            formats={"park.entries_this_hour": PEOPLE},
        ),
        TileSpec(
            "top", "ranking", "今日入园人次前列公园", "Top parks by entries today",
            GridPos(16, 8, 8, 4), feed=GATE, metrics=("park.entries_rank.<park>",),
            formats={"park.entries_rank.<park>": PEOPLE},
        ),
    ),
)
