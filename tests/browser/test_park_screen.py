"""The park visitor-flow screen in real headless Chromium, fed gate counts through real Redis and a
real worker: the numbers move, and a park filling past 80 % of its capacity raises the alert."""

from __future__ import annotations

from layouts.park_flow import SCREEN
from tests.browser.test_waste_screen import connected, severe
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/park-flow"
GUCUN = "PK-GUCUN"


def value_of(dash_duo, key: str) -> str | None:
    # One script, not find-then-read: the board and the ranking redraw their rows on an update.
    return dash_duo.driver.execute_script(
        "var e = document.querySelector('[data-metric=\"' + arguments[0] + '\"]');"
        "return e ? e.getAttribute('data-value') : null;", key)


def band_of(dash_duo, park: str) -> str | None:
    return dash_duo.driver.execute_script(
        "var e = document.querySelector('[data-tile=\"park-flow.board\"] [data-row=\"' +"
        " arguments[0] + '\"]'); return e ? e.getAttribute('class') : null;", park)


def gates(sources, entered: int, exited: int = 0, times: int = 1) -> None:
    for n in range(times):
        publish(sources.redis, sources.keys, "park.gate", park=GUCUN, gate=f"{GUCUN}-G{n % 6 + 1}",
                entered=entered, exited=exited)


def test_gate_counts_reach_the_board_and_raise_the_crowding_alert(dash_duo, screen_app, sources,
                                                                  worker):
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    for tile in SCREEN.tiles:
        dash_duo.wait_for_element(f'[data-tile="park-flow.{tile.key}"]')
    wait_until(lambda: connected(dash_duo), timeout=40)
    assert value_of(dash_duo, f"park.capacity.{GUCUN}") == "120000"
    assert value_of(dash_duo, "park.alerts") == "0"

    gates(sources, 9_000, times=10)  # 90,000 of 120,000: 较拥挤 is at 96,000
    wait_until(lambda: value_of(dash_duo, f"park.in_park.{GUCUN}") == "90000", timeout=15)
    assert value_of(dash_duo, f"park.entries_today.{GUCUN}") == "90000"
    assert value_of(dash_duo, "park.entries_today") == "90000"
    assert value_of(dash_duo, "park.alerts") == "0"
    alerts = dash_duo.find_element('[data-tile="park-flow.alerts"]')
    assert "顾村公园" not in alerts.text

    gates(sources, 7_000)  # 97,000: over the announce line
    wait_until(lambda: value_of(dash_duo, "park.alerts") == "1", timeout=15)
    wait_until(lambda: "顾村公园" in alerts.text and "较拥挤" in alerts.text, timeout=5)
    assert "gw-band-4" in band_of(dash_duo, GUCUN)

    gates(sources, 0, 10_000)  # 87,000: back below
    wait_until(lambda: value_of(dash_duo, "park.alerts") == "0", timeout=15)
    wait_until(lambda: "已回落" in alerts.text, timeout=5)
    assert severe(dash_duo) == []
