"""``panels``: side-by-side columns of labelled numbers and lines of text (e.g. work lists)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import Text, plain, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import (
    STAT_HEADER,
    Cell,
    Props,
    Stat,
    Table,
    number,
    stat_props,
    stat_row,
    unit,
)


@dataclass(frozen=True)
class Panel:
    """One column of a panels tile: a heading, numbers, and lines of text."""

    key: str
    title: str
    stats: tuple[Stat, ...]
    lines: tuple[str | Text, ...] = ()
    empty: str = ""  # shown when ``lines`` is empty (nothing shown if blank)


@dataclass(frozen=True)
class Panels:
    panels: tuple[Panel, ...]
    heading: str | Text = ""


def _lines(lines: tuple[str | Text, ...], empty: str) -> list[html.Li]:
    if not lines:
        return [html.Li(t(empty), className="gw-empty")] if empty else []
    return [html.Li(t(line), title=t(line)) for line in lines]


def update(screen: ScreenSpec, tile: TileSpec, data: Panels) -> Props:
    props = stat_props(tile, [s for p in data.panels for s in p.stats])
    for panel in data.panels:
        props[ids.part(screen.slug, tile.key, panel.key + ".lines")] = {
            "children": _lines(panel.lines, panel.empty)}
    if data.heading:
        props[ids.part(screen.slug, tile.key, "heading")] = {"children": t(data.heading)}
    return props


def render(screen: ScreenSpec, tile: TileSpec, data: Panels) -> Any:
    props = update(screen, tile, data)
    columns = []
    for panel in data.panels:
        lines_id = ids.part(screen.slug, tile.key, panel.key + ".lines")
        columns.append(html.Div(
            [html.H3(t(panel.title), className="gw-panel-title"),
             # One group per figure: its value stays beside its label, or goes under it when
             # the column is too narrow for both (a long English label).
             html.Dl([html.Div([html.Dt(t(s.label)),
                                html.Dd([number(s, props, "gw-panel-value"), unit(tile, s)])],
                               className="gw-panel-stat") for s in panel.stats],
                     className="gw-panel-stats"),
             html.Ul(id=lines_id, className="gw-panel-lines", **props[lines_id])],
            className="gw-panel", **{"data-panel": panel.key}))
    heading_id = ids.part(screen.slug, tile.key, "heading")
    heading = html.Div(id=heading_id, className="gw-panels-heading",
                       **props[heading_id]) if data.heading else None
    return html.Div([heading, html.Div(columns, className="gw-panels")], className="gw-panels-wrap")


def table(tile: TileSpec, data: Panels) -> Table:
    """Each panel's stats, then its lines of text (in the 名称 column)."""
    rows: list[tuple[Cell, ...]] = []
    for panel in data.panels:
        rows.extend((panel.title, *stat_row(tile, s)) for s in panel.stats)
        rows.extend((panel.title, None, plain(line), None, None, None) for line in panel.lines)
    return Table(("栏目", *STAT_HEADER), tuple(rows))


KIND = TileKind("panels", Panels, render, update, table, push_budget_s=0.5)
