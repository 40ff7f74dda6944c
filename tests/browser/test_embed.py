"""Embedding in real headless Chromium: the chromeless screen, refusals, the postMessage round
trip with a host page on another origin, and CSV export from a screen's tiles."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from dashboard.grants import issue
from tests.conftest import free_port, wait_until
from tests.feeds_helpers import publish

SLUG = "waste-sorting"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test output is not an access log
        pass


@pytest.fixture
def host():
    """The documented example host page, served from a second origin (another port)."""
    port = free_port()
    handler = functools.partial(_QuietHandler, directory=str(EXAMPLES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture
def settings(settings, host):
    return settings.model_copy(update={"frame_ancestors": f"'self' {host}"})


@pytest.fixture
def fed(sources, worker):
    """Loads and verdicts in 浦东 and 黄浦, so tiles and ranking rows carry numbers."""
    r, k = sources.redis, sources.keys
    for district, tonnes, verdicts in (("310115", "8", ("qualified", "unqualified")),
                                       ("310101", "3", ("qualified",))):
        publish(r, k, "waste.weighing", district=district, station=f"ST-{district}-01",
                vehicle="VH-1", category="wet", tonnes=tonnes)
        site = sources.store.sites(district)[0]
        for verdict in verdicts:
            publish(r, k, "waste.quality", district=district, camera=f"QC-{district}",
                    site=site.id, verdict=verdict, confidence="0.9")
    wait_until(lambda: sources.live.feed_stats()["waste.quality"].ingested == 3
               and sources.live.feed_stats()["waste.weighing"].ingested == 2)


def attr(driver, selector: str, name: str) -> str | None:
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0].get_attribute(name) if found else None


def live(driver) -> bool:
    return attr(driver, "#gw-root", "data-connection") == "live"


def value_of(driver, key: str) -> str | None:
    return attr(driver, f'[data-metric="{key}"]', "data-value")


def test_embed_page_is_the_screen_without_chrome_and_live_in_scope(dash_duo, web, sources, fed):
    driver = dash_duo.driver
    token = issue(sources.settings.signing_secret(), [SLUG], ["310115"])
    driver.get(f"{web}/embed/{SLUG}?district=310115&token={token}")
    wait_until(lambda: live(driver), timeout=40)
    assert driver.find_elements(By.CSS_SELECTOR, ".gw-home, #gw-scope-picker, .gw-export") == []
    assert driver.find_element(By.CSS_SELECTOR, ".gw-title").text == "垃圾分类实时监管"
    assert driver.find_element(By.CSS_SELECTOR, "#gw-clock").text
    assert driver.find_element(By.CSS_SELECTOR, ".gw-scope-name").text == "浦东新区"
    assert attr(driver, "#gw-root", "data-embed-districts") == "310115"
    assert value_of(driver, "waste.tonnes_today.wet") == "8"
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-2", category="wet", tonnes="1.5")
    wait_until(lambda: value_of(driver, "waste.tonnes_today.wet") == "9.5", timeout=15)
    assert [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"] == []


@pytest.mark.parametrize("scope, issued_s_ago, code", [
    (["310101"], 0, "403"),      # a district outside the token
    (["310115"], 7200, "401"),   # a 10-minute token from two hours ago
])
def test_a_refused_embed_page_shows_the_reason_and_no_data(dash_duo, web, sources, fed, scope,
                                                           issued_s_ago, code):
    driver = dash_duo.driver
    token = issue(sources.settings.signing_secret(), [SLUG], scope, ttl_s=600,
                  now=time.time() - issued_s_ago)
    driver.get(f"{web}/embed/{SLUG}?district=310115&token={token}")
    wait_until(lambda: attr(driver, ".gw-error-code", "textContent") == code)
    assert driver.find_element(By.CSS_SELECTOR, ".gw-error-message").text
    assert driver.find_elements(By.CSS_SELECTOR, "#gw-root, [data-tile], [data-metric]") == []


# ---- postMessage with a host on another origin ---------------------------------------------


def messages(driver, kind: str) -> list[dict]:
    raw = driver.execute_script(
        "return Array.from(document.querySelectorAll('#messages li[data-type=\"' + arguments[0]"
        " + '\"]')).map(function (li) { return li.getAttribute('data-message'); });", kind)
    return [json.loads(m) for m in raw]


def in_frame(driver, action):
    driver.switch_to.frame(driver.find_element(By.ID, "screen"))
    try:
        return action()
    finally:
        driver.switch_to.default_content()


def send_scope(driver, district: str) -> None:
    driver.execute_script("document.getElementById('district').value = arguments[0];", district)
    driver.find_element(By.ID, "send-scope").click()


def test_postmessage_round_trip_with_a_host_on_another_origin(dash_duo, web, host, sources, fed):
    driver = dash_duo.driver
    assert host.rsplit(":", 1)[1] != web.rsplit(":", 1)[1]  # truly another origin
    token = issue(sources.settings.signing_secret(), [SLUG], ["310115", "310101"])
    driver.get(f"{host}/embed-host.html?greenwall={web}&token={token}&district=310115")

    # The screen says it is live, with its scope and data version.
    ready = wait_until(lambda: messages(driver, "greenwall:ready"), timeout=30)[0]
    assert ready["screen"] == SLUG and ready["district"] == "310115"
    assert ready["name"] == "浦东新区" and ready["version"] == sources.live.version()
    assert ready["districts"] == ["310115", "310101"]

    # A click on a ranking row is told to the host, and does not navigate the frame.
    row = '[data-tile="waste-sorting.ranking"] a[href$="district=310101"]'
    shown = in_frame(driver, lambda: (
        driver.find_element(By.CSS_SELECTOR, row).click(),
        attr(driver, '[data-metric="waste.qualified_rate.310101"]', "data-value"))[1])
    select = wait_until(lambda: messages(driver, "greenwall:select"), timeout=10)[0]
    assert select == {"type": "greenwall:select", "screen": SLUG, "tile": "ranking",
                      "district": "310101", "name": "黄浦区",
                      "metric": "waste.qualified_rate.310101", "value": float(shown),
                      "allowed": True}
    assert in_frame(driver, lambda: attr(driver, "#gw-root", "data-district")) == "310115"

    # A click on the map's district is told too.
    in_frame(driver, lambda: driver.execute_script(
        "var p = document.querySelector('.gw-district-310115'), r = p.getBoundingClientRect();"
        "p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2,"
        " clientY: r.y + r.height / 2}));"))
    clicked = wait_until(lambda: messages(driver, "greenwall:select")[1:], timeout=10)[0]
    assert (clicked["tile"], clicked["district"]) == ("map", "310115")

    # The host re-scopes within the token's rights: the frame reloads in scope, ready again.
    send_scope(driver, "310101")
    rescoped = wait_until(lambda: messages(driver, "greenwall:ready")[1:], timeout=30)[0]
    assert rescoped["district"] == "310101" and rescoped["name"] == "黄浦区"
    assert in_frame(driver, lambda: (attr(driver, "#gw-root", "data-district"),
                                     value_of(driver, "waste.tonnes_today.wet"))) == ("310101", "3")

    # Outside the rights: refused with a reason, and the frame stays where it was.
    send_scope(driver, "310104")
    refused = wait_until(lambda: messages(driver, "greenwall:scope-refused"), timeout=10)[0]
    assert refused["district"] == "310104" and refused["current"] == "310101"
    assert "outside this token's districts" in refused["reason"]
    send_scope(driver, "310000")  # the whole city is outside a district token too
    wait_until(lambda: len(messages(driver, "greenwall:scope-refused")) == 2, timeout=10)
    assert len(messages(driver, "greenwall:ready")) == 2
    assert in_frame(driver, lambda: attr(driver, "#gw-root", "data-district")) == "310101"
    severe = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert severe == [], [e["message"][:600] for e in severe]


def test_a_refused_frame_tells_its_host_why(dash_duo, web, host, sources):
    driver = dash_duo.driver
    token = issue(sources.settings.signing_secret(), [SLUG], ["310115"])
    driver.get(f"{host}/embed-host.html?greenwall={web}&token={token}&district=310101")
    refused = wait_until(lambda: messages(driver, "greenwall:refused"), timeout=20)[0]
    assert refused["status"] == 403 and "outside this grant's scope" in refused["reason"]


# ---- CSV export from a screen --------------------------------------------------------------


def test_each_tile_links_its_csv_with_the_numbers_on_screen(dash_duo, web, sources, fed):
    driver = dash_duo.driver
    driver.get(f"{web}/screens/{SLUG}?district=310115&layout=tablet")
    wait_until(lambda: live(driver), timeout=40)
    links = driver.find_elements(By.CSS_SELECTOR, "[data-tile] .gw-export")
    assert len(links) == 7
    for link in links:  # a finger-sized target on a tablet
        size = link.size
        assert size["width"] >= 44 and size["height"] >= 44, size
    href = attr(driver, '[data-export="waste-sorting.tonnes"]', "href")
    assert href == f"{web}/export/{SLUG}/tonnes.csv?district=310115"
    with urllib.request.urlopen(href, timeout=15) as response:
        body = response.read()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["指标", "名称", "数值"]
    on_screen = {row[0]: value_of(driver, row[0]) for row in rows[1:]}
    assert {row[0]: row[2] for row in rows[1:]} == on_screen
    assert on_screen["waste.tonnes_today.wet"] == "8"
    ranking = attr(driver, '[data-export="waste-sorting.ranking"]', "href")
    with urllib.request.urlopen(ranking, timeout=15) as response:
        ranked = list(csv.reader(io.StringIO(response.read().decode("utf-8-sig"), newline="")))
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-tile=\"waste-sorting.ranking\"]"
        " [data-metric]')).map(function (e) { return [e.getAttribute('data-metric'),"
        " e.getAttribute('data-value')]; });")
    assert [[row[5], row[3]] for row in ranked[1:]] == shown
