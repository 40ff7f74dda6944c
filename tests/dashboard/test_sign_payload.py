"""The signboard screen's tile data from known feed messages through a real worker, against the
demo master data: signs and sensors, coverage by working sensors, alarms now under the normal
and the typhoon thresholds (the duty officer's switch), the risk levels, the live alarm list,
the hazard loop with overdue stages, the hourly trend, and a district scope that holds its own
signs only. And the domain settings that refuse a typhoon threshold looser than the normal one."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from callbacks.signboards import payload
from datasources.sign.settings import SignSettings, sign_settings
from tests.conftest import wait_until
from tests.feeds_helpers import SHANGHAI, publish

HUANGPU, PUDONG = "310101", "310115"
MINUTE_MS, HOUR_MS, DAY_MS = 60_000, 3_600_000, 86_400_000


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
        self.signs = {s.id: s for s in sources.store.sign.sign_boards()}
        self.sensors = {s.id: s for s in sources.store.sign.sign_sensors()}
        self.sent = {"sign.sensor": 0, "sign.inspection": 0, "sign.typhoon": 0}

    def send(self, feed: str, ago_ms: int, **fields) -> int:
        ts = self.now_ms - ago_ms
        publish(self.sources.redis, self.sources.keys, feed, ts=str(ts), **fields)
        self.sent[feed] += 1
        return ts

    def sensors_in(self, district: str) -> list[str]:
        return sorted(n for n, row in self.sensors.items()
                      if self.signs[row.sign].district == district)

    def read(self, sensor: str, ago: int, tilt="0.5", vibration="3", battery="80", online="1"):
        return self.send("sign.sensor", ago, sensor=sensor, sign=self.sensors[sensor].sign,
                         tilt=tilt if online == "1" else "", battery=battery, online=online,
                         vibration=vibration if online == "1" else "")

    def wait(self) -> None:
        def done() -> bool:
            stats = self.sources.live.feed_stats()
            return all(stats[f].ingested + stats[f].deadlettered == n for f, n in self.sent.items())
        wait_until(done)
        assert all(self.sources.live.feed_stats()[f].deadlettered == 0 for f in self.sent)


@pytest.fixture
def fed(sources, worker) -> Fed:
    fed = Fed(sources)
    if fed.now_ms - fed.day_start < 2 * HOUR_MS:
        pytest.skip("too close after midnight for 'today' to hold the readings")
    h = fed.sensors_in(HUANGPU)
    p = fed.sensors_in(PUDONG)
    # 黄浦: h0 ok, h1 tilt alarm (normal), h2 over the typhoon limit only, h3 offline,
    # h4 stale (unheard 45 min: offline), h5 ok with a low battery; the rest never heard.
    fed.read(h[0], 2 * MINUTE_MS)
    fed.read(h[1], 3 * MINUTE_MS, tilt="3.6")
    fed.read(h[2], 4 * MINUTE_MS, tilt="2.1")
    fed.read(h[3], 5 * MINUTE_MS, online="0")
    fed.read(h[4], 45 * MINUTE_MS)
    fed.read(h[5], 6 * MINUTE_MS, battery="12")
    # 浦东: p0 vibration alarm, p1 ok; an hour ago p1 was in alarm (counted in the trend).
    fed.read(p[0], 1 * MINUTE_MS, vibration="30")
    fed.read(p[1], 61 * MINUTE_MS, tilt="4")
    fed.read(p[1], 7 * MINUTE_MS)
    fed.h, fed.p = h, p
    # Hazards: in 黄浦 one found 30 h ago (overdue: notify within 24 h), one notified;
    # in 浦东 one verified 2 days ago (whole loop).
    sign_h, sign_p = fed.sensors[h[0]].sign, fed.sensors[p[0]].sign

    def case(ident: str, sign: str, hours_ago: tuple[float, ...]) -> None:
        for stage, ago in zip(("found", "notified", "rectified", "verified"), hours_ago,
                              strict=False):
            fed.send("sign.inspection", int(ago * HOUR_MS), case=ident, sign=sign, stage=stage,
                     category="loose" if stage == "found" else "")

    case("YH-T1", sign_h, (30,))
    case("YH-T2", sign_h, (20, 10))
    case("YH-T3", sign_p, (200, 150, 100, 48))
    fed.wait()
    return fed


def test_signs_sensors_and_alarms_in_each_scope(sources, fed):
    settings = sign_settings()
    assert settings.limits(False) == (3.0, 20.0)
    for district, alarms in ((None, 2), (HUANGPU, 1), (PUDONG, 1)):
        tiles = payload(sources, district)
        kpis = stats_of(tiles["overview"])
        signs = [s for s in fed.signs.values() if district in (None, s.district)]
        sensors = [n for n, row in fed.sensors.items()
                   if district in (None, fed.signs[row.sign].district)]
        working = {fed.sensors[n].sign for n in (*fed.h[:3], fed.h[5], *fed.p[:2])
                   if n in sensors}
        assert kpis["sign.large_signs"] == len(signs)
        assert kpis["sign.sensors"] == len(sensors)
        assert kpis["sign.working_share"] == pytest.approx(len(working) / len(signs))
        assert kpis["sign.alarms_now"] == alarms
        assert kpis["sign.sensors_offline"] == len(sensors) - len(
            [n for n in (*fed.h[:3], fed.h[5], *fed.p[:2]) if n in sensors])
        assert kpis["sign.low_battery"] == (1 if district in (None, HUANGPU) else 0)
        assert (kpis["sign.typhoon"], kpis["sign.tilt_limit"], kpis["sign.vibration_limit"]) == (
            0, 3.0, 20.0)
    city = payload(sources, None)
    # The alarms now: h1 (tilt) and p0 (vibration), newest first.
    assert [r.key for r in city["alarms"].content.rows] == [fed.p[0], fed.h[1]]
    assert [r.key for r in payload(sources, HUANGPU)["alarms"].content.rows] == [fed.h[1]]


def test_coverage_ranking_and_risk_levels(sources, fed):
    working = {fed.sensors[n].sign for n in (*fed.h[:3], fed.h[5], *fed.p[:2])}
    rows = {r.key: r.value for r in payload(sources, None)["coverage"].content.rows}
    for adcode in (HUANGPU, PUDONG, "310151"):
        signs = [s for s in fed.signs.values() if s.district == adcode]
        assert rows[adcode] == pytest.approx(sum(s.id in working for s in signs) / len(signs))
    values = list(rows.values())
    assert values == sorted(values, reverse=True)
    grid = payload(sources, HUANGPU)["risk"].content
    for row in grid.rows:
        signs = [s for s in fed.signs.values() if s.district == HUANGPU and s.risk == row.key]
        cells = {c.metric: c.value for c in row.cells}
        assert cells[f"sign.risk_signs.{row.key}"] == len(signs)
        assert cells[f"sign.risk_covered.{row.key}"] == pytest.approx(
            sum(s.id in working for s in signs) / len(signs))
        assert cells[f"sign.risk_alarms.{row.key}"] == int(fed.sensors[fed.h[1]].sign in
                                                           {s.id for s in signs})


def test_typhoon_mode_tightens_the_thresholds(sources, fed):
    fed.send("sign.typhoon", 0, mode="on", officer="ZB-T")
    fed.wait()
    tiles = payload(sources, None)
    kpis = stats_of(tiles["overview"])
    assert (kpis["sign.typhoon"], kpis["sign.tilt_limit"], kpis["sign.vibration_limit"]) == (
        1, 1.5, 10.0)
    # h2 (2.1°) joins h1 and p0.
    assert kpis["sign.alarms_now"] == 3
    assert {r.key for r in tiles["alarms"].content.rows} == {fed.h[1], fed.h[2], fed.p[0]}
    fed.send("sign.typhoon", 0, mode="off", officer="ZB-T")
    fed.wait()
    assert stats_of(payload(sources, None)["overview"])["sign.alarms_now"] == 2


def test_the_hazard_loop_and_the_hourly_trend(sources, fed):
    funnel = {s.key: {c.metric: c.value for c in (s.bar, *s.cells)}
              for s in payload(sources, HUANGPU)["loop"].content.stages}
    assert funnel["found"] == {"sign.cases.found": 1, "sign.cases_entered.found": 2,
                               "sign.cases_overdue.found": 1}
    assert funnel["notified"] == {"sign.cases.notified": 1, "sign.cases_entered.notified": 1,
                                  "sign.cases_overdue.notified": 0}
    assert funnel["verified"]["sign.cases.verified"] == 0
    city = {s.key: {c.metric: c.value for c in (s.bar, *s.cells)}
            for s in payload(sources, None)["loop"].content.stages}
    assert city["verified"] == {"sign.cases.verified": 1, "sign.cases_entered.verified": 1,
                                "sign.cases_overdue.verified": None}
    assert city["rectified"]["sign.cases.rectified"] == 0
    trend = payload(sources, PUDONG)["trend"].content
    stats = {s.metric: s.value for s in trend.stats}
    assert stats["sign.alarm_readings_today"] == 2  # p0 now, p1 an hour ago
    assert sum(v or 0 for v in trend.series[0].values) == 2
    assert stats["sign.alarm_readings_yesterday"] == 0
    assert {s.metric: s.value for s in payload(sources, None)["trend"].content.stats}[
        "sign.alarm_readings_today"] == 3


def test_settings_refuse_a_looser_typhoon_threshold(monkeypatch):
    monkeypatch.setenv("GREENWALL_SIGN_TYPHOON_TILT_DEG", "4")
    with pytest.raises(ValidationError, match="must not exceed GREENWALL_SIGN_TILT_DEG"):
        SignSettings()
    monkeypatch.setenv("GREENWALL_SIGN_TYPHOON_TILT_DEG", "1")
    monkeypatch.setenv("GREENWALL_SIGN_LOW_BATTERY_PCT", "120")
    with pytest.raises(ValidationError, match="low_battery_pct"):
        SignSettings()
