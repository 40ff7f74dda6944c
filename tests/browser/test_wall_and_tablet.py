"""One screen definition on a video wall, a tablet, a kiosk and a rotation playlist."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.browser.conftest import live
from tests.conftest import wait_until
from tests.feeds_helpers import publish

URL = "/screens/waste-sorting"
SETTLED = ("return document.fonts.status === 'loaded' && "
           "document.querySelectorAll('.leaflet-interactive').length > 0;")


@pytest.fixture
def served(dash_duo, screen_app, sources, worker):
    """The app with a little frozen data: nothing is published while pictures are taken."""
    for district, tonnes in (("310115", "8"), ("310101", "3")):
        publish(sources.redis, sources.keys, "waste.weighing", district=district,
                station=f"ST-{district}-01", vehicle="VH-1", category="wet", tonnes=tonnes)
    site = sources.store.sites("310115")[0]
    publish(sources.redis, sources.keys, "waste.quality", district="310115", camera="QC-1",
            site=site.id, verdict="unqualified", issue="混有塑料袋", confidence="0.9")
    wait_until(lambda: sources.live.feed_stats()["waste.quality"].ingested == 1)
    dash_duo.start_server(screen_app)
    return dash_duo.server_url


def shot(browser, url: str) -> Image.Image:
    browser.get(url)
    wait_until(lambda: live(browser), timeout=40)
    wait_until(lambda: browser.execute_script(SETTLED), timeout=10)
    # Freeze what moves by itself: the clock and any running transition.
    browser.execute_script(
        "document.getElementById('gw-clock').style.visibility = 'hidden';"
        "var s = document.createElement('style');"
        "s.textContent = '*{transition:none!important;animation:none!important}';"
        "document.head.appendChild(s);")
    return Image.open(io.BytesIO(steady_screenshot(browser))).convert("RGB")


def steady_screenshot(browser, attempts: int = 40) -> bytes:
    """A screenshot once two in a row agree: Chromium re-rasterises scaled layers lazily."""
    previous = browser.get_screenshot_as_png()
    for _ in range(attempts):
        browser.execute_async_script(
            "var done = arguments[0]; requestAnimationFrame(() => setTimeout(done, 150));")
        current = browser.get_screenshot_as_png()
        if current == previous:
            return current
        previous = current
    raise AssertionError("the page kept changing; nothing to compare")


def test_four_wall_parts_stitched_match_the_whole_4k_screen(served, chrome):
    whole = shot(chrome(3840, 2160), served + URL + "?wall=1x1&tile=1")
    assert whole.size == (3840, 2160)
    stitched = Image.new("RGB", (3840, 2160))
    part_browser = chrome(1920, 1080)
    for n in range(1, 5):
        part = shot(part_browser, served + URL + f"?wall=2x2&tile={n}")
        assert part.size == (1920, 1080)
        stitched.paste(part, (((n - 1) % 2) * 1920, ((n - 1) // 2) * 1080))
    difference = ImageChops.difference(whole, stitched)
    mean = sum(ImageStat.Stat(difference).mean) / 3
    differing = sum(1 for px in difference.convert("L").getdata() if px > 48) / (3840 * 2160)
    assert mean < 2.0, f"mean channel difference {mean:.2f}"
    assert differing < 0.01, f"{differing:.2%} of pixels differ visibly"


def test_tablet_width_reflows_without_horizontal_scrolling(served, chrome):
    browser = chrome(1024, 1366)
    browser.get(served + URL)
    wait_until(lambda: live(browser), timeout=40)
    assert browser.execute_script(
        "return document.getElementById('gw-root').classList.contains('is-tablet');")
    assert browser.execute_script(
        "return document.scrollingElement.scrollWidth <= window.innerWidth;")
    widths = browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-tile]'))"
        ".map(t => t.getBoundingClientRect().width);")
    assert min(widths) >= 440, "tiles shrank below a readable width"
    targets = browser.execute_script(
        "return Array.from(document.querySelectorAll('.gw-scope-picker, .gw-rank-label a'))"
        ".map(e => e.getBoundingClientRect().height);")
    assert targets and min(targets) >= 44, f"touch targets below 44 px: {min(targets)}"
    # The same page on a wide desktop keeps the fixed design canvas.
    wide = chrome(1920, 1080)
    wide.get(served + URL)
    wait_until(lambda: live(wide), timeout=20)
    assert not wide.execute_script(
        "return document.getElementById('gw-root').classList.contains('is-tablet');")


def test_rotation_steps_through_districts_and_a_touch_pauses_it(served, chrome):
    browser = chrome(1920, 1080)
    browser.get(served + URL + "?rotate_districts=5&kiosk=1")
    wait_until(lambda: live(browser), timeout=40)
    wait_until(lambda: "district=310101" in browser.current_url, timeout=15)
    wait_until(lambda: live(browser), timeout=40)
    assert browser.execute_script(
        "return document.querySelector('.gw-scope-name').textContent") == "黄浦区"
    # A reload keeps the position: the position is the URL itself.
    browser.refresh()
    wait_until(lambda: live(browser), timeout=40)
    assert "district=310101" in browser.current_url
    browser.execute_script("window.dispatchEvent(new PointerEvent('pointerdown'));")
    assert browser.execute_script(
        "return document.getElementById('gw-root').getAttribute('data-rotation');") == "paused"
    paused_for = browser.execute_script(
        "return (+sessionStorage.getItem('greenwall:paused-until') - Date.now()) / 1000;")
    assert paused_for > 60


def test_kiosk_hides_controls_and_reloads_when_a_new_build_is_deployed(served, chrome):
    browser = chrome(1920, 1080)
    browser.get(served + URL + "?kiosk=1")
    wait_until(lambda: live(browser), timeout=40)
    assert not browser.execute_script(
        "return !!document.querySelector('.gw-scope-picker').offsetParent;")
    assert browser.execute_script(
        "return getComputedStyle(document.getElementById('gw-root')).cursor;") == "none"
    browser.execute_script("window.__before_deploy = true;"
                           "document.getElementById('gw-root').setAttribute('data-build', 'next');")
    wait_until(lambda: browser.execute_script("return !window.__before_deploy;"), timeout=40)
    wait_until(lambda: live(browser), timeout=40)
