"""``map``: districts shaded by a rate, points (stations) sized by a quantity.

The styles are functions in ``assets/map.js`` that read the ``hideout`` props a live update
sends; the geometry is drawn once with the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dash_leaflet as dl
from dash import html

from dashboard import ids, theme
from dashboard.i18n import Text, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Cell, Props, Table, base_map, drawn_labels, js

_JS = "greenwall.map"


@dataclass(frozen=True)
class DistrictMap:
    """Districts shaded by a rate, points sized by a quantity.

    ``districts`` and ``points`` are GeoJSON drawn once with the page; live updates carry only
    ``rates`` and ``sizes``. So the geometry stays out of ``repr`` and with it out of the tile's
    digest, which fingerprints what an update can change (fingerprinting 160 KB of boundaries
    on every data version was the largest cost of a payload build).
    """

    districts: dict[str, Any] = field(repr=False)
    points: dict[str, Any] = field(repr=False)
    rates: dict[str, float | None]
    sizes: dict[str, float]
    selected: str | None = None
    legend: str = ""
    points_legend: str = ""
    points_unit: str = ""
    # The districts' colours from a rate up, lowest first (default ``theme.RATE_RAMP``, where
    # high is good), and each point's fill colour by id (default one colour for all).
    ramp: tuple[tuple[float, str], ...] | None = None
    colours: dict[str, str] = field(default_factory=dict)
    # With a hint, an info panel the screen's own callback fills when a point is clicked
    # (``ids.part(slug, tile, "info")``; the ring-belt screen's parks).
    hint: str = ""
    # What the point colours mean, when they mean something: (label, colour) pairs.
    points_key: tuple[tuple[str | Text, str], ...] = ()


def update(screen: ScreenSpec, tile: TileSpec, data: DistrictMap) -> Props:
    rates = {k: (None if v is None else round(v, 4)) for k, v in data.rates.items()}
    sizes = {k: round(v, 1) for k, v in data.sizes.items()}
    # ``tip`` and ``unit``: the words of the hover tooltips (assets/map.js), in the page's language.
    return {
        ids.MAP_DISTRICTS: {"hideout": {"rates": rates, "selected": data.selected,
                                        "ramp": _ramp(data), "tip": t(data.legend)}},
        ids.part(screen.slug, tile.key, "points"): {
            "hideout": {"sizes": sizes, "max": max(sizes.values(), default=0.0),
                        "unit": t(data.points_unit), "colours": data.colours}
        },
    }


def _ramp(data: DistrictMap) -> tuple[tuple[float, str], ...]:
    return data.ramp or theme.RATE_RAMP


def _legend(data: DistrictMap) -> html.Div:
    ramp = _ramp(data)
    swatches = []
    for i, (low, colour) in enumerate(ramp):
        high = ramp[i + 1][0] if i + 1 < len(ramp) else None
        label = f"<{high:.0%}" if i == 0 else f"≥{low:.0%}"
        swatches.append(html.Span(className="gw-swatch", style={"background": colour}, title=label))
    ends = [html.Span(f"<{ramp[1][0]:.0%}"), *swatches, html.Span(f"≥{ramp[-1][0]:.0%}")]
    key = [html.Span([html.I(className="gw-legend-dot", style={"background": colour}), t(label)],
                     className="gw-map-key") for label, colour in data.points_key]
    return html.Div([html.Span(t(data.legend)), *ends, html.Span(className="gw-legend-dot"),
                     html.Span(t(data.points_legend)), *key], className="gw-map-legend")


def render(screen: ScreenSpec, tile: TileSpec, data: DistrictMap) -> Any:
    props = update(screen, tile, data)
    points_id = ids.part(screen.slug, tile.key, "points")
    return html.Div(
        className="gw-map",
        children=[
            base_map([
                dl.GeoJSON(
                    id=ids.MAP_DISTRICTS,
                    data=drawn_labels(data.districts, "name"),
                    style=js(_JS, "districtStyle"),
                    hoverStyle=js(_JS, "districtHover"),
                    onEachFeature=js(_JS, "districtLabel"),
                    zoomToBounds=True,
                    **props[ids.MAP_DISTRICTS],
                ),
                dl.GeoJSON(
                    id=points_id,
                    data=data.points,
                    pointToLayer=js(_JS, "stationMarker"),
                    style=js(_JS, "stationStyle"),
                    onEachFeature=js(_JS, "stationLabel"),
                    **props[points_id],
                ),
            ]),
            _legend(data),
            *([html.Div(html.P(t(data.hint), className="gw-note"),
                        id=ids.part(screen.slug, tile.key, "info"), className="gw-map-info")]
              if data.hint else []),
        ],
    )


def table(tile: TileSpec, data: DistrictMap) -> Table:
    """The districts drawn (a scoped map draws one) with the rate their colour shows, then the
    points with their size."""
    rows: list[tuple[Cell, ...]] = []
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


KIND = TileKind("map", DistrictMap, render, update, table, push_budget_s=1.0)
