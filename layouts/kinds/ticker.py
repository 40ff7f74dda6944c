"""``ticker``: the latest rows of an event list, newest first, under an optional header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import Text, plain, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Props, Table


@dataclass(frozen=True)
class TickerRow:
    key: str
    cells: tuple[str | Text, ...]
    title: str | Text = ""


@dataclass(frozen=True)
class Ticker:
    rows: tuple[TickerRow, ...]
    header: tuple[str, ...] = ()
    empty_text: str = "暂无数据"


def _rows(data: Ticker) -> list[Any]:
    if not data.rows:
        return [html.Li(t(data.empty_text), className="gw-empty")]
    return [
        html.Li([html.Span(t(cell), className=f"gw-cell gw-cell-{i}") for i, cell in
                 enumerate(row.cells)], className="gw-ticker-row", title=t(row.title))
        for row in data.rows
    ]


def update(screen: ScreenSpec, tile: TileSpec, data: Ticker) -> Props:
    return {ids.part(screen.slug, tile.key, "rows"): {"children": _rows(data)}}


def render(screen: ScreenSpec, tile: TileSpec, data: Ticker) -> Any:
    rows_id = ids.part(screen.slug, tile.key, "rows")
    head = (
        html.Div([html.Span(t(h), className=f"gw-cell gw-cell-{i}") for i, h in
                  enumerate(data.header)], className="gw-ticker-head")
        if data.header
        else None
    )
    return html.Div(
        [head, html.Ol(id=rows_id, className="gw-ticker", **update(screen, tile, data)[rows_id])],
        className="gw-ticker-wrap",
    )


def table(tile: TileSpec, data: Ticker) -> Table:
    """The ticker's own header (columns beyond it numbered), plus 说明 for rows' tooltips."""
    width = max([len(data.header)] + [len(r.cells) for r in data.rows])
    header = tuple(data.header) + tuple(f"列{i + 1}" for i in range(len(data.header), width))
    with_notes = any(r.title for r in data.rows)
    if with_notes:
        header += ("说明",)
    rows = tuple(
        tuple(plain(c) for c in r.cells) + (None,) * (width - len(r.cells))
        + ((plain(r.title),) if with_notes else ())
        for r in data.rows
    )
    return Table(header, rows)


KIND = TileKind("ticker", Ticker, render, update, table, push_budget_s=0.5)
