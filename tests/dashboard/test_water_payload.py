"""The water-area screen's tile data from known feed messages through a real worker, against
the seeded master data: boats on patrol (a docked one and a silent one do not count), tonnes by
section, company and hour, the plants figures, section scores by the configured weights (and
the formula shown), the issue funnel with overdue issues (``GREENWALL_WATER_ISSUE_CLOSE_WITHIN_H``),
the map's boats and tracks, and a district scope that holds its own sections only. And the
settings that refuse bad weights, saying why."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from callbacks.water_area import payload
from datasources.water.settings import WaterSettings, water_settings
from tests.conftest import wait_until
from tests.feeds_helpers import SHANGHAI, publish

HUANGPU, PUTUO = "310101", "310107"
CORE, SOUTH, SUZHOU = "HPJ-02", "HPJ-03", "SZH-01"
MINUTE, HOUR = 60_000, 3_600_000


@pytest.fixture(autouse=True)
def weights(monkeypatch):
    monkeypatch.setenv("GREENWALL_WATER_SCORE_WEIGHTS", "50,30,20")
    monkeypatch.setenv("GREENWALL_WATER_ISSUE_CLOSE_WITHIN_H", "4")
    water_settings.cache_clear()
    yield
    water_settings.cache_clear()


class Fed:
    def __init__(self, sources):
        self.sources = sources
        self.now = datetime.now(SHANGHAI)
        self.now_ms = int(self.now.timestamp() * 1000)
        day = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.day_start = int(day.timestamp() * 1000)
        self.sent: dict[str, int] = {}

    def send(self, feed: str, ago_ms: int, **fields) -> int:
        ts = self.now_ms - ago_ms
        publish(self.sources.redis, self.sources.keys, feed, ts=str(ts), **fields)
        self.sent[feed] = self.sent.get(feed, 0) + 1
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
    if fed.now_ms - fed.day_start < 6 * HOUR:
        pytest.skip("too close after midnight for today's hours and issues to be known")
    boat = "water.boat"
    fed.send(boat, 3 * MINUTE, boat="CB-04", section=CORE, lat="31.24", lon="121.494",
             status="patrolling")
    fed.send(boat, 1 * MINUTE, boat="CB-04", section=CORE, lat="31.241", lon="121.494",
             status="collecting")
    fed.send(boat, 2 * MINUTE, boat="CB-07", section=SOUTH, lat="31.20", lon="121.49",
             status="patrolling")
    fed.send(boat, 2 * MINUTE, boat="CB-05", section=CORE, lat="31.22", lon="121.497",
             status="docked")
    fed.send(boat, 40 * MINUTE, boat="CB-06", section=CORE, lat="31.23", lon="121.495",
             status="patrolling")  # unheard for 40 min: not on patrol
    fed.send(boat, 2 * MINUTE, boat="CB-19", section=SUZHOU, lat="31.24", lon="121.45",
             status="patrolling")
    col = "water.collection"
    fed.send(col, 10 * MINUTE, boat="CB-04", section=CORE, tonnes="0.50")
    fed.send(col, 70 * MINUTE, boat="CB-04", section=CORE, tonnes="0.25")
    fed.send(col, 20 * MINUTE, boat="CB-07", section=SOUTH, tonnes="1.00")
    fed.send(col, 30 * MINUTE, boat="CB-19", section=SUZHOU, tonnes="2.00")
    fed.send(col, 24 * HOUR, boat="CB-19", section=SUZHOU, tonnes="4.00")  # yesterday
    fed.hour_of = lambda ago: datetime.fromtimestamp((fed.now_ms - ago) / 1000, SHANGHAI).hour
    fed.send("water.plants", 15 * MINUTE, section=SOUTH, species="hyacinth", area_m2="1500",
             tonnes="20")
    fed.send("water.plants", 15 * MINUTE, section=SUZHOU, species="duckweed", area_m2="400")
    ins = "water.inspection"
    fed.send(ins, 2 * HOUR, inspection="I-1", inspector="SG", section=CORE, floating="90",
             shore="80", facility="100")
    fed.send(ins, 2 * HOUR, inspection="I-2", inspector="SG", section=SUZHOU, floating="60",
             shore="70", facility="80")
    iss = "water.issue"
    fed.send(iss, 5 * HOUR, issue="Q-1", section=CORE, stage="found", category="floating")  # overdue
    fed.send(iss, 3 * HOUR, issue="Q-2", section=CORE, stage="found", category="shore")
    fed.send(iss, 2 * HOUR, issue="Q-2", section=CORE, stage="assigned", company="WC-HUANGPU")
    fed.send(iss, 1 * HOUR, issue="Q-3", section=SUZHOU, stage="found", category="plants")
    fed.send(iss, 50 * MINUTE, issue="Q-3", section=SUZHOU, stage="assigned")
    fed.send(iss, 10 * MINUTE, issue="Q-3", section=SUZHOU, stage="closed")
    fed.wait()
    return fed


def counters(tiles) -> dict[str, float | None]:
    return {s.metric: s.value for card in tiles["headline"].content.cards
            for s in (card.stat, *card.subs)}


def rows(tiles, key: str) -> dict[str, float | None]:
    return {r.key: r.value for r in tiles[key].content.rows}


def test_headline_in_city_and_district(sources, fed):
    city = counters(payload(sources, None))
    assert city["water.boats_on_patrol"] == 3  # CB-04, CB-07, CB-19
    assert city["water.boats_collecting"] == 1
    assert city["water.tonnes_today"] == pytest.approx(3.75)
    assert city["water.area_today"] == 1900
    assert (city["water.issues_open"], city["water.issues_overdue"]) == (2, 1)
    huangpu = counters(payload(sources, HUANGPU))
    assert huangpu["water.boats_on_patrol"] == 2
    assert huangpu["water.tonnes_today"] == pytest.approx(1.75)
    assert huangpu["water.area_today"] == 1500
    assert (huangpu["water.issues_open"], huangpu["water.issues_overdue"]) == (2, 1)
    putuo = counters(payload(sources, PUTUO))
    assert (putuo["water.boats_on_patrol"], putuo["water.tonnes_today"]) == (1, pytest.approx(2))
    assert (putuo["water.issues_open"], putuo["water.issues_overdue"]) == (0, 0)


def test_tonnes_by_section_company_and_hour(sources, fed):
    tiles = payload(sources, None)
    by_section = rows(tiles, "sections")
    assert (by_section[SUZHOU], by_section[SOUTH], by_section[CORE]) == (2.0, 1.0, 0.75)
    assert list(by_section)[:3] == [SUZHOU, SOUTH, CORE]
    assert rows(tiles, "companies") == {"WC-SUHE": 2.0, "WC-MIAOJIANG": 1.0,
                                        "WC-HUANGPU": 0.75, **{
                                            k: 0.0 for k in rows(tiles, "companies")
                                            if k not in ("WC-SUHE", "WC-MIAOJIANG", "WC-HUANGPU")}}
    assert set(rows(payload(sources, HUANGPU), "sections")) == {CORE, SOUTH}
    hourly = tiles["hourly"].content
    today = dict(zip(hourly.x, hourly.series[0].values, strict=True))
    expected: dict[int, float] = {}
    for ago, tonnes in ((10 * MINUTE, 0.5), (70 * MINUTE, 0.25), (20 * MINUTE, 1.0),
                        (30 * MINUTE, 2.0)):
        expected[fed.hour_of(ago)] = expected.get(fed.hour_of(ago), 0) + tonnes
    assert {int(h): v for h, v in today.items() if v} == pytest.approx(expected)
    assert hourly.stats[0].value == pytest.approx(4.0)  # yesterday, city
    assert payload(sources, HUANGPU)["hourly"].content.stats[0].value == 0


def test_plants_scores_and_the_formula(sources, fed):
    tiles = payload(sources, None)
    plants = {s.metric: s.value for card in tiles["plants"].content.cards
              for s in (card.stat, *card.subs)}
    assert plants["water.hyacinth_today"] == 1500
    assert plants["water.plant_tonnes_today"] == pytest.approx(20)
    assert plants["water.published_hyacinth_2025"] == 80000
    scores = tiles["scores"].content
    # (50×90 + 30×80 + 20×100) ÷ 100 = 89.0; (50×60 + 30×70 + 20×80) ÷ 100 = 67.0
    assert rows(tiles, "scores") == {SUZHOU: 67.0, CORE: 89.0}
    assert list(rows(tiles, "scores")) == [SUZHOU, CORE]  # lowest first
    assert dict(scores.footer.values) == {"floating": 50.0, "shore": 30.0, "facility": 20.0,
                                          "total": 100.0, "good": 90.0, "fair": 80.0}
    assert str(scores.footer).startswith("得分 = (50×水面漂浮物 + 30×岸线滩涂 + 20×设施与作业) ÷ 100")
    assert rows(payload(sources, PUTUO), "scores") == {SUZHOU: 67.0}
    levels = tiles["map"].content.levels
    assert (levels[HUANGPU], levels[PUTUO]) == (2, 3)  # 良, 差


def test_issue_funnel_and_overdue(sources, fed):
    def funnel(district):
        content = payload(sources, district)["issues"].content
        return {s.key: (s.bar.value, *(c.value for c in s.cells)) for s in content.stages}

    assert funnel(None) == {"found": (1, 3, 1), "assigned": (1, 2, 0), "closed": (1, 1, None)}
    assert funnel(HUANGPU) == {"found": (1, 2, 1), "assigned": (1, 1, 0),
                               "closed": (0, 0, None)}
    assert funnel(PUTUO) == {"found": (0, 1, 0), "assigned": (0, 1, 0), "closed": (1, 1, None)}


def test_map_shows_boats_on_patrol_and_their_tracks(sources, fed):
    cellmap = payload(sources, None)["map"].content
    boats = {f["properties"]["id"]: f for f in cellmap.markers["features"]
             if "@" not in f["properties"]["id"]}
    assert set(boats) == {"CB-04", "CB-07", "CB-19", "CB-05"}  # CB-05 docked, CB-06 silent
    assert boats["CB-04"]["geometry"]["coordinates"] == [121.494, 31.241]
    track = [f for f in cellmap.markers["features"] if f["properties"]["id"].startswith("CB-04@")]
    assert [f["geometry"]["coordinates"] for f in track] == [[121.494, 31.24]]
    assert cellmap.values[CORE] == 2 and cellmap.values[SUZHOU] == 1
    scoped = payload(sources, PUTUO)["map"].content
    assert {f["properties"]["id"] for f in scoped.markers["features"]} == {"CB-19"}
    assert {f["properties"]["id"] for f in scoped.cells.data["features"]} == {SUZHOU}


def test_events_newest_first_and_scoped(sources, fed):
    events = payload(sources, None)["events"].content.rows
    assert len(events) == 12
    putuo = payload(sources, PUTUO)["events"].content.rows
    assert putuo and all("苏州河" in str(r.title) for r in putuo)


def test_bad_weights_are_refused_with_why():
    with pytest.raises(ValidationError, match="three numbers"):
        WaterSettings(score_weights="50,50")
    with pytest.raises(ValidationError, match="not all 0"):
        WaterSettings(score_weights="0,0,0")
    assert WaterSettings(score_weights="1,1,2").score(100, 100, 50) == 75.0
