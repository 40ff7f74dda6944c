"""``board``: a status board — one row per entity (a park), its band as a coloured chip, a bar
of its share, and its figures; rows ordered by that share, most loaded first.

The band is a class (``gw-band-<n>``, coloured in ``assets/board.css``), never a style built
from data; the whole list is redrawn on an update, so rows may change order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import Text, plain, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Props, Stat, Table, formatted, metric_attrs

BANDS = 6
"""Band classes ``gw-band-0`` … ``gw-band-5`` (0: no band, e.g. no capacity)."""


@dataclass(frozen=True)
class BoardRow:
    """One entity: its name, a tag (how its figure is known), its band (0 none, 1 best …
    5 worst) with the band's label, its share (a ``Stat``, 0–1) and other figures."""

    key: str
    label: str | Text
    tag: str | Text
    band: int
    band_label: str | Text
    share: Stat
    cells: tuple[Stat, ...]


@dataclass(frozen=True)
class Board:
    rows: tuple[BoardRow, ...]
    columns: tuple[str, ...]  # headings of ``cells``, with their unit
    legend: tuple[tuple[int, str | Text], ...] = ()  # (band, label) in order
    empty_text: str = "暂无数据"


def _value(tile: TileSpec, stat: Stat, class_name: str) -> html.Span:
    # The unit is the column's (its heading says it), not repeated on every row.
    shown, _ = formatted(stat.value, tile.format_of(stat.metric))
    return html.Span(html.Span(shown, **metric_attrs(stat.metric, stat.value)), className=class_name)


def _rows(tile: TileSpec, data: Board) -> list[Any]:
    if not data.rows:
        return [html.Li(t(data.empty_text), className="gw-empty")]
    rows = []
    for row in data.rows:
        band = min(max(row.band, 0), BANDS - 1)
        share = row.share.value
        width = 0.0 if share is None else min(max(share, 0.0), 1.0)
        rows.append(html.Li(
            className=f"gw-board-row gw-band-{band}", **{"data-row": row.key},
            children=[
                html.Span([html.Span(t(row.label), className="gw-board-name"),
                           html.Span(t(row.tag), className="gw-board-tag")],
                          className="gw-board-label"),
                html.Span(t(row.band_label), className="gw-board-band"),
                html.Span([html.Span(className="gw-board-fill", style={"width": f"{width * 100:.1f}%"}),
                           _value(tile, row.share, "gw-board-share")], className="gw-board-bar"),
                *[_value(tile, cell, "gw-board-value") for cell in row.cells],
            ]))
    return rows


def _legend(data: Board) -> html.Div:
    return html.Div([html.Span(t(label), className=f"gw-board-key gw-band-{band}")
                     for band, label in data.legend], className="gw-board-legend")


def update(screen: ScreenSpec, tile: TileSpec, data: Board) -> Props:
    return {ids.part(screen.slug, tile.key, "rows"): {"children": _rows(tile, data)}}


def render(screen: ScreenSpec, tile: TileSpec, data: Board) -> Any:
    rows_id = ids.part(screen.slug, tile.key, "rows")
    head = html.Div([html.Span(""), html.Span(""), html.Span(""),
                     *[html.Span(t(c)) for c in data.columns]], className="gw-board-row gw-board-head")
    return html.Div([head, html.Ol(id=rows_id, className="gw-board-rows",
                                   **update(screen, tile, data)[rows_id]), _legend(data)],
                    className="gw-board", style={"--gw-board-cells": str(len(data.columns))})


def table(tile: TileSpec, data: Board) -> Table:
    """A row per entity, in the order shown; figures raw, the band by its label."""
    header = ("代码", "名称", "来源", "等级", "占比", *data.columns)
    return Table(header, tuple(
        (r.key, plain(r.label), plain(r.tag), plain(r.band_label), r.share.value,
         *(c.value for c in r.cells)) for r in data.rows))


KIND = TileKind("board", Board, render, update, table, push_budget_s=0.5)
