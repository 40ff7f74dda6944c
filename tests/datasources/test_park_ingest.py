"""The park feeds through a real ingest worker and Redis: entries and people in parks counted
exactly once (re-sent ids, a killed worker), 24-hour parks across midnight, the measured count
that replaces the estimate, and crossings of the alert lines recorded when they happen."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from datasources.park.reader import ParkReader
from datasources.park.schema import ParkRow
from datasources.platform.ingest import IngestWorker, connect
from datasources.platform.keys import CONSUMER_GROUP, Keys
from datasources.platform.master import StaticMaster
from tests.datasources.test_ingest import wait_for

TZ = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]
DAILY, ALL_DAY = "PK-DAILY", "PK-24H"


def park(ident: str, open_24h: bool, capacity: int | None = 1000) -> ParkRow:
    return ParkRow(ident, f"测试公园{ident}", None, "310115", "城市公园", 31.2, 121.5, 10.0,
                   open_24h, None if open_24h else "06:00-18:00", capacity, None, "derived",
                   None, None, True)


PARKS = [park(DAILY, False), park(ALL_DAY, True)]


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def ms(iso: str) -> int:
    return int(at(iso).timestamp() * 1000)


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def clock():
    now = {"ms": ms("2026-12-01T12:00:00+08:00")}
    return now


@pytest.fixture
def worker(redis_url, keys, clock):
    client = connect(redis_url)
    master = StaticMaster(ids={"park": [DAILY, ALL_DAY]}, tables={
        "park_district": {DAILY: "310115", ALL_DAY: "310115"},
        "park_open_24h": {ALL_DAY: True},
        "park_watch": {DAILY: (800, 1000), ALL_DAY: (800, 1000)}})
    ingest = IngestWorker(client, keys, TZ, master, "park-test", block_ms=0,
                          now_ms=lambda: clock["ms"])
    ingest.ensure_groups()
    yield ingest
    client.close()


@pytest.fixture
def reader(redis_client, keys) -> ParkReader:
    return ParkReader(redis_client, keys, TZ)


def drain(worker: IngestWorker) -> int:
    handled = 0
    while n := worker.process_once():
        handled += n
    return handled


def gate(client, keys, park_id: str, entered: int, exited: int, ts: str, event_id: str | None = None,
         gate_id: str = "G1") -> str:
    fields = {"park": park_id, "gate": gate_id, "entered": str(entered), "exited": str(exited),
              "ts": str(ms(ts))}
    if event_id:
        fields["event_id"] = event_id
    return client.xadd(keys.feed("park.gate"), fields)


def test_entries_and_people_in_park_count_once_and_never_go_below_zero(
        redis_client, keys, worker, reader):
    gate(redis_client, keys, DAILY, 120, 0, "2026-12-01T09:00:00+08:00", "a")
    gate(redis_client, keys, DAILY, 30, 50, "2026-12-01T10:00:00+08:00", "b")
    gate(redis_client, keys, DAILY, 30, 50, "2026-12-01T10:00:00+08:00", "b")  # re-sent
    gate(redis_client, keys, DAILY, 0, 500, "2026-12-01T11:00:00+08:00", "c")  # more out than in
    gate(redis_client, keys, DAILY, 7, 2, "2026-12-01T11:30:00+08:00", "d")
    gate(redis_client, keys, "PK-NEW", 9, 0, "2026-12-01T11:40:00+08:00", "e")  # unregistered
    assert drain(worker) == 6
    view = reader.park_view(PARKS, now=at("2026-12-01T12:00:00+08:00"))
    assert view.parks[DAILY].entered_today == 157
    assert view.parks[DAILY].in_park == 5  # 120 → 100 → 0 (not −400) → 5
    assert view.entered_today == 166 and view.exited_today == 552
    assert view.in_park == 5 + 9 and view.unregistered == {"PK-NEW"}
    district = reader.park_view(PARKS, "310115", now=at("2026-12-01T12:00:00+08:00"))
    assert district.in_park == 5 and district.entered_today == 157
    assert reader.feed_stats()["park.gate"].duplicates == 1


def test_bad_gate_messages_are_deadlettered_with_why(redis_client, keys, worker):
    gate(redis_client, keys, DAILY, 0, 0, "2026-12-01T09:00:00+08:00")
    gate(redis_client, keys, DAILY, 10_001, 0, "2026-12-01T09:00:00+08:00")
    redis_client.xadd(keys.feed("park.gate"), {"park": DAILY, "gate": "G1", "entered": "-3",
                                               "exited": "2.5"})
    drain(worker)
    reasons = [fields["reason"] for _, fields in redis_client.xrange(keys.deadletter)]
    assert "entered and exited are both 0" in reasons[0]
    assert "entered: must be a whole number 0–10000, got '10001'" in reasons[1]
    assert "entered: must be a whole number" in reasons[2] and "exited:" in reasons[2]


def test_a_24_hour_park_carries_its_count_across_midnight(redis_client, keys, worker, reader, clock):
    for park_id in (DAILY, ALL_DAY):
        gate(redis_client, keys, park_id, 100, 10, "2026-12-01T23:50:00+08:00")
    clock["ms"] = ms("2026-12-02T00:30:00+08:00")
    for park_id in (DAILY, ALL_DAY):
        gate(redis_client, keys, park_id, 5, 20, "2026-12-02T00:10:00+08:00")
    drain(worker)
    view = reader.park_view(PARKS, now=at("2026-12-02T00:30:00+08:00"))
    assert view.parks[ALL_DAY].in_park == 75  # 90 carried over, then +5 −20
    assert view.parks[ALL_DAY].entered_today == 5  # entries start again at 00:00
    assert view.parks[DAILY].in_park == 0  # a park that closes at night starts again
    yesterday = reader.park_view(PARKS, now=at("2026-12-01T23:59:00+08:00"))
    assert yesterday.parks[DAILY].in_park == 90 and yesterday.entered_today == 200


def test_a_measured_count_replaces_the_estimate(redis_client, keys, worker, reader):
    gate(redis_client, keys, ALL_DAY, 100, 0, "2026-12-01T11:40:00+08:00")
    redis_client.xadd(keys.feed("park.occupancy"), {"park": ALL_DAY, "count": "500",
                                                    "ts": str(ms("2026-12-01T11:45:00+08:00"))})
    gate(redis_client, keys, ALL_DAY, 10, 5, "2026-12-01T11:46:00+08:00")
    # A measurement older than half an hour would overwrite newer gate counts.
    redis_client.xadd(keys.feed("park.occupancy"), {"park": ALL_DAY, "count": "3",
                                                    "ts": str(ms("2026-12-01T11:00:00+08:00"))})
    drain(worker)
    live = reader.park_view(PARKS, now=at("2026-12-01T12:00:00+08:00")).parks[ALL_DAY]
    assert live.in_park == 505
    assert live.measured_ms == ms("2026-12-01T11:45:00+08:00")
    assert live.entered_today == 110  # entries stay what the gates counted
    [(_, dead)] = redis_client.xrange(keys.deadletter)
    assert dead["count"] == "3" and "keep 30 min" in dead["reason"]


def test_crossing_the_alert_lines_is_recorded_when_it_happens(redis_client, keys, worker, reader):
    gate(redis_client, keys, DAILY, 700, 0, "2026-12-01T10:00:00+08:00")
    gate(redis_client, keys, DAILY, 150, 0, "2026-12-01T10:05:00+08:00")  # 850: announce
    drain(worker)
    live = reader.park_view(PARKS, now=at("2026-12-01T12:00:00+08:00")).parks[DAILY]
    assert live.crossing == (1, ms("2026-12-01T10:05:00+08:00"))
    gate(redis_client, keys, DAILY, 200, 0, "2026-12-01T10:10:00+08:00")  # 1050: full
    gate(redis_client, keys, DAILY, 0, 20, "2026-12-01T10:11:00+08:00")  # 1030: still full
    drain(worker)
    live = reader.park_view(PARKS, now=at("2026-12-01T12:00:00+08:00")).parks[DAILY]
    assert live.crossing == (2, ms("2026-12-01T10:10:00+08:00"))
    gate(redis_client, keys, DAILY, 0, 400, "2026-12-01T10:40:00+08:00")  # 630: back below
    drain(worker)
    live = reader.park_view(PARKS, now=at("2026-12-01T12:00:00+08:00")).parks[DAILY]
    assert (live.in_park, live.crossing) == (630, (0, ms("2026-12-01T10:40:00+08:00")))


def test_a_killed_worker_neither_loses_nor_double_counts_people(redis_url, redis_client, keys, tmp_path):
    rng = random.Random(20261201)
    # Every message lets in at least as many as it lets out, so no order of batches ever
    # reaches the floor: the count must be exactly entries − exits.
    now = datetime.now(TZ).replace(microsecond=0)
    start = ms((now - timedelta(hours=3)).isoformat())
    entered = exited = resent = 0
    pipe = redis_client.pipeline(transaction=False)
    for n in range(12_000):
        e = rng.randrange(1, 20)
        x = rng.randrange(0, e + 1)
        fields = {"park": "PK-KILL", "gate": f"G{n % 7}", "entered": str(e), "exited": str(x),
                  "ts": str(start + n * 500), "event_id": f"k{n}"}
        pipe.xadd(keys.feed("park.gate"), fields)
        entered, exited = entered + e, exited + x
        if n % 600 == 0:  # an upstream retry: the same message again
            pipe.xadd(keys.feed("park.gate"), fields)
            resent += 1
    pipe.execute()
    total = 12_000 + resent
    env = {**os.environ, "GREENWALL_REDIS_URL": redis_url, "GREENWALL_KEY_PREFIX": keys.prefix,
           "GREENWALL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def start_worker(consumer: str, claim_idle_ms: int) -> subprocess.Popen:
        log = (tmp_path / f"{consumer}.log").open("w")
        return subprocess.Popen(
            [sys.executable, "-m", "datasources.platform.ingest", "--consumer", consumer,
             "--batch-size", "100", "--block-ms", "100", "--claim-idle-ms", str(claim_idle_ms)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    reader = ParkReader(redis_client, keys, TZ)

    def handled() -> int:
        s = reader.feed_stats()["park.gate"]
        return s.ingested + s.duplicates + s.deadlettered

    doomed = start_worker("doomed", claim_idle_ms=600_000)
    try:
        wait_for(lambda: handled() >= rng.randrange(1_000, 6_000) or doomed.poll() is not None,
                 "the first worker to get going")
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    assert handled() < total, "the worker finished before it could be killed"
    rescuer = start_worker("rescuer", claim_idle_ms=50)
    try:
        wait_for(lambda: redis_client.xpending(keys.feed("park.gate"), CONSUMER_GROUP)["pending"] == 0
                 and handled() == total or rescuer.poll() is not None, "the rescuer", timeout=120)
    finally:
        rescuer.send_signal(signal.SIGTERM)
        assert rescuer.wait(timeout=30) == 0, (tmp_path / "rescuer.log").read_text()
    stats = reader.feed_stats()["park.gate"]
    assert (stats.ingested, stats.duplicates, stats.deadlettered) == (12_000, resent, 0)
    view = reader.park_view([])
    assert view.in_park == entered - exited
    assert view.entered_today + view.exited_today >= 0
    day_entered = sum(view.hourly_entered) + sum(view.hourly_entered_yesterday)
    assert day_entered == entered
