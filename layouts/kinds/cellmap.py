"""``cellmap``: districts shaded by a level, grid cells shaded by a count, markers by category,
and an info panel that a click on a cell fills (``callbacks/forest_map.py``).

The styles are functions in ``assets/forest.js`` that read the ``hideout`` props a live update
sends; districts and cells are drawn once with the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dash_leaflet as dl
from dash import html

from dashboard import ids
from dashboard.i18n import Text, plain, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Cell, Props, Table, base_map, drawn_labels, js

_JS = "greenwall.forest"


@dataclass(frozen=True)
class GeoLayer:
    """GeoJSON drawn once with the page. ``key`` names this geometry: it stands for the data
    in the tile's digest, so big geometry is not fingerprinted on every update."""

    key: str
    data: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class CellMap:
    """Districts shaded by a level, grid cells shaded by a count, markers by category.

    ``districts`` and ``cells`` are drawn once; live updates carry ``levels``, ``values`` and
    the ``markers`` GeoJSON (each point's ``colour`` in its properties). ``legend`` holds a
    (label, colour) pair per level from 1 up, ``marker_legend`` one per marker category,
    ``cell_legend`` says what a shaded cell means, ``cell_tip`` the label and unit of a cell's
    count in its hover tooltip (``("今日巡护", "次")``).
    """

    districts: GeoLayer
    cells: GeoLayer
    markers: dict[str, Any]
    levels: dict[str, int | None]
    values: dict[str, int]
    selected: str | None = None
    legend: tuple[tuple[str | Text, str], ...] = ()
    marker_legend: tuple[tuple[str | Text, str], ...] = ()
    cell_legend: tuple[str | Text, str] | None = None
    hint: str = ""
    cell_tip: tuple[str | Text, str | Text] = ("", "")


def update(screen: ScreenSpec, tile: TileSpec, data: CellMap) -> Props:
    # ``names``, ``none``, ``tip`` and ``unit``: the words of the hover tooltips
    # (assets/forest.js), in the page's language.
    return {
        ids.MAP_DISTRICTS: {"hideout": {"levels": data.levels, "selected": data.selected,
                                        "ramp": [colour for _, colour in data.legend],
                                        "names": [t(label) for label, _ in data.legend],
                                        "none": t("暂无数据")}},
        ids.part(screen.slug, tile.key, "cells"): {"hideout": {
            "values": data.values, "colour": data.cell_legend[1] if data.cell_legend else None,
            "tip": t(data.cell_tip[0]), "unit": t(data.cell_tip[1])}},
        ids.part(screen.slug, tile.key, "markers"): {"data": drawn_labels(data.markers, "label")},
    }


def _legend(pairs: tuple[tuple[str | Text, str], ...], class_name: str) -> html.Div:
    return html.Div([html.Span([html.I(style={"background": colour}), t(label)])
                     for label, colour in pairs], className=class_name)


def render(screen: ScreenSpec, tile: TileSpec, data: CellMap) -> Any:
    props = update(screen, tile, data)
    cells_id = ids.part(screen.slug, tile.key, "cells")
    markers_id = ids.part(screen.slug, tile.key, "markers")
    return html.Div(
        className="gw-map gw-cellmap",
        children=[
            base_map([
                dl.GeoJSON(id=ids.MAP_DISTRICTS, data=drawn_labels(data.districts.data, "name"),
                           style=js(_JS, "districtStyle"), onEachFeature=js(_JS, "districtLabel"),
                           zoomToBounds=True, **props[ids.MAP_DISTRICTS]),
                dl.GeoJSON(id=cells_id, data=data.cells.data, style=js(_JS, "cellStyle"),
                           hoverStyle=js(_JS, "cellHover"), onEachFeature=js(_JS, "cellTip"),
                           **props[cells_id]),
                dl.GeoJSON(id=markers_id, pointToLayer=js(_JS, "caseMarker"),
                           onEachFeature=js(_JS, "caseLabel"), **props[markers_id]),
            ]),
            html.Div([_legend(data.legend, "gw-cellmap-legend"),
                      _legend(((data.cell_legend,) if data.cell_legend else ())
                              + data.marker_legend, "gw-cellmap-legend gw-cellmap-markers")],
                     className="gw-cellmap-legends"),
            html.Div(html.P(t(data.hint), className="gw-note"),
                     id=ids.part(screen.slug, tile.key, "info"), className="gw-cellmap-info"),
        ],
    )


def table(tile: TileSpec, data: CellMap) -> Table:
    """The districts with their level, the cells with their count, then the markers."""
    rows: list[tuple[Cell, ...]] = []
    for feature in data.districts.data.get("features", []):
        props = feature.get("properties", {})
        adcode = props.get("adcode")
        rows.append(("区·等级", adcode, props.get("name", adcode), data.levels.get(adcode)))
    cells = plain(data.cell_legend[0]) if data.cell_legend else "网格"
    for feature in data.cells.data.get("features", []):
        key = feature.get("properties", {}).get("id", feature.get("id"))
        rows.append((cells, key, key, data.values.get(key, 0)))
    for feature in data.markers.get("features", []):
        props = feature.get("properties", {})
        rows.append(("标记", props.get("id"), plain(props.get("label", props.get("id"))), None))
    return Table(("图层", "代码", "名称", "数值"), tuple(rows))


KIND = TileKind("cellmap", CellMap, render, update, table, push_budget_s=1.0)
