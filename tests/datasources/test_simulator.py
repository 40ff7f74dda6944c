"""The feed simulator against a real Redis: calibration, contract fields, dedupe, bad messages."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from datasources.platform import publisher as simulator_module
from datasources.platform.feeds import FeedValidationError, parse_event
from datasources.platform.keys import CONSUMER_GROUP, Keys
from datasources.platform.publisher import Simulator
from datasources.platform.seed import seed
from datasources.platform.snapshot import SnapshotStore
from datasources.waste.simulator import (
    ISSUES,
    LOAD_TONNES,
    QUALITY,
    WEIGHING,
    SimEntities,
    malform,
    malformations,
)

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 27)
MIDNIGHT = datetime(2026, 11, 27, tzinfo=TZ)
WEIGHING_FIELDS = {"ts", "event_id", "district", "station", "vehicle", "category", "tonnes"}
QUALITY_FIELDS = {"ts", "event_id", "district", "camera", "site", "verdict", "confidence"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    snapshot = SnapshotStore(f"sqlite:///{tmp_path_factory.mktemp('sim') / 'snapshot.db'}")
    seed(snapshot, today=date(2026, 11, 28))
    yield snapshot
    snapshot.close()


@pytest.fixture(scope="module")
def entities(store) -> SimEntities:
    return SimEntities.from_store(store)


@pytest.fixture
def client(redis_url):
    connection = redis.Redis.from_url(redis_url, decode_responses=True)
    yield connection
    connection.close()


def read_stream(client: redis.Redis, stream: str) -> list[tuple[str, dict[str, str]]]:
    entries, start = [], "-"
    while batch := client.xrange(stream, min=start, count=10_000):
        entries += batch
        start = "(" + batch[-1][0]
    return entries


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def backfilled(redis_url, entities):
    """Yesterday (the full 27 November) and the first half hour of the 28th, in Redis.

    Shared by the read-only tests below (publishing a day takes seconds); its keys are
    deleted afterwards like ``key_prefix``'s.
    """
    prefix = f"gwtest:{uuid.uuid4().hex[:10]}"
    connection = redis.Redis.from_url(redis_url, decode_responses=True)
    simulator = Simulator(connection, Keys(prefix), entities, TZ, rng_seed=5, maxlen=1_000_000)
    count = simulator.backfill(MIDNIGHT + timedelta(days=1, minutes=30))
    yield Keys(prefix), count
    for key in connection.scan_iter(match=f"{prefix}:*"):
        connection.delete(key)
    connection.close()


@pytest.fixture(scope="module")
def one_district(entities) -> SimEntities:
    """Only 黄浦区's sites: enough for tests that publish days repeatedly."""
    return replace(entities, sites=tuple(s for s in entities.sites if s.district == "310101"))


def test_a_day_of_weighing_sums_to_the_targets(client, backfilled, store):
    keys, _ = backfilled
    totals: dict[str, float] = defaultdict(float)
    by_district: dict[tuple[str, str], float] = defaultdict(float)
    for _, fields in read_stream(client, keys.feed(WEIGHING)):
        if fields["ts"].startswith(DAY.isoformat()):
            totals[fields["category"]] += float(fields["tonnes"])
            by_district[fields["district"], fields["category"]] += float(fields["tonnes"])
    for category, target in store.targets().items():
        assert totals[category] == pytest.approx(target, rel=0.10), category
    for district in store.districts():
        for category, target in store.targets(district.adcode).items():
            assert by_district[district.adcode, category] == pytest.approx(target, rel=0.10)


def test_loads_come_from_a_sites_vehicle_to_its_station(client, backfilled, store):
    keys, _ = backfilled
    station_of = {v.id: (v.district, v.station_id) for v in store.vehicles()}
    hours = Counter()
    for _, fields in read_stream(client, keys.feed(WEIGHING)):
        assert set(fields) == WEIGHING_FIELDS
        assert station_of[fields["vehicle"]] == (fields["district"], fields["station"])
        low, high = LOAD_TONNES[fields["category"]]
        assert 0 < float(fields["tonnes"]) <= high
        if fields["category"] == "wet" and fields["ts"].startswith(DAY.isoformat()):
            hours[int(fields["ts"][11:13])] += 1
    assert hours[7] > 3 * hours[2] and hours[19] > 3 * hours[2], "morning and evening runs"


