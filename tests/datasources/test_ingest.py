"""The ingest worker against real Redis: exact aggregates, dead letters, dedupe, day
rollover, unregistered entities, and exactly-once across consumers and a killed worker."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis

from datasources.platform.embedded import EmbeddedRedis
from datasources.platform.ingest import Delivery, IngestWorker, connect
from datasources.platform.keys import CONSUMER_GROUP, Keys
from datasources.platform.master import SiteTrace, StaticMaster
from datasources.waste.reader import QualityCount, UnqualifiedLoad
from datasources.waste.reader import WasteReader as Aggregates
from tests.feeds_helpers import worker_factory

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
DAY = "2026-11-29"
CITY_TONNES_ZERO = {"wet": 0.0, "dry": 0.0, "recyclable": 0.0, "hazardous": 0.0}


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


# The workers here judge event times by this clock, so the fixed dates below stay "recent".
NOW_MS = ms("2026-11-30T12:00:00+08:00")


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def master() -> StaticMaster:
    return StaticMaster(
        sites={"SITE-1": SiteTrace("310115", "沪A10001", "ST-1")},
        stations=["ST-2"],
        cameras=["CAM-1", "CAM-2"],
        vehicles=["沪A10002"],
    )


@pytest.fixture
def make_worker(redis_url: str, keys: Keys, master: StaticMaster):
    yield from worker_factory(redis_url, keys, TZ, master, NOW_MS)


@pytest.fixture
def aggregates(redis_client, keys: Keys) -> Aggregates:
    return Aggregates(redis_client, keys, TZ)


def drain(*workers: IngestWorker) -> list[int]:
    """Let the workers take turns until a whole turn handles nothing; entries per worker."""
    handled = [0] * len(workers)
    while True:
        turn = [worker.process_once() for worker in workers]
        if not any(turn):
            return handled
        handled = [a + b for a, b in zip(handled, turn, strict=True)]


def weighing(district="310115", station="ST-1", vehicle="沪A10001", category="wet", tonnes="1", **more):
    return {"district": district, "station": station, "vehicle": vehicle, "category": category,
            "tonnes": tonnes, **more}


def quality(district="310115", camera="CAM-1", site="SITE-1", verdict="qualified", confidence="0.9",
            **more):
    return {"district": district, "camera": camera, "site": site, "verdict": verdict,
            "confidence": confidence, **more}


def fully_acked(client, keys: Keys) -> bool:
    """Every entry of every feed delivered to the group and acknowledged."""
    for feed in ("waste.weighing", "waste.quality"):
        stream = keys.feed(feed)
        last = client.xinfo_stream(stream)["last-generated-id"]
        group = next(g for g in client.xinfo_groups(stream) if g["name"] == CONSUMER_GROUP)
        if group["pending"] or group["last-delivered-id"] != last:
            return False
    return True


def test_aggregates_add_up_exactly(redis_client, keys, make_worker, aggregates):
    add = redis_client.xadd
    add(keys.feed("waste.weighing"), weighing(tonnes="4", ts="2026-11-28T10:15:00+08:00"))
    add(keys.feed("waste.weighing"), weighing(tonnes="3.25", ts="2026-11-29T10:05:00+08:00"))
    add(keys.feed("waste.weighing"), weighing(district="浦东新区", tonnes="1.5",
                                              ts="2026-11-29T10:40:00+08:00"))
    add(keys.feed("waste.weighing"), weighing(station="ST-2", vehicle="沪A10002", category="dry",
                                              tonnes="2.75", ts="2026-11-29T11:00:00+08:00"))
    add(keys.feed("waste.weighing"), weighing(district="310101", station="ST-9", vehicle="沪A9",
                                              category="recyclable", tonnes="0.5", ts="2026-11-29T03:30:00Z"))
    add(keys.feed("waste.weighing"), weighing(district="310104", station="ST-2", category="hazardous",
                                              tonnes="0.125", ts=str(ms("2026-11-29T23:00:00+08:00"))))
    add(keys.feed("waste.quality"), quality(ts="2026-11-29T09:00:00+08:00"))
    add(keys.feed("waste.quality"), quality(verdict="unqualified", issue="混入塑料袋", confidence="0.91",
                                            ts="2026-11-29T09:30:00+08:00"))
    add(keys.feed("waste.quality"), quality(district="310101", camera="CAM-2", site="SITE-2",
                                            verdict="unqualified", confidence="0.6",
                                            ts="2026-11-29T12:00:00+08:00"))
    add(keys.feed("waste.quality"), quality(district="黄浦区", camera="CAM-2", site="SITE-2",
                                            ts="2026-11-29T08:00:00+08:00"))

    assert drain(make_worker()) == [10]

    city = aggregates.waste_view(day=DAY)
    assert city.district is None and city.day == DAY
    assert city.tonnes == {"wet": 4.75, "dry": 2.75, "recyclable": 0.5, "hazardous": 0.125}
    assert city.loads == 5
    assert city.hourly == [0.0] * 10 + [4.75, 3.25] + [0.0] * 11 + [0.125]
    assert city.hourly_yesterday == [0.0] * 10 + [4.0] + [0.0] * 13
    assert set(city.tonnes_by_district) == set(city.quality_by_district)
    assert len(city.tonnes_by_district) == 16
    assert city.tonnes_by_district["310115"] == {**CITY_TONNES_ZERO, "wet": 4.75, "dry": 2.75}
    assert city.tonnes_by_district["310101"] == {**CITY_TONNES_ZERO, "recyclable": 0.5}
    assert city.tonnes_by_district["310104"] == {**CITY_TONNES_ZERO, "hazardous": 0.125}
    assert city.tonnes_by_district["310151"] == CITY_TONNES_ZERO
    assert city.station_tonnes == {"ST-1": 4.75, "ST-2": 2.875, "ST-9": 0.5}
    assert city.quality == QualityCount(qualified=2, unqualified=2)
    assert city.quality.total == 4 and city.quality.rate == 0.5
    assert city.quality_by_district["310115"] == QualityCount(1, 1)
    assert city.quality_by_district["310101"] == QualityCount(1, 1)
    assert city.quality_by_district["310151"] == QualityCount() and QualityCount().rate is None
    assert city.camera_last_seen == {
        "CAM-1": ms("2026-11-29T09:30:00+08:00"),
        "CAM-2": ms("2026-11-29T12:00:00+08:00"),  # the older verdict came later
    }
    assert city.unqualified == [
        UnqualifiedLoad(ms("2026-11-29T12:00:00+08:00"), "310101", "CAM-2", "SITE-2", None, None, None, 0.6),
        UnqualifiedLoad(ms("2026-11-29T09:30:00+08:00"), "310115", "CAM-1", "SITE-1", "沪A10001", "ST-1",
                        "混入塑料袋", 0.91),
    ]
    assert aggregates.waste_view(day=DAY, limit=1).unqualified == city.unqualified[:1]

    pudong = aggregates.waste_view("浦东新区", day=DAY)
    assert pudong.district == "310115"
    assert pudong.tonnes == {**CITY_TONNES_ZERO, "wet": 4.75, "dry": 2.75}
    assert pudong.loads == 3
    assert pudong.hourly[10:12] == [4.75, 2.75] and sum(pudong.hourly) == 7.5
    assert pudong.station_tonnes == {"ST-1": 4.75, "ST-2": 2.75}
    assert pudong.tonnes_by_district == city.tonnes_by_district
    assert pudong.quality == QualityCount(1, 1)
    assert pudong.camera_last_seen == {"CAM-1": ms("2026-11-29T09:30:00+08:00")}
    assert [load.site for load in pudong.unqualified] == ["SITE-1"]
    assert aggregates.waste_view("310000", day=DAY) == city

    stats = aggregates.feed_stats()
    assert (stats["waste.weighing"].ingested, stats["waste.quality"].ingested) == (6, 4)
    assert stats["waste.weighing"].last_event_ms == ms("2026-11-29T23:00:00+08:00")
    assert stats["waste.quality"].last_event_ms == ms("2026-11-29T12:00:00+08:00")
    assert stats["waste.quality"].last_ingest_ms is not None
    assert aggregates.version() == city.version == 1
    (_, change), = redis_client.xrange(keys.changes)
    assert change["version"] == "1" and change["feeds"] == "waste.weighing,waste.quality"
    assert set(change["districts"].split(",")) == {"310115", "310101", "310104"}


def test_bad_messages_are_deadlettered_once_and_the_feed_goes_on(redis_client, keys, make_worker, aggregates):
    stream = keys.feed("waste.weighing")
    first = redis_client.xadd(stream, weighing(tonnes="2", ts="2026-11-29T10:00:00+08:00"))
    bad = redis_client.xadd(stream, weighing(tonnes="-3", feed="upstream", reason="manual entry"))
    last = redis_client.xadd(stream, weighing(tonnes="5", ts="2026-11-29T10:00:00+08:00"))
    bad_quality = redis_client.xadd(keys.feed("waste.quality"), {"district": "310115", "site": "S"})
    worker = make_worker()

    assert drain(worker) == [4]

    assert aggregates.waste_view(day=DAY).tonnes["wet"] == 7.0
    letters = {fields["entry"]: fields for _, fields in redis_client.xrange(keys.deadletter)}
    assert letters == {
        bad: {"feed": "waste.weighing", "entry": bad, "reason": "tonnes: must be > 0 and ≤ 50, got '-3'",
              **weighing(tonnes="-3"), "orig_feed": "upstream", "orig_reason": "manual entry"},
        bad_quality: {"feed": "waste.quality", "entry": bad_quality,
                      "reason": "missing fields: camera, verdict, confidence",
                      "district": "310115", "site": "S"},
    }
    assert fully_acked(redis_client, keys)
    assert redis_client.xinfo_groups(stream)[0]["last-delivered-id"] == last
    stats = aggregates.feed_stats()
    assert (stats["waste.weighing"].ingested, stats["waste.weighing"].deadlettered) == (2, 1)
    assert (stats["waste.quality"].ingested, stats["waste.quality"].deadlettered) == (0, 1)

    # Delivered again (say, claimed by a worker that lagged): already handled, so no effect.
    again = [Delivery("waste.weighing", entry, fields) for entry, fields in redis_client.xrange(stream)]
    assert [d.entry_id for d in again] == [first, bad, last]
    assert worker.apply_batch(again) == 0
    assert redis_client.xlen(keys.deadletter) == 2
    assert aggregates.waste_view(day=DAY).tonnes["wet"] == 7.0
    assert aggregates.feed_stats() == stats


def test_a_message_that_is_not_utf8_is_deadlettered_byte_for_byte(redis_url, keys, make_worker, aggregates):
    raw = redis.Redis.from_url(redis_url)
    fields = {b"district": b"310115", b"station": b"ST-\xff\xfe", b"vehicle": b"V", b"category": b"wet",
              b"tonnes": b"1", b"note\xc3": b"\xe4\xb8"}
    entry = raw.xadd(keys.feed("waste.weighing"), fields)
    raw.xadd(keys.feed("waste.weighing"), {b"district": b"310115", b"station": b"ST-1", b"vehicle": b"V",
                                           b"category": b"wet", b"tonnes": b"2", b"ts": str(NOW_MS).encode()})

    assert drain(make_worker()) == [2]

    (_, letter), = raw.xrange(keys.deadletter)
    assert letter == {b"feed": b"waste.weighing", b"entry": entry,
                      b"reason": b"station: must be valid UTF-8 text, got 'ST-\\udcff\\udcfe'",
                      **fields}
    assert aggregates.feed_stats()["waste.weighing"].ingested == 1
    raw.close()


def test_the_worker_refuses_a_client_that_cannot_read_every_message(redis_url, keys, master):
    plain = redis.Redis.from_url(redis_url, decode_responses=True)
    with pytest.raises(ValueError, match="connect()"):
        IngestWorker(plain, keys, TZ, master, "w")
    plain.close()


def test_a_repeated_event_id_counts_once(redis_client, keys, make_worker, aggregates):
    stream = keys.feed("waste.weighing")
    ts = "2026-11-29T10:00:00+08:00"
    redis_client.xadd(stream, weighing(tonnes="1", event_id="E1", ts=ts))
    redis_client.xadd(stream, weighing(tonnes="1", event_id="E1", ts=ts))
    redis_client.xadd(stream, weighing(tonnes="2", event_id="E2", ts=ts))
    redis_client.xadd(keys.feed("waste.quality"), quality(event_id="E1", ts=ts))
    worker = make_worker()
    drain(worker)
    redis_client.xadd(stream, weighing(tonnes="1", event_id="E1", ts=ts))
    redis_client.xadd(stream, weighing(tonnes="4", ts=ts))
    redis_client.xadd(stream, weighing(tonnes="4", ts=ts))
    drain(worker)

    view = aggregates.waste_view(day=DAY)
    assert view.tonnes["wet"] == 11.0 and view.loads == 4
    assert view.quality == QualityCount(qualified=1)
    stats = aggregates.feed_stats()
    assert (stats["waste.weighing"].ingested, stats["waste.weighing"].duplicates) == (4, 2)
    assert (stats["waste.quality"].ingested, stats["waste.quality"].duplicates) == (1, 0)
    assert 0 < redis_client.ttl(keys.dedupe("waste.weighing", "E1")) <= 24 * 3600


def test_the_day_rolls_over_at_shanghai_midnight(redis_client, keys, make_worker, aggregates):
    stream = keys.feed("waste.weighing")
    redis_client.xadd(stream, weighing(tonnes="1", ts="2026-11-29T23:59:59+08:00"))
    redis_client.xadd(stream, weighing(tonnes="2", ts=str(ms("2026-11-30T00:00:01+08:00"))))
    drain(make_worker())

    before, after = aggregates.waste_view(day="2026-11-29"), aggregates.waste_view(day="2026-11-30")
    assert (before.tonnes["wet"], after.tonnes["wet"]) == (1.0, 2.0)
    assert before.hourly[23] == 1.0 and after.hourly[0] == 2.0
    assert after.hourly_yesterday == before.hourly
    for day in ("2026-11-29", "2026-11-30"):
        assert 0 < redis_client.ttl(keys.day("weighing", day)) <= 3 * 24 * 3600
        assert 0 < redis_client.ttl(keys.day("weighing_hourly", day)) <= 3 * 24 * 3600

    assert aggregates.today(now=datetime(2026, 11, 29, 15, 59, 59, tzinfo=UTC)) == "2026-11-29"
    assert aggregates.today(now=datetime(2026, 11, 29, 16, 0, 0, tzinfo=UTC)) == "2026-11-30"
    assert aggregates.today(now=datetime(2026, 11, 30, 0, 0, 1, tzinfo=TZ)) == "2026-11-30"
    with pytest.raises(ValueError, match="time zone"):
        aggregates.today(now=datetime(2026, 11, 30, 0, 0, 1))


def test_unregistered_entities_are_counted_and_listed(redis_client, keys, make_worker, aggregates):
    ts = "2026-11-29T10:00:00+08:00"
    redis_client.xadd(keys.feed("waste.weighing"), weighing(station="ST-NEW", vehicle="沪B99999", ts=ts))
    redis_client.xadd(keys.feed("waste.weighing"), weighing(station="ST-2", vehicle="沪A10002", ts=ts))
    redis_client.xadd(keys.feed("waste.quality"), quality(camera="CAM-NEW", site="SITE-NEW",
                                                          verdict="unqualified", ts=ts))
    drain(make_worker())

    view = aggregates.waste_view(day=DAY)
    assert view.station_tonnes == {"ST-NEW": 1.0, "ST-2": 1.0}
    assert view.quality == QualityCount(unqualified=1)
    assert view.unqualified[0].site == "SITE-NEW" and view.unqualified[0].vehicle is None
    assert aggregates.unregistered("station") == {"ST-NEW"}
    assert aggregates.unregistered("vehicle") == {"沪B99999"}
    assert aggregates.unregistered("camera") == {"CAM-NEW"}
    assert aggregates.unregistered("site") == {"SITE-NEW"}
    with pytest.raises(ValueError, match="unknown entity kind"):
        aggregates.unregistered("truck")


def test_two_consumers_share_the_work_and_count_everything_once(redis_client, keys, make_worker, aggregates):
    pipe = redis_client.pipeline(transaction=False)
    for n in range(300):
        ts = "2026-11-29T10:00:00+08:00"
        pipe.xadd(keys.feed("waste.weighing"), weighing(tonnes=str(1 + n % 4), ts=ts))
        pipe.xadd(keys.feed("waste.quality"), quality(verdict=("qualified", "unqualified")[n % 2], ts=ts))
    pipe.execute()

    handled = drain(make_worker("one", batch_size=20), make_worker("two", batch_size=20))

    assert all(handled) and sum(handled) == 600
    view = aggregates.waste_view(day=DAY)
    assert view.tonnes["wet"] == 75 * (1 + 2 + 3 + 4) and view.loads == 300
    assert view.quality == QualityCount(150, 150)
    assert fully_acked(redis_client, keys)


def test_a_batch_taken_over_by_another_consumer_is_not_applied_twice(
    redis_client, keys, make_worker, aggregates
):
    for tonnes in ("1", "2", "4"):
        redis_client.xadd(keys.feed("waste.weighing"), weighing(tonnes=tonnes, ts="2026-11-29T10:00:00Z"))
    slow, rescuer = make_worker("slow"), make_worker("rescuer", claim_idle_ms=0)
    stale = slow.read_batch()

    assert rescuer.process_once() == 3
    assert slow.apply_batch(stale) == 0

    assert aggregates.waste_view(day=DAY).tonnes["wet"] == 7.0
    assert aggregates.feed_stats()["waste.weighing"].ingested == 3
    assert fully_acked(redis_client, keys)


def test_a_killed_worker_neither_loses_nor_double_counts(redis_url, redis_client, keys, tmp_path):
    rng = random.Random(20261129)
    tonnes, verdicts, loads, invalid = Counter(), Counter(), 0, 0
    pipe = redis_client.pipeline(transaction=False)
    # The worker processes judge event times by the real clock: yesterday is always recent.
    day = (datetime.now(TZ).date() - timedelta(days=1)).isoformat()
    start_ms = ms(f"{day}T08:00:00+08:00")
    for n in range(20_000):
        ts = str(start_ms + n * 1000)
        if n % 50 == 49:
            pipe.xadd(keys.feed("waste.weighing"), weighing(tonnes="-1", ts=ts))
            invalid += 1
        elif n % 4 == 3:
            verdict = rng.choice(("qualified", "unqualified"))
            pipe.xadd(keys.feed("waste.quality"), quality(verdict=verdict, ts=ts))
            verdicts[verdict] += 1
        else:
            category = rng.choice(("wet", "dry", "recyclable", "hazardous"))
            quarters = rng.randrange(1, 200)  # multiples of 0.25 t add up exactly in binary
            fields = weighing(category=category, tonnes=str(quarters / 4), ts=ts)
            pipe.xadd(keys.feed("waste.weighing"), fields)
            tonnes[category] += quarters
            loads += 1
        if n % 1000 == 999:
            pipe.execute()
    pipe.execute()
    valid = 20_000 - invalid

    env = {**os.environ, "GREENWALL_REDIS_URL": redis_url, "GREENWALL_KEY_PREFIX": keys.prefix,
           "PYTHONPATH": str(ROOT), "GREENWALL_LOG_LEVEL": "INFO"}

    def start_worker(consumer: str, claim_idle_ms: int) -> subprocess.Popen:
        log = (tmp_path / f"{consumer}.log").open("w")
        return subprocess.Popen(
            [sys.executable, "-m", "datasources.platform.ingest", "--consumer", consumer,
             "--batch-size", "100", "--block-ms", "100", "--claim-idle-ms", str(claim_idle_ms)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )

    def handled() -> int:
        stats = Aggregates(redis_client, keys, TZ).feed_stats().values()
        return sum(s.ingested + s.deadlettered for s in stats)

    doomed = start_worker("doomed", claim_idle_ms=600_000)
    kill_at = rng.randrange(2_000, 12_000)
    try:
        wait_for(lambda: handled() >= kill_at or doomed.poll() is not None, "the first worker to get going")
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    handled_at_kill = handled()
    left_pending = sum(
        redis_client.xpending(keys.feed(feed), CONSUMER_GROUP)["pending"]
        for feed in ("waste.weighing", "waste.quality")
    )
    assert doomed.returncode == -signal.SIGKILL, (tmp_path / "doomed.log").read_text()
    assert handled_at_kill < 20_000, "the worker finished before it could be killed"

    rescuer = start_worker("rescuer", claim_idle_ms=50)
    try:
        wait_for(lambda: fully_acked(redis_client, keys) or rescuer.poll() is not None,
                 "the second worker to drain the streams", timeout=120)
    finally:
        rescuer.send_signal(signal.SIGTERM)
        assert rescuer.wait(timeout=30) == 0, (tmp_path / "rescuer.log").read_text()
    assert fully_acked(redis_client, keys)

    aggregates = Aggregates(redis_client, keys, TZ)
    view = aggregates.waste_view(day=day)
    assert view.tonnes == {category: tonnes[category] / 4 for category in view.tonnes}
    assert view.loads == loads
    assert view.quality == QualityCount(verdicts["qualified"], verdicts["unqualified"])
    stats = aggregates.feed_stats()
    assert sum(s.ingested for s in stats.values()) == valid
    assert sum(s.deadlettered for s in stats.values()) == invalid
    assert sum(s.duplicates for s in stats.values()) == 0
    assert redis_client.xlen(keys.deadletter) == invalid
    print(f"killed after {handled_at_kill} of 20000 entries, {left_pending} left pending")


def test_run_rides_out_a_redis_restart_and_stops_on_request(tmp_path, master):
    keys = Keys("gwtest-run")
    server = EmbeddedRedis(tmp_path / "redis.db")
    client = connect(server.start())
    worker = IngestWorker(client, keys, TZ, master, "runner", block_ms=50, now_ms=lambda: NOW_MS)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    aggregates = Aggregates(client, keys, TZ)

    def ingested() -> int:
        return aggregates.feed_stats()["waste.weighing"].ingested

    try:
        thread.start()
        wait_for(lambda: client.exists(keys.feed("waste.weighing")), "the consumer groups")
        client.xadd(keys.feed("waste.weighing"), weighing(ts="2026-11-29T10:00:00+08:00"))
        wait_for(lambda: ingested() == 1, "the first event")
        assert "runner" in client.hgetall(keys.heartbeat("worker"))

        server.stop()
        server.start()
        client.xadd(keys.feed("waste.weighing"), weighing(tonnes="2", ts="2026-11-29T10:00:00+08:00"))
        client.xadd(keys.feed("waste.weighing"), weighing(tonnes="oops"))
        wait_for(lambda: ingested() == 2, "the event sent after the restart")

        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert aggregates.waste_view(day=DAY).tonnes["wet"] == 3.0
        assert aggregates.feed_stats()["waste.weighing"].deadlettered == 1
    finally:
        stop.set()
        client.close()
        server.stop()
