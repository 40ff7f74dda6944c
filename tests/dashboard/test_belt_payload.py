"""The ring-belt screen's tile data from known feed messages through a real worker, against the
demo master data: devices online and their faults oldest first, issues found, closed and
overdue (``belt_issue_close_within_h``), section scores by the settings' weights, the project
funnel with overdue stages (``belt_stage_days``), and a district scope that holds its own
parks only. And the settings that refuse bad weights or stage days, saying why."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from callbacks.ring_belt import payload
from dashboard.query import parse_query
from dashboard.registry import get_screen
from dashboard.settings import Settings
from layouts.ring_belt import SLUG
from layouts.shell import build_screen
from tests.conftest import wait_until
from tests.dashboard.test_waste_payload import metric_values
from tests.feeds_helpers import SHANGHAI, publish

BAOSHAN, PUDONG = "310113", "310115"
WEIGHTS = (50, 30, 20)
CLOSE_WITHIN_H = 24
HOUR_MS, DAY_MS = 3_600_000, 86_400_000


@pytest.fixture
def settings(tmp_path, key_prefix, seeded_db_url, redis_url):
    return Settings(redis_url=redis_url, database_url=seeded_db_url, data_dir=tmp_path,
                    key_prefix=key_prefix, simulate=False,
                    belt_score_weights=",".join(map(str, WEIGHTS)),
                    belt_issue_close_within_h=CLOSE_WITHIN_H)


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
        self.devices = {d.id: d for d in sources.store.belt.belt_devices()}
        self.parks = {p.id: p for p in sources.store.belt.belt_parks()}
        self.sent = {"belt.device": 0, "belt.inspection": 0, "belt.project": 0}

    def send(self, feed: str, ago_ms: int, **fields) -> int:
        ts = self.now_ms - ago_ms
        publish(self.sources.redis, self.sources.keys, feed, ts=str(ts), **fields)
        self.sent[feed] += 1
        return ts

    def device_of(self, park: str, n: int) -> str:
        return sorted(d for d, row in self.devices.items() if row.park == park)[n]

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
    if fed.now_ms - fed.day_start < 10 * 60_000:
        pytest.skip("too close after midnight for 'today' to be known")
    minute = 60_000
    # ---- devices: in 丰翔 (宝山, BS-01) and 滨江森林公园 (浦东, BS-02) ----
    f = [fed.device_of("PK-FENGXIANG", n) for n in range(4)]
    b = [fed.device_of("PK-BINJIANG", n) for n in range(2)]

    def dev(ident: str, status: str, ago: int) -> None:
        row = fed.devices[ident]
        fed.send("belt.device", ago, device=ident, park=row.park, kind=row.kind, status=status)

    dev(f[0], "online", 1 * minute)
    dev(f[1], "fault", 3 * HOUR_MS)
    dev(f[1], "fault", 10 * minute)  # a heartbeat: the fault is still 3 h old
    dev(f[2], "fault", 1 * HOUR_MS)
    dev(f[3], "offline", 5 * minute)
    dev(b[0], "online", 2 * minute)
    dev(b[1], "online", 5 * HOUR_MS)
    dev(b[1], "fault", 2 * HOUR_MS)
    fed.faults = {None: [f[1], b[1], f[2]], BAOSHAN: [f[1], f[2]]}
    fed.online = {f[0], b[0]}
    # ---- inspections ----
    fed.issues = []  # (park, section, found ms, closed ms or None)

    def inspection(ident: str, park: str, result: str, ago: int, **more) -> int:
        return fed.send("belt.inspection", ago, inspection=ident, inspector="XJ-T", park=park,
                        section=fed.parks[park].section, result=result, **more)

    fed.visits = []  # (park, ms) of today's ok and issue inspections
    for ident, park, ago in (("I-1", "PK-FENGXIANG", 4 * minute), ("I-2", "PK-GUCUN", 3 * minute)):
        fed.visits.append((park, inspection(ident, park, "ok", ago)))
    for ident, park, found, closed, category in (
            ("I-3", "PK-BINJIANG", 2 * minute, None, "facility"),
            ("I-4", "PK-SHENYANG", 30 * HOUR_MS, None, "fire"),  # overdue
            ("I-5", "PK-BELT-04", 20 * HOUR_MS, 1 * minute, "hygiene"),  # closed in time
            ("I-6", "PK-HUZHUANG", 40 * HOUR_MS, 3 * minute, "greening")):  # closed late
        found_ms = inspection(ident, park, "issue", found, category=category, issue="问题")
        fed.visits.append((park, found_ms))
        closed_ms = inspection(ident, park, "closed", closed) if closed is not None else None
        fed.issues.append((park, fed.parks[park].section, found_ms, closed_ms))
    # ---- projects ----

    def project(ident: str, park: str, days_ago: tuple[int, ...]) -> None:
        for stage, days in zip(("plan", "approve", "design", "build", "accept"), days_ago,
                               strict=False):
            fed.send("belt.project", days * DAY_MS, project=ident, park=park, stage=stage,
                     name=f"{ident}工程" if stage == "plan" else "")

    project("P-1", "PK-FENGXIANG", (40,))  # plan, overdue (30 days)
    project("P-2", "PK-GUCUN", (10, 5))  # approve
    project("P-3", "PK-BINJIANG", (100, 90, 80, 25))  # build, entered 25 days ago
    project("P-4", "PK-BINJIANG", (60, 50))  # approve, overdue (20 days)
    project("P-5", "PK-GUCUN", (200, 150, 100, 60, 2))  # accepted 2 days ago
    fed.wait()
    return fed


def registered(fed: Fed, district: str | None = None, section: str | None = None) -> set[str]:
    return {d for d, row in fed.devices.items()
            if district in (None, fed.parks[row.park].district)
            and section in (None, fed.parks[row.park].section)}


def test_devices_online_and_faults_oldest_first(sources, fed):
    for district in (None, BAOSHAN):
        tiles = payload(sources, district)
        devices = stats_of(tiles["devices"])
        scope = registered(fed, district)
        online = fed.online & scope
        assert devices["belt.devices"] == len(scope)
        assert devices["belt.devices_online"] == len(online)
        assert devices["belt.devices_online_rate"] == pytest.approx(len(online) / len(scope))
        assert devices["belt.devices_fault"] == len(fed.faults[district])
        assert devices["belt.devices_offline"] == 1
        assert devices["belt.devices_silent"] == len(scope) - len(online) - len(
            fed.faults[district]) - 1
        rows = tiles["faults"].content.rows
        assert [r.key for r in rows] == fed.faults[district]
        assert rows[0].value == pytest.approx(3.0, abs=0.1)  # since its first report


def test_issues_found_closed_and_overdue(sources, fed):
    deadline = CLOSE_WITHIN_H * HOUR_MS
    for district in (None, BAOSHAN, PUDONG):
        mine = [i for i in fed.issues if district in (None, fed.parks[i[0]].district)]
        closed = [i for i in mine if i[3] is not None]
        still_open = [i for i in mine if i[3] is None]
        issues = stats_of(payload(sources, district)["issues"])
        assert issues["belt.issues_found"] == sum(i[2] >= fed.day_start for i in mine)
        assert issues["belt.issues_closed"] == len(closed)
        assert issues["belt.issues_open"] == len(still_open)
        assert issues["belt.issues_overdue"] == sum(fed.now_ms - i[2] > deadline
                                                   for i in still_open)
        assert issues["belt.issues_on_time"] == pytest.approx(
            sum(i[3] - i[2] <= deadline for i in closed) / len(closed))
        assert issues["belt.inspections_today"] == sum(
            at >= fed.day_start for park, at in fed.visits
            if district in (None, fed.parks[park].district))
    city = stats_of(payload(sources, None)["issues"])
    assert (city["belt.issues_overdue"], city["belt.issues_on_time"]) == (1, 0.5)


def test_section_scores_follow_the_configured_weights(sources, fed):
    assert sources.settings.belt_weights == WEIGHTS
    deadline = CLOSE_WITHIN_H * HOUR_MS
    w_cov, w_close, w_dev = WEIGHTS
    sections = {p.section for p in fed.parks.values()}
    expected = {}
    for section in sections:
        parks = {p.id for p in fed.parks.values() if p.section == section and p.status == "open"}
        visited = {park for park, at in fed.visits if at >= fed.day_start and park in parks}
        closed = [i for i in fed.issues if i[1] == section and i[3] is not None]
        closure = sum(i[3] - i[2] <= deadline for i in closed) / len(closed) if closed else 1.0
        scope = registered(fed, section=section)
        expected[section] = round(w_cov * len(visited) / len(parks) + w_close * closure
                                  + w_dev * len(fed.online & scope) / len(scope), 1)
    # By hand, for the two sections the events touched (宝山段 BS-01: 7 parks, two visited
    # today, its one closure late; 浦东北段 BS-02: 滨江 visited, its one closure on time).
    assert expected["BS-01"] == round(50 * 2 / 7 + 0 + 20 / len(registered(fed, section="BS-01")), 1)
    assert expected["BS-08"] == 30.0
    rows = payload(sources, None)["sections"].content.rows
    assert {r.key: r.value for r in rows} == expected
    assert [r.value for r in rows] == sorted(expected.values(), reverse=True)
    baoshan = payload(sources, BAOSHAN)["sections"].content
    assert {r.key: r.value for r in baoshan.rows} == {"BS-01": expected["BS-01"]}
    assert "50" in str(baoshan.footer) and "30" in str(baoshan.footer)


def test_project_funnel_counts_and_overdue_stages(sources, fed):
    def funnel(district):
        stages = payload(sources, district)["projects"].content.stages
        def cell(stage, name):
            [value] = [c.value for c in stage.cells
                       if c.metric == f"belt.projects_{name}.{stage.key}"]
            return value

        return {s.key: (s.bar.value, cell(s, "overdue"), cell(s, "entered")) for s in stages}

    # (now, overdue, entered in 30 days); accepted ones are counted as entered.
    assert funnel(None) == {"plan": (1, 1, 1), "approve": (2, 1, 1), "design": (0, 0, 0),
                            "build": (1, 0, 1), "accept": (1, None, 1)}
    assert funnel(BAOSHAN) == {"plan": (1, 1, 1), "approve": (1, 0, 1), "design": (0, 0, 0),
                               "build": (0, 0, 0), "accept": (1, None, 1)}
    assert funnel(PUDONG) == {"plan": (0, 0, 0), "approve": (1, 1, 0), "design": (0, 0, 0),
                              "build": (1, 0, 1), "accept": (0, None, 0)}


def test_a_district_scope_holds_its_own_parks_only(sources, fed):
    tiles = payload(sources, BAOSHAN)
    points = tiles["map"].content.points["features"]
    baoshan = {p.id for p in fed.parks.values() if p.district == BAOSHAN}
    assert {f["id"] for f in points} == baoshan
    overview = stats_of(tiles["overview"])
    assert overview["belt.parks_planned"] == len(baoshan)
    assert {r.key for r in tiles["faults"].content.rows} <= registered(fed, BAOSHAN)
    assert all(fed.parks[r.key].district == BAOSHAN for r in tiles["visitors"].content.rows
               if r.key in fed.parks)
    city = stats_of(payload(sources, None)["overview"])
    assert city["belt.parks_planned"] == len(fed.parks)


def test_the_screen_renders_the_figures(sources, fed):
    for district in (None, BAOSHAN):
        tiles = payload(sources, district)
        shown = metric_values(build_screen(get_screen(SLUG), tiles, 1, parse_query("")))
        assert shown["belt.devices_fault"] == str(len(fed.faults[district]))
        assert shown["belt.projects.plan"] == "1"
        assert shown["belt.projects_overdue.plan"] == "1"
        assert "belt.score.BS-01" in shown and ("belt.score.BS-02" in shown) == (district is None)


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("belt_score_weights", "50,30,30", "the three weights must sum to 100"),
    ("belt_score_weights", "50,50", "3 comma-separated numbers of at least 0"),
    ("belt_score_weights", "120,-10,-10", "3 comma-separated numbers of at least 0"),
    ("belt_stage_days", "30,20,45", "4 comma-separated whole numbers above 0"),
    ("belt_stage_days", "30,20,0,120", "4 comma-separated whole numbers above 0"),
    ("belt_stage_days", "30,20,4.5,120", "4 comma-separated whole numbers above 0"),
    ("belt_stage_days", "a,b,c,d", "4 comma-separated whole numbers above 0"),
])
def test_bad_weights_and_stage_days_are_refused_saying_why(setting, value, says, monkeypatch):
    with pytest.raises(ValidationError) as refused:
        Settings(**{setting: value})
    assert f"GREENWALL_{setting.upper()}={value!r}" in str(refused.value)
    assert says in str(refused.value)
    monkeypatch.setenv(f"GREENWALL_{setting.upper()}", value)
    with pytest.raises(ValidationError, match=f"GREENWALL_{setting.upper()}"):
        Settings()


def test_good_weights_and_stage_days_are_read(tmp_path):
    settings = Settings(data_dir=tmp_path, belt_score_weights="50,30,20", belt_stage_days="1,2,3,4")
    assert settings.belt_weights == (50, 30, 20)
    assert settings.belt_stage_limits_ms == {"plan": DAY_MS, "approve": 2 * DAY_MS,
                                             "design": 3 * DAY_MS, "build": 4 * DAY_MS}

