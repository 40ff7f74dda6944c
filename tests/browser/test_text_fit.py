"""Text that fits, in both languages, on the 1920×1080 canvas and on every part of a 2×2 wall:
nothing cut by its box or hidden behind "…", nothing printed over other text, nothing below the
text-size floor (docs/screens.md) at 1920×1080, tickers showing whole rows only, the page
title in the page's language, and no controls on a wall part.

One browser per screen and language walks all five views (the canvas and the four wall parts)
and reports every finding of every view at once. The lists are fed first, with entity ids as
long as the feeds accept, so wrapping is tested where names are shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.registry import get_screen
from tests.browser.conftest import live
from tests.browser.fit import describe, labels_settled, overflowing, overprinted, smaller_than
from tests.conftest import wait_until
from tests.feeds_helpers import SHANGHAI, publish

FLOOR_PX = 14
# The maps' own district labels are placed by assets/map.js and tested with the maps.
SKIP = ".leaflet-tooltip-pane"
VIEWS = ("", "wall=2x2&tile=1", "wall=2x2&tile=2", "wall=2x2&tile=3", "wall=2x2&tile=4")
# As long as an Identifier may be (64), without a break opportunity.
LONG_ID = "AJ-" + "20261201" * 7 + "-9"
# Fonts in, the map drawn where the screen has one (the zoo's has none), a ticker row shown.
SETTLED = ("return document.fonts.status === 'loaded' && "
           "(document.querySelectorAll('.leaflet-interactive').length > 0 || "
           "document.querySelectorAll('.leaflet-container').length === 0) && "
           "document.querySelectorAll('.gw-ticker-row').length > 0;")


def _iso(ago: timedelta) -> str:
    return (datetime.now(SHANGHAI) - ago).isoformat()


@pytest.fixture
def served(dash_duo, screen_app, sources, worker):
    """Every screen with a little data: waste loads and verdicts, forest cases (some overdue,
    some with the longest ids a feed accepts) and patrols, three parks on the alert list."""
    keys, redis = sources.keys, sources.redis
    for district, tonnes in (("310115", "8"), ("310101", "3")):
        publish(redis, keys, "waste.weighing", district=district, station=f"ST-{district}-01",
                vehicle="VH-1", category="wet", tonnes=tonnes)
    for n, site in enumerate(sources.store.sites("310115")[:6]):
        publish(redis, keys, "waste.quality", district="310115", camera=f"QC-{n}", site=site.id,
                verdict="unqualified", confidence="0.9",
                issue="混有塑料袋、玻璃瓶、大件垃圾与未破袋的厨余，需退回收集点重新分拣处理")
    scenarios = ("neglect", "ancient_tree", "wildlife", "fire", "deforestation")
    for n, grid in enumerate(sources.store.forest.patrol_grids("310115")[:10]):
        incident = LONG_ID[:-1] + str(n) if n % 2 else f"AJ-T-{n}"
        publish(redis, keys, "forest.incident", incident=incident, ts=_iso(timedelta(days=3)),
                scenario=scenarios[n % 5], stage="reported", grid=grid.id, lat=grid.lat,
                lon=grid.lon, note="现场核查发现林地被临时堆放建筑垃圾，已通知责任单位限期清理")
        publish(redis, keys, "forest.patrol", ranger=f"HL-UNREGISTERED-{n:02d}-{'X' * 40}",
                grid=grid.id, kind="start", lat=grid.lat, lon=grid.lon)
    publish(redis, keys, "forest.fire_risk", district="310115", level="5")
    # Three parks on the crowding alert list: 顾村 full, 鲁迅 and a demo pocket park crowded.
    parks = {p.id: p for p in sources.store.park.parks()}
    pocket = next(p for p in parks.values() if p.category == "口袋公园")
    gates = [("PK-GUCUN", 10_000)] * 12 + [("PK-LUXUN", 6_500), (pocket.id, round(
        pocket.capacity_instant * 0.85))]
    for n, (park, people) in enumerate(gates):
        publish(redis, keys, "park.gate", park=park, gate=f"{park}-G{n}", entered=people, exited=0)
    # The belt: fire and pest issues for its alert list, faults of devices with the longest ids
    # (unregistered), a project at each stage.
    belt = sources.store.belt.belt_parks()
    for n, park in enumerate(belt[:4]):
        publish(redis, keys, "belt.inspection", inspection=f"INS-T-{n}", inspector="XJ-1",
                park=park.id, section=park.section, result="issue",
                category=("fire", "pest")[n % 2], ts=_iso(timedelta(hours=n)),
                issue="林下枯枝落叶堆积较厚，靠近游步道与烧烤区，存在较大火灾隐患，需立即清理")
        publish(redis, keys, "belt.device", device=LONG_ID[:-1] + str(n), park=park.id,
                kind="camera", status="fault", ts=_iso(timedelta(hours=30 + n)))
    stages = ("plan", "approve", "design", "build", "accept")
    for n in range(len(stages)):
        for k, step in enumerate(stages[:n + 1]):
            publish(redis, keys, "belt.project", project=f"BJ-T-{n}", park=belt[n].id,
                    stage=step, name="环城生态公园带绿道贯通与驿站提升工程（演示）",
                    ts=_iso(timedelta(days=40 - 2 * n) - timedelta(hours=k)))
    wait_until(lambda: sources.live.feed_stats()["forest.patrol"].ingested == 10, timeout=20)
    wait_until(lambda: sources.live.feed_stats()["park.gate"].ingested == len(gates), timeout=20)
    wait_until(lambda: sources.live.feed_stats()["belt.project"].ingested == 15, timeout=20)
    # --- sign ---
    # Signboards: eight sensors in alarm (tilt and vibration both, the widest kind), typhoon
    # mode on, a hazard at each open stage of the loop.
    for n, sensor in enumerate(sources.store.sign.sign_sensors()[:8]):
        publish(redis, keys, "sign.sensor", sensor=sensor.id, sign=sensor.sign, online="1",
                tilt=f"{4 + n / 10:.1f}", vibration="45.5", battery="15",
                ts=_iso(timedelta(minutes=n)))
    publish(redis, keys, "sign.typhoon", mode="on", officer="ZB-1")
    for n, stages in enumerate((("found",), ("found", "notified"),
                                ("found", "notified", "rectified"))):
        sign = sources.store.sign.sign_boards()[n].id
        for k, stage in enumerate(stages):
            publish(redis, keys, "sign.inspection", case=f"YH-T-{n}", sign=sign, stage=stage,
                    category="corrosion", ts=_iso(timedelta(days=3 - k)))
    wait_until(lambda: sources.live.feed_stats()["sign.inspection"].ingested == 6, timeout=20)
    # --- end sign ---
    # --- water ---
    # Events of every kind in the live list, among them issues on the longest-named section
    # and collections by unregistered boats with the longest ids.
    water = sources.store.water.water_sections()
    for n, section in enumerate(water[:6]):
        publish(redis, keys, "water.collection", boat=LONG_ID[:-1] + str(n), section=section.id,
                tonnes="0.35", ts=_iso(timedelta(minutes=n)))
        publish(redis, keys, "water.issue", issue=f"WQ-T-{n}", section=section.id,
                stage="found", category="floating", note="水面漂浮垃圾聚集，需立即打捞清理",
                ts=_iso(timedelta(minutes=10 + n)))
        publish(redis, keys, "water.plants", section=section.id, species="hyacinth",
                area_m2="123456", ts=_iso(timedelta(minutes=20 + n)))
    wait_until(lambda: sources.live.feed_stats()["water.plants"].ingested == 6, timeout=20)
    # --- end water ---
    # --- zoo ---
    # Incidents (one at a house master data lacks, with the longest id), feedings, a vet case,
    # sensors out of range and a door left open.
    zoo_houses = [("ZE-TIGER", "climbing"), ("ZE-BEAST", "lost_child"), (LONG_ID, "throwing"),
                  ("ZE-REPT", "medical"), ("ZE-HERB", "feeding")]
    for n, (house, kind) in enumerate(zoo_houses):
        publish(redis, keys, "zoo.safety", incident=f"AQ-T-{n}", enclosure=house, kind=kind,
                severity=("high", "medium", "low")[n % 3], ts=_iso(timedelta(minutes=10 * n)),
                note="游客翻越护栏进入缓冲区，已由安保人员劝离并记录在案，现场无人员受伤")
    for species, house, food in (("SP-PANDA", "ZE-PANDA", "竹子"),
                                 ("SP-ELEPHANT", "ZE-ELEPH", "干草")):
        publish(redis, keys, "zoo.feeding", enclosure=house, species=species, food=food,
                kg="12.5", keeper="KP-CARN-1")
    publish(redis, keys, "zoo.health", case="BL-T-1", species="SP-PANDA", enclosure="ZE-PANDA",
            stage="reported", vet="VET-1", note="食欲下降，精神不振")
    publish(redis, keys, "zoo.enclosure", enclosure="ZE-PANDA", sensor="SN-1", temp_c="-39.5",
            humidity="100", door="open", ts=_iso(timedelta(minutes=30)))
    publish(redis, keys, "zoo.enclosure", enclosure="ZE-PANDA", sensor="SN-1", temp_c="-39.5",
            humidity="100", door="open")
    wait_until(lambda: sources.live.feed_stats()["zoo.safety"].ingested == len(zoo_houses),
               timeout=20)
    # --- end zoo ---
    dash_duo.start_server(screen_app)
    return dash_duo.server_url


def _open(browser, url: str) -> None:
    browser.get(url)
    wait_until(lambda: live(browser), timeout=40)
    wait_until(lambda: browser.execute_script(SETTLED), timeout=20)
    labels_settled(browser)
    # Let transitions (bars, fonts swapping in) finish before measuring boxes.
    browser.execute_async_script(
        "var done = arguments[0]; requestAnimationFrame(() => setTimeout(done, 700));")


# Each row of a ticker that shows at all, and whether it shows whole.
TICKER_ROWS = """
var list = document.querySelector('[data-tile="' + arguments[0] + '"] .gw-ticker');
var box = list.getBoundingClientRect();
return Array.from(list.children).map(function (li) {
  var r = li.getBoundingClientRect();
  return {text: li.textContent.slice(0, 40),
          seen: r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom,
          whole: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5};
});
"""
TICKERS = {"waste-sorting": "waste-sorting.unqualified", "forest-chief": "forest-chief.ticker",
           "park-flow": "park-flow.alerts", "ring-belt": "ring-belt.alerts"}
# --- sign ---
TICKERS["signboards"] = "signboards.alarms"
# --- end sign ---
# --- water ---
TICKERS["water-area"] = "water-area.events"
# --- end water ---
# --- zoo ---
TICKERS["zoo"] = "zoo.safety"
# --- end zoo ---

CHROME = """
return Array.from(document.querySelectorAll('.gw-scope-picker, .gw-export, .gw-home'))
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map(e => e.className + ' ' + e.textContent);
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("slug", list(TICKERS))
def test_text_fits_on_the_canvas_and_every_wall_part(served, chrome, slug, lang):
    browser = chrome(1920, 1080)
    problems = []
    for view in VIEWS:
        query = "&".join(q for q in (f"lang={lang}", view) if q)
        _open(browser, f"{served}/screens/{slug}?{query}")
        cut = overflowing(browser, SKIP)
        if view:
            # Text across the edge of a wall part goes on on the next display: only the page's
            # own edge cuts it, not a box of the page.
            cut = [f for f in cut if not (f["cx"] <= 0 and f["cy"] <= 0 and f["cright"] >= 1920
                                          and f["cbottom"] >= 1080)]
        found = {"cut": describe(cut),
                 "overprinted": describe(overprinted(browser, SKIP))}
        if view:
            # A wall part is a kiosk: no picker, no CSV links, nothing to click.
            found["controls"] = "\n".join(browser.execute_script(CHROME))
        else:
            found[f"below {FLOOR_PX} px"] = describe(smaller_than(browser, FLOOR_PX, SKIP))
            # The ticker shows whole rows only, and at least a few of them.
            rows = [r for r in browser.execute_script(TICKER_ROWS, TICKERS[slug]) if r["seen"]]
            found["ticker rows"] = "\n".join(
                [f"only {len(rows)} rows"] * (len(rows) < 3)
                + [f"half-cut: {r['text']!r}" for r in rows if not r["whole"]])
        spec = get_screen(slug)
        title = f"{spec.title_en if lang == 'en' else spec.title} · greenwall"
        if browser.title != title:
            found["title"] = f"{browser.title!r}, not {title!r}"
        problems += [f"--- {query}: {what}\n{text}" for what, text in found.items() if text]
    assert not problems, "\n".join(problems)
