"""``gauge``: a ring showing a share (0–1), with labelled numbers beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard import ids
from dashboard.i18n import t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import STAT_HEADER, Props, Stat, Table, stat_props, stat_row, stats_row


@dataclass(frozen=True)
class Gauge:
    """A ring showing ``ring`` (a share 0–1) with stats beside it."""

    ring: Stat
    stats: tuple[Stat, ...] = ()
    note: str = ""


def update(screen: ScreenSpec, tile: TileSpec, data: Gauge) -> Props:
    ring = ids.part(screen.slug, tile.key, "ring")
    share = data.ring.value or 0.0
    return {
        ring: {"style": {"--gw-share": f"{min(max(share, 0), 1) * 360:.1f}deg"}},
        **stat_props(tile, (data.ring, *data.stats)),
    }


def render(screen: ScreenSpec, tile: TileSpec, data: Gauge) -> Any:
    props = update(screen, tile, data)
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
            stats_row(tile, data.stats, props),
            html.Div(t(data.note), className="gw-note") if data.note else None,
        ],
    )


def table(tile: TileSpec, data: Gauge) -> Table:
    """The ring, then the stats."""
    return Table(STAT_HEADER, tuple(stat_row(tile, s) for s in (data.ring, *data.stats)))


KIND = TileKind("gauge", Gauge, render, update, table, push_budget_s=0.0)