def test_quality_verdicts_have_a_realistic_unqualified_share(client, backfilled, store):
    keys, _ = backfilled
    cameras = {c.id: (c.district, c.site_id) for c in store.cameras()}
    verdicts: dict[str, Counter] = defaultdict(Counter)
    labels = {label for label, _ in ISSUES}
    for _, fields in read_stream(client, keys.feed(QUALITY)):
        unqualified = fields["verdict"] == "unqualified"
        assert set(fields) == QUALITY_FIELDS | ({"issue"} if unqualified else set())
        assert cameras[fields["camera"]] == (fields["district"], fields["site"])
        assert 0 <= float(fields["confidence"]) <= 1
        if unqualified:
            assert fields["issue"] in labels
        verdicts[fields["district"]][fields["verdict"]] += 1
    city = sum(verdicts.values(), Counter())
    assert 0.05 <= city["unqualified"] / city.total() <= 0.12
    shares = [v["unqualified"] / v.total() for v in verdicts.values()]
    assert all(0.04 <= share <= 0.13 for share in shares)
    assert max(shares) - min(shares) > 0.03, "districts differ"


def test_every_message_passes_the_feed_contract(client, backfilled):
    keys, count = backfilled
    seen = 0
    for feed in (WEIGHING, QUALITY):
        for entry_id, fields in read_stream(client, keys.feed(feed)):
            event = parse_event(feed, fields, entry_id)
            assert fields["ts"].endswith("+08:00")
            assert event.event_id == fields["event_id"]
            seen += 1
    assert seen == count


def test_backfill_covers_yesterday_and_today_until_now(client, backfilled):
    keys, _ = backfilled
    entries = read_stream(client, keys.feed(QUALITY))
    stamps = sorted(fields["ts"] for _, fields in entries)
    assert stamps[0].startswith("2026-11-27T00:")
    assert stamps[-1] < "2026-11-28T00:30"
    assert stamps[-1] >= "2026-11-28T00:00"


def test_a_second_backfill_repeats_the_same_event_ids(client, key_prefix, one_district):
    keys = Keys(key_prefix)
    now = MIDNIGHT + timedelta(hours=8)
    ids = []
    for _ in range(2):
        client.delete(keys.feed(WEIGHING), keys.feed(QUALITY))
        Simulator(client, keys, one_district, TZ, rng_seed=9, maxlen=1_000_000).backfill(now)
        ids.append([
            fields["event_id"]
            for feed in (WEIGHING, QUALITY)
            for _, fields in read_stream(client, keys.feed(feed))
        ])
    ids_first, ids_second = ids
    assert ids_first == ids_second
    assert len(set(ids_first)) == len(ids_first), "ids are unique within a run"
    other_seed = Simulator(client, keys, one_district, TZ, rng_seed=10)
    other_ids = {e.fields["event_id"] for e in other_seed.events_between(MIDNIGHT, now)}
    assert not other_ids & set(ids_first)


def test_streams_are_capped(client, key_prefix, one_district):
    keys = Keys(key_prefix)
    simulator = Simulator(client, keys, one_district, TZ, maxlen=1000)
    count = simulator.backfill(MIDNIGHT + timedelta(hours=6))
    assert count > 4 * 1000  # several times the cap
    assert client.xlen(keys.feed(QUALITY)) < 2000


def test_backfill_waits_for_the_ingest_group_rather_than_lose_entries(
    client, redis_url, key_prefix, one_district
):
    keys = Keys(key_prefix)
    streams = {keys.feed(WEIGHING): ">", keys.feed(QUALITY): ">"}
    for stream in streams:
        client.xgroup_create(stream, CONSUMER_GROUP, id="0", mkstream=True)
    reader = redis.Redis.from_url(redis_url, decode_responses=True)
    backfill_done, read = threading.Event(), Counter()

    def consume() -> None:
        while True:
            batch = reader.xreadgroup(CONSUMER_GROUP, "test", streams, count=100, block=20)
            for stream, entries in batch:
                read[stream] += len(entries)
            if not batch and backfill_done.is_set():
                return

    thread = threading.Thread(target=consume)
    thread.start()
    try:
        simulator = Simulator(client, keys, one_district, TZ, maxlen=1000)
        count = simulator.backfill(MIDNIGHT + timedelta(hours=6))
    finally:
        backfill_done.set()
        thread.join(timeout=30)
        reader.close()
    assert count > 4 * 1000  # several times the cap
    assert read.total() == count, "every published entry was read before the cap removed it"
    assert client.xlen(keys.feed(QUALITY)) < 2000


