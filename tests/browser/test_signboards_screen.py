"""The signboard (户外招牌) screen in real headless Chromium at 1920×1080, fed through real Redis
and a real worker: a sensor reading over the tilt limit reaches the headline and the live alarm
list, the duty officer's typhoon switch tightens the limits on screen (a reading under the
normal limit becomes an alarm), and a hazard moves through the loop while a skipped stage is
dead-lettered with why and moves nothing."""

from __future__ import annotations

import time

from layouts.signboards import SCREEN
from tests.browser.test_waste_screen import connected, severe
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/signboards"
LOOP = tuple(f"sign.cases.{s}" for s in ("found", "notified", "rectified"))
HEAD = ("sign.alarms_now", "sign.typhoon", "sign.tilt_limit", "sign.sensors_offline")


def values(dash_duo, *keys: str) -> dict[str, str | None]:
    # One script, not find-then-read: the ranking and funnel tiles redraw their rows on an update.
    return dash_duo.driver.execute_script(
        "var out = {};"
        "arguments[0].forEach(function (k) {"
        "  var e = document.querySelector('[data-metric=\"' + k + '\"]');"
        "  out[k] = e ? e.getAttribute('data-value') : null; });"
        "return out;", list(keys))


def tile_text(dash_duo, tile: str) -> str:
    return dash_duo.driver.execute_script(
        "var e = document.querySelector('[data-tile=\"signboards.' + arguments[0] + '\"]');"
        "return e ? e.innerText : '';", tile)


def open_screen(dash_duo, screen_app) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    for tile in SCREEN.tiles:
        dash_duo.wait_for_element(f'[data-tile="signboards.{tile.key}"]')
    wait_until(lambda: connected(dash_duo), timeout=40)


def test_each_feed_reaches_the_screen(dash_duo, screen_app, sources, worker):
    sensors = sources.store.sign.sign_sensors()
    signs = {s.id: s for s in sources.store.sign.sign_boards()}
    tilted, leaning = sensors[0], sensors[1]
    open_screen(dash_duo, screen_app)
    start = values(dash_duo, *HEAD)
    assert (start["sign.alarms_now"], start["sign.typhoon"], start["sign.tilt_limit"]) == (
        "0", "0", "3")
    offline = int(start["sign.sensors_offline"])

    # sign.sensor: one sensor over the tilt limit, one at 2° (under it).
    publish(sources.redis, sources.keys, "sign.sensor", sensor=tilted.id, sign=tilted.sign,
            online="1", tilt="4.2", vibration="3", battery="80")
    publish(sources.redis, sources.keys, "sign.sensor", sensor=leaning.id, sign=leaning.sign,
            online="1", tilt="2.0", vibration="3", battery="80")
    wait_until(lambda: values(dash_duo, *HEAD) == {
        **start, "sign.alarms_now": "1", "sign.sensors_offline": str(offline - 2)}, timeout=15)
    wait_until(lambda: signs[tilted.sign].name in tile_text(dash_duo, "alarms"), timeout=10)
    assert signs[leaning.sign].name not in tile_text(dash_duo, "alarms")

    # sign.typhoon: the duty officer switches typhoon mode on; 2° is now an alarm too.
    publish(sources.redis, sources.keys, "sign.typhoon", mode="on", officer="ZB-T")
    wait_until(lambda: values(dash_duo, *HEAD) == {
        "sign.alarms_now": "2", "sign.typhoon": "1", "sign.tilt_limit": "1.5",
        "sign.sensors_offline": str(offline - 2)}, timeout=15)
    wait_until(lambda: signs[leaning.sign].name in tile_text(dash_duo, "alarms"), timeout=10)

    # sign.inspection: a hazard found, then notified.
    base = {k: int(v or 0) for k, v in values(dash_duo, *LOOP).items()}
    publish(sources.redis, sources.keys, "sign.inspection", case="YH-B1", sign=tilted.sign,
            stage="found", category="tilt")
    wait_until(lambda: values(dash_duo, LOOP[0])[LOOP[0]] == str(base[LOOP[0]] + 1), timeout=15)
    publish(sources.redis, sources.keys, "sign.inspection", case="YH-B1", sign=tilted.sign,
            stage="notified")
    wait_until(lambda: values(dash_duo, *LOOP) == {
        LOOP[0]: str(base[LOOP[0]]), LOOP[1]: str(base[LOOP[1]] + 1), LOOP[2]: str(base[LOOP[2]])},
        timeout=15)
    after = values(dash_duo, *LOOP)

    # notified → verified skips rectified: dead-lettered with why, and the loop does not move.
    assert sources.redis.xlen(sources.keys.deadletter) == 0
    publish(sources.redis, sources.keys, "sign.inspection", case="YH-B1", sign=tilted.sign,
            stage="verified")
    wait_until(lambda: sources.redis.xlen(sources.keys.deadletter) == 1, timeout=10)
    [(_, letter)] = sources.redis.xrange(sources.keys.deadletter)
    assert "would skip rectified" in letter["reason"] and "YH-B1" in letter["reason"], letter
    time.sleep(2)  # time enough for a push, were one (wrongly) due
    assert values(dash_duo, *LOOP) == after
    assert severe(dash_duo) == []
