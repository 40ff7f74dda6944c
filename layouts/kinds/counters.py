"""``counters``: flip counters, one per figure, each against an optional daily target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import t
from dashboard.registry import Format, ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import Props, Table, formatted, metric_attrs


@dataclass(frozen=True)
class Counter:
    """A flip counter: one number against an optional target (in the same format)."""

    metric: str
    label: str
    value: float | None
    target: float | None = None
    colour: str = "#35d0ff"
    target_metric: str | None = None


@dataclass(frozen=True)
class Counters:
    items: tuple[Counter, ...]


_DONE = Format(percent=True)


def _share(item: Counter) -> float | None:
    return (item.value or 0) / item.target if item.target else None


def _digits(text: str) -> list[html.Span]:
    return [
        html.Span(ch, className="gw-digit" if ch.isdigit() else "gw-sep") for ch in text
    ]


def update(screen: ScreenSpec, tile: TileSpec, data: Counters) -> Props:
    props: Props = {}
    for item in data.items:
        props[ids.metric(item.metric)] = {
            "children": _digits(formatted(item.value, tile.format_of(item.metric))[0]),
            **metric_attrs(item.metric, item.value),
        }
        share = _share(item)
        props[ids.part(screen.slug, tile.key, item.metric + ".bar")] = {
            "style": {"width": f"{min(share or 0, 1) * 100:.1f}%", "background": item.colour},
        }
        props[ids.part(screen.slug, tile.key, item.metric + ".share")] = {
            "children": f"{t('完成')} {formatted(share, _DONE)[0]}" if share is not None
                        else t("无目标"),
            **metric_attrs(item.metric + "_share", share),
        }
    return props


def render(screen: ScreenSpec, tile: TileSpec, data: Counters) -> Any:
    props = update(screen, tile, data)
    cells = []
    for item in data.items:
        fmt = tile.format_of(item.metric)
        target_text, unit = formatted(item.target, fmt)[0], fmt.unit
        bar_id = ids.part(screen.slug, tile.key, item.metric + ".bar")
        share_id = ids.part(screen.slug, tile.key, item.metric + ".share")
        target = (
            html.Span(
                target_text,
                className="gw-target-value",
                **metric_attrs(item.target_metric, item.target),
            )
            if item.target_metric
            else target_text
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
                            html.Span(t(unit), className="gw-unit"),
                        ],
                    ),
                    html.Div(className="gw-progress", children=html.Div(
                        id=bar_id, className="gw-progress-bar", **props[bar_id])),
                    html.Div(
                        className="gw-counter-foot",
                        children=[
                            html.Span([t("日目标") + " ", target, f" {t(unit)}"]),
                            html.Span(id=share_id, **props[share_id]),
                        ],
                    ),
                ],
            )
        )
    return html.Div(cells, className="gw-counters")


def table(tile: TileSpec, data: Counters) -> Table:
    return Table(("指标", "名称", "数值", "单位", "日目标", "完成率"), tuple(
        (item.metric, item.label, item.value, tile.format_of(item.metric).unit, item.target,
         _share(item))
        for item in data.items))


KIND = TileKind("counters", Counters, render, update, table, push_budget_s=0.0)
