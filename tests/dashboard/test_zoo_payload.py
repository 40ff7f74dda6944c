"""The zoo screen's tile data from known feed messages through a real worker, against the seeded
master data: feedings against the diet plans by area and species, the vet-case funnel, the
sensor board's bands (out of range, a door left open past ``GREENWALL_ZOO_DOOR_ALARM_MIN``, no
data), safety incidents, the published figures and protection classes, and a district scope
(the zoo is in 长宁: any other district holds nothing). And the zoo's settings that refuse
bands out of order, saying why."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from callbacks.zoo import compliance_band, load_master, payload
from dashboard.query import parse_query
from dashboard.registry import get_screen
from datasources.zoo.settings import ZooSettings, zoo_settings
from layouts.shell import build_screen
from layouts.zoo import SLUG
from tests.conftest import wait_until
from tests.dashboard.test_waste_payload import metric_values
from tests.feeds_helpers import SHANGHAI, publish

CHANGNING, PUDONG = "310105", "310115"
MINUTE_MS = 60_000


def stats_of(tile) -> dict[str, float | None]:
    return {s.metric: s.value for card in tile.content.cards for s in (card.stat, *card.subs)}


class Fed:
    """What the test sent, to compute the expected figures from."""

    def __init__(self, sources):
        self.sources = sources
        self.now = datetime.now(SHANGHAI)
        self.now_ms = int(self.now.timestamp() * 1000)
        day = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.day_start = int(day.timestamp() * 1000)
        self.master = load_master(sources)
        self.sent = dict.fromkeys(("zoo.feeding", "zoo.health", "zoo.enclosure", "zoo.safety"), 0)

    def send(self, feed: str, ago_ms: int, **fields) -> int:
        ts = self.now_ms - ago_ms
        publish(self.sources.redis, self.sources.keys, feed, ts=str(ts), **fields)
        self.sent[feed] += 1
        return ts

    def wait(self) -> None:
        def done() -> bool:
            stats = self.sources.live.feed_stats()
            return all(stats[f].ingested + stats[f].deadlettered == n for f, n in self.sent.items())
        wait_until(done)
        stats = self.sources.live.feed_stats()
        assert all(stats[f].deadlettered == 0 for f in self.sent)


@pytest.fixture
def fed(sources, worker) -> Fed:
    fed = Fed(sources)
    if fed.now_ms - fed.day_start < 3 * 60 * MINUTE_MS:
        pytest.skip("too close after midnight for today's events")
    m = 60_000
    # ---- feedings: the panda's bamboo twice, a tiger once, an apple off plan for the panda ----
    fed.given = {"SP-PANDA": 0.0, "SP-SCTIGER": 0.0, "SP-ELEPHANT": 0.0}
    for species, food, kg, ago in (("SP-PANDA", "竹子", 30, 60 * m), ("SP-PANDA", "竹子", 20, 30 * m),
                                   ("SP-PANDA", "苹果", 5, 20 * m),  # 苹果 is in its plan
                                   ("SP-PANDA", "蛋糕", 1, 10 * m),  # off plan
                                   ("SP-SCTIGER", "牛肉", 28.8, 40 * m),
                                   ("SP-ELEPHANT", "干草", 100, 50 * m)):
        sp = fed.master.species[species]
        fed.send("zoo.feeding", ago, enclosure=sp.enclosure, species=species, food=food, kg=kg,
                 keeper="KP-CARN-1")
        fed.given[species] += kg
    # ---- health: a check; case A reported → diagnosed; case B recovered today ----
    fed.send("zoo.health", 100 * m, case="TJ-1", species="SP-PANDA", enclosure="ZE-PANDA",
             stage="check", vet="VET-1")
    for stage, ago in (("reported", 90 * m), ("diagnosed", 80 * m)):
        fed.send("zoo.health", ago, case="BL-A", species="SP-GIRAFFE", enclosure="ZE-HERB",
                 stage=stage, vet="VET-2")
    for stage, ago in (("reported", 170 * m), ("diagnosed", 160 * m), ("treated", 150 * m),
                       ("recovered", 5 * m)):
        fed.send("zoo.health", ago, case="BL-B", species="SP-CHIMP", enclosure="ZE-APE",
                 stage=stage, vet="VET-3")
    # ---- sensors: panda house too warm; tigers' door open 25 min; apes normal, door just open ----
    fed.send("zoo.enclosure", 2 * m, enclosure="ZE-PANDA", sensor="SN-1", temp_c=29.5,
             humidity=60, door="closed")
    fed.send("zoo.enclosure", 25 * m, enclosure="ZE-TIGER", sensor="SN-2", temp_c=12,
             humidity=60, door="open")
    fed.send("zoo.enclosure", 1 * m, enclosure="ZE-TIGER", sensor="SN-2", temp_c=12.5,
             humidity=61, door="open")
    fed.send("zoo.enclosure", 3 * m, enclosure="ZE-APE", sensor="SN-3", temp_c=24,
             humidity=60, door="open")
    fed.send("zoo.enclosure", 60 * m, enclosure="ZE-MONK", sensor="SN-4", temp_c=20,
             humidity=60, door="closed")  # an hour ago: silent now
    # ---- safety ----
    for n, (kind, severity, ago) in enumerate((("fall", "low", 30 * m), ("climbing", "high", 20 * m),
                                               ("feeding", "medium", 10 * m))):
        fed.send("zoo.safety", ago, incident=f"AQ-{n}", enclosure="ZE-TIGER", kind=kind,
                 severity=severity, note="游客")
    fed.wait()
    return fed


def test_feeding_against_the_plan(sources, fed):
    master = fed.master
    tiles = payload(sources, None)
    overview = stats_of(tiles["overview"])
    # The plan falls due across the feeding hours (08:00–16:00 by default).
    now = datetime.now(SHANGHAI)
    due = zoo_settings().due_share(now.hour * 60 + now.minute + now.second / 60)
    if not 0 < due < 1:
        pytest.skip("outside the feeding hours the plan due is all or nothing")
    plan = {s: master.plan_kg(s) * due for s in master.species}
    assert overview["zoo.feedings_today"] == 6
    assert overview["zoo.feedings_plan"] == sum(master.plan_feeds(s) for s in master.species)
    assert overview["zoo.feeding_rate"] == pytest.approx(sum(fed.given.values()) / sum(plan.values()),
                                                         rel=1e-3)
    rows = {r.key: r for r in tiles["areas"].content.rows}
    carn = [s for s in master.species.values() if master.enclosures[s.enclosure].area == "ZA-CARN"]
    given = fed.given["SP-PANDA"] + fed.given["SP-SCTIGER"]
    assert rows["ZA-CARN"].share.value == pytest.approx(given / sum(plan[s.id] for s in carn),
                                                        rel=1e-3)
    assert [c.value for c in rows["ZA-CARN"].cells] == [
        pytest.approx(given), pytest.approx(sum(plan[s.id] for s in carn), rel=1e-3), 1]
    assert rows["ZA-PRIM"].share.value == 0 and rows["ZA-PRIM"].band == 0  # nothing fed
    shares = [r.share.value for r in tiles["areas"].content.rows]
    assert shares == sorted(shares)
    species = {r.key: r.value for r in tiles["species"].content.rows}
    assert len(species) == 6 and all(v == 0 for v in species.values())
    hourly = tiles["hourly"].content
    assert sum(hourly.series[0].values) == 6 and sum(hourly.series[1].values) == 3
    assert {s.metric: s.value for s in hourly.stats} == {"zoo.checks_today": 1,
                                                         "zoo.off_plan_today": 1}


def test_compliance_bands_and_the_plan_due_follow_the_settings():
    settings = ZooSettings(compliance_good=0.9, compliance_warn=0.6)
    assert [compliance_band(r, g, settings) for r, g in
            ((None, 0), (0.0, 0), (0.95, 1), (0.9, 1), (0.7, 1), (0.59, 1))] == [0, 0, 1, 1, 3, 5]
    hours = ZooSettings(feeding_hours="08:00-16:00")
    assert [hours.due_share(m) for m in (0, 480, 600, 720, 960, 1200)] == [
        0, 0, 0.25, 0.5, 1, 1]


def test_vet_cases_funnel(sources, fed):
    tiles = payload(sources, None)
    stages = {s.key: (s.bar.value, s.cells[0].value) for s in tiles["cases"].content.stages}
    assert stages == {"reported": (0, 1 + 1), "diagnosed": (1, 2), "treated": (0, 1),
                      "recovered": (1, 1)}
    overview = stats_of(tiles["overview"])
    assert (overview["zoo.cases_open"], overview["zoo.cases_reported_today"],
            overview["zoo.recovered_today"]) == (1, 2, 1)


def test_sensor_board_bands_and_alarms(sources, fed):
    assert zoo_settings().door_alarm_min == 10
    tiles = payload(sources, None)
    rows = {r.key: r for r in tiles["sensors"].content.rows}
    assert rows["ZE-PANDA"].band == 5  # 29.5 ℃ above its 26 ℃
    assert rows["ZE-TIGER"].band == 4  # open since 25 minutes
    assert rows["ZE-TIGER"].cells[1].value == 25
    assert rows["ZE-APE"].band == 2 and rows["ZE-APE"].cells[0].value == 24
    assert rows["ZE-MONK"].band == 0 and rows["ZE-MONK"].cells[0].value is None
    assert [r.key for r in tiles["sensors"].content.rows][:2] == ["ZE-PANDA", "ZE-TIGER"]
    overview = stats_of(tiles["overview"])
    assert overview["zoo.sensor_alarms"] == 2
    assert overview["zoo.doors_open"] == 2
    assert overview["zoo.sensors_silent"] == len(fed.master.enclosures) - 3


def test_safety_incidents_and_published_figures(sources, fed):
    tiles = payload(sources, None)
    overview = stats_of(tiles["overview"])
    assert (overview["zoo.incidents_today"], overview["zoo.incidents_high"]) == (3, 1)
    assert (overview["zoo.animals"], overview["zoo.species"],
            overview["zoo.protected_species"]) == (5303, 470, 270)
    rows = tiles["safety"].content.rows
    assert [r.key.split("-")[1] for r in rows] == ["2", "1", "0"]
    classes = {r.key: [c.value for c in r.cells] for r in tiles["classes"].content.rows}
    species = fed.master.species.values()
    for cls, published in (("first", 70), ("second", 200), ("cites", None), ("none", None)):
        mine = [s for s in species if s.protection == cls]
        assert classes[cls] == [published, len(mine), sum(s.heads for s in mine)]


def test_a_district_scope_holds_the_zoo_in_changning_only(sources, fed):
    city, changning, pudong = (payload(sources, d) for d in (None, CHANGNING, PUDONG))
    assert stats_of(changning["overview"]) == stats_of(city["overview"])
    empty = stats_of(pudong["overview"])
    assert all(not v for v in empty.values()), empty
    assert pudong["areas"].content.rows == () and pudong["sensors"].content.rows == ()
    assert pudong["safety"].content.rows == () and pudong["species"].content.rows == ()
    assert all(s.bar.value == 0 for s in pudong["cases"].content.stages)


def test_the_screen_renders_the_figures(sources, fed):
    tiles = payload(sources, None)
    shown = metric_values(build_screen(get_screen(SLUG), tiles, 1, parse_query("")))
    assert shown["zoo.sensor_alarms"] == "2"
    assert shown["zoo.incidents_today"] == "3"
    assert shown["zoo.cases.diagnosed"] == "1"
    assert shown["zoo.temp.ZE-PANDA"] == "29.5"


@pytest.mark.parametrize(("env", "says"), [
    ({"GREENWALL_ZOO_COMPLIANCE_WARN": "0.95"}, "must be below GREENWALL_ZOO_COMPLIANCE_GOOD"),
    ({"GREENWALL_ZOO_DOOR_ALARM_MIN": "0"}, "door_alarm_min"),
    ({"GREENWALL_ZOO_SENSOR_SILENT_MIN": "soon"}, "sensor_silent_min"),
    ({"GREENWALL_ZOO_FEEDING_HOURS": "16:00-08:00"}, "start before end"),
    ({"GREENWALL_ZOO_FEEDING_HOURS": "8-16"}, "must be HH:MM-HH:MM"),
])
def test_bad_zoo_settings_are_refused_saying_why(env, says, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=says):
        ZooSettings()
