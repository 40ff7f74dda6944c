"""The waste-sorting screen in real headless Chromium, fed through real Redis and a real worker."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from layouts.waste_sorting import SCREEN
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/waste-sorting"


def value_of(dash_duo, key: str) -> str:
    return dash_duo.find_element(f'[data-metric="{key}"]').get_attribute("data-value")


def connected(dash_duo) -> bool:
    # One script, not find-then-read: a page that heals itself by reloading has a new root.
    return dash_duo.driver.execute_script(
        "var r = document.getElementById('gw-root');"
        "return !!r && !!r.getAttribute('data-heartbeat') &&"
        " r.getAttribute('data-connection') === 'live';")


def severe(dash_duo) -> list:
    return [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]


def test_every_tile_renders_and_a_feed_message_reaches_the_dom(dash_duo, screen_app, sources,
                                                               worker):
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    for tile in SCREEN.tiles:
        dash_duo.wait_for_element(f'[data-tile="waste-sorting.{tile.key}"]')
    wait_until(lambda: connected(dash_duo), timeout=40)

    before = float(value_of(dash_duo, "waste.tonnes_today.wet") or 0)
    tile = dash_duo.find_element('[data-tile="waste-sorting.tonnes"]')
    version = tile.get_attribute("data-version")
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-310115-001", category="wet", tonnes="12.3")
    wait_until(lambda: abs(float(value_of(dash_duo, "waste.tonnes_today.wet") or 0)
                           - (before + 12.3)) < 0.05, timeout=10)
    assert tile.get_attribute("data-version") != version
    wait_until(lambda: tile.get_attribute("data-fresh") == "live", timeout=3)
    assert severe(dash_duo) == []


def test_feed_text_is_rendered_as_text_never_as_html(dash_duo, screen_app, sources, worker):
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    wait_until(lambda: connected(dash_duo), timeout=40)
    site = sources.store.sites("310101")[0]
    hostile = '<img src=x onerror="document.title=\'pwned\'">'
    publish(sources.redis, sources.keys, "waste.quality", district="310101", camera="QC-T",
            site=site.id, verdict="unqualified", issue=hostile, confidence="0.7")
    ticker = '[data-tile="waste-sorting.unqualified"] .gw-ticker'
    wait_until(lambda: hostile in dash_duo.find_element(ticker).text, timeout=10)
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, f"{ticker} img") == []
    assert dash_duo.driver.title != "pwned"


def test_clicking_a_district_on_the_map_scopes_the_screen(dash_duo, screen_app, sources, worker):
    publish(sources.redis, sources.keys, "waste.weighing", district="310101",
            station="ST-310101-01", vehicle="VH-1", category="dry", tonnes="4")
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-2", category="dry", tonnes="9")
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 2)
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    dash_duo.wait_for_element(".gw-district-310115")
    assert value_of(dash_duo, "waste.tonnes_today.dry") == "13"
    dash_duo.driver.execute_script(
        "var p = document.querySelector('.gw-district-310115'), r = p.getBoundingClientRect();"
        "p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2,"
        " clientY: r.y + r.height / 2}));"
    )
    wait_until(lambda: "district=310115" in dash_duo.driver.current_url, timeout=10)
    dash_duo.wait_for_element('#gw-root[data-district="310115"]')
    dash_duo.wait_for_text_to_equal(".gw-scope-name", "浦东新区")
    assert value_of(dash_duo, "waste.tonnes_today.dry") == "9"
    assert len(dash_duo.driver.find_elements(By.CSS_SELECTOR, ".leaflet-interactive[class*="
                                                               "'gw-district-']")) == 1
    assert severe(dash_duo) == []


def test_ranking_link_scopes_and_unknown_district_is_a_404_page(dash_duo, screen_app):
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    # Waited for, not found at once: on a busy machine the ranking draws after the page.
    dash_duo.wait_for_element('[data-tile="waste-sorting.ranking"] a[href$="district=310110"]',
                              timeout=20).click()
    dash_duo.wait_for_text_to_equal(".gw-scope-name", "杨浦区")
    dash_duo.driver.get(dash_duo.server_url + URL + "?district=999999")
    dash_duo.wait_for_text_to_equal(".gw-error-code", "404")
    assert "unknown district" in dash_duo.find_element(".gw-error-message").text