def test_backfill_stops_waiting_for_a_stalled_group(
    client, key_prefix, one_district, caplog, monkeypatch
):
    keys = Keys(key_prefix)
    stream = keys.feed(QUALITY)
    for n in range(1000):
        client.xadd(stream, {"n": str(n)})
    client.xgroup_create(stream, CONSUMER_GROUP, id="0")  # nobody will ever read these
    caplog.set_level(logging.WARNING, logger="datasources.platform.publisher")
    monkeypatch.setattr(simulator_module, "READER_STALL_S", 0.1)
    simulator = Simulator(client, keys, one_district, TZ, maxlen=1000)
    count = simulator.backfill(MIDNIGHT + timedelta(hours=6))
    assert "stalled" in caplog.text
    assert simulator.published[QUALITY] + simulator.published[WEIGHING] == count > 4 * 1000


def test_bad_ratio_mixes_in_malformed_messages(entities):
    good = Simulator(None, Keys("unused"), entities, TZ, rng_seed=3)
    noisy = Simulator(None, Keys("unused"), entities, TZ, rng_seed=3, bad_ratio=0.05)
    window = (MIDNIGHT + timedelta(hours=6), MIDNIGHT + timedelta(hours=9))
    valid, reasons = [], Counter()
    for event in noisy.events_between(*window):
        try:
            parse_event(event.feed, event.fields, "0-0")
            valid.append(event)
        except FeedValidationError as error:
            reasons[error.reason.split(":")[0]] += 1
    assert valid == list(good.events_between(*window)), "valid messages are unchanged"
    bad = reasons.total()
    assert 0.03 < bad / len(valid) < 0.07
    assert {"tonnes", "district", "category", "missing field", "ts", "confidence"} <= set(reasons)
    assert any(reason in ("station", "camera") for reason in reasons), "over-long ids"


@pytest.mark.parametrize("feed", [WEIGHING, QUALITY])
def test_every_malformation_breaks_the_contract(entities, feed):
    simulator = Simulator(None, Keys("unused"), entities, TZ)
    fields = next(e.fields for e in simulator.events_between(MIDNIGHT, MIDNIGHT + timedelta(
        hours=9)) if e.feed == feed)
    parse_event(feed, fields, "0-0")
    for kind in malformations(feed):
        broken = malform(fields, feed, kind)
        assert broken["event_id"] != fields["event_id"]
        with pytest.raises(FeedValidationError):
            parse_event(feed, broken, "0-0")


def test_run_publishes_live_and_beats(client, key_prefix, entities):
    keys = Keys(key_prefix)
    simulator = Simulator(client, keys, entities, TZ, speed=3600)
    stop = threading.Event()
    thread = threading.Thread(target=simulator.run, args=(stop,), kwargs={"tick_s": 0.05})
    thread.start()
    try:
        wait_for(lambda: client.xlen(keys.feed(QUALITY)) > 0, "live quality verdicts")
        wait_for(lambda: client.hlen(keys.heartbeat("simulator")) == 1, "a heartbeat")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert client.hlen(keys.heartbeat("simulator")) == 0, "heartbeat removed on a clean stop"


def test_run_survives_an_unreachable_redis(entities, caplog):
    # No client-side retries, so each attempt fails at once and the simulator's own backoff acts.
    unreachable = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    simulator = Simulator(unreachable, Keys("unused"), entities, TZ, speed=3600)
    stop, failures = threading.Event(), []

    def run() -> None:
        try:
            simulator.run(stop, tick_s=0.05)
        except Exception as error:  # the test fails below if run() ever raises
            failures.append(error)

    caplog.set_level(logging.WARNING, logger="datasources.platform.publisher")
    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for(lambda: "retrying" in caplog.text, "a retry after the connection failed")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive() and failures == []
