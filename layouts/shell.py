"""The frame every screen shares: header (title, scope, clock), the scaled design canvas, tiles."""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids, theme
from dashboard.districts import DISTRICTS
from dashboard.query import ScreenQuery
from dashboard.registry import ScreenSpec
from layouts.tile_data import TileData
from layouts.tiles import build_tile


def district_options() -> list[dict[str, str]]:
    return [{"label": "上海市（全市）", "value": "310000"}] + [
        {"label": d.name, "value": d.adcode} for d in DISTRICTS
    ]


def _header(spec: ScreenSpec, query: ScreenQuery) -> html.Header:
    scope_name = query.district.name if query.district else "全市"
    return html.Header(
        className="gw-header",
        children=[
            html.Div(
                [html.A("greenwall", href="/", className="gw-home gw-chrome"),
                 html.Span(scope_name, className="gw-scope-name",
                           **{"data-metric-text": "scope", "data-scope": query.district_code
                              or "310000"})],
                className="gw-header-left",
            ),
            html.H1(spec.title, className="gw-title"),
            html.Div(
                className="gw-header-right",
                children=[
                    dcc.Dropdown(
                        id=ids.SCOPE_PICKER,
                        options=district_options(),
                        value=query.district_code or "310000",
                        clearable=False,
                        searchable=False,
                        className="gw-scope-picker gw-chrome",
                    ),
                    html.Span(className="gw-live-state", title="实时连接"),
                    html.Time(id=ids.CLOCK, className="gw-clock"),
                ],
            ),
        ],
    )


def build_screen(
    spec: ScreenSpec, tiles: dict[str, TileData], version: int, query: ScreenQuery
) -> html.Div:
    """A whole screen at one data version, laid on its design canvas."""
    width, height = spec.canvas
    columns, rows = spec.grid
    grid = html.Main(
        [build_tile(spec, tile, tiles[tile.key], version) for tile in spec.tiles],
        className="gw-grid",
        style={
            "gridTemplateColumns": f"repeat({columns}, minmax(0, 1fr))",
            "gridTemplateRows": f"repeat({rows}, minmax(0, 1fr))",
            "gap": f"{theme.GAP_PX}px",
        },
    )
    canvas = html.Div(
        [_header(spec, query), grid],
        id=ids.CANVAS,
        className="gw-canvas",
        style={"width": f"{width}px", "height": f"{height}px",
               "--gw-header": f"{theme.HEADER_PX}px", "--gw-gap": f"{theme.GAP_PX}px"},
        **{"data-width": str(width), "data-height": str(height)},
    )
    return html.Div(
        canvas,
        id=ids.ROOT,
        className="gw-screen" + (" is-kiosk" if query.kiosk else ""),
        **{
            "data-screen": spec.slug,
            "data-district": query.district_code or "",
            "data-fit": query.fit,
            "data-version": str(version),
            "data-heartbeat": "",
            "data-source": "ok",
        },
    )


def build_error(status: int, message: str) -> html.Div:
    """The page shown for a bad screen URL (also served with that HTTP status)."""
    return html.Div(
        [html.H1(f"{status}", className="gw-error-code"),
         html.P(message, className="gw-error-message"),
         html.A("返回大屏目录", href="/", className="gw-error-link")],
        className="gw-error",
    )
