"""Feed text is text: hostile ids from the feeds and hostile names in the master data, hovered on
every map layer of both screens in real headless Chromium, show literally and run nothing."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import live
from tests.conftest import wait_until
from tests.feeds_helpers import publish

# Each names what it would set, so a failure says which sink ran it.
DISTRICT = '<img src=x onerror="window.__pwned=\'district\'">'
STATION = '<img src=x onerror="window.__pwned=\'station\'">'
SITE = "<script>window.__pwned='site'</script>"
RANGER = '<img src=x onerror="window.__pwned=\'ranger\'">'
INCIDENT = '<img src=x onerror="window.__pwned=1">'  # an id: at most 64 characters
CAMERA = "<svg onload=window.__pwned=2>"
ISSUE = '<b onmouseover="window.__pwned=3">bold</b>'
PARK = '<img src=x onerror="window.__pwned=\'park\'">公园'
PARK_EN = "<script>window.__pwned='park_en'</script>"
SECTION = '<img src=x onerror="window.__pwned=\'section\'">段'
DEVICE = '<svg onload=window.__pwned="device">'
PROJECT = '<img src=x onerror="window.__pwned=\'project\'">二期'

HOSTILE_DISTRICT, SCREEN_DISTRICT = "310101", "310115"

# Opens every tooltip of every map layer the way a pointer does (mouseover on the layer's SVG
# path, as Leaflet listens on the map container), reads what it shows, and closes it again.
HOVER_EVERY_LAYER = """
var seen = [], paths = document.querySelectorAll('.leaflet-container path.leaflet-interactive');
function open() {
  return Array.prototype.filter.call(document.querySelectorAll('.leaflet-tooltip'),
    function (t) { return !t.classList.contains('gw-map-label'); });
}
paths.forEach(function (path) {
  var r = path.getBoundingClientRect(), at = {bubbles: true, clientX: r.x + r.width / 2,
                                               clientY: r.y + r.height / 2};
  path.dispatchEvent(new MouseEvent('mouseover', at));
  open().forEach(function (t) {
    seen.push({text: t.textContent, elements: t.querySelectorAll('*').length});
  });
  path.dispatchEvent(new MouseEvent('mouseout', at));
});
return {hovered: paths.length, tooltips: seen};
"""

LABELS = """
return Array.prototype.map.call(document.querySelectorAll('.leaflet-tooltip.gw-map-label'),
  function (t) { return {text: t.textContent, elements: t.querySelectorAll('*').length}; });
