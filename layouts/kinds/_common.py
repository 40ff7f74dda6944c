"""What every tile kind draws with: the tile frame, numbers as the page shows and carries them
(formatted from the tile spec's ``Format`` of each metric), the stat type and its rows, the base
map, and the table type of a CSV export."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import dash_leaflet as dl
from dash import html

from dashboard import ids
from dashboard.i18n import Text, current, pick, plain, t
from dashboard.registry import PLAIN, Format, ScreenSpec, TileSpec
from datasources.platform.feeds import feed_freshness

# What a live update sends: ``{component_id: {prop: value}}``.
Props = dict[str, dict[str, Any]]
Cell = str | int | float | None


@dataclass(frozen=True)
class TileData:
    """What one tile shows at one data version (``content``, of its kind's data type), and when
    its feed last had an event."""

    content: Any
    last_event_ms: int | None = None


@dataclass(frozen=True)
class Table:
    """A tile's data as a table: a header and rows; numbers stay numbers until written."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Stat:
    """A labelled raw number (``None``: no data); the tile's spec says how it reads
    (``TileSpec.format_of(metric)``)."""

    metric: str
    label: str | Text
    value: float | None


# ---- numbers -------------------------------------------------------------------------------


def raw(value: float | None) -> str:
    """A metric's ``data-value``: a plain number, no units or separators; empty when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(round(float(value), 6))


def _unknown(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def formatted(value: float | None, fmt: Format = PLAIN) -> tuple[str, str]:
    """A number as it reads on screen and its unit (a Chinese label, for ``t``): fixed
    decimals with thousands grouped, a share as a percentage, a large value in the larger
    unit; ``("—", "")`` when unknown."""
    if _unknown(value):
        return "—", ""
    if fmt.percent:
        return f"{value * 100:.{fmt.decimals}f}%", ""
    unit_label = fmt.unit
    if fmt.larger is not None and value >= fmt.larger.at_least:
        value, unit_label = value / fmt.larger.per, fmt.larger.unit
    return f"{value:,.{fmt.decimals}f}", unit_label


def tone(value: float | None, fmt: Format) -> str:
    """The tone of the first band ``value`` reaches ("good", "warn", "bad"); ``""`` when it
    reaches none or is unknown."""
    if _unknown(value):
        return ""
    return next((band.tone for band in fmt.bands if value >= band.at_least), "")


def metric_attrs(key: str, value: float | None) -> dict[str, str]:
    """The DOM contract of a number: ``data-metric`` and its raw ``data-value``."""
    return {"data-metric": key, "data-value": raw(value)}


# ---- stats ---------------------------------------------------------------------------------


def stat_props(tile: TileSpec, stats: tuple[Stat, ...] | list[Stat]) -> Props:
    """The live props of labelled numbers: the text shown and the raw value."""
    return {ids.metric(s.metric): {"children": formatted(s.value, tile.format_of(s.metric))[0],
                                   **metric_attrs(s.metric, s.value)}
            for s in stats}


def number(stat: Stat, props: Props, class_name: str) -> html.Span:
    """A stat's number, drawn with its first props."""
    return html.Span(id=ids.metric(stat.metric), className=class_name,
                     **props[ids.metric(stat.metric)])


def stat_unit(tile: TileSpec, stat: Stat) -> str:
    """A stat's unit as its format and value choose it (Chinese; ``""`` for none)."""
    return formatted(stat.value, tile.format_of(stat.metric))[1]


def unit(tile: TileSpec, stat: Stat) -> html.Span | None:
    """A stat's unit, or nothing when it has none."""
    label = stat_unit(tile, stat)
    return html.Span(t(label), className="gw-unit") if label else None


def stats_row(tile: TileSpec, stats: tuple[Stat, ...], props: Props) -> html.Div:
    """Labelled numbers side by side (above a chart, beside a gauge)."""
    return html.Div(
        [
            html.Div(
                [
                    html.Div(t(s.label), className="gw-stat-label"),
                    html.Div(
                        [html.Span(id=ids.metric(s.metric), **props[ids.metric(s.metric)]),
                         html.Span(t(stat_unit(tile, s)), className="gw-unit")],
                        className="gw-stat-value",
                    ),
                ],
                className="gw-stat",
            )
            for s in stats
        ],
        className="gw-stats",
    )


STAT_HEADER = ("指标", "名称", "数值", "显示", "单位")


def stat_row(tile: TileSpec, stat: Stat) -> tuple[Cell, ...]:
    """A stat as a table row under ``STAT_HEADER``: the raw value, then as the screen shows it."""
    shown, unit_label = formatted(stat.value, tile.format_of(stat.metric))
    return (stat.metric, plain(stat.label), stat.value, shown, unit_label)


# ---- maps ----------------------------------------------------------------------------------


def js(namespace: str, name: str) -> dict[str, str]:
    """A function in an ``assets/*.js`` namespace (dash-leaflet resolves it on ``window``)."""
    return {"variable": f"{namespace}.{name}"}


def drawn_labels(geojson: dict[str, Any], key: str) -> dict[str, Any]:
    """``geojson`` with each feature's ``key`` property (a Chinese label or a ``Text``) in the
    language being drawn, as the page's JavaScript shows it; geometry is shared, not copied."""
    features = geojson.get("features") or []
    if not any(isinstance(f.get("properties", {}).get(key), Text) for f in features) \
            and current() == "zh":
        return geojson
    return {**geojson, "features": [
        {**f, "properties": {**f["properties"], key: t(f["properties"][key])}}
        if isinstance(f.get("properties", {}).get(key), str | Text) else f
        for f in features]}


def base_map(layers: list[Any]) -> dl.Map:
    """Shanghai without a tile server: only the GeoJSON ``layers`` are drawn."""
    return dl.Map(
        center=[31.2, 121.47],
        zoom=9,
        zoomSnap=0.1,
        zoomControl=False,
        attributionControl=False,
        scrollWheelZoom=False,
        style={"height": "100%", "width": "100%", "background": "transparent"},
        children=layers,
    )


# ---- the tile frame ------------------------------------------------------------------------


def frame_props(data: TileData, version: int) -> dict[str, Any]:
    """The tile root's live attributes: data version and its feed's last event time."""
    return {"data-version": str(version),
            "data-last-event": "" if data.last_event_ms is None else str(data.last_event_ms)}


def _export_link(screen: ScreenSpec, tile: TileSpec, href: str) -> html.A:
    label = pick(f"导出“{tile.title}”数据（CSV）", f"Export the data of “{tile.title_en}” (CSV)")
    return html.A("CSV", href=href, className="gw-export gw-chrome", title=label,
                  **{"aria-label": label, "data-export": screen.tile_ref(tile)})


def _freshness_limits(feed: str | None) -> dict[str, str]:
    # The page judges freshness by the server's limits for this feed, never its own numbers;
    # quiet hours are bureau time (the clock's data-timezone).
    limits = feed_freshness(feed)
    return {"data-live-after": f"{limits.live_s:g}", "data-stale-after": f"{limits.delayed_s:g}",
            "data-quiet-hours": "" if limits.quiet is None else str(limits.quiet)}


def frame(screen: ScreenSpec, tile: TileSpec, data: TileData, version: int, body: Any,
          export_href: str | None = None) -> html.Section:
    """A whole tile around a kind's ``body``: its place on the grid, title, freshness badge,
    and an export link when ``export_href`` is given (full screens; not kiosk or embed)."""
    pos = tile.pos
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
