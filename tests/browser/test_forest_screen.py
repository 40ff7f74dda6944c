"""The forest-chief screen in real headless Chromium, fed through real Redis and a real worker."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from layouts.forest_chief import SCREEN
from tests.browser.test_waste_screen import connected, severe, value_of
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/forest-chief"


def click(dash_duo, selector: str) -> None:
    """A real mouse click in the middle of an element (Leaflet listens on its container)."""
    dash_duo.driver.execute_script(
        "var el = document.querySelector(arguments[0]), r = el.getBoundingClientRect();"
        "el.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2,"
        " clientY: r.y + r.height / 2}));", selector)


def test_every_tile_renders_with_empty_feeds(dash_duo, screen_app):
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    for tile in SCREEN.tiles:
        dash_duo.wait_for_element(f'[data-tile="forest-chief.{tile.key}"]')
    wait_until(lambda: connected(dash_duo), timeout=40)
    for tile in SCREEN.tiles:
        element = dash_duo.find_element(f'[data-tile="forest-chief.{tile.key}"]')
        assert element.get_attribute("data-fresh") == "nodata", tile.key
        assert element.find_element(By.CSS_SELECTOR, ".gw-badge").is_displayed()
    assert value_of(dash_duo, "forest.cases.open") == "0"
    assert value_of(dash_duo, "forest.cases.ontime_rate") == ""
    assert value_of(dash_duo, "forest.chiefs.city") == "1"
    assert "暂无数据" in dash_duo.find_element('[data-tile="forest-chief.ticker"]').text
    dash_duo.wait_for_element(".gw-cell")  # the patrol grids are drawn
    assert severe(dash_duo) == []


def test_a_case_moves_through_the_funnel_on_screen(dash_duo, screen_app, sources, worker):
    grid = sources.store.forest.patrol_grids("310117")[0]
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    wait_until(lambda: connected(dash_duo), timeout=40)
    funnel = dash_duo.find_element('[data-tile="forest-chief.funnel"]')
    stages = ("reported", "verified", "disposed", "assessed")
    for n, stage in enumerate(stages):
        version = funnel.get_attribute("data-version")
        publish(sources.redis, sources.keys, "forest.incident", incident="AJ-B-1",
                scenario="neglect", stage=stage, grid=grid.id, lat=grid.lat, lon=grid.lon)
        wait_until(lambda stage=stage: value_of(dash_duo, f"forest.funnel.{stage}.current") == "1",
                   timeout=10)
        if n:
            wait_until(lambda n=n: value_of(dash_duo, f"forest.funnel.{stages[n - 1]}.current")
                       == "0", timeout=10)
        assert value_of(dash_duo, f"forest.funnel.{stage}.reached") == "1"
        assert funnel.get_attribute("data-version") != version
    wait_until(lambda: value_of(dash_duo, "forest.cases.open") == "0", timeout=10)
    assert value_of(dash_duo, "forest.cases.closed_30d") == "1"
    assert value_of(dash_duo, "forest.cases.ontime_rate") == "1"
    wait_until(lambda: funnel.get_attribute("data-fresh") == "live", timeout=3)
    # A step out of order is dead-lettered with why, and the screen does not move.
    publish(sources.redis, sources.keys, "forest.incident", incident="AJ-B-1", scenario="neglect",
            stage="verified", grid=grid.id, lat=grid.lat, lon=grid.lon)
    wait_until(lambda: sources.redis.xlen(sources.keys.deadletter) == 1)
    [(_, letter)] = sources.redis.xrange(sources.keys.deadletter)
    assert "would reopen it" in letter["reason"]
    assert value_of(dash_duo, "forest.funnel.verified.current") == "0"
    assert severe(dash_duo) == []


def test_grid_click_shows_its_people_and_a_district_name_scopes(dash_duo, screen_app, sources,
                                                                worker):
    grid = sources.store.forest.patrol_grids("310115")[0]
    publish(sources.redis, sources.keys, "forest.incident", incident="AJ-C-1", scenario="fire",
            stage="reported", grid=grid.id, lat=grid.lat, lon=grid.lon)
    wait_until(lambda: sources.live.feed_stats()["forest.incident"].ingested == 1)
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    dash_duo.wait_for_element(f".gw-cell-{grid.id}")
    wait_until(lambda: connected(dash_duo), timeout=40)
    click(dash_duo, f".gw-cell-{grid.id}")
    dash_duo.wait_for_element(f'[data-grid="{grid.id}"]')
    info = dash_duo.find_element(".gw-cellmap-info").text
    assert "AJ-C-1" in info and "村居" in info and "护林员" in info
    assert dash_duo.find_element('[data-metric="forest.grid.open_cases"]').get_attribute(
        "data-value") == "1"
    click(dash_duo, ".gw-label-310115")
    wait_until(lambda: "district=310115" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_element('#gw-root[data-district="310115"]')
    dash_duo.wait_for_text_to_equal(".gw-scope-name", "浦东新区")
    assert value_of(dash_duo, "forest.chiefs.district") == "1"
    assert value_of(dash_duo, "forest.cases.open") == "1"
    assert len(dash_duo.driver.find_elements(By.CSS_SELECTOR, "path[class*='gw-district-']")) == 1
    assert severe(dash_duo) == []
