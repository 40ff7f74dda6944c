"""The ring-belt (环城生态公园带) screen in real headless Chromium at 1920×1080, fed through real
Redis and a real worker: a device fault reaches the devices and faults tiles, a project moves
through the funnel while a skipped stage is dead-lettered with why and moves nothing, and a click
on a belt park on the map fills the park info panel through the screen's own callback."""

from __future__ import annotations

import time

from layouts.ring_belt import SCREEN
from tests.browser.test_waste_screen import connected, severe
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/ring-belt"
PROJECT = "XM-BELT-T1"
PROJECT_NAME = "环城绿道贯通测试项目"
FUNNEL = tuple(f"belt.projects.{s}" for s in ("plan", "approve", "design", "build"))


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
        "var e = document.querySelector('[data-tile=\"ring-belt.' + arguments[0] + '\"]');"
        "return e ? e.innerText : '';", tile)


def open_screen(dash_duo, screen_app) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL)
    for tile in SCREEN.tiles:
        dash_duo.wait_for_element(f'[data-tile="ring-belt.{tile.key}"]')
    wait_until(lambda: connected(dash_duo), timeout=40)
    assert dash_duo.driver.execute_script(
        "return [window.innerWidth, window.innerHeight];") == [1920, 1080]


def test_device_fault_and_project_steps_reach_the_screen(dash_duo, screen_app, sources, worker):
    device = sources.store.belt.belt_devices()[0]
    park = next(p for p in sources.store.belt.belt_parks() if p.id == device.park)
    open_screen(dash_duo, screen_app)

    # A registered device reports a fault: one more at fault, and it heads the faults tile.
    before = int(values(dash_duo, "belt.devices_fault")["belt.devices_fault"] or 0)
    publish(sources.redis, sources.keys, "belt.device", device=device.id, park=device.park,
            kind=device.kind, status="fault")
    wait_until(lambda: values(dash_duo, "belt.devices_fault")["belt.devices_fault"]
               == str(before + 1), timeout=15)
    fault_key = f"belt.fault_hours.{device.id}"
    wait_until(lambda: values(dash_duo, fault_key)[fault_key] is not None, timeout=10)
    faults = tile_text(dash_duo, "faults")
    assert device.name in faults and park.name in faults, faults

    # A new project: planned (with its name), then approved.
    start = values(dash_duo, *FUNNEL)
    base = {k: int(v or 0) for k, v in start.items()}
    publish(sources.redis, sources.keys, "belt.project", project=PROJECT, park=park.id,
            stage="plan", name=PROJECT_NAME)
    wait_until(lambda: values(dash_duo, FUNNEL[0])[FUNNEL[0]] == str(base[FUNNEL[0]] + 1),
               timeout=15)
    publish(sources.redis, sources.keys, "belt.project", project=PROJECT, park=park.id,
            stage="approve")
    wait_until(lambda: values(dash_duo, FUNNEL[1])[FUNNEL[1]] == str(base[FUNNEL[1]] + 1),
               timeout=15)
    after = values(dash_duo, *FUNNEL)
    assert after == {**{k: str(v) for k, v in base.items()}, FUNNEL[1]: str(base[FUNNEL[1]] + 1)}
    assert values(dash_duo, "belt.projects_entered.approve")["belt.projects_entered.approve"] == "1"

    # approve → build skips design: dead-lettered with why, and the funnel does not move.
    assert sources.redis.xlen(sources.keys.deadletter) == 0
    publish(sources.redis, sources.keys, "belt.project", project=PROJECT, park=park.id,
            stage="build")
    wait_until(lambda: sources.redis.xlen(sources.keys.deadletter) == 1, timeout=10)
    [(_, letter)] = sources.redis.xrange(sources.keys.deadletter)
    assert "would skip design" in letter["reason"] and PROJECT in letter["reason"], letter
    time.sleep(2)  # time enough for a push, were one (wrongly) due
    assert values(dash_duo, *FUNNEL) == after
    assert values(dash_duo, "belt.devices_fault")["belt.devices_fault"] == str(before + 1)
    assert severe(dash_duo) == []


def test_a_click_on_a_belt_park_fills_the_info_panel(dash_duo, screen_app, sources, worker):
    parks = sources.store.belt.belt_parks()
    device = sources.store.belt.belt_devices()[0]
    index, park = next((n, p) for n, p in enumerate(parks) if p.id == device.park)
    publish(sources.redis, sources.keys, "belt.device", device=device.id, park=device.park,
            kind=device.kind, status="fault")
    wait_until(lambda: sources.live.feed_stats()["belt.device"].ingested == 1)
    open_screen(dash_duo, screen_app)
    stations = '[data-tile="ring-belt.map"] path.gw-station'
    wait_until(lambda: dash_duo.driver.execute_script(
        "return document.querySelectorAll(arguments[0]).length;", stations) == len(parks),
        timeout=15)
    info = dash_duo.find_element('[data-tile="ring-belt.map"] [id*="info"]')
    assert "点击公园" in info.text and not info.get_attribute("data-park")

    # The points are drawn in the order of the GeoJSON features, the belt parks' order. A mouse
    # click at the middle of the park's circle, found and clicked in one script (Leaflet routes
    # it to the layer, dash-leaflet sets clickData, the screen's callback fills the panel).
    dash_duo.driver.execute_script(
        "var el = document.querySelectorAll(arguments[0])[arguments[1]],"
        " r = el.getBoundingClientRect();"
        "el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true,"
        " clientX: r.x + r.width / 2, clientY: r.y + r.height / 2}));", stations, index)
    dash_duo.wait_for_element(f'[data-tile="ring-belt.map"] [id*="info"] [data-park="{park.id}"]')
    panel = dash_duo.driver.execute_script(
        "var p = document.querySelector('[data-tile=\"ring-belt.map\"] [id*=\"info\"]');"
        "var m = p.querySelector('[data-metric=\"belt.park.devices_fault\"]');"
        "return {text: p.innerText, park: p.querySelector('[data-park]').getAttribute('data-park'),"
        " faults: m ? m.getAttribute('data-value') : null};")
    assert panel["park"] == park.id
    assert park.name in panel["text"], panel
    assert panel["faults"] == "1" and device.name in panel["text"], panel
    assert severe(dash_duo) == []
