"""``statgrid``: rows of numbers in columns, each row with a spark-bar trend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Props, Stat, Table, number, raw, stat_props, unit


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


def _spark(values: tuple[float, ...], colour: str) -> list[html.Span]:
    top = max(values, default=0) or 1
    return [html.Span(className="gw-spark-bar", title=f"{v:g}",
                      style={"height": f"{max(v / top, 0.04) * 100:.0f}%", "background": colour})
            for v in values]


def update(screen: ScreenSpec, tile: TileSpec, data: StatGrid) -> Props:
    props = stat_props(tile, [c for row in data.rows for c in row.cells])
    for row in data.rows:
        props[ids.part(screen.slug, tile.key, row.key + ".spark")] = {
            "children": _spark(row.spark, row.colour)}
    return props


def render(screen: ScreenSpec, tile: TileSpec, data: StatGrid) -> Any:
    props = update(screen, tile, data)
    head = html.Div([html.Span(""), *[html.Span(t(c)) for c in data.columns],
                     html.Span(t(data.spark_label))], className="gw-statgrid-row gw-statgrid-head")
    rows = []
    for row in data.rows:
        spark_id = ids.part(screen.slug, tile.key, row.key + ".spark")
        rows.append(html.Div(
            [html.Span(t(row.label), className="gw-statgrid-label", style={"--gw-dot": row.colour}),
             *[html.Span([number(c, props, "gw-statgrid-value"), unit(tile, c)])
               for c in row.cells],
             html.Span(id=spark_id, className="gw-spark", **props[spark_id])],
            className="gw-statgrid-row", **{"data-row": row.key}))
    return html.Div([head, *rows], className="gw-statgrid",
                    style={"--gw-columns": str(len(data.columns))})


def table(tile: TileSpec, data: StatGrid) -> Table:
    """A row per grid row; the trend as its values joined by ``;``."""
    with_spark = any(r.spark for r in data.rows)
    header = ("代码", "名称", *data.columns, *((data.spark_label or "趋势",) if with_spark else ()))
    rows = tuple(
        (r.key, r.label, *(c.value for c in r.cells),
         *((";".join(raw(v) for v in r.spark),) if with_spark else ()))
        for r in data.rows)
    return Table(header, rows)


KIND = TileKind("statgrid", StatGrid, render, update, table, push_budget_s=0.5)
