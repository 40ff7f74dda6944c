"""``timeseries``: bars and lines over a category axis (hours, days), figures printed above."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as plotly_text
from typing import Any

from dash import Patch, dcc, html

from dashboard import ids, theme
from dashboard.i18n import Text, plain, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Props, Stat, Table, stat_props, stats_row


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    kind: str = "bar"  # "bar" or "line"
    colour: str = "#35d0ff"


@dataclass(frozen=True)
class Timeseries:
    x: tuple[str | Text, ...]
    series: tuple[Series, ...]
    stats: tuple[Stat, ...] = ()
    y_title: str = ""  # the values' unit: the y axis's title and the hover text's unit
    x_every: int = 2  # a tick label on every n-th x (hours: every other one)


def _figure(data: Timeseries) -> dict[str, Any]:
    # Plotly draws names, category labels and hover text as a subset of HTML: escaped, a name
    # from data shows as written (Plotly turns the entities back into characters).
    traces = []
    # The unit rides along in the hover text: "01时 409.5 吨", "01:00 409.5 t".
    unit = f" {plotly_text(t(data.y_title))}" if data.y_title else ""
    for series in data.series:
        name = plotly_text(t(series.name))
        trace: dict[str, Any] = {
            "type": "bar" if series.kind == "bar" else "scatter",
            "name": name,
            "x": [plotly_text(t(x)) for x in data.x],
            "y": list(series.values),
            "marker": {"color": series.colour},
            "hovertemplate": "%{x} %{y:,.1f}" + unit + "<extra>" + name + "</extra>",
        }
        if series.kind == "line":
            trace.update(mode="lines", line={"color": series.colour, "width": 2, "dash": "dot"})
        traces.append(trace)
    axis = {"gridcolor": theme.GRID_LINE, "zeroline": False, "color": theme.MUTED,
            "tickfont": {"size": 14}}
    return {
        "data": traces,
        "layout": {
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": theme.FONT, "color": theme.TEXT, "size": 14},
            "margin": {"l": 56, "r": 12, "t": 8, "b": 32},
            "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12},
            "xaxis": {**axis, "type": "category", "dtick": data.x_every, "ticklabelstandoff": 10},
            "yaxis": {**axis, "title": {"text": t(data.y_title), "font": {"size": 14}}},
            "bargap": 0.25,
            "uirevision": "keep",
        },
    }


def update(screen: ScreenSpec, tile: TileSpec, data: Timeseries) -> Props:
    figure = Patch()
    for i, series in enumerate(data.series):
        figure["data"][i]["y"] = list(series.values)
    graph = ids.part(screen.slug, tile.key, "graph")
    return {graph: {"figure": figure}, **stat_props(tile, data.stats)}


def render(screen: ScreenSpec, tile: TileSpec, data: Timeseries) -> Any:
    children = []
    if data.stats:
        children.append(stats_row(tile, data.stats, stat_props(tile, data.stats)))
    children.append(
        dcc.Graph(
            id=ids.part(screen.slug, tile.key, "graph"),
            figure=_figure(data),
            config={"displayModeBar": False, "responsive": True},
            className="gw-graph",
        )
    )
    return html.Div(children, className="gw-timeseries")


def table(tile: TileSpec, data: Timeseries) -> Table:
    """The chart's data, one column per series; the figures above the chart are not in it."""
    unit = f"（{data.y_title}）" if data.y_title else ""
    header = ("时间", *(f"{s.name}{unit}" for s in data.series))
    rows = tuple(
        (plain(x), *(s.values[i] if i < len(s.values) else None for s in data.series))
        for i, x in enumerate(data.x)
    )
    return Table(header, rows)


KIND = TileKind("timeseries", Timeseries, render, update, table, push_budget_s=1.0)
