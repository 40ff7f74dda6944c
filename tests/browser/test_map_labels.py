"""The maps of both screens: district labels that never print over each other or leave the map,
hover tooltips with a figure and its unit on every map entity, and units in chart hover text."""

from __future__ import annotations

import pytest

from tests.browser.conftest import live
from tests.conftest import wait_until
from tests.feeds_helpers import publish

WASTE, FOREST, PARK = "/screens/waste-sorting", "/screens/forest-chief", "/screens/park-flow"
LANGS = ("", "?lang=en")
SETTLED = ("return document.fonts.status === 'loaded' && "
           "document.querySelectorAll('.gw-map-label').length >= 16;")

# Every district label's box, and the map's box it must stay inside (CSS pixels of the window).
_LABELS = r"""
return Array.from(document.querySelectorAll('.gw-map')).map(function (map) {
  var m = map.getBoundingClientRect();
  return {map: [m.left, m.top, m.right, m.bottom],
          labels: Array.from(map.querySelectorAll('.gw-map-label')).map(function (el) {
            var r = el.getBoundingClientRect();
            return {text: el.textContent, box: [r.left, r.top, r.right, r.bottom]};
          })};
});
"""


@pytest.fixture
def served(dash_duo, screen_app, sources, worker):
    for district, tonnes in (("310115", "8"), ("310101", "3"), ("310116", "5")):
        publish(sources.redis, sources.keys, "waste.weighing", district=district,
                station=f"ST-{district}-01", vehicle="VH-1", category="wet", tonnes=tonnes)
    site = sources.store.sites("310115")[0]
    publish(sources.redis, sources.keys, "waste.quality", district="310115", camera="QC-1",
            site=site.id, verdict="qualified", issue="", confidence="0.9")
    grid = sources.store.forest.patrol_grids("310117")[0]
    publish(sources.redis, sources.keys, "forest.patrol", ranger="R-T-1", grid=grid.id,
            kind="checkpoint", lat=grid.lat, lon=grid.lon)
    publish(sources.redis, sources.keys, "forest.fire_risk", district="310117", level="3")
    publish(sources.redis, sources.keys, "park.gate", park="PK-GUCUN", gate="PK-GUCUN-G1",
            entered="5000", exited="0")
    wait_until(lambda: sources.live.feed_stats()["waste.quality"].ingested == 1, timeout=20)
    wait_until(lambda: sources.live.feed_stats()["park.gate"].ingested == 1, timeout=20)
    dash_duo.start_server(screen_app)
    return dash_duo.server_url


def open_screen(browser, url: str) -> None:
    browser.get(url)
    wait_until(lambda: live(browser), timeout=40)
    wait_until(lambda: browser.execute_script(SETTLED), timeout=15)
    # Labels are placed once the map is fitted to its box: wait until they hold still.
    last = None
    for _ in range(40):
        browser.execute_async_script(
            "var done = arguments[0]; requestAnimationFrame(() => setTimeout(done, 250));")
        now = browser.execute_script(_LABELS)
        if now == last:
            return
        last = now
    raise AssertionError(f"{url}: the labels kept moving")


def overlaps(a, b, slack: float = 0.5) -> bool:
    return (min(a[2], b[2]) - max(a[0], b[0]) > slack
            and min(a[3], b[3]) - max(a[1], b[1]) > slack)


def label_problems(browser) -> list[str]:
    problems = []
    for entry in browser.execute_script(_LABELS):
        m, labels = entry["map"], entry["labels"]
        for i, a in enumerate(labels):
            box = a["box"]
            if box[0] < m[0] - 0.5 or box[1] < m[1] - 0.5 or box[2] > m[2] + 0.5 \
                    or box[3] > m[3] + 0.5:
                problems.append(f"{a['text']!r} leaves the map: {box} outside {m}")
            problems += [f"{a['text']!r} over {b['text']!r}" for b in labels[i + 1:]
                         if overlaps(box, b["box"])]
    return problems


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_district_labels_never_overlap_and_stay_inside_the_map(served, chrome, size):
    browser = chrome(*size)
    for screen in (WASTE, FOREST, PARK):
        for lang in LANGS:
            url = served + screen + lang
            open_screen(browser, url)
            problems = label_problems(browser)
            assert problems == [], f"{url} at {size}:\n" + "\n".join(problems)


def hover(browser, selector: str, nth: int = 0) -> str:
    """The text of the tooltip Leaflet opens when the pointer comes over ``selector`` (its
    ``nth`` match) and rests there; the pointer leaves again afterwards."""
    pointer = ("var el = document.querySelectorAll(arguments[0])[arguments[2]],"
               " r = el.getBoundingClientRect();"
               "var at = {bubbles: true, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2};"
               "arguments[1].forEach(function (type) { el.dispatchEvent(new MouseEvent(type, at)); });")
    browser.execute_script(pointer, selector, ["mouseover", "mousemove"], nth)
    script = ("var t = document.querySelector('.leaflet-tooltip:not(.gw-map-label)');"
              "return t ? t.textContent : null;")
    wait_until(lambda: browser.execute_script(script), timeout=5)
    shown = browser.execute_script(script)
    browser.execute_script(pointer, selector, ["mouseout"], nth)
    wait_until(lambda: not browser.execute_script(script), timeout=5)
    return shown


def test_every_map_entity_has_a_tooltip_with_its_figure_and_unit(served, chrome):
    browser = chrome(1920, 1080)
    for lang, rate, tonnes, patrols in (("", "今日合格率", "吨", "今日巡护"),
                                        ("?lang=en", "Qualified rate today", " t",
                                         "Patrols today")):
        open_screen(browser, served + WASTE + lang)
        name = browser.execute_script(
            "return document.querySelector('.gw-map-label.gw-label-310115').textContent;")
        district = hover(browser, ".gw-district-310115")
        assert name in district and rate in district, (name, district)
        assert "%" in district
        station = hover(browser, "path.gw-station")
        assert tonnes in station and any(c.isdigit() for c in station), station
        graph = browser.execute_script(
            "return document.querySelector('[data-tile=\"waste-sorting.hourly\"] .js-plotly-plot')"
            ".data.map(function (trace) { return trace.hovertemplate; });")
        assert graph and all(tonnes in template for template in graph), graph

        open_screen(browser, served + FOREST + lang)
        cell = hover(browser, "path.gw-cell.is-visited")
        assert patrols in cell and any(c.isdigit() for c in cell), cell
        name = browser.execute_script(
            "return document.querySelector('.gw-map-label.gw-label-310117').textContent;")
        district = hover(browser, ".gw-map-label.gw-label-310117")
        assert name in district, (name, district)
        assert ("火险3级" if not lang else "Fire danger 3") in district, district


def test_park_map_tooltips_say_people_and_the_district_load(served, chrome):
    browser = chrome(1920, 1080)
    for lang, people, load, name in (("", "人", "区内公园在园率", "顾村公园"),
                                     ("?lang=en", "people", "District load of its parks",
                                      "Gucun Park")):
        open_screen(browser, served + PARK + lang)
        district = hover(browser, ".gw-district-310113")
        assert load in district and "%" in district, district
        parks = browser.execute_script(
            "return Array.from(document.querySelectorAll('path.gw-station')).length;")
        shown = [hover(browser, "path.gw-station", n) for n in range(parks)]
        gucun = [text for text in shown if name in text]
        assert gucun and "5,000" in gucun[0] and people in gucun[0], shown
