"""``funnel``: stages with a bar each, narrowing like a funnel, and numbers in columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import Text, plain, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Props, Stat, Table, number, stat_props, unit


@dataclass(frozen=True)
class FunnelStage:
    """One stage of a funnel: ``bar`` sets the bar's width, ``cells`` fill the columns."""

    key: str
    label: str
    bar: Stat
    cells: tuple[Stat, ...]
    hint: str | Text = ""


@dataclass(frozen=True)
class Funnel:
    stages: tuple[FunnelStage, ...]
    columns: tuple[str, ...]
    note: str = ""


def _bar_width(data: Funnel, value: float | None) -> str:
    top = max((s.bar.value or 0 for s in data.stages), default=0)
    share = (value or 0) / top if top else 0
    return f"{max(share, 0.04) * 100:.1f}%"


def update(screen: ScreenSpec, tile: TileSpec, data: Funnel) -> Props:
    props = stat_props(tile, [s for stage in data.stages for s in (stage.bar, *stage.cells)])
    for stage in data.stages:
        props[ids.part(screen.slug, tile.key, stage.key + ".bar")] = {
            "style": {"width": _bar_width(data, stage.bar.value)}}
    return props


def render(screen: ScreenSpec, tile: TileSpec, data: Funnel) -> Any:
    props = update(screen, tile, data)
    head = html.Div([html.Span(t(c), className="gw-funnel-col") for c in data.columns],
                    className="gw-funnel-row gw-funnel-head")
    rows = []
    for n, stage in enumerate(data.stages):
        bar_id = ids.part(screen.slug, tile.key, stage.key + ".bar")
        rows.append(html.Div(
            [html.Span([html.B(t(stage.label)), html.Small(t(stage.hint))], className="gw-funnel-label"),
             html.Span(html.Span(number(stage.bar, props, "gw-funnel-count"), id=bar_id,
                                 className=f"gw-funnel-bar gw-funnel-bar-{n}", **props[bar_id]),
                       className="gw-funnel-track"),
             *[html.Span([number(c, props, "gw-funnel-value"), unit(tile, c)],
                         className="gw-funnel-col")
               for c in stage.cells]],
            className="gw-funnel-row", **{"data-stage": stage.key}))
    note = html.P(t(data.note), className="gw-note gw-funnel-note") if data.note else None
    return html.Div([head, *rows, note], className="gw-funnel")


def table(tile: TileSpec, data: Funnel) -> Table:
    """A row per stage: its bar's number, then its columns, then its hint if any has one."""
    width = 2 + max((len(s.cells) for s in data.stages), default=0)
    header = tuple(data.columns)
    if len(header) != width and data.stages:  # name the columns after the first stage's figures
        first = data.stages[0]
        header = ("环节", plain(first.bar.label), *(plain(c.label) for c in first.cells))
    with_hints = any(s.hint for s in data.stages)
    rows = tuple(
        (s.label, s.bar.value, *(c.value for c in s.cells),
         *((plain(s.hint),) if with_hints else ()))
        for s in data.stages)
    return Table(header + (("说明",) if with_hints else ()), rows)


KIND = TileKind("funnel", Funnel, render, update, table, push_budget_s=0.5)
