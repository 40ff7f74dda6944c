"""More tile kinds, in the same build/update style as ``layouts/tiles.py``, which registers them:

- ``kpis``: headline cards, a big number and smaller ones under it;
- ``funnel``: stages with a bar each (narrowing like a funnel) and numbers in columns;
- ``statgrid``: rows of numbers in columns with a spark-bar trend;
- ``panels``: side-by-side columns of labelled numbers and text lines (e.g. work lists);
- ``cellmap``: districts shaded by a level, grid cells by a count, markers by category,
  and an info panel that a click on a cell fills.
"""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import html

from dashboard import ids
from dashboard.i18n import t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.tile_data import CellMap, Funnel, Kpis, Panels, Stat, StatGrid
from layouts.tiles import Props, metric_attrs, register_kind

_FOREST_JS = "greenwall.forest"


def _stat_props(stats: tuple[Stat, ...] | list[Stat]) -> Props:
    return {ids.metric(s.metric): {"children": s.display, **metric_attrs(s.metric, s.value)}
            for s in stats}


def _number(stat: Stat, props: Props, class_name: str) -> html.Span:
    return html.Span(id=ids.metric(stat.metric), className=class_name,
                     **props[ids.metric(stat.metric)])


def _unit(stat: Stat) -> html.Span | None:
    return html.Span(t(stat.unit), className="gw-unit") if stat.unit else None


# ---- kpis ----------------------------------------------------------------------------------


def _kpi_stats(data: Kpis) -> list[Stat]:
    return [s for card in data.cards for s in (card.stat, *card.subs)]


def _kpis_update(screen: ScreenSpec, tile: TileSpec, data: Kpis) -> Props:
    return _stat_props(_kpi_stats(data))


def _kpis_build(screen: ScreenSpec, tile: TileSpec, data: Kpis) -> Any:
    props = _kpis_update(screen, tile, data)
    cards = []
    for card in data.cards:
        subs = [html.Span([html.Span(t(s.label), className="gw-kpi-sub-label"),
                           _number(s, props, "gw-kpi-sub-value"), _unit(s)], className="gw-kpi-sub")
                for s in card.subs]
        cards.append(html.Div(
            [html.Div(t(card.stat.label), className="gw-kpi-label"),
             html.Div([_number(card.stat, props, "gw-kpi-value"), _unit(card.stat)],
                      className="gw-kpi-main" + (f" is-{card.tone}" if card.tone else "")),
             html.Div(subs, className="gw-kpi-subs") if subs else None],
            className="gw-kpi"))
    return html.Div(cards, className="gw-kpis", style={"--gw-kpi-count": str(len(cards))})


# ---- funnel --------------------------------------------------------------------------------


def _bar_width(data: Funnel, value: float | None) -> str:
    top = max((s.bar.value or 0 for s in data.stages), default=0)
    share = (value or 0) / top if top else 0
    return f"{max(share, 0.04) * 100:.1f}%"


def _funnel_update(screen: ScreenSpec, tile: TileSpec, data: Funnel) -> Props:
    props = _stat_props([s for stage in data.stages for s in (stage.bar, *stage.cells)])
    for stage in data.stages:
        props[ids.part(screen.slug, tile.key, stage.key + ".bar")] = {
            "style": {"width": _bar_width(data, stage.bar.value)}}
    return props


def _funnel_build(screen: ScreenSpec, tile: TileSpec, data: Funnel) -> Any:
    props = _funnel_update(screen, tile, data)
    head = html.Div([html.Span(t(c), className="gw-funnel-col") for c in data.columns],
                    className="gw-funnel-row gw-funnel-head")
    rows = []
    for n, stage in enumerate(data.stages):
        bar_id = ids.part(screen.slug, tile.key, stage.key + ".bar")
        rows.append(html.Div(
            [html.Span([html.B(t(stage.label)), html.Small(t(stage.hint))], className="gw-funnel-label"),
             html.Span(html.Span(_number(stage.bar, props, "gw-funnel-count"), id=bar_id,
                                 className=f"gw-funnel-bar gw-funnel-bar-{n}", **props[bar_id]),
                       className="gw-funnel-track"),
             *[html.Span([_number(c, props, "gw-funnel-value"), _unit(c)], className="gw-funnel-col")
               for c in stage.cells]],
            className="gw-funnel-row", **{"data-stage": stage.key}))
    note = html.P(t(data.note), className="gw-note gw-funnel-note") if data.note else None
    return html.Div([head, *rows, note], className="gw-funnel")


# ---- statgrid ------------------------------------------------------------------------------


def _spark(values: tuple[float, ...], colour: str) -> list[html.Span]:
    top = max(values, default=0) or 1
    return [html.Span(className="gw-spark-bar", title=f"{v:g}",
                      style={"height": f"{max(v / top, 0.04) * 100:.0f}%", "background": colour})
            for v in values]


def _statgrid_update(screen: ScreenSpec, tile: TileSpec, data: StatGrid) -> Props:
    props = _stat_props([c for row in data.rows for c in row.cells])
    for row in data.rows:
        props[ids.part(screen.slug, tile.key, row.key + ".spark")] = {
            "children": _spark(row.spark, row.colour)}
    return props


