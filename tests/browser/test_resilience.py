"""A screen that loses Redis says so, keeps running, and recovers by itself when Redis is back."""

from __future__ import annotations

import threading

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from dashboard.sources import Sources
from datasources.platform.embedded import EmbeddedRedis
from datasources.platform.ingest import IngestWorker, connect
from tests.conftest import wait_until
from tests.feeds_helpers import publish


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own (embedded), so it can be stopped and started again."""
    server = EmbeddedRedis(tmp_path / "redis.db")
    server.start()
    yield server
    server.stop()


def root_attr(dash_duo, name: str) -> str | None:
    # One script, not find-then-read: a page that heals itself by reloading has a new root.
    return dash_duo.driver.execute_script(
        "var r = document.getElementById('gw-root'); return r ? r.getAttribute(arguments[0]) : null;",
        name)


def test_redis_outage_marks_tiles_stale_and_the_screen_recovers(dash_duo, own_redis, tmp_path,
                                                                seeded_db_url):
    settings = Settings(redis_url=own_redis.url, database_url=seeded_db_url, data_dir=tmp_path,
                        simulate=False)
    sources = Sources.from_settings(settings)
    stop = threading.Event()
    worker = IngestWorker(connect(own_redis.url), sources.keys, settings.tz,
                          sources.store.master_lookup(), consumer="resilience", block_ms=100)
    threading.Thread(target=worker.run, args=(stop,), daemon=True).start()
    try:
        publish(sources.redis, sources.keys, "waste.weighing", district="310115",
                station="ST-310115-01", vehicle="VH-1", category="wet", tonnes="3")
        wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 1)
        dash_duo.start_server(create_app(settings, sources))
        dash_duo.wait_for_page(dash_duo.server_url + "/screens/waste-sorting")
        wait_until(lambda: root_attr(dash_duo, "data-connection") == "live", timeout=40)
        tonnes = dash_duo.find_element('[data-tile="waste-sorting.tonnes"]')
        wait_until(lambda: tonnes.get_attribute("data-fresh") == "live")

        own_redis.stop()
        wait_until(lambda: root_attr(dash_duo, "data-connection") == "lost", timeout=20)
        assert tonnes.get_attribute("data-fresh") == "stale"
        assert root_attr(dash_duo, "data-source") == "down"

        own_redis.start()
        wait_until(lambda: root_attr(dash_duo, "data-connection") == "live", timeout=30)
        publish(sources.redis, sources.keys, "waste.weighing", district="310115",
                station="ST-310115-01", vehicle="VH-1", category="wet", tonnes="4")
        metric = '[data-metric="waste.tonnes_today.wet"]'
        wait_until(lambda: dash_duo.find_element(metric).get_attribute("data-value") == "7",
                   timeout=30)
        wait_until(lambda: tonnes.get_attribute("data-fresh") == "live")
    finally:
        stop.set()


def test_a_page_whose_live_connection_goes_silent_reloads_itself(dash_duo, screen_app):
    # The server beats every 5 s even with Redis down, so a silent page has lost its own
    # connection; it reloads (the server still answers) and is live again.
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/screens/waste-sorting")
    wait_until(lambda: root_attr(dash_duo, "data-connection") == "live", timeout=30)
    driver = dash_duo.driver
    driver.execute_script("window.__gwSamePage = true;"
                          "document.getElementById('gw-root').setAttribute("
                          "'data-heartbeat', String(Date.now() - 60000));")
    wait_until(lambda: not driver.execute_script("return !!window.__gwSamePage;"), timeout=15)
    wait_until(lambda: root_attr(dash_duo, "data-connection") == "live", timeout=30)
    # Healthy again: the next silence is met without waiting out a back-off.
    wait_until(lambda: driver.execute_script("return sessionStorage.getItem('gw-heal');") is None)
