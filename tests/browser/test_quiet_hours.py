"""A feed resting in its quiet hours (GREENWALL_QUIET_HOURS) shows "休息时段" on its tiles, not
"数据中断", in real headless Chromium; the header says what "today" means."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By

from datasources.platform.feeds import configure_freshness
from tests.browser.test_waste_screen import connected
from tests.conftest import wait_until
from tests.feeds_helpers import publish

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def settings(settings):
    """Quiet hours for patrols from an hour ago to an hour from now (Shanghai time)."""
    now = datetime.now(SHANGHAI)
    window = f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}"
    return settings.model_copy(update={"quiet_hours": f'{{"forest.patrol": "{window}"}}'})


@pytest.fixture
def restore_freshness():
    yield
    from dashboard.settings import Settings

    configure_freshness(Settings())


def test_a_patrol_feed_resting_in_quiet_hours_says_so(dash_duo, screen_app, sources, worker,
                                                      restore_freshness):
    ranger = sources.store.forest.rangers()[0]
    grid = next(g for g in sources.store.forest.patrol_grids(ranger.district)
                if g.duty_grid_id == ranger.duty_grid_id)
    two_hours_ago = (datetime.now(SHANGHAI) - timedelta(hours=2)).isoformat()
    publish(sources.redis, sources.keys, "forest.patrol", ranger=ranger.id, grid=grid.id,
            kind="finish", lat=grid.lat, lon=grid.lon, ts=two_hours_ago)
    wait_until(lambda: sources.live.feed_stats()["forest.patrol"].ingested == 1)
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/screens/forest-chief")
    wait_until(lambda: connected(dash_duo), timeout=40)
    patrol_tiles = dash_duo.driver.find_elements(By.CSS_SELECTOR, '[data-feed="forest.patrol"]')
    assert patrol_tiles
    wait_until(lambda: all(t.get_attribute("data-fresh") == "quiet" for t in patrol_tiles))
    badge = patrol_tiles[0].find_element(By.CSS_SELECTOR, ".gw-badge")
    shown = dash_duo.driver.execute_script(
        "return getComputedStyle(arguments[0], '::after').content;", badge)
    assert "休息时段" in shown
    note = dash_duo.find_element(".gw-day-note").text
    assert note == "今日 = 上海时间 00:00 起"
