"""The data each tile kind draws: small frozen dataclasses, built by callbacks, drawn by layouts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Counter:
    """A flip counter: one number against an optional target."""

    metric: str
    label: str
    value: float | None
    unit: str
    decimals: int = 0
    target: float | None = None
    colour: str = "#35d0ff"
    target_metric: str | None = None


@dataclass(frozen=True)
class Stat:
    """A labelled number; ``value`` is the raw figure, ``display`` how it reads on screen."""

    metric: str
    label: str
    value: float | None
    display: str
    unit: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    kind: str = "bar"  # "bar" or "line"
    colour: str = "#35d0ff"


@dataclass(frozen=True)
class RankRow:
    key: str
    label: str
    value: float | None
    display: str
    metric: str
    href: str | None = None
    selected: bool = False


@dataclass(frozen=True)
class TickerRow:
    key: str
    cells: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Counters:
    items: tuple[Counter, ...]


@dataclass(frozen=True)
class Timeseries:
    x: tuple[str, ...]
    series: tuple[Series, ...]
    stats: tuple[Stat, ...] = ()
    y_title: str = ""


@dataclass(frozen=True)
class Ranking:
    rows: tuple[RankRow, ...]
    empty_text: str = "暂无数据"


@dataclass(frozen=True)
class Gauge:
    """A ring showing ``ring`` (a share 0–1) with stats beside it."""

    ring: Stat
    stats: tuple[Stat, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class DistrictMap:
    """Districts shaded by a rate, points sized by a quantity.

    ``districts`` and ``points`` are GeoJSON drawn once with the page; live updates carry only
    ``rates`` and ``sizes``.
    """

    districts: dict[str, Any]
    points: dict[str, Any]
    rates: dict[str, float | None]
    sizes: dict[str, float]
    selected: str | None = None
    legend: str = ""
    points_legend: str = ""


@dataclass(frozen=True)
class Ticker:
    rows: tuple[TickerRow, ...]
    header: tuple[str, ...] = ()
    empty_text: str = "暂无数据"


@dataclass(frozen=True)
class TileData:
    """What one tile shows at one data version, and when its feed last had an event."""

    content: Any
    last_event_ms: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
