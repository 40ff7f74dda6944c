"""Tile kinds: how each kind of tile is drawn (``build``) and what a live update sends (``update``).

A kind's ``update`` returns ``{component_id: {prop: value}}``; ``build`` draws the component
with exactly those props as its first values, so a page built at version N and a page updated
to version N look the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape as plotly_text
from typing import Any

import dash_leaflet as dl
from dash import Patch, dcc, html

from dashboard import ids, theme
from dashboard.i18n import pick, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.tile_data import (
    Counters,
    DistrictMap,
    Gauge,
    Ranking,
    Stat,
    Ticker,
    TileData,
    Timeseries,
)

Props = dict[str, dict[str, Any]]


def raw(value: float | None) -> str:
    """A metric's ``data-value``: a plain number, no units or separators; empty when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(round(float(value), 6))


def grouped(value: float | None, decimals: int = 0) -> str:
    """A number as it reads on screen: thousands separators, fixed decimals, ``—`` when unknown."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def percent(share: float | None, decimals: int = 1) -> str:
    return "—" if share is None else f"{share * 100:.{decimals}f}%"


def metric_attrs(key: str, value: float | None) -> dict[str, str]:
    return {"data-metric": key, "data-value": raw(value)}


# ---- counters: flip counters against a target ---------------------------------------------


def _digits(text: str) -> list[html.Span]:
    return [
        html.Span(ch, className="gw-digit" if ch.isdigit() else "gw-sep") for ch in text
    ]


def _counters_props(screen: ScreenSpec, tile: TileSpec, data: Counters) -> Props:
    props: Props = {}
    for item in data.items:
        props[ids.metric(item.metric)] = {
            "children": _digits(grouped(item.value, item.decimals)),
            **metric_attrs(item.metric, item.value),
        }
        share = (item.value or 0) / item.target if item.target else None
        props[ids.part(screen.slug, tile.key, item.metric + ".bar")] = {
            "style": {"width": f"{min(share or 0, 1) * 100:.1f}%", "background": item.colour},
        }
        props[ids.part(screen.slug, tile.key, item.metric + ".share")] = {
            "children": f"{t('完成')} {percent(share, 0)}" if share is not None else t("无目标"),
            **metric_attrs(item.metric + "_share", share),
        }
    return props


def _counters_build(screen: ScreenSpec, tile: TileSpec, data: Counters) -> Any:
    props = _counters_props(screen, tile, data)
    cells = []
    for item in data.items:
        bar_id = ids.part(screen.slug, tile.key, item.metric + ".bar")
        share_id = ids.part(screen.slug, tile.key, item.metric + ".share")
        target = (
            html.Span(
                grouped(item.target, item.decimals),
                className="gw-target-value",
                **metric_attrs(item.target_metric, item.target),
            )
            if item.target_metric
            else grouped(item.target, item.decimals)
        )
        cells.append(
            html.Div(
                className="gw-counter",
                style={"--gw-accent": item.colour},
                children=[
                    html.Div(t(item.label), className="gw-counter-label"),
                    html.Div(
                        className="gw-counter-value",
                        children=[
                            html.Div(
                                id=ids.metric(item.metric),
                                className="gw-flip",
                                **{"data-flip": "1"},
                                **props[ids.metric(item.metric)],
                            ),
                            html.Span(t(item.unit), className="gw-unit"),
                        ],
                    ),
                    html.Div(className="gw-progress", children=html.Div(
                        id=bar_id, className="gw-progress-bar", **props[bar_id])),
                    html.Div(
                        className="gw-counter-foot",
                        children=[
                            html.Span([t("日目标") + " ", target, f" {t(item.unit)}"]),
                            html.Span(id=share_id, **props[share_id]),
                        ],
                    ),
                ],
            )
        )
    return html.Div(cells, className="gw-counters")


# ---- stats row (used by several kinds) ------------------------------------------------------


def _stats_props(stats: tuple[Stat, ...]) -> Props:
    return {
        ids.metric(s.metric): {"children": s.display, **metric_attrs(s.metric, s.value)}
        for s in stats
    }


def _stats_build(stats: tuple[Stat, ...], props: Props) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Div(t(s.label), className="gw-stat-label"),
                    html.Div(
                        [html.Span(id=ids.metric(s.metric), **props[ids.metric(s.metric)]),
                         html.Span(t(s.unit), className="gw-unit")],
                        className="gw-stat-value",
                    ),
                ],
                className="gw-stat",
            )
            for s in stats
        ],
        className="gw-stats",
    )


# ---- timeseries: bars and lines over a category axis ---------------------------------------


def _figure(data: Timeseries) -> dict[str, Any]:
    # Plotly draws names, category labels and hover text as a subset of HTML: escaped, a name
    # from data shows as written (Plotly turns the entities back into characters).
    traces = []
    for series in data.series:
        name = plotly_text(t(series.name))
        trace: dict[str, Any] = {
            "type": "bar" if series.kind == "bar" else "scatter",
            "name": name,
            "x": [plotly_text(t(x)) for x in data.x],
            "y": list(series.values),
            "marker": {"color": series.colour},
            "hovertemplate": "%{x} %{y:,.1f}<extra>" + name + "</extra>",
        }
        if series.kind == "line":
            trace.update(mode="lines", line={"color": series.colour, "width": 2, "dash": "dot"})
        traces.append(trace)
    axis = {"gridcolor": theme.GRID_LINE, "zeroline": False, "color": theme.MUTED,
            "tickfont": {"size": 13}}
    return {
        "data": traces,
        "layout": {
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": theme.FONT, "color": theme.TEXT, "size": 14},
            "margin": {"l": 56, "r": 12, "t": 8, "b": 32},
            "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12},
            "xaxis": {**axis, "type": "category", "dtick": 2},
            "yaxis": {**axis, "title": {"text": t(data.y_title), "font": {"size": 13}}},
            "bargap": 0.25,
            "uirevision": "keep",
        },
    }


def _timeseries_update(screen: ScreenSpec, tile: TileSpec, data: Timeseries) -> Props:
    figure = Patch()
    for i, series in enumerate(data.series):
        figure["data"][i]["y"] = list(series.values)
    graph = ids.part(screen.slug, tile.key, "graph")
    return {graph: {"figure": figure}, **_stats_props(data.stats)}


def _timeseries_build(screen: ScreenSpec, tile: TileSpec, data: Timeseries) -> Any:
    children = []
    if data.stats:
        children.append(_stats_build(data.stats, _stats_props(data.stats)))
    children.append(
        dcc.Graph(
            id=ids.part(screen.slug, tile.key, "graph"),
            figure=_figure(data),
            config={"displayModeBar": False, "responsive": True},
            className="gw-graph",
        )
    )
    return html.Div(children, className="gw-timeseries")


# ---- ranking: rows with bars, each a link to that scope ------------------------------------


def _ranking_rows(data: Ranking) -> list[Any]:
    if not data.rows:
        return [html.Li(t(data.empty_text), className="gw-empty")]
    values = [r.value for r in data.rows if r.value is not None]
    top = data.bar_max
    low = min(values + [0.8 * top]) if values else 0.0
    rows = []
    for rank, row in enumerate(data.rows, start=1):
        width = 0.0 if row.value is None else (row.value - low) / max(top - low, 1e-9)
        label: Any = html.A(t(row.label), href=row.href) if row.href else t(row.label)
        rows.append(
            html.Li(
                className="gw-rank-row" + (" is-selected" if row.selected else ""),
                children=[
                    html.Span(str(rank), className="gw-rank-no"),
                    html.Span(label, className="gw-rank-label"),
                    html.Span(
                        html.Span(className="gw-rank-fill",
                                  style={"width": f"{max(width, 0.02) * 100:.1f}%"}),
                        className="gw-rank-bar",
                    ),
                    html.Span(row.display, className="gw-rank-value",
                              **metric_attrs(row.metric, row.value)),
                ],
            )
        )
    return rows


def _ranking_update(screen: ScreenSpec, tile: TileSpec, data: Ranking) -> Props:
    return {ids.part(screen.slug, tile.key, "rows"): {"children": _ranking_rows(data)}}


def _ranking_build(screen: ScreenSpec, tile: TileSpec, data: Ranking) -> Any:
    rows_id = ids.part(screen.slug, tile.key, "rows")
    ranking = html.Ol(id=rows_id, className="gw-ranking", **_ranking_update(screen, tile, data)[rows_id])
    if not data.footer:
        return ranking
    return html.Div([ranking, html.P(t(data.footer), className="gw-ranking-footer")],
                    className="gw-ranking-wrap")


# ---- gauge: a ring and stats ---------------------------------------------------------------


def _gauge_update(screen: ScreenSpec, tile: TileSpec, data: Gauge) -> Props:
    ring = ids.part(screen.slug, tile.key, "ring")
    share = data.ring.value or 0.0
    return {
        ring: {"style": {"--gw-share": f"{min(max(share, 0), 1) * 360:.1f}deg"}},
        **_stats_props((data.ring, *data.stats)),
    }


def _gauge_build(screen: ScreenSpec, tile: TileSpec, data: Gauge) -> Any:
    props = _gauge_update(screen, tile, data)
    ring_id = ids.part(screen.slug, tile.key, "ring")
    ring_metric = ids.metric(data.ring.metric)
    return html.Div(
        className="gw-gauge",
        children=[
            html.Div(
                id=ring_id,
                className="gw-ring",
                **props[ring_id],
                children=html.Div(
                    [html.Span(id=ring_metric, className="gw-ring-value", **props[ring_metric]),
                     html.Span(t(data.ring.label), className="gw-ring-label")],
                    className="gw-ring-inner",
                ),
            ),
            _stats_build(data.stats, props),
            html.Div(t(data.note), className="gw-note") if data.note else None,
        ],
    )


# ---- map: districts shaded by a rate, points sized by a quantity ---------------------------

_MAP_JS = "greenwall.map"


def _js(name: str) -> dict[str, str]:
    """A reference to a function in ``assets/map.js`` (dash-leaflet resolves it on window)."""
    return {"variable": f"{_MAP_JS}.{name}"}


def _map_update(screen: ScreenSpec, tile: TileSpec, data: DistrictMap) -> Props:
    rates = {k: (None if v is None else round(v, 4)) for k, v in data.rates.items()}
    sizes = {k: round(v, 1) for k, v in data.sizes.items()}
    return {
        ids.MAP_DISTRICTS: {"hideout": {"rates": rates, "selected": data.selected,
                                        "ramp": theme.RATE_RAMP}},
        ids.part(screen.slug, tile.key, "points"): {
            "hideout": {"sizes": sizes, "max": max(sizes.values(), default=0.0)}
        },
    }


def _map_legend(data: DistrictMap) -> html.Div:
    swatches = []
    for i, (low, colour) in enumerate(theme.RATE_RAMP):
        high = theme.RATE_RAMP[i + 1][0] if i + 1 < len(theme.RATE_RAMP) else None
        label = f"<{high:.0%}" if i == 0 else f"≥{low:.0%}"
        swatches.append(html.Span(className="gw-swatch", style={"background": colour}, title=label))
    ends = [html.Span(f"<{theme.RATE_RAMP[1][0]:.0%}"), *swatches,
            html.Span(f"≥{theme.RATE_RAMP[-1][0]:.0%}")]
    return html.Div([html.Span(t(data.legend)), *ends, html.Span(className="gw-legend-dot"),
                     html.Span(t(data.points_legend))], className="gw-map-legend")


def _map_build(screen: ScreenSpec, tile: TileSpec, data: DistrictMap) -> Any:
    props = _map_update(screen, tile, data)
    points_id = ids.part(screen.slug, tile.key, "points")
    return html.Div(
        className="gw-map",
        children=[
            dl.Map(
                center=[31.2, 121.47],
                zoom=9,
                zoomSnap=0.1,
                zoomControl=False,
                attributionControl=False,
                scrollWheelZoom=False,
                style={"height": "100%", "width": "100%", "background": "transparent"},
                children=[
                    dl.GeoJSON(
                        id=ids.MAP_DISTRICTS,
                        data=data.districts,
                        style=_js("districtStyle"),
                        hoverStyle=_js("districtHover"),
                        onEachFeature=_js("districtLabel"),
                        zoomToBounds=True,
                        **props[ids.MAP_DISTRICTS],
                    ),
                    dl.GeoJSON(
                        id=points_id,
                        data=data.points,
                        pointToLayer=_js("stationMarker"),
                        style=_js("stationStyle"),
                        onEachFeature=_js("stationLabel"),
                        **props[points_id],
                    ),
                ],
            ),
            _map_legend(data),
        ],
    )


# ---- ticker: a scrolling list of the latest rows -------------------------------------------


def _ticker_rows(data: Ticker) -> list[Any]:
    if not data.rows:
        return [html.Li(t(data.empty_text), className="gw-empty")]
    return [
        html.Li([html.Span(t(cell), className=f"gw-cell gw-cell-{i}") for i, cell in
                 enumerate(row.cells)], className="gw-ticker-row", title=t(row.title))
        for row in data.rows
    ]


def _ticker_update(screen: ScreenSpec, tile: TileSpec, data: Ticker) -> Props:
    return {ids.part(screen.slug, tile.key, "rows"): {"children": _ticker_rows(data)}}


def _ticker_build(screen: ScreenSpec, tile: TileSpec, data: Ticker) -> Any:
    rows_id = ids.part(screen.slug, tile.key, "rows")
    head = (
        html.Div([html.Span(t(h), className=f"gw-cell gw-cell-{i}") for i, h in
                  enumerate(data.header)], className="gw-ticker-head")
        if data.header
        else None
    )
    return html.Div(
        [head, html.Ol(id=rows_id, className="gw-ticker",
                       **_ticker_update(screen, tile, data)[rows_id])],
        className="gw-ticker-wrap",
    )


# ---- the registry of kinds and the tile frame ----------------------------------------------

Builder = Callable[[ScreenSpec, TileSpec, Any], Any]
Updater = Callable[[ScreenSpec, TileSpec, Any], Props]

KINDS: dict[str, tuple[type, Builder, Updater]] = {
    "counters": (Counters, _counters_build, _counters_props),
    "timeseries": (Timeseries, _timeseries_build, _timeseries_update),
    "ranking": (Ranking, _ranking_build, _ranking_update),
    "gauge": (Gauge, _gauge_build, _gauge_update),
    "map": (DistrictMap, _map_build, _map_update),
    "ticker": (Ticker, _ticker_build, _ticker_update),
}


def register_kind(name: str, data_type: type, build: Builder, update: Updater) -> None:
    """Add a tile kind (its data class, ``build`` and ``update``) to ``KINDS``."""
    if name in KINDS and KINDS[name] != (data_type, build, update):
        raise ValueError(f"tile kind {name!r} registered twice")
    KINDS[name] = (data_type, build, update)


def _check(tile: TileSpec, data: TileData) -> None:
    expected = KINDS[tile.kind][0]
    if not isinstance(data.content, expected):
        raise TypeError(f"tile {tile.key!r} of kind {tile.kind!r} needs {expected.__name__}, "
                        f"got {type(data.content).__name__}")


def frame_props(data: TileData, version: int) -> dict[str, Any]:
    """The tile root's live attributes: data version and its feed's last event time."""
    return {"data-version": str(version),
            "data-last-event": "" if data.last_event_ms is None else str(data.last_event_ms)}


def _export_link(screen: ScreenSpec, tile: TileSpec, href: str) -> html.A:
    label = pick(f"导出“{tile.title}”数据（CSV）", f"Export the data of “{tile.title_en}” (CSV)")
    return html.A("CSV", href=href, className="gw-export gw-chrome", title=label,
                  **{"aria-label": label, "data-export": screen.tile_ref(tile)})


def _freshness_limits(feed: str | None) -> dict[str, str]:
    # Only feeds with their own cadence carry limits; the page's defaults serve the rest.
    limits = theme.FEED_FRESHNESS_S.get(feed or "")
    return {} if limits is None else {"data-live-after": f"{limits[0]:g}",
                                      "data-stale-after": f"{limits[1]:g}"}


def build_tile(screen: ScreenSpec, tile: TileSpec, data: TileData, version: int,
               export_href: str | None = None) -> html.Section:
    """A whole tile: frame, title, freshness badge, the kind's body, and an export link when
    ``export_href`` is given (full screens; not kiosk or embed)."""
    _check(tile, data)
    pos = tile.pos
    body = KINDS[tile.kind][1](screen, tile, data.content)
    return html.Section(
        id=ids.tile(screen.slug, tile.key),
        className=f"gw-tile gw-kind-{tile.kind}",
        style={"gridColumn": f"{pos.x + 1} / span {pos.w}", "gridRow": f"{pos.y + 1} / span {pos.h}"},
        **{"data-tile": screen.tile_ref(tile), "data-feed": tile.feed or ""},
        **_freshness_limits(tile.feed),
        **frame_props(data, version),
        children=[
            html.Header(
                [html.H2(pick(tile.title, tile.title_en), className="gw-tile-title"),
                 html.Span(className="gw-badge", title=t(tile.note) or pick(tile.title, tile.title_en)),
                 _export_link(screen, tile, export_href) if export_href else None],
                className="gw-tile-head",
            ),
            html.Div(body, className="gw-tile-body"),
        ],
    )


def tile_update(screen: ScreenSpec, tile: TileSpec, data: TileData, version: int) -> Props:
    """Everything a live update of this tile sends: body props and the frame's attributes."""
    _check(tile, data)
    props = KINDS[tile.kind][2](screen, tile, data.content)
    props[ids.tile(screen.slug, tile.key)] = frame_props(data, version)
    return props


# More kinds (kpis, funnel, statgrid, panels, cellmap) live in their own module, which
# registers them here; imported last because it builds on this module's helpers.
from layouts import tile_kinds  # noqa: E402,F401