"""

RAN = "return [window.__pwned, document.querySelectorAll('img[src=\"x\"], svg[onload]').length];"


@pytest.fixture
def settings(settings, seeded_db_url, tmp_path):
    """The demo master data with hostile names: one district, its stations and sites, and a
    ranger on duty in 浦东."""
    hostile = tmp_path / "hostile.db"
    shutil.copy(seeded_db_url.removeprefix("sqlite:///"), hostile)
    url = f"sqlite:///{hostile}"
    engine = create_engine(url)
    with engine.begin() as db:
        db.execute(text("update districts set name = :n where adcode = :d"),
                    {"n": DISTRICT, "d": HOSTILE_DISTRICT})
        db.execute(text("update transfer_stations set name = :n where district = :d"),
                    {"n": STATION, "d": HOSTILE_DISTRICT})
        db.execute(text("update collection_sites set name = :n where district = :d"),
                    {"n": SITE, "d": HOSTILE_DISTRICT})
        db.execute(text("update rangers set name = :n where id = (select r.id from rangers r"
                        " join patrol_grids p on p.duty_grid_id = r.duty_grid_id"
                        " where p.district = :d order by r.id limit 1)"),
                   {"n": RANGER, "d": SCREEN_DISTRICT})
        db.execute(text("update parks set name = :n, name_en = :e where id = 'PK-GUCUN'"),
                   {"n": PARK, "e": PARK_EN})
        db.execute(text("update belt_parks set name = :n, name_en = :e where id = 'PK-GUCUN'"),
                   {"n": PARK, "e": PARK_EN})
        db.execute(text("update belt_sections set name = :n, name_en = :n where id ="
                        " (select section from belt_parks where id = 'PK-GUCUN')"), {"n": SECTION})
    engine.dispose()
    return settings.model_copy(update={"database_url": url})


def open_live(chrome, url: str):
    browser = chrome(1920, 1080)
    browser.get(url)
    wait_until(lambda: live(browser), timeout=40)
    return browser


def hover_every_layer(browser) -> list[dict]:
    hovered = browser.execute_script(HOVER_EVERY_LAYER)
    assert hovered["hovered"] > 0
    assert all(t["elements"] == 0 for t in hovered["tooltips"]), hovered["tooltips"]
    return [t["text"] for t in hovered["tooltips"]]


def assert_nothing_ran(browser) -> None:
    labels = browser.execute_script(LABELS)
    assert DISTRICT in [label["text"] for label in labels]
    assert all(label["elements"] == 0 for label in labels)
    assert browser.execute_script(RAN) == [None, 0]
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []  # no blocked inline handler, no request for "x"


def test_waste_map_tooltips_and_ticker_show_hostile_names_as_text(web, chrome, sources, worker):
    site = sources.store.sites(HOSTILE_DISTRICT)[0]
    station = sources.store.stations(HOSTILE_DISTRICT)[0]
    assert site.name == SITE and station.name == STATION
    publish(sources.redis, sources.keys, "waste.weighing", district=HOSTILE_DISTRICT,
            station=station.id, vehicle="VH-1", category="wet", tonnes="7")
    publish(sources.redis, sources.keys, "waste.quality", district=HOSTILE_DISTRICT,
            camera=CAMERA, site=site.id, verdict="unqualified", issue=ISSUE, confidence="0.9")
    wait_until(lambda: sources.live.feed_stats()["waste.quality"].ingested == 1)

    browser = open_live(chrome, web + "/screens/waste-sorting")
    row = '[data-tile="waste-sorting.unqualified"] .gw-ticker-row'
    wait_until(lambda: SITE in browser.execute_script(
        "var r = document.querySelector(arguments[0]); return r ? r.textContent : '';", row))
    shown = hover_every_layer(browser)
    assert any(label.startswith(STATION + " · ") for label in shown), shown  # name · tonnes
    ticker = browser.execute_script(
        "var r = document.querySelector(arguments[0]);"
        "return [r.textContent, r.getAttribute('title'), r.querySelectorAll('b, script').length];",
        row)
    assert ISSUE in ticker[0] and CAMERA in ticker[1] and ticker[2] == 0
    assert_nothing_ran(browser)


def test_forest_map_tooltips_and_grid_panel_show_hostile_ids_as_text(web, chrome, sources,
                                                                     worker):
    [ranger] = [r for r in sources.store.forest.rangers() if r.name == RANGER]
    grid = next(g for g in sources.store.forest.patrol_grids(SCREEN_DISTRICT)
                if g.duty_grid_id == ranger.duty_grid_id)
    publish(sources.redis, sources.keys, "forest.incident", incident=INCIDENT, scenario="fire",
            stage="reported", grid=grid.id, lat=grid.lat, lon=grid.lon)
    wait_until(lambda: sources.live.feed_stats()["forest.incident"].ingested == 1)

    browser = open_live(chrome, web + "/screens/forest-chief")
    wait_until(lambda: browser.execute_script("return !!document.querySelector('path.gw-case');"))
    shown = hover_every_layer(browser)
    assert any(label.startswith(INCIDENT + " ") for label in shown), shown

    # A click on the case's grid lists its open cases and rangers in the info panel.
    browser.execute_script(
        "var el = document.querySelector(arguments[0]), r = el.getBoundingClientRect();"
        "el.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2,"
        " clientY: r.y + r.height / 2}));", f".gw-cell-{grid.id}")
    panel = wait_until(lambda: browser.execute_script(
        "var p = document.querySelector('.gw-cellmap-info');"
        "return p && p.querySelector('[data-grid]') ?"
        " [p.textContent, p.querySelectorAll('img, script').length] : null;"))
    assert INCIDENT in panel[0] and RANGER in panel[0] and panel[1] == 0
    assert_nothing_ran(browser)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_park_names_show_as_text_on_board_alerts_ranking_and_map(web, chrome, sources, worker, lang):
    for n in range(10):  # 100,000 of 顾村's 120,000: on the alert list, the board and the map
        publish(sources.redis, sources.keys, "park.gate", park="PK-GUCUN", gate=f"G{n}",
                entered=10_000, exited=0)
    wait_until(lambda: sources.live.feed_stats()["park.gate"].ingested == 10)
    name = PARK if lang == "zh" else PARK_EN
    browser = open_live(chrome, web + f"/screens/park-flow?lang={lang}")
    shown = browser.execute_script(
        "return ['alerts', 'board', 'top'].map(function (k) {"
        " var t = document.querySelector('[data-tile=\"park-flow.' + k + '\"]');"
        " return [t.textContent, t.querySelectorAll('img, script').length]; });")
    for tile_text, elements in shown:
        assert name in tile_text and elements == 0
    hovered = hover_every_layer(browser)
    assert any(name in label for label in hovered), hovered
    assert browser.execute_script(RAN) == [None, 0]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_belt_names_ids_and_texts_show_as_text_in_lists_map_and_park_panel(web, chrome, sources,
                                                                          worker):
    park = next(p for p in sources.store.belt.belt_parks() if p.id == "PK-GUCUN")
    feeds = sources.redis, sources.keys
    publish(*feeds, "belt.device", device=DEVICE, park=park.id, kind="camera", status="fault")
    publish(*feeds, "belt.inspection", inspection="INS-H", inspector="XJ-H", park=park.id,
            section=park.section, result="issue", category="fire", issue=ISSUE)
    publish(*feeds, "belt.project", project="BJ-H", park=park.id, stage="plan", name=PROJECT)
    publish(*feeds, "park.gate", park=park.id, gate="G1", entered=5_000, exited=0)
    wait_until(lambda: all(sources.live.feed_stats()[f].ingested == 1 for f in (
        "belt.device", "belt.inspection", "belt.project", "park.gate")))

    browser = open_live(chrome, web + "/screens/ring-belt")
    wait_until(lambda: DEVICE in browser.execute_script(
        "return document.querySelector('[data-tile=\"ring-belt.faults\"]').textContent;"))
    shown = browser.execute_script(
        "return ['visitors', 'faults', 'sections', 'alerts'].map(function (k) {"
        " var t = document.querySelector('[data-tile=\"ring-belt.' + k + '\"]');"
        " return [k, t.textContent, t.querySelectorAll('img, script, svg:not(.main-svg)').length];"
        " });")
    expected = {"visitors": PARK, "faults": DEVICE, "sections": SECTION, "alerts": PARK}
    for key, tile_text, elements in shown:
        assert expected[key] in tile_text and elements == 0, (key, tile_text)
    title = browser.execute_script(
        "return document.querySelector('[data-tile=\"ring-belt.alerts\"] .gw-ticker-row')"
        ".getAttribute('title');")
    assert title == ISSUE
    hovered = hover_every_layer(browser)
    assert any(PARK in label for label in hovered), hovered

    # A click on 顾村's point opens its panel: the project's name, the issue and the device.
    index = [p.id for p in sources.store.belt.belt_parks()].index(park.id)
    browser.execute_script(
        "var el = document.querySelectorAll(arguments[0])[arguments[1]],"
        " r = el.getBoundingClientRect();"
        "el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true,"
        " clientX: r.x + r.width / 2, clientY: r.y + r.height / 2}));",
        '[data-tile="ring-belt.map"] path.gw-station', index)
    panel = wait_until(lambda: browser.execute_script(
        "var p = document.querySelector('.gw-map-info');"
        "return p && p.querySelector('[data-park]') ?"
        " [p.textContent, p.querySelectorAll('img, script, svg').length] : null;"))
    for hostile in (PARK, SECTION, DEVICE, PROJECT, ISSUE):
        assert hostile in panel[0], hostile
    assert panel[1] == 0
    assert browser.execute_script(RAN) == [None, 0]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
