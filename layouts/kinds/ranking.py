"""``ranking``: rows ranked by value with a bar each, each row a link to that scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Props, Table, formatted, metric_attrs


@dataclass(frozen=True)
class RankRow:
    key: str
    label: str
    value: float | None
    metric: str
    href: str | None = None
    selected: bool = False


@dataclass(frozen=True)
class Ranking:
    """Rows ranked by value; bars span ``bar_max`` (1.0 for shares, 100 for scores)."""

    rows: tuple[RankRow, ...]
    empty_text: str = "暂无数据"
    bar_max: float = 1.0
    footer: str = ""


def _rows(tile: TileSpec, data: Ranking) -> list[Any]:
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
                    html.Span(formatted(row.value, tile.format_of(row.metric))[0],
                              className="gw-rank-value",
                              **metric_attrs(row.metric, row.value)),
                ],
            )
        )
    return rows


def update(screen: ScreenSpec, tile: TileSpec, data: Ranking) -> Props:
    return {ids.part(screen.slug, tile.key, "rows"): {"children": _rows(tile, data)}}


def render(screen: ScreenSpec, tile: TileSpec, data: Ranking) -> Any:
    rows_id = ids.part(screen.slug, tile.key, "rows")
    ranking = html.Ol(id=rows_id, className="gw-ranking", **update(screen, tile, data)[rows_id])
    if not data.footer:
        return ranking
    return html.Div([ranking, html.P(t(data.footer), className="gw-ranking-footer")],
                    className="gw-ranking-wrap")


def table(tile: TileSpec, data: Ranking) -> Table:
    """The rows in the order shown."""
    return Table(
        ("排名", "代码", "名称", "数值", "显示", "指标"),
        tuple((rank, row.key, row.label, row.value,
               formatted(row.value, tile.format_of(row.metric))[0], row.metric)
              for rank, row in enumerate(data.rows, start=1)),
    )


KIND = TileKind("ranking", Ranking, render, update, table, push_budget_s=0.5)