def _statgrid_build(screen: ScreenSpec, tile: TileSpec, data: StatGrid) -> Any:
    props = _statgrid_update(screen, tile, data)
    head = html.Div([html.Span(""), *[html.Span(t(c)) for c in data.columns],
                     html.Span(t(data.spark_label))], className="gw-statgrid-row gw-statgrid-head")
    rows = []
    for row in data.rows:
        spark_id = ids.part(screen.slug, tile.key, row.key + ".spark")
        rows.append(html.Div(
            [html.Span(t(row.label), className="gw-statgrid-label", style={"--gw-dot": row.colour}),
             *[html.Span([_number(c, props, "gw-statgrid-value"), _unit(c)]) for c in row.cells],
             html.Span(id=spark_id, className="gw-spark", **props[spark_id])],
            className="gw-statgrid-row", **{"data-row": row.key}))
    return html.Div([head, *rows], className="gw-statgrid",
                    style={"--gw-columns": str(len(data.columns))})


# ---- panels --------------------------------------------------------------------------------


def _lines(lines: tuple[str, ...], empty: str) -> list[html.Li]:
    if not lines:
        return [html.Li(t(empty), className="gw-empty")] if empty else []
    return [html.Li(t(line), title=t(line)) for line in lines]


def _panels_update(screen: ScreenSpec, tile: TileSpec, data: Panels) -> Props:
    props = _stat_props([s for p in data.panels for s in p.stats])
    for panel in data.panels:
        props[ids.part(screen.slug, tile.key, panel.key + ".lines")] = {
            "children": _lines(panel.lines, panel.empty)}
    if data.heading:
        props[ids.part(screen.slug, tile.key, "heading")] = {"children": t(data.heading)}
    return props


def _panels_build(screen: ScreenSpec, tile: TileSpec, data: Panels) -> Any:
    props = _panels_update(screen, tile, data)
    columns = []
    for panel in data.panels:
        lines_id = ids.part(screen.slug, tile.key, panel.key + ".lines")
        columns.append(html.Div(
            [html.H3(t(panel.title), className="gw-panel-title"),
             html.Dl([item for s in panel.stats for item in (
                 html.Dt(t(s.label)), html.Dd([_number(s, props, "gw-panel-value"), _unit(s)]))],
                 className="gw-panel-stats"),
             html.Ul(id=lines_id, className="gw-panel-lines", **props[lines_id])],
            className="gw-panel", **{"data-panel": panel.key}))
    heading_id = ids.part(screen.slug, tile.key, "heading")
    heading = html.Div(id=heading_id, className="gw-panels-heading",
                       **props[heading_id]) if data.heading else None
    return html.Div([heading, html.Div(columns, className="gw-panels")], className="gw-panels-wrap")


# ---- cellmap -------------------------------------------------------------------------------


def _js(name: str) -> dict[str, str]:
    """A function in ``assets/forest.js`` (dash-leaflet resolves it on ``window``)."""
    return {"variable": f"{_FOREST_JS}.{name}"}


def _cellmap_update(screen: ScreenSpec, tile: TileSpec, data: CellMap) -> Props:
    return {
        ids.MAP_DISTRICTS: {"hideout": {"levels": data.levels, "selected": data.selected,
                                        "ramp": [colour for _, colour in data.legend]}},
        ids.part(screen.slug, tile.key, "cells"): {"hideout": {
            "values": data.values, "colour": data.cell_legend[1] if data.cell_legend else None}},
        ids.part(screen.slug, tile.key, "markers"): {"data": data.markers},
    }


def _legend(pairs: tuple[tuple[str, str], ...], class_name: str) -> html.Div:
    return html.Div([html.Span([html.I(style={"background": colour}), t(label)])
                     for label, colour in pairs], className=class_name)


def _cellmap_build(screen: ScreenSpec, tile: TileSpec, data: CellMap) -> Any:
    props = _cellmap_update(screen, tile, data)
    cells_id = ids.part(screen.slug, tile.key, "cells")
    markers_id = ids.part(screen.slug, tile.key, "markers")
    return html.Div(
        className="gw-map gw-cellmap",
        children=[
            dl.Map(
                center=[31.2, 121.47], zoom=9, zoomSnap=0.1, zoomControl=False,
                attributionControl=False, scrollWheelZoom=False,
                style={"height": "100%", "width": "100%", "background": "transparent"},
                children=[
                    dl.GeoJSON(id=ids.MAP_DISTRICTS, data=data.districts.data,
                               style=_js("districtStyle"), onEachFeature=_js("districtLabel"),
                               zoomToBounds=True, **props[ids.MAP_DISTRICTS]),
                    dl.GeoJSON(id=cells_id, data=data.cells.data, style=_js("cellStyle"),
                               hoverStyle=_js("cellHover"), **props[cells_id]),
                    dl.GeoJSON(id=markers_id, pointToLayer=_js("caseMarker"),
                               onEachFeature=_js("caseLabel"), **props[markers_id]),
                ],
            ),
            html.Div([_legend(data.legend, "gw-cellmap-legend"),
                      _legend(((data.cell_legend,) if data.cell_legend else ())
                              + data.marker_legend, "gw-cellmap-legend gw-cellmap-markers")],
                     className="gw-cellmap-legends"),
            html.Div(html.P(t(data.hint), className="gw-note"),
                     id=ids.part(screen.slug, tile.key, "info"), className="gw-cellmap-info"),
        ],
    )


register_kind("kpis", Kpis, _kpis_build, _kpis_update)
register_kind("funnel", Funnel, _funnel_build, _funnel_update)
register_kind("statgrid", StatGrid, _statgrid_build, _statgrid_update)
register_kind("panels", Panels, _panels_build, _panels_update)
register_kind("cellmap", CellMap, _cellmap_build, _cellmap_update)
