"""The park screen's tile data from real gate messages through a real worker: a park filling up
raises a crowding alert at the announce line (80 % of 顾村公园's published 120,000) and clears it
when it falls back; a district scope holds its own parks only."""

from __future__ import annotations

from callbacks.park_flow import payload
from dashboard.i18n import language, plain, t
from dashboard.query import parse_query
from dashboard.registry import get_screen
from layouts.park_flow import ANNOUNCE, CLEARED
from layouts.shell import build_screen
from tests.conftest import wait_until
from tests.dashboard.test_waste_payload import metric_values
from tests.feeds_helpers import publish

GUCUN, BAOSHAN, PUDONG = "PK-GUCUN", "310113", "310115"


def gates(sources, entered: int, exited: int, times: int = 1) -> None:
    before = sources.live.feed_stats()["park.gate"].ingested
    for n in range(times):
        publish(sources.redis, sources.keys, "park.gate", park=GUCUN, gate=f"{GUCUN}-G{n % 6 + 1}",
                entered=entered, exited=exited)
    wait_until(lambda: sources.live.feed_stats()["park.gate"].ingested == before + times)


def shown(sources, district=None) -> dict[str, str]:
    tiles = payload(sources, district)
    return metric_values(build_screen(get_screen("park-flow"), tiles, 1, parse_query("")))


def test_a_park_crossing_80_percent_raises_an_alert_and_clears_it(sources, worker):
    gates(sources, 9_500, 0, times=10)  # 95,000: just under 96,000
    values = shown(sources)
    assert values["park.in_park.PK-GUCUN"] == "95000"
    assert values["park.capacity.PK-GUCUN"] == "120000"
    assert values["park.alerts"] == "0"
    gates(sources, 1_500, 0)  # 96,500
    tiles = payload(sources, None)
    alerts = tiles["alerts"].content.rows
    assert [plain(row.cells[3]) for row in alerts] == [ANNOUNCE]
    assert plain(alerts[0].cells[1]) == "顾村公园"
    assert shown(sources)["park.alerts"] == "1"
    board = {row.key: row for row in tiles["board"].content.rows}
    assert board[GUCUN].band == 4 and board[GUCUN].tag == "估算"
    gates(sources, 0, 10_000, times=2)  # 76,500: back below
    tiles = payload(sources, None)
    assert [plain(row.cells[3]) for row in tiles["alerts"].content.rows] == [CLEARED]
    assert shown(sources)["park.alerts"] == "0"


def test_a_measured_count_shows_as_counted(sources, worker):
    publish(sources.redis, sources.keys, "park.occupancy", park=GUCUN, count=1234)
    wait_until(lambda: sources.live.feed_stats()["park.occupancy"].ingested == 1)
    tiles = payload(sources, None)
    board = {row.key: row for row in tiles["board"].content.rows}
    assert board[GUCUN].tag == "实测" and board[GUCUN].cells[0].value == 1234
    assert shown(sources)["park.counted"] == "1"


def test_a_district_holds_its_own_parks(sources, worker):
    gates(sources, 100, 0)
    baoshan, pudong = shown(sources, BAOSHAN), shown(sources, PUDONG)
    assert baoshan["park.in_park"] == "100" and "park.in_park.PK-GUCUN" in baoshan
    assert pudong["park.in_park"] == "0" and "park.in_park.PK-GUCUN" not in pudong
    assert "park.in_park.PK-CENTURY" in pudong


def test_real_parks_read_in_english_by_their_english_name(sources):
    tiles = payload(sources, None)
    names = {row.key: row.label for row in tiles["board"].content.rows}
    with language("en"):
        assert t(names[GUCUN]) == "Gucun Park"
    assert plain(names[GUCUN]) == "顾村公园"


def test_a_park_master_data_does_not_know_counts_city_wide_and_is_listed(sources, worker):
    publish(sources.redis, sources.keys, "park.gate", park="PK-NEW-1", gate="G1", entered=40,
            exited=0)
    wait_until(lambda: sources.live.feed_stats()["park.gate"].ingested == 1)
    city, baoshan = shown(sources), shown(sources, BAOSHAN)
    assert city["park.unregistered"] == "1" and city["park.in_park"] == "40"
    assert city["park.entries_today"] == "40"
    assert baoshan["park.in_park"] == "0" and baoshan["park.unregistered"] == "0"
