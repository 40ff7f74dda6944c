"""The zoo (野生动物监管) screen in real headless Chromium at 1920×1080, fed through real Redis
and a real worker: a message on each of the zoo's four feeds changes the screen — a feeding
moves the feedings count and its area's compliance, a vet case moves through the funnel while a
skipped stage is dead-lettered with why and moves nothing, a sensor reading out of range raises
an alarm on the board, and a safety incident heads the incident list."""

from __future__ import annotations

import time

from layouts.zoo import SCREEN
from tests.browser.test_waste_screen import connected, severe
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/zoo"
FUNNEL = tuple(f"zoo.cases.{s}" for s in ("reported", "diagnosed", "treated"))
HEADLINE = ("zoo.feedings_today", "zoo.cases_open", "zoo.sensor_alarms", "zoo.incidents_today",
            "zoo.incidents_high", "zoo.area_rate.ZA-CARN", "zoo.temp.ZE-PANDA", *FUNNEL)


def values(dash_duo, *keys: str) -> dict[str, str | None]:
    # One script, not find-then-read: the boards, ranking and funnel redraw their rows.
    return dash_duo.driver.execute_script(
        "var out = {};"
        "arguments[0].forEach(function (k) {"
        "  var e = document.querySelector('[data-metric=\"' + k + '\"]');"
        "  out[k] = e ? e.getAttribute('data-value') : null; });"
        "return out;", list(keys))


def tile_text(dash_duo, tile: str) -> str:
    return dash_duo.driver.execute_script(
        "var e = document.querySelector('[data-tile=\"zoo.' + arguments[0] + '\"]');"
        "return e ? e.innerText : '';", tile)


def band_of(dash_duo, enclosure: str) -> str | None:
    return dash_duo.driver.execute_script(
        "var e = document.querySelector('[data-tile=\"zoo.sensors\"] [data-row=\"' + arguments[0]"
        " + '\"]'); return e ? e.className : null;", enclosure)


def test_each_feed_reaches_the_screen(dash_duo, screen_app, sources, worker):
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    for tile in SCREEN.tiles:
        dash_duo.wait_for_element(f'[data-tile="zoo.{tile.key}"]')
    wait_until(lambda: connected(dash_duo), timeout=40)
    before = values(dash_duo, *HEADLINE)
    assert before["zoo.feedings_today"] == "0" and before["zoo.area_rate.ZA-CARN"] == "0"
    redis, keys = sources.redis, sources.keys

    # zoo.feeding: the pandas' bamboo.
    publish(redis, keys, "zoo.feeding", enclosure="ZE-PANDA", species="SP-PANDA", food="竹子",
            kg="40", keeper="KP-CARN-1")
    wait_until(lambda: values(dash_duo, "zoo.feedings_today")["zoo.feedings_today"] == "1",
               timeout=15)
    rate = float(values(dash_duo, "zoo.area_rate.ZA-CARN")["zoo.area_rate.ZA-CARN"])
    assert rate > 0

    # zoo.health: a case reported, then diagnosed; treated→ skipped to recovered is refused.
    for stage in ("reported", "diagnosed"):
        publish(redis, keys, "zoo.health", case="BL-T1", species="SP-PANDA", enclosure="ZE-PANDA",
                stage=stage, vet="VET-1", note="食欲下降" if stage == "reported" else "")
    wait_until(lambda: values(dash_duo, *FUNNEL) == {FUNNEL[0]: "0", FUNNEL[1]: "1",
                                                      FUNNEL[2]: "0"}, timeout=15)
    assert values(dash_duo, "zoo.cases_open")["zoo.cases_open"] == "1"
    publish(redis, keys, "zoo.health", case="BL-T1", species="SP-PANDA", enclosure="ZE-PANDA",
            stage="recovered", vet="VET-1")
    wait_until(lambda: redis.xlen(keys.deadletter) == 1, timeout=10)
    [(_, letter)] = redis.xrange(keys.deadletter)
    assert letter["reason"] == "stage: case BL-T1 is diagnosed; recovered would skip treated"

    # zoo.enclosure: the panda house at 30 ℃, above its range: an alarm.
    publish(redis, keys, "zoo.enclosure", enclosure="ZE-PANDA", sensor="SN-1", temp_c="30",
            humidity="60", door="closed")
    wait_until(lambda: values(dash_duo, "zoo.sensor_alarms")["zoo.sensor_alarms"] == "1",
               timeout=15)
    wait_until(lambda: "gw-band-5" in (band_of(dash_duo, "ZE-PANDA") or ""), timeout=10)
    assert values(dash_duo, "zoo.temp.ZE-PANDA")["zoo.temp.ZE-PANDA"] == "30"

    # zoo.safety: a severe incident heads the list.
    publish(redis, keys, "zoo.safety", incident="AQ-T1", enclosure="ZE-TIGER", kind="climbing",
            severity="high", note="游客翻越护栏")
    wait_until(lambda: values(dash_duo, "zoo.incidents_today")["zoo.incidents_today"] == "1",
               timeout=15)
    wait_until(lambda: "狮虎山" in tile_text(dash_duo, "safety"), timeout=10)
    assert "翻越护栏" in tile_text(dash_duo, "safety")
    time.sleep(2)  # time enough for a push, were one (wrongly) due from the refused step
    after = values(dash_duo, *HEADLINE)
    assert after == {**before, "zoo.feedings_today": "1", "zoo.area_rate.ZA-CARN": after[
        "zoo.area_rate.ZA-CARN"], "zoo.cases_open": "1", FUNNEL[1]: "1", "zoo.sensor_alarms": "1",
        "zoo.temp.ZE-PANDA": "30", "zoo.incidents_today": "1", "zoo.incidents_high": "1"}
    assert severe(dash_duo) == []
