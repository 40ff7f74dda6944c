"""Poll mode (``GREENWALL_PUSH_MODE=poll``, the benchmark's baseline) in real headless Chromium:
the same screen, refreshed by a 1 s ``dcc.Interval`` instead of the live WebSocket."""

from __future__ import annotations

import pytest

from layouts.waste_sorting import SCREEN
from tests.browser.test_waste_screen import connected
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/waste-sorting"
WET = '[data-metric="waste.tonnes_today.wet"]'


@pytest.fixture
def poll_app(settings):
    from dashboard.app import create_app
    from dashboard.sources import Sources

    poll_sources = Sources.from_settings(settings.model_copy(update={"push_mode": "poll"}))
    yield create_app(poll_sources.settings, poll_sources)
    poll_sources.redis.close()
    poll_sources.store.close()


def test_a_poll_mode_screen_updates_after_a_feed_message(dash_duo, poll_app, sources, worker):
    assert not any(spec.get("websocket") for spec in poll_app.callback_map.values())
    dash_duo.start_server(poll_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    for tile in SCREEN.tiles:
        dash_duo.wait_for_element(f'[data-tile="waste-sorting.{tile.key}"]')
    wait_until(lambda: connected(dash_duo), timeout=40)
    root = dash_duo.find_element("#gw-root")

    before = float(dash_duo.find_element(WET).get_attribute("data-value") or 0)
    tile = dash_duo.find_element('[data-tile="waste-sorting.tonnes"]')
    version = tile.get_attribute("data-version")
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-310115-001", category="wet", tonnes="7.7")
    wait_until(lambda: abs(float(dash_duo.find_element(WET).get_attribute("data-value") or 0)
                           - (before + 7.7)) < 0.05, timeout=15)
    assert tile.get_attribute("data-version") != version
    assert root.get_attribute("data-source") == "ok"
    assert [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"] == []
