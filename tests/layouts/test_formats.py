"""Numbers as a tile shows them: the spec's ``Format`` of each metric, applied by one formatter
(``layouts.kinds._common.formatted`` and ``tone``) to the raw values a payload carries."""

from __future__ import annotations

import math

import pytest

from dashboard.i18n import language, screen_labels, t
from dashboard.registry import PLAIN, Band, Format, GridPos, Larger, TileSpec, get_screen
from layouts.kinds import Stat, formatted, tone
from layouts.kinds._common import stat_row

HOURS = Format(unit="小时", decimals=1, larger=Larger(48, 24, "天"))
RATE = Format(percent=True, decimals=1, bands=(Band(0.95, "good"), Band(0.85, "warn"),
                                                Band(0, "bad")))


@pytest.mark.parametrize(("value", "fmt", "shown"), [
    (1234567, PLAIN, ("1,234,567", "")),
    (1234.5678, Format(unit="吨", decimals=1), ("1,234.6", "吨")),
    (0.125, Format(unit="吨", decimals=2), ("0.12", "吨")),  # as Python rounds the float
    (12.0, Format(unit="%", decimals=2), ("12.00", "%")),
    (0.93685, Format(percent=True, decimals=1), ("93.7%", "")),
    (1.0, Format(percent=True), ("100%", "")),
    (30.71, HOURS, ("30.7", "小时")),
    (47.99, HOURS, ("48.0", "小时")),  # below the threshold: still hours
    (86.4, HOURS, ("3.6", "天")),
])
def test_decimals_units_and_percent(value, fmt, shown):
    assert formatted(value, fmt) == shown


@pytest.mark.parametrize("fmt", [PLAIN, HOURS, RATE, Format(unit="吨", decimals=1)])
def test_no_data_reads_as_a_dash_without_unit(fmt):
    assert formatted(None, fmt) == ("—", "")
    assert formatted(math.nan, fmt) == ("—", "")
    assert tone(None, fmt) == ""


@pytest.mark.parametrize(("value", "expected"), [
    (0.99, "good"), (0.95, "good"), (0.949, "warn"), (0.85, "warn"), (0.2, "bad"), (0.0, "bad"),
])
def test_bands_give_the_tone_of_the_first_band_reached(value, expected):
    assert tone(value, RATE) == expected


def test_no_band_reached_or_none_given_is_no_tone():
    assert tone(-1, RATE) == ""
    assert tone(5, PLAIN) == ""


def test_units_are_labels_in_both_languages():
    waste = get_screen("waste-sorting")
    value, unit = formatted(12.5, waste.tile("tonnes").format_of("waste.tonnes_today.wet"))
    assert (value, unit) == ("12.5", "吨")
    with screen_labels(waste.labels):
        assert t(unit) == "吨"
        with language("en"):
            assert t(unit) == "t"
    forest = get_screen("forest-chief")
    _, days = formatted(96, forest.tile("funnel").format_of("forest.funnel.verified.median_hours"))
    with screen_labels(forest.labels), language("en"):
        assert t(days) == "d"


def test_a_family_key_formats_every_member_and_others_are_plain():
    tile = TileSpec("ranking", "ranking", "排名", "Ranking", GridPos(0, 0, 1, 1),
                    formats={"x.rate.<adcode>": RATE, "x.total": Format(unit="吨")})
    assert tile.format_of("x.rate.310115") is RATE
    assert tile.format_of("x.total").unit == "吨"
    assert tile.format_of("x.rate") is PLAIN
    assert tile.format_of("x.rate.310115.extra") is PLAIN
    assert tile.format_of("y.other") is PLAIN


def test_a_table_row_carries_the_raw_value_and_the_text_shown():
    tile = TileSpec("k", "kpis", "k", "k", GridPos(0, 0, 1, 1),
                    formats={"x.stay": HOURS, "x.rate": RATE})
    assert stat_row(tile, Stat("x.stay", "停留", 96.0)) == ("x.stay", "停留", 96.0, "4.0", "天")
    assert stat_row(tile, Stat("x.rate", "合格率", 0.9)) == ("x.rate", "合格率", 0.9, "90.0%", "")
    assert stat_row(tile, Stat("x.none", "无", None)) == ("x.none", "无", None, "—", "")


def test_a_kpi_card_is_coloured_by_its_bands():
    from dashboard.registry import ScreenSpec
    from layouts.kinds import TileData, build_tile
    from layouts.kinds.kpis import Kpi, Kpis

    tile = TileSpec("k", "kpis", "k", "k", GridPos(0, 0, 4, 2), formats={"x.rate": RATE})
    screen = ScreenSpec("x", "x", "x", "", tiles=(tile,))

    def classes(value):
        drawn = build_tile(screen, tile, TileData(Kpis((Kpi(Stat("x.rate", "合格率", value)),))), 1)
        return [n.className for n in drawn._traverse() if "gw-kpi-main" in
                (getattr(n, "className", "") or "")]

    assert classes(0.97) == ["gw-kpi-main is-good"]
    assert classes(0.5) == ["gw-kpi-main is-bad"]
    assert classes(None) == ["gw-kpi-main"]
