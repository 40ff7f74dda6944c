"""``kpis``: headline cards, each a big number with a few smaller ones under it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from dashboard.i18n import plain, t
from dashboard.registry import ScreenSpec, TileSpec
from layouts.kinds import TileKind
from layouts.kinds._common import (
    STAT_HEADER,
    Props,
    Stat,
    Table,
    number,
    stat_props,
    stat_row,
    tone,
    unit,
)


@dataclass(frozen=True)
class Kpi:
    """A headline card: one big number and a few smaller ones under it. The big number is
    coloured by the bands of its format ("good", "warn" or "bad")."""

    stat: Stat
    subs: tuple[Stat, ...] = ()


@dataclass(frozen=True)
class Kpis:
    cards: tuple[Kpi, ...]


def update(screen: ScreenSpec, tile: TileSpec, data: Kpis) -> Props:
    return stat_props(tile, [s for card in data.cards for s in (card.stat, *card.subs)])


def render(screen: ScreenSpec, tile: TileSpec, data: Kpis) -> Any:
    props = update(screen, tile, data)
    cards = []
    for card in data.cards:
        card_tone = tone(card.stat.value, tile.format_of(card.stat.metric))
        subs = [html.Span([html.Span(t(s.label), className="gw-kpi-sub-label"),
                           number(s, props, "gw-kpi-sub-value"), unit(tile, s)],
                          className="gw-kpi-sub")
                for s in card.subs]
        cards.append(html.Div(
            [html.Div(t(card.stat.label), className="gw-kpi-label"),
             html.Div([number(card.stat, props, "gw-kpi-value"), unit(tile, card.stat)],
                      className="gw-kpi-main" + (f" is-{card_tone}" if card_tone else "")),
             html.Div(subs, className="gw-kpi-subs") if subs else None],
            className="gw-kpi"))
    return html.Div(cards, className="gw-kpis", style={"--gw-kpi-count": str(len(cards))})


def table(tile: TileSpec, data: Kpis) -> Table:
    # Sub-figures are named after their card: "今日" alone could belong to any card.
    return Table(("分组", *STAT_HEADER), tuple(
        (plain(card.stat.label), *stat_row(tile, s))
        for card in data.cards for s in (card.stat, *card.subs)))


KIND = TileKind("kpis", Kpis, render, update, table, push_budget_s=0.0)
