"""CSV export of a tile's data: one table per tile kind, UTF-8 with a BOM so Excel reads it.

Numbers are written exactly as the page's ``data-value`` attributes carry them (plain, no
units or separators), so a cell in the file equals the number on the screen it came from.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from dashboard.districts import BY_ADCODE
from dashboard.registry import ScreenSpec, TileSpec
from layouts.tile_data import (
    CellMap,
    Counters,
    DistrictMap,
    Funnel,
    Gauge,
    Kpis,
    Panels,
    Ranking,
    Stat,
    StatGrid,
    Ticker,
    TileData,
    Timeseries,
)
from layouts.tiles import raw

Cell = str | int | float | None
BOM = "\ufeff"
# A text cell starting with one of these is a formula to Excel: feed text must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class Table:
    """A header and rows; numbers stay numbers until the file is written."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def export_path(slug: str, tile: str, district: str | None = None) -> str:
    """The URL of a tile's CSV (``/export/<slug>/<tile>.csv``) in a scope."""
    query = urlencode({"district": district}) if district else ""
    return f"/export/{slug}/{tile}.csv" + (f"?{query}" if query else "")


# ---- one table per tile kind -------------------------------------------------------------


def _counters(data: Counters) -> Table:
    rows = []
    for item in data.items:
        share = (item.value or 0) / item.target if item.target else None
        rows.append((item.metric, item.label, item.value, item.unit, item.target, share))
    return Table(("指标", "名称", "数值", "单位", "日目标", "完成率"), tuple(rows))


_STAT_HEADER = ("指标", "名称", "数值", "显示", "单位")


def _stat_row(stat: Stat) -> tuple[Cell, ...]:
    return (stat.metric, stat.label, stat.value, stat.display, stat.unit)


def _gauge(data: Gauge) -> Table:
    return Table(_STAT_HEADER, tuple(_stat_row(s) for s in (data.ring, *data.stats)))


def _timeseries(data: Timeseries) -> Table:
    unit = f"（{data.y_title}）" if data.y_title else ""
    header = ("时间", *(f"{s.name}{unit}" for s in data.series))
    rows = tuple(
        (x, *(s.values[i] if i < len(s.values) else None for s in data.series))
        for i, x in enumerate(data.x)
    )
    return Table(header, rows)


def _ranking(data: Ranking) -> Table:
    return Table(
        ("排名", "代码", "名称", "数值", "显示", "指标"),
        tuple((rank, row.key, row.label, row.value, row.display, row.metric)
              for rank, row in enumerate(data.rows, start=1)),
    )


def _map(data: DistrictMap) -> Table:
    rows: list[tuple[Cell, ...]] = []
    # The districts drawn (a scoped map draws one), with the rate their colour shows.
    for feature in data.districts.get("features", []):
        props = feature.get("properties", {})
        adcode = props.get("adcode")
        rows.append((data.legend or "区", adcode, props.get("name", adcode),
                     data.rates.get(adcode)))
    for feature in data.points.get("features", []):
        props = feature.get("properties", {})
        key = props.get("id", feature.get("id"))
        rows.append((data.points_legend or "点", key, props.get("name", key),
                     data.sizes.get(key)))
    return Table(("图层", "代码", "名称", "数值"), tuple(rows))


def _ticker(data: Ticker) -> Table:
    width = max([len(data.header)] + [len(r.cells) for r in data.rows])
    header = tuple(data.header) + tuple(f"列{i + 1}" for i in range(len(data.header), width))
    with_notes = any(r.title for r in data.rows)
    if with_notes:
        header += ("说明",)
    rows = tuple(
        tuple(r.cells) + (None,) * (width - len(r.cells)) + ((r.title,) if with_notes else ())
        for r in data.rows
    )
    return Table(header, rows)


Exporter = Callable[[Any], Table]

def _kpis(data: Kpis) -> Table:
    # Sub-figures are named after their card: "今日" alone could belong to any card.
    return Table(("分组", *_STAT_HEADER), tuple(
        (card.stat.label, *_stat_row(s)) for card in data.cards for s in (card.stat, *card.subs)))


