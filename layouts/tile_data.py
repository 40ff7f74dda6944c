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
    """Rows ranked by value; bars span ``bar_max`` (1.0 for shares, 100 for scores)."""

    rows: tuple[RankRow, ...]
    empty_text: str = "暂无数据"
    bar_max: float = 1.0
    footer: str = ""


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
    ``rates`` and ``sizes``. So the geometry stays out of ``repr`` and with it out of the tile's
    digest, which fingerprints what an update can change (fingerprinting 160 KB of boundaries
    on every data version was the largest cost of a payload build).
    """

    districts: dict[str, Any] = field(repr=False)
    points: dict[str, Any] = field(repr=False)
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
class Kpi:
    """A headline card: one big number and a few smaller ones under it."""

    stat: Stat
    subs: tuple[Stat, ...] = ()
    tone: str = ""  # "good", "warn" or "bad" colours the big number


@dataclass(frozen=True)
class Kpis:
    cards: tuple[Kpi, ...]


@dataclass(frozen=True)
class FunnelStage:
    """One stage of a funnel: ``bar`` sets the bar's width, ``cells`` fill the columns."""

    key: str
    label: str
    bar: Stat
    cells: tuple[Stat, ...]
    hint: str = ""


@dataclass(frozen=True)
class Funnel:
    stages: tuple[FunnelStage, ...]
    columns: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class GridRow:
    """A row of a stat grid: numbers in columns and an optional spark-bar trend."""

    key: str
    label: str
    cells: tuple[Stat, ...]
    spark: tuple[float, ...] = ()
    colour: str = "#35d0ff"


@dataclass(frozen=True)
class StatGrid:
    rows: tuple[GridRow, ...]
    columns: tuple[str, ...]
    spark_label: str = ""


@dataclass(frozen=True)
class Panel:
    """One column of a panels tile: a heading, numbers, and lines of text."""

    key: str
    title: str
    stats: tuple[Stat, ...]
    lines: tuple[str, ...] = ()
    empty: str = ""  # shown when ``lines`` is empty (nothing shown if blank)


@dataclass(frozen=True)
class Panels:
    panels: tuple[Panel, ...]
    heading: str = ""


@dataclass(frozen=True)
class GeoLayer:
    """GeoJSON drawn once with the page. ``key`` names this geometry: it stands for the data
    in the tile's digest, so big geometry is not fingerprinted on every update."""

    key: str
    data: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class CellMap:
    """Districts shaded by a level, grid cells shaded by a count, markers by category.

    ``districts`` and ``cells`` are drawn once; live updates carry ``levels``, ``values`` and
    the ``markers`` GeoJSON (each point's ``colour`` in its properties). ``legend`` holds a
    (label, colour) pair per level from 1 up, ``marker_legend`` one per marker category,
    ``cell_legend`` says what a shaded cell means.
    """

    districts: GeoLayer
    cells: GeoLayer
    markers: dict[str, Any]
    levels: dict[str, int | None]
    values: dict[str, int]
    selected: str | None = None
    legend: tuple[tuple[str, str], ...] = ()
    marker_legend: tuple[tuple[str, str], ...] = ()
    cell_legend: tuple[str, str] | None = None
    hint: str = ""


@dataclass(frozen=True)
class TileData:
    """What one tile shows at one data version, and when its feed last had an event."""

    content: Any
    last_event_ms: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
