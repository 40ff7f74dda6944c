"""The forest simulator: valid messages with a daily shape, cases that move through the loop
(some late), a backfill that ingests without a dead letter, and malformed copies that fail."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest

from datasources.forest.reader import ForestReader
from datasources.forest.simulator import FEEDS, INCIDENT, MALFORMATIONS, PATROL, malform
from datasources.forest.stats import funnel, overdue_count
from datasources.platform.feeds import FeedValidationError, parse_event
from datasources.platform.ingest import IngestWorker, connect
from datasources.platform.keys import Keys
from datasources.platform.publisher import Simulator
from datasources.platform.seed import seed
from datasources.platform.snapshot import SnapshotStore

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 15, 0, tzinfo=TZ)
DEADLINES = {"reported": 24 * 3_600_000, "verified": 7 * 86_400_000, "disposed": 30 * 86_400_000}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    snapshot = SnapshotStore(f"sqlite:///{tmp_path_factory.mktemp('fsim') / 'snapshot.db'}")
    seed(snapshot, today=date(2026, 11, 29))
    yield snapshot
    snapshot.close()


@pytest.fixture(scope="module")
def day_events(store):
    simulator = Simulator(None, Keys("unused"), store, TZ)
    start = datetime(2026, 11, 28, tzinfo=TZ)
    return [e for e in simulator.events_between(start, start + timedelta(days=1)) if e.feed in FEEDS]


def hour(fields) -> int:
    return datetime.fromisoformat(fields["ts"]).hour


def test_every_forest_message_is_valid_and_uniquely_identified(day_events):
    counts = Counter(e.feed for e in day_events)
    assert counts[PATROL] > 5000 and counts["forest.fire_risk"] == 16 * 144 and counts[INCIDENT] > 100
    for event in day_events:
        parse_event(event.feed, event.fields, "0-0")
    ids = [e.fields["event_id"] for e in day_events]
    assert len(ids) == len(set(ids))


def test_patrols_by_day_and_fire_danger_peaks_in_the_afternoon(day_events):
    patrol_hours = [hour(e.fields) for e in day_events if e.feed == PATROL]
    assert sum(6 <= h < 19 for h in patrol_hours) / len(patrol_hours) > 0.85
    assert any(h >= 19 for h in patrol_hours), "a few rangers keep a night fire watch"
    fire = [(hour(e.fields), int(e.fields["level"])) for e in day_events if e.feed == "forest.fire_risk"]
    afternoon = mean(level for h, level in fire if 13 <= h < 17)
    night = mean(level for h, level in fire if h < 5)
    assert afternoon > night + 0.5
    reports = [hour(e.fields) for e in day_events
               if e.feed == INCIDENT and e.fields["stage"] == "reported"]
    assert sum(7 <= h < 19 for h in reports) / len(reports) > 0.8


def test_the_plan_is_the_same_after_a_restart(store, day_events):
    again = Simulator(None, Keys("unused"), store, TZ)
    start = datetime(2026, 11, 28, tzinfo=TZ)
    replay = [e for e in again.events_between(start, start + timedelta(days=1)) if e.feed in FEEDS]
    assert [e.fields for e in replay] == [e.fields for e in day_events]


@pytest.mark.parametrize("feed", FEEDS)
def test_every_forest_malformation_breaks_the_contract(day_events, feed):
    fields = next(e.fields for e in day_events if e.feed == feed)
    for kind in MALFORMATIONS[feed]:
        broken = malform(fields, feed, kind)
        assert broken["event_id"] != fields["event_id"]
        if kind == "skip_stage":  # well-formed: only the loop's order check catches it
            assert parse_event(feed, broken, "0-0").stage != fields["stage"]
            continue
        with pytest.raises(FeedValidationError):
            parse_event(feed, broken, "0-0")


def test_a_backfill_moves_cases_through_the_loop_without_a_dead_letter(store, redis_url, key_prefix):
    client = connect(redis_url)
    keys = Keys(key_prefix)
    worker = IngestWorker(client, keys, TZ, store.master_lookup(), "fsim", block_ms=0,
                          now_ms=lambda: int(NOW.timestamp() * 1000))
    worker.ensure_groups()
    simulator = Simulator(client, keys, store, TZ, maxlen=1_000_000)
    start = datetime(2026, 11, 28, tzinfo=TZ)
    forest = simulator.plans["forest"]
    history = simulator._with_malformed(forest.history(int(start.timestamp() * 1000)))
    today = simulator._with_malformed(forest.events_between(
        int(start.timestamp() * 1000), int(NOW.timestamp() * 1000)))
    stop = threading.Event()
    published = simulator._publish(history, stop)
    published += simulator._publish(today, stop)
    handled = 0
    while n := worker.process_once():
        handled += n
    assert handled == published
    assert client.xlen(keys.deadletter) == 0
    view = ForestReader(client, keys, TZ).view(NOW)
    rows = {r.stage: r for r in funnel(view, None, DEADLINES)}
    assert 100 < len(view.open_cases) < 1500
    assert rows["reported"].reached >= rows["assessed"].reached > 1000
    assert 0 < overdue_count(view, None, DEADLINES) < len(view.open_cases) / 5
    assert len(view.visits) > 1000 and len(view.fire) == 16
    client.close()