def _funnel(data: Funnel) -> Table:
    width = 2 + max((len(s.cells) for s in data.stages), default=0)
    header = tuple(data.columns)
    if len(header) != width and data.stages:  # name the columns after the first stage's figures
        first = data.stages[0]
        header = ("环节", first.bar.label, *(c.label for c in first.cells))
    with_hints = any(s.hint for s in data.stages)
    rows = tuple(
        (s.label, s.bar.value, *(c.value for c in s.cells), *((s.hint,) if with_hints else ()))
        for s in data.stages)
    return Table(header + (("说明",) if with_hints else ()), rows)


def _statgrid(data: StatGrid) -> Table:
    with_spark = any(r.spark for r in data.rows)
    header = ("代码", "名称", *data.columns, *((data.spark_label or "趋势",) if with_spark else ()))
    rows = tuple(
        (r.key, r.label, *(c.value for c in r.cells),
         *((";".join(raw(v) for v in r.spark),) if with_spark else ()))
        for r in data.rows)
    return Table(header, rows)


def _panels(data: Panels) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for panel in data.panels:
        rows.extend((panel.title, *_stat_row(s)) for s in panel.stats)
        rows.extend((panel.title, None, line, None, None, None) for line in panel.lines)
    return Table(("栏目", *_STAT_HEADER), tuple(rows))


def _cellmap(data: CellMap) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for feature in data.districts.data.get("features", []):
        props = feature.get("properties", {})
        adcode = props.get("adcode")
        rows.append(("区·等级", adcode, props.get("name", adcode), data.levels.get(adcode)))
    cells = data.cell_legend[0] if data.cell_legend else "网格"
    for feature in data.cells.data.get("features", []):
        key = feature.get("properties", {}).get("id", feature.get("id"))
        rows.append((cells, key, key, data.values.get(key, 0)))
    for feature in data.markers.get("features", []):
        props = feature.get("properties", {})
        rows.append(("标记", props.get("id"), props.get("label", props.get("id")), None))
    return Table(("图层", "代码", "名称", "数值"), tuple(rows))


EXPORTERS: dict[str, tuple[type, Exporter]] = {
    "counters": (Counters, _counters),
    "gauge": (Gauge, _gauge),
    "timeseries": (Timeseries, _timeseries),
    "ranking": (Ranking, _ranking),
    "map": (DistrictMap, _map),
    "ticker": (Ticker, _ticker),
    "kpis": (Kpis, _kpis),
    "funnel": (Funnel, _funnel),
    "statgrid": (StatGrid, _statgrid),
    "panels": (Panels, _panels),
    "cellmap": (CellMap, _cellmap),
}


def register_export(kind: str, content: type) -> Callable[[Exporter], Exporter]:
    """Declare the CSV table of a tile kind added elsewhere (beside its ``layouts.tiles.KINDS``
    entry): ``@register_export("funnel", Funnel)`` on a function ``Funnel -> Table``."""
    def register(export: Exporter) -> Exporter:
        if kind in EXPORTERS and EXPORTERS[kind][1] is not export:
            raise ValueError(f"tile kind {kind!r} already has a CSV export")
        EXPORTERS[kind] = (content, export)
        return export
    return register


def tile_table(tile: TileSpec, data: TileData) -> Table:
    """The table behind one tile, by its kind."""
    try:
        expected, export = EXPORTERS[tile.kind]
    except KeyError:
        raise LookupError(f"tile kind {tile.kind!r} has no CSV export: add one with "
                          "dashboard.export.register_export") from None
    if not isinstance(data.content, expected):
        raise TypeError(f"tile {tile.key!r} of kind {tile.kind!r} needs {expected.__name__}, "
                        f"got {type(data.content).__name__}")
    return export(data.content)


# ---- the file ------------------------------------------------------------------------------


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return raw(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM and CRLF line ends (RFC 4180), as Excel opens it without asking."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_cell(c) for c in row] for row in table.rows)
    return (BOM + out.getvalue()).encode("utf-8")


def content_disposition(spec: ScreenSpec, tile: TileSpec, district: str | None, day: date) -> str:
    """``attachment`` with an ASCII ``filename`` and the Chinese one as RFC 5987 ``filename*``."""
    scope = BY_ADCODE[district].name if district in BY_ADCODE else "全市"
    name = _UNSAFE_IN_FILENAME.sub("_", f"{spec.title}-{tile.title}-{scope}-{day:%Y-%m-%d}.csv")
    fallback = f"{spec.slug}-{tile.key}-{district or 'city'}-{day:%Y-%m-%d}.csv"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
