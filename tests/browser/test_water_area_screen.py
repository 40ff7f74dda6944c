"""The water-area (水域市容环境) screen in real headless Chromium at 1920×1080, fed through real
Redis and a real worker: a message on each of its five feeds changes the screen — a boat on
patrol (headline and map), a collection (headline, section ranking), plants cleared, a section
assessment (score ranking), and an issue moving through its loop while a skipped stage is
dead-lettered with why and moves nothing."""

from __future__ import annotations

import time

from layouts.water_area import SCREEN
from tests.browser.test_waste_screen import connected, severe
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/water-area"
SECTION = "HPJ-02"
KEYS = ("water.boats_on_patrol", "water.tonnes_today", "water.area_today", "water.issues_open",
        f"water.tonnes.{SECTION}", f"water.score.{SECTION}", "water.hyacinth_today",
        "water.issues.found", "water.issues.assigned", "water.issues_today.found")


def values(dash_duo) -> dict[str, str | None]:
    # One script, not find-then-read: ranking and funnel rows are redrawn on an update.
    return dash_duo.driver.execute_script(
        "var out = {};"
        "arguments[0].forEach(function (k) {"
        "  var e = document.querySelector('[data-metric=\"' + k + '\"]');"
        "  out[k] = e ? e.getAttribute('data-value') : null; });"
        "out.boats = document.querySelectorAll("
        "  '[data-tile=\"water-area.map\"] path.gw-case.is-overdue').length;"
        "return out;", list(KEYS))


def number(value: str | None) -> float:
    return float(value) if value not in (None, "") else 0.0


def test_every_feed_reaches_the_screen(dash_duo, screen_app, sources, worker):
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    for tile in SCREEN.tiles:
        dash_duo.wait_for_element(f'[data-tile="water-area.{tile.key}"]')
    wait_until(lambda: connected(dash_duo), timeout=40)
    redis, keys = sources.redis, sources.keys
    start = values(dash_duo)
    assert number(start["water.boats_on_patrol"]) == 0 and start["boats"] == 0

    publish(redis, keys, "water.boat", boat="CB-04", section=SECTION, lat="31.24", lon="121.494",
            status="collecting")
    wait_until(lambda: values(dash_duo)["water.boats_on_patrol"] == "1", timeout=15)
    wait_until(lambda: values(dash_duo)["boats"] == 1, timeout=10)

    publish(redis, keys, "water.collection", boat="CB-04", section=SECTION, tonnes="1.25")
    wait_until(lambda: number(values(dash_duo)["water.tonnes_today"]) == 1.25, timeout=15)
    assert number(values(dash_duo)[f"water.tonnes.{SECTION}"]) == 1.25

    publish(redis, keys, "water.plants", section=SECTION, species="hyacinth", area_m2="2500")
    wait_until(lambda: number(values(dash_duo)["water.hyacinth_today"]) == 2500, timeout=15)
    assert number(values(dash_duo)["water.area_today"]) == 2500

    publish(redis, keys, "water.inspection", inspection="WI-T1", inspector="SGC-1",
            section=SECTION, floating="90", shore="80", facility="100")
    # Default weights 40,35,25: (40×90 + 35×80 + 25×100) ÷ 100 = 89.0
    wait_until(lambda: number(values(dash_duo)[f"water.score.{SECTION}"]) == 89.0, timeout=15)

    publish(redis, keys, "water.issue", issue="WQ-T1", section=SECTION, stage="found",
            category="floating", note="水面漂浮垃圾聚集")
    wait_until(lambda: values(dash_duo)["water.issues.found"] == "1", timeout=15)
    publish(redis, keys, "water.issue", issue="WQ-T1", section=SECTION, stage="assigned",
            company="WC-HUANGPU")
    wait_until(lambda: values(dash_duo)["water.issues.assigned"] == "1", timeout=15)
    after = values(dash_duo)
    assert (after["water.issues.found"], after["water.issues_open"],
            after["water.issues_today.found"]) == ("0", "1", "1")

    # A new issue closed without being found or assigned: dead-lettered with why; nothing moves.
    assert redis.xlen(keys.deadletter) == 0
    publish(redis, keys, "water.issue", issue="WQ-T2", section=SECTION, stage="closed")
    wait_until(lambda: redis.xlen(keys.deadletter) == 1, timeout=10)
    [(_, letter)] = redis.xrange(keys.deadletter)
    assert "WQ-T2" in letter["reason"], letter
    time.sleep(2)  # time enough for a push, were one (wrongly) due
    assert values(dash_duo) == after
    events = dash_duo.driver.execute_script(
        "return document.querySelector('[data-tile=\"water-area.events\"]').innerText;")
    assert "打捞" in events and "水葫芦" in events, events
    assert severe(dash_duo) == []
