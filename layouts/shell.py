"""The frame every screen shares: header (title, scope, clock), the scaled design canvas, tiles."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from dashboard import ids, theme
from dashboard.districts import DISTRICTS
from dashboard.i18n import pick, t
from dashboard.query import ScreenQuery
from dashboard.registry import ScreenSpec
from dashboard.settings import BUREAU_TIMEZONE
from layouts.kinds import TileData, build_tile


def export_path(slug: str, tile: str, district: str | None = None) -> str:
    """The URL of a tile's CSV (``/export/<slug>/<tile>.csv``, served by ``dashboard/ops.py``)
    in a scope: the link in the tile's header."""
    query = urlencode({"district": district}) if district else ""
    return f"/export/{slug}/{tile}.csv" + (f"?{query}" if query else "")


def district_options() -> list[dict[str, str]]:
    return [{"label": t("上海市（全市）"), "value": "310000"}] + [
        {"label": t(d.name), "value": d.adcode} for d in DISTRICTS
    ]


def _header(spec: ScreenSpec, query: ScreenQuery, chromeless: bool = False) -> html.Header:
    scope_name = t(query.district.name) if query.district else t("全市")
    return html.Header(
        className="gw-header",
        children=[
            html.Div(
                [None if chromeless else html.A("greenwall", href="/", className="gw-home gw-chrome"),
                 html.Span(scope_name, className="gw-scope-name",
                           **{"data-metric-text": "scope", "data-scope": query.district_code
                              or "310000"})],
                className="gw-header-left",
            ),
            html.H1(pick(spec.title, spec.title_en), className="gw-title"),
            html.Div(
                className="gw-header-right",
                children=[
                    None if chromeless else dcc.Dropdown(
                        id=ids.SCOPE_PICKER,
                        options=district_options(),
                        value=query.district_code or "310000",
                        clearable=False,
                        searchable=False,
                        className="gw-scope-picker gw-chrome",
                    ),
                    html.Span(className="gw-live-state", title=t("实时连接")),
                    html.Div([html.Time(id=ids.CLOCK, className="gw-clock",
                                        **{"data-timezone": BUREAU_TIMEZONE}),
                              # "Today" is the bureau's day: at night its figures start from 0.
                              html.Span(pick("今日 = 上海时间 00:00 起",
                                             "Today from 00:00 Shanghai time"),
                                        className="gw-day-note")],
                             className="gw-clock-box"),
                ],
            ),
        ],
    )


def build_screen(
    spec: ScreenSpec, tiles: dict[str, TileData], version: int, query: ScreenQuery,
    build_id: str = "", *, chromeless: bool = False, root_attrs: dict[str, str] | None = None,
) -> html.Div:
    """A whole screen at one data version: the design stage, drawn on the render canvas.

    ``chromeless`` (embed pages) keeps title, scope and clock but drops links, controls and
    export buttons; ``root_attrs`` adds data attributes to the root (an embed page's rights).

    The stage is laid out at the design size (1920×1080) and scaled to the render canvas as
    vectors: Chromium rasterises text, SVG maps and charts at the canvas's own pixels, so a
    3840×2160 canvas on a 2×2 wall is drawn at 1:1 on each display, not blown up as a picture.
    """
    design_w, design_h = spec.canvas
    # A wall part is a kiosk display: nobody clicks it, so no picker, links or cursor.
    kiosk = query.kiosk or query.wall is not None
    width, height = spec.render_canvas(query.wall is not None)
    columns, rows = spec.grid
    grid = html.Main(
        [build_tile(spec, tile, tiles[tile.key], version,
                    export_href=None if chromeless or kiosk
                    else export_path(spec.slug, tile.key, query.district_code))
         for tile in spec.tiles],
        className="gw-grid",
        style={
            "gridTemplateColumns": f"repeat({columns}, minmax(0, 1fr))",
            "gridTemplateRows": f"repeat({rows}, minmax(0, 1fr))",
            "gap": f"{theme.GAP_PX}px",
        },
    )
    stage = html.Div(
        [_header(spec, query, chromeless), grid],
        className="gw-stage",
        style={"width": f"{design_w}px", "height": f"{design_h}px", "transformOrigin": "0 0",
               "transform": f"scale({height / design_h:g})",
               "--gw-header": f"{theme.HEADER_PX}px", "--gw-gap": f"{theme.GAP_PX}px"},
    )
    canvas = html.Div(
        stage,
        id=ids.CANVAS,
        className="gw-canvas",
        style={"width": f"{width}px", "height": f"{height}px"},
        **{"data-width": str(width), "data-height": str(height)},
    )
    wall = query.wall
    return html.Div(
        canvas,
        id=ids.ROOT,
        className="gw-screen" + (" is-kiosk" if kiosk else ""),
        lang="en" if query.lang == "en" else "zh-CN",
        **{
            "data-screen": spec.slug,
            "data-district": query.district_code or "",
            "data-fit": query.fit,
            "data-layout": "canvas" if wall else query.layout,
            "data-wall": f"{wall.columns}x{wall.rows}" if wall else "",
            "data-wall-tile": str(wall.tile) if wall else "",
            "data-rotate": str(query.rotate_s or ""),
            "data-screens": ",".join(query.screens),
            "data-rotate-districts": str(query.rotate_districts_s or ""),
            "data-kiosk": "1" if kiosk else "",
            "data-build": build_id,
            "data-version": str(version),
            "data-heartbeat": "",
            "data-source": "ok",
            **(root_attrs or {}),
        },
    )


def build_error(status: int, message: str) -> html.Div:
    """The page shown for a bad screen URL (also served with that HTTP status)."""
    return html.Div(
        [html.H1(f"{status}", className="gw-error-code"),
         html.P(message, className="gw-error-message"),
         html.A(t("返回大屏目录"), href="/", className="gw-error-link")],
        className="gw-error",
    )
