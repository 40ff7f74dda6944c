"""The simulated park gates and the crowd drill: stable, valid messages whose day is calibrated
to the real peaks, and a drill that takes a park over the announce line and back."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from datasources.park.reader import ParkReader
from datasources.park.simulator import CrowdDrill, ParkPlan, SimPark, day_kind
from datasources.platform.feeds import parse_event
from datasources.platform.ingest import IngestWorker, connect
from datasources.platform.keys import Keys
from datasources.platform.master import StaticMaster
from tests.datasources.test_park_ingest import ROOT, drain, park

TZ = ZoneInfo("Asia/Shanghai")
GUCUN = SimPark("PK-GUCUN", tuple(f"PK-GUCUN-G{k}" for k in range(1, 7)), "country", 200_000,
                (360, 1080), 120_000)
POCKET = SimPark("PK-POCKET", ("PK-POCKET-G1",), "pocket", 600, None, 200)


def day_ms(day: date) -> int:
    return int(datetime.combine(day, datetime.min.time(), TZ).timestamp() * 1000)


def totals(plan: ParkPlan, day: date) -> tuple[int, int, int]:
    start = day_ms(day)
    events = list(plan.events_between(start, start + 86_400_000))
    return (len(events), sum(int(e.fields["entered"]) for e in events),
            sum(int(e.fields["exited"]) for e in events))


def test_a_day_is_stable_valid_and_busier_on_holidays():
    plan = ParkPlan((GUCUN, POCKET), TZ, 7)
    start = day_ms(date(2026, 12, 1)) + 10 * 3_600_000
    first = list(plan.events_between(start, start + 3_600_000))
    assert first == list(plan.events_between(start, start + 3_600_000))
    assert len({e.fields["event_id"] for e in first}) == len(first)
    for event in first:
        parse_event(event.feed, event.fields, "1-0")  # raises if a message is invalid
    assert day_kind(date(2026, 10, 2)) == "holiday" and day_kind(date(2026, 12, 5)) == "weekend"
    _, weekday, _ = totals(plan, date(2026, 12, 1))
    _, holiday, left = totals(plan, date(2026, 10, 2))
    assert 3 * weekday < holiday
    # 顾村公园 on a holiday takes about its record day (159,002); everyone who came has left.
    gucun_only = ParkPlan((GUCUN,), TZ, 7)
    _, came, gone = totals(gucun_only, date(2026, 10, 2))
    assert 140_000 < came < 180_000 and abs(came - gone) < 0.02 * came


def test_a_park_that_closes_takes_no_one_in_after_hours():
    plan = ParkPlan((GUCUN,), TZ, 7)
    night = day_ms(date(2026, 12, 1)) + 19 * 3_600_000
    assert list(plan.events_between(night, night + 3 * 3_600_000)) == []


@pytest.fixture
def worker(redis_url, key_prefix):
    client = connect(redis_url)
    master = StaticMaster(ids={"park": ["PK-GUCUN"]}, tables={
        "park_district": {"PK-GUCUN": "310113"}, "park_watch": {"PK-GUCUN": (96_000, 120_000)}})
    clock = {"ms": 0}
    ingest = IngestWorker(client, Keys(key_prefix), TZ, master, "drill", block_ms=0,
                          now_ms=lambda: clock["ms"])
    ingest.ensure_groups()
    yield ingest, clock
    client.close()


def test_the_crowd_drill_crosses_the_announce_line_and_falls_back(redis_client, key_prefix, worker):
    ingest, clock = worker
    keys = Keys(key_prefix)
    start = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    drill = CrowdDrill(GUCUN, int(start.timestamp() * 1000), minutes=10)
    events = list(drill.events_between(0, 2**62))
    assert sum(int(e.fields["entered"]) for e in events) == 120_000
    assert sum(int(e.fields["exited"]) for e in events) == 120_000
    reader = ParkReader(redis_client, keys, TZ)
    crossings, counts = [], []
    for minute in range(0, 31, 5):
        until = drill.start_ms + minute * 60_000
        for event in events:
            if until - 5 * 60_000 <= event.at_ms < until:
                redis_client.xadd(keys.feed(event.feed), event.fields)
        clock["ms"] = until
        drain(ingest)
        live = reader.park_view([park("PK-GUCUN", False)],
                                now=datetime.fromtimestamp(until / 1000, TZ))
        counts.append(live.in_park)
        crossing = redis_client.hget(keys.latest("park_band"), "PK-GUCUN")
        crossings.append(int(crossing.split("|")[0]) if crossing else None)
    assert counts == [0, 60_000, 120_000, 120_000, 120_000, 60_000, 0]
    # In over 10 minutes (full at 10), staying 10, out over 10: back below at 25 and empty at 30.
    assert crossings == [None, None, 2, 2, 2, 0, 0]


def test_a_drill_of_an_unknown_park_names_the_parks(tmp_path):
    env = {**os.environ, "GREENWALL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT),
           "GREENWALL_SIMULATE": "1"}
    subprocess.run([sys.executable, "-m", "dashboard.cli", "seed"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    done = subprocess.run([sys.executable, "-m", "dashboard.cli", "simulate", "--crowd", "PK-NOPE"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no key park 'PK-NOPE'" in done.stderr and "PK-GUCUN" in done.stderr
