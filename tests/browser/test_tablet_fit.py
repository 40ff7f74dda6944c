"""Every screen on tablets, in both languages: a landscape tablet keeps the design canvas, a
portrait one reflows into rows that use the width, tiles sized to what they hold, lists that
wrap instead of cutting, and a change of scope that keeps the reader's place."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.browser.conftest import live
from tests.browser.fit import describe, labels_settled, overflowing, overprinted
from tests.conftest import wait_until
from tests.feeds_helpers import SHANGHAI, publish

SCREENS = ("/screens/waste-sorting", "/screens/forest-chief", "/screens/park-flow",
           "/screens/ring-belt")
# --- sign ---
SCREENS += ("/screens/signboards",)
# --- end sign ---
# --- water ---
SCREENS += ("/screens/water-area",)
# --- end water ---
# --- zoo ---
SCREENS += ("/screens/zoo",)
# --- end zoo ---
LANGS = ("", "?lang=en")
# Fonts in, and the map drawn where the screen has one (the zoo's has none).
SETTLED = ("return document.fonts.status === 'loaded' && "
           "(document.querySelectorAll('.leaflet-interactive').length > 0 || "
           "document.querySelectorAll('.leaflet-container').length === 0);")


@pytest.fixture
def served(dash_duo, screen_app, sources, worker):
    """The app with a little data on both screens, among it cases days past their deadline (the
    forest screen's 负面清单 lists them)."""
    redis, keys = sources.redis, sources.keys
    for district, tonnes in (("310115", "8"), ("310101", "3")):
        publish(redis, keys, "waste.weighing", district=district, station=f"ST-{district}-01",
                vehicle="VH-1", category="wet", tonnes=tonnes)
    site = sources.store.sites("310115")[0]
    publish(redis, keys, "waste.quality", district="310115", camera="QC-1", site=site.id,
            verdict="unqualified", issue="混有塑料袋", confidence="0.9")
    grids = sources.store.forest.patrol_grids("310117")
    reported = (datetime.now(SHANGHAI) - timedelta(days=3)).isoformat()
    for n, scenario in enumerate(("neglect", "fire", "wildlife", "ancient_tree")):
        publish(redis, keys, "forest.incident", incident=f"AJ-20261128-{n:03d}",
                scenario=scenario, stage="reported", grid=grids[n].id, lat=grids[n].lat,
                lon=grids[n].lon, ts=reported)
    for park, people in (("PK-GUCUN", 10_000), ("PK-LUXUN", 6_500)):  # 鲁迅 on the alert list
        publish(redis, keys, "park.gate", park=park, gate=f"{park}-G1", entered=people, exited=0)
    wait_until(lambda: sources.live.feed_stats()["forest.incident"].ingested == 4, timeout=20)
    wait_until(lambda: sources.live.feed_stats()["park.gate"].ingested == 2, timeout=20)
    dash_duo.start_server(screen_app)
    return dash_duo.server_url


def open_screen(browser, url: str) -> None:
    browser.get(url)
    wait_until(lambda: live(browser), timeout=40)
    wait_until(lambda: browser.execute_script(SETTLED), timeout=15)
    labels_settled(browser)
    # Stop what moves by itself so the measurements hold still.
    browser.execute_script(
        "var s = document.createElement('style');"
        "s.textContent = '*{transition:none!important;animation:none!important}';"
        "document.head.appendChild(s);")
    browser.execute_async_script(
        "var done = arguments[0]; requestAnimationFrame(() => setTimeout(done, 400));")


def is_tablet(browser) -> bool:
    return browser.execute_script(
        "return document.getElementById('gw-root').classList.contains('is-tablet');")


# Rows of tiles (tiles whose tops agree) and how much of the grid's width each row covers.
_ROWS = r"""
var grid = document.querySelector('.gw-grid').getBoundingClientRect();
var rows = {};
document.querySelectorAll('[data-tile]').forEach(function (tile) {
  var r = tile.getBoundingClientRect();
  var key = Math.round(r.top);
  rows[key] = rows[key] || {top: key, tiles: [], width: 0};
  rows[key].tiles.push(tile.getAttribute('data-tile'));
  rows[key].width += r.width;
});
return Object.values(rows).map(function (row) {
  return {top: row.top, tiles: row.tiles, share: row.width / grid.width};
});
"""

# The tallest band of a tile with no text in it, below its title.
_EMPTY_BAND = r"""
var tile = arguments[0], boxes = [];
var walker = document.createTreeWalker(tile, NodeFilter.SHOW_TEXT);
for (var node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!node.nodeValue.trim()) continue;
  var range = document.createRange(); range.selectNodeContents(node);
  var r = range.getBoundingClientRect();
  if (r.height > 0) boxes.push([r.top, r.bottom]);
}
var t = tile.getBoundingClientRect();
boxes.sort(function (a, b) { return a[0] - b[0]; });
var reach = boxes.length ? boxes[0][1] : t.top, band = 0;
boxes.forEach(function (b) { band = Math.max(band, b[0] - reach); reach = Math.max(reach, b[1]); });
return Math.max(band, t.bottom - reach);
"""

_NEGATIVE_ROWS = r"""
return Array.from(document.querySelectorAll('[data-panel="negative"] li:not(.gw-empty)'))
  .map(function (li) {
    var r = li.getBoundingClientRect(), tile = li.closest('[data-tile]').getBoundingClientRect();
    return {text: li.textContent, cut: li.scrollWidth > li.clientWidth + 1
            || getComputedStyle(li).textOverflow === 'ellipsis' && li.scrollWidth > li.clientWidth,
            inside: r.left >= tile.left - 1 && r.right <= tile.right + 1
            && r.bottom <= tile.bottom + 1 && r.height > 0};
  });
"""


def test_landscape_tablet_keeps_the_canvas(served, chrome):
    browser = chrome(1366, 1024)
    for screen in SCREENS:
        for lang in LANGS:
            url = served + screen + lang
            open_screen(browser, url)
            assert not is_tablet(browser), url
            assert browser.execute_script(
                "return document.scrollingElement.scrollHeight <= window.innerHeight + 1;"), url
            scale = browser.execute_script(
                "var c = document.querySelector('.gw-canvas');"
                "return c.getBoundingClientRect().width / c.offsetWidth;")
            assert scale >= 0.7, (url, scale)
            cut = overflowing(browser)
            assert cut == [], f"{url}: text cut\n{describe(cut)}"
            over = overprinted(browser)
            assert over == [], f"{url}: text over text\n{describe(over)}"


@pytest.mark.parametrize("size", [(1024, 1366), (820, 1180)])
def test_portrait_tablet_reflows_into_rows_that_use_the_width(served, chrome, size):
    browser = chrome(*size)
    for screen in SCREENS:
        for lang in LANGS:
            url = served + screen + lang
            open_screen(browser, url)
            assert is_tablet(browser), url
            assert browser.execute_script(
                "return document.scrollingElement.scrollWidth <= window.innerWidth;"), url
            half_empty = [row for row in browser.execute_script(_ROWS) if row["share"] < 0.75]
            assert half_empty == [], f"{url}: rows that leave width empty: {half_empty}"
            for tile in browser.find_elements("css selector", ".gw-kind-kpis, .gw-kind-counters"):
                band = browser.execute_script(_EMPTY_BAND, tile)
                assert band < 48, (url, tile.get_attribute("data-tile"), band)
            for graph in browser.find_elements("css selector", ".gw-kind-timeseries .gw-graph"):
                box = graph.rect
                assert box["width"] >= 1.5 * box["height"], (url, "chart aspect", box)
            negative = browser.execute_script(_NEGATIVE_ROWS)
            if "forest" in screen:
                assert negative, f"{url}: no overdue cases listed"
            for row in negative:
                assert not row["cut"] and row["inside"], (url, row)
                assert ("超期" if not lang else "overdue") in row["text"], (url, row)
            cut = overflowing(browser)
            assert cut == [], f"{url}: text cut\n{describe(cut)}"
            over = overprinted(browser)
            assert over == [], f"{url}: text over text\n{describe(over)}"


_TOP_OF = "return document.querySelector(arguments[0]).getBoundingClientRect().top;"


def test_a_scope_change_keeps_the_readers_place(served, chrome):
    browser = chrome(1024, 1366)
    for screen, tile in (("/screens/waste-sorting", '[data-tile="waste-sorting.ranking"]'),
                         ("/screens/forest-chief", '[data-tile="forest-chief.ranking"]')):
        open_screen(browser, served + screen + "?lang=en")
        browser.execute_script(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", tile)
        scrolled = browser.execute_script("return window.scrollY;")
        assert scrolled > 500, "the ranking should be well below the fold"
        top = browser.execute_script(_TOP_OF, tile)
        browser.execute_script(
            "document.querySelector(arguments[0] + ' a[href*=\"district=310115\"]').click();", tile)
        wait_until(lambda: "district=310115" in browser.current_url, timeout=20)
        wait_until(lambda: live(browser), timeout=40)
        assert "lang=en" in browser.current_url
        wait_until(lambda tile=tile, top=top:
                   abs(browser.execute_script(_TOP_OF, tile) - top) < 24, timeout=10)
        assert browser.execute_script("return window.scrollY;") > 500
