"""No poison message stops a feed: against real Redis, every kind of message a worker cannot
count is dead-lettered with why (bounded in size), valid events after it are counted exactly,
an entry that keeps failing is dead-lettered after its deliveries run out, and a flood of
made-up ids cannot grow Redis without end."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from datasources.forest.effects import OPEN_CASES_KEPT, case_track
from datasources.platform.deadletter import deadletter_status
from datasources.platform.feeds import (
    FeedValidationError,
    check_event_time,
    oversize_reason,
    parse_event,
)
from datasources.platform.ingest import EntriesNotApplied, IngestWorker, connect
from datasources.platform.keys import CONSUMER_GROUP, Keys
from datasources.platform.master import SiteTrace, StaticMaster
from datasources.waste.reader import WasteReader as Aggregates
from tests.conftest import wait_until
from tests.feeds_helpers import publish, worker_factory

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=TZ)
NOW_MS = int(NOW.timestamp() * 1000)
WEIGHING = {"district": "310115", "station": "ST-1", "vehicle": "沪A10001", "category": "wet",
            "tonnes": "1"}
QUALITY = {"district": "310115", "camera": "CAM-1", "site": "SITE-1", "verdict": "qualified",
           "confidence": "0.9"}


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


class TracelessMaster(StaticMaster):
    """Master data whose site ``BOOM`` makes the lookup fail, as a bug would."""

    def trace_site(self, site: str) -> SiteTrace | None:
        if site == "BOOM":
            raise RuntimeError("trace table broken for BOOM")
        return super().trace_site(site)


@pytest.fixture
def make_worker(redis_url: str, keys: Keys):
    master = TracelessMaster(sites={"SITE-1": SiteTrace("310115", "沪A10001", "ST-1")},
                             cameras=["CAM-1"], rangers=["RG-1"])
    yield from worker_factory(redis_url, keys, TZ, master, NOW_MS)


def drain(worker: IngestWorker) -> int:
    handled = 0
    while n := worker.process_once():
        handled += n
    return handled


def letters(client, keys: Keys) -> dict[str, dict[str, str]]:
    """Dead letters by original entry ID (of one feed: IDs of two streams can be equal)."""
    return {fields["entry"]: fields for _, fields in client.xrange(keys.deadletter)}


def letters_by_feed(client, keys: Keys) -> dict[tuple[str, str], dict[str, str]]:
    """Dead letters by feed and original entry ID."""
    return {(fields["feed"], fields["entry"]): fields for _, fields in client.xrange(keys.deadletter)}


@pytest.mark.parametrize(("ts", "why"), [
    ("9999-12-31T23:59:59-12:00", "'9999-12-31T23:59:59-12:00' is outside 2000–2100"),
    ("0001-01-01T00:00:00+14:00", "'0001-01-01T00:00:00+14:00' is outside 2000–2100"),
    ("9999-12-31T23:59:59+14:00", "'9999-12-31T23:59:59+14:00' is outside 2000–2100"),
    ("1900-01-01T00:00:00+08:00", "'1900-01-01T00:00:00+08:00' is outside 2000–2100"),
    ("99999999999999999999", "epoch milliseconds '99999999999999999999' is outside 2000–2100 "
                             "(seconds sent instead of milliseconds?)"),
    ("9" * 5000, "must be at most 64 characters, got 5000"),
    ("NaN", "epoch milliseconds must be a whole number, got 'NaN'"),
    ("inf", "epoch milliseconds must be a whole number, got 'inf'"),
    ("-1795917600000", "epoch milliseconds must be a whole number, got '-1795917600000'"),
    ("1.7959176e12", "epoch milliseconds must be a whole number, got '1.7959176e12'"),
])
def test_a_time_no_clock_can_hold_is_a_validation_error(ts, why):
    with pytest.raises(FeedValidationError) as caught:
        parse_event("waste.weighing", {**WEIGHING, "ts": ts}, "1-0")
    assert caught.value.reason == f"ts: {why}"


def test_event_times_must_be_within_the_skew_and_the_retention():
    day, minute = 86_400_000, 60_000
    check_event_time(NOW_MS + 5 * minute, NOW_MS, ahead_ms=300_000, kept_ms=3 * day)
    check_event_time(NOW_MS - 3 * day, NOW_MS, ahead_ms=300_000, kept_ms=3 * day)
    with pytest.raises(FeedValidationError, match=r"^ts: 2\.0 days ahead of the server clock "
                                                  r"\(at most 5 min, GREENWALL_MAX_CLOCK_SKEW_S\)$"):
        check_event_time(NOW_MS + 2 * day, NOW_MS, ahead_ms=300_000, kept_ms=3 * day)
    with pytest.raises(FeedValidationError, match=r"^ts: 3\.5 days old; the aggregates of this "
                                                  r"feed keep 3\.0 days$"):
        check_event_time(NOW_MS - int(3.5 * day), NOW_MS, ahead_ms=300_000, kept_ms=3 * day)


def test_size_limits():
    assert oversize_reason({f"f{n}": "x" for n in range(64)}) is None
    assert oversize_reason({"blob": "x" * 65_000}) is None
    assert oversize_reason({f"f{n}": "x" for n in range(65)}) == (
        "message too large: 250 bytes in 65 fields (at most 65,536 bytes and 64 fields)")
    assert oversize_reason({"blob": "水" * 30_000}) == (
        "message too large: 90,004 bytes in 1 fields (at most 65,536 bytes and 64 fields)")


def test_poison_messages_never_stop_the_feeds(sources, worker):
    """The running worker meets every kind of poison, and counts what follows it exactly."""
    client, keys = sources.redis, sources.keys
    now = datetime.now(TZ)
    poison = {
        "year 9999": {**WEIGHING, "ts": "9999-12-31T23:59:59-12:00"},
        "year 1": {**WEIGHING, "ts": "0001-01-01T00:00:00+14:00"},
        "two days ahead": {**WEIGHING, "ts": iso(now + timedelta(days=2))},
        "too old": {**WEIGHING, "ts": iso(now - timedelta(days=4))},
        "NaN": {**WEIGHING, "ts": "NaN"},
        "2 MB": {**WEIGHING, "ts": iso(now), "blob": "x" * 2_000_000},
        "5,000 fields": {**WEIGHING, "ts": iso(now), **{f"f{n}": str(n) for n in range(5000)}},
    }
    entries = {what: ("waste.weighing", client.xadd(keys.feed("waste.weighing"), fields))
               for what, fields in poison.items()}
    entries["old case step"] = "forest.incident", publish(
        client, keys, "forest.incident", ts=iso(now - timedelta(days=200)), incident="AJ-OLD",
        scenario="fire", stage="reported", grid="PG-1", lat="31.2", lon="121.6")
    for _ in range(20):
        publish(client, keys, "waste.weighing", **{**WEIGHING, "tonnes": "2"})
        publish(client, keys, "waste.quality", **QUALITY)
    publish(client, keys, "forest.patrol", ranger="RG-9", grid="PG-1", kind="start",
            lat="31.2", lon="121.6")

    def stats():
        return sources.live.feed_stats()

    wait_until(lambda: stats()["forest.patrol"].ingested == 1, timeout=30)
    counted = stats()
    assert (counted["waste.weighing"].ingested, counted["waste.weighing"].deadlettered) == (20, 7)
    assert (counted["waste.quality"].ingested, counted["waste.quality"].deadlettered) == (20, 0)
    assert counted["forest.incident"].deadlettered == 1
    days = {now.date().isoformat(), datetime.now(TZ).date().isoformat()}  # in case midnight passed
    assert sum(sources.waste.waste_view(day=day).tonnes["wet"] for day in days) == 40.0

    dead = letters_by_feed(client, keys)
    reasons = {what: dead[entry]["reason"] for what, entry in entries.items()}
    assert reasons["year 9999"] == "ts: '9999-12-31T23:59:59-12:00' is outside 2000–2100"
    assert reasons["year 1"] == "ts: '0001-01-01T00:00:00+14:00' is outside 2000–2100"
    assert reasons["two days ahead"].startswith("ts: 2.0 days ahead of the server clock")
    assert reasons["too old"] == "ts: 4.0 days old; the aggregates of this feed keep 3.0 days"
    assert reasons["NaN"] == "ts: epoch milliseconds must be a whole number, got 'NaN'"
    assert reasons["old case step"] == ("ts: 200.0 days old; the aggregates of this feed keep "
                                        "120.0 days")
    assert re.match(r"message too large: 2,000,\d{3} bytes in 7 fields \(at most 65,536 bytes "
                    r"and 64 fields\)", reasons["2 MB"])
    assert re.match(r"message too large: \d\d,\d{3} bytes in 5,006 fields", reasons["5,000 fields"])
    for what in ("2 MB", "5,000 fields"):
        assert "this dead letter is truncated to its first 64 fields" in reasons[what]
        letter = dead[entries[what]]
        assert len(letter) == 3 + 64 if what == "5,000 fields" else 3 + len(poison[what])
        assert sum(len(k.encode()) + len(v.encode()) for k, v in letter.items()) < 64 * 1024
    assert dead[entries["2 MB"]]["blob"] == "x" * 896
    assert dead[entries["year 9999"]]["station"] == "ST-1"  # the original fields ride along

    assert worker.client.hget(keys.heartbeat("worker"), worker.consumer)
    for feed in ("waste.weighing", "waste.quality"):
        assert client.xpending(keys.feed(feed), CONSUMER_GROUP)["pending"] == 0


def test_an_exception_while_planning_one_entry_dead_letters_only_that_entry(
        redis_client, keys, make_worker):
    redis_client.xadd(keys.feed("waste.quality"),
                      {**QUALITY, "verdict": "unqualified", "ts": str(NOW_MS)})
    boom = redis_client.xadd(keys.feed("waste.quality"),
                             {**QUALITY, "site": "BOOM", "verdict": "unqualified", "ts": str(NOW_MS)})
    redis_client.xadd(keys.feed("waste.quality"),
                      {**QUALITY, "camera": "CAM-2", "verdict": "unqualified", "ts": str(NOW_MS)})

    assert drain(make_worker()) == 3

    dead = letters(redis_client, keys)
    assert list(dead) == [boom]
    assert dead[boom]["reason"] == "could not be processed: RuntimeError: trace table broken for BOOM"
    view = Aggregates(redis_client, keys, TZ).waste_view(day="2026-11-30")
    assert [load.camera for load in view.unqualified] == ["CAM-2", "CAM-1"]
    assert view.quality.unqualified == 2


def test_an_entry_that_always_fails_to_apply_is_deadlettered_after_n_deliveries(
        redis_client, keys, make_worker):
    # A key of the wrong type makes every quality event fail in the ingest script.
    redis_client.set(keys.latest("camera_seen"), "not a hash")
    stream = keys.feed("waste.weighing")
    redis_client.xadd(stream, {**WEIGHING, "ts": str(NOW_MS)})
    stuck = redis_client.xadd(keys.feed("waste.quality"), {**QUALITY, "ts": str(NOW_MS)})
    redis_client.xadd(stream, {**WEIGHING, "tonnes": "2", "ts": str(NOW_MS)})
    worker = make_worker(max_deliveries=3)
    aggregates = Aggregates(redis_client, keys, TZ)

    for _ in range(2):  # deliveries 1 and 2 fail
        with pytest.raises(EntriesNotApplied) as caught:
            worker.process_once()
        assert list(caught.value.failures) == [stuck]
        assert "WRONGTYPE" in caught.value.failures[stuck]
        # The rest of the batch was applied the first time round, and only once.
        assert redis_client.hget(keys.day("weighing", "2026-11-30"), "tonnes:310000:wet") == "3"
        assert aggregates.feed_stats()["waste.quality"].ingested == 0
    assert worker.process_once() == 1

    (letter,) = letters(redis_client, keys).values()
    assert letter["entry"] == stuck and letter["feed"] == "waste.quality"
    assert letter["reason"].startswith(
        f"not applied after 3 deliveries: WRONGTYPE {keys.latest('camera_seen')} is a string")
    assert letter["camera"] == "CAM-1"
    assert redis_client.xpending(keys.feed("waste.quality"), CONSUMER_GROUP)["pending"] == 0
    assert aggregates.feed_stats()["waste.quality"].deadlettered == 1
    assert aggregates.feed_stats()["waste.weighing"].ingested == 2


def test_an_entry_that_keeps_taking_the_worker_down_is_deadlettered(redis_client, keys, make_worker):
    stream = keys.feed("waste.weighing")
    deadly = redis_client.xadd(stream, {**WEIGHING, "ts": str(NOW_MS)})
    # Five workers in turn take it and die before applying it (each read is a delivery).
    for _ in range(5):
        assert [d.entry_id for d in make_worker("doomed").read_batch()] == [deadly]
    redis_client.xadd(stream, {**WEIGHING, "tonnes": "4", "ts": str(NOW_MS)})

    rescuer = make_worker("rescuer", claim_idle_ms=0)
    assert drain(rescuer) == 2

    (letter,) = letters(redis_client, keys).values()
    assert letter["entry"] == deadly
    assert letter["reason"] == ("delivered 6 times without being applied (at most 5, "
                                "GREENWALL_MAX_DELIVERIES); did it stop the worker?")
    assert Aggregates(redis_client, keys, TZ).waste_view(day="2026-11-30").tonnes["wet"] == 4.0


def test_a_flood_of_unknown_ids_stays_bounded(redis_client, keys, make_worker):
    kept = 50
    pipe = redis_client.pipeline(transaction=False)
    for n in range(300):
        ts = str(NOW_MS - 3_600_000 + n * 1000)  # later ids are seen later
        pipe.xadd(keys.feed("waste.quality"), {**QUALITY, "camera": f"FAKE-{n:03d}", "ts": ts})
        pipe.xadd(keys.feed("forest.patrol"), {"ranger": f"RG-FAKE-{n:03d}", "grid": "PG-1",
                                               "kind": "start", "lat": "31.2", "lon": "121.6",
                                               "ts": ts})
    pipe.xadd(keys.feed("waste.quality"), {**QUALITY, "ts": str(NOW_MS - 7_200_000)})
    pipe.xadd(keys.feed("forest.patrol"), {"ranger": "RG-1", "grid": "PG-1", "kind": "start",
                                           "lat": "31.2", "lon": "121.6", "ts": str(NOW_MS - 7_200_000)})
    pipe.execute()

    assert drain(make_worker(batch_size=70, unregistered_kept=kept)) == 602

    aggregates = Aggregates(redis_client, keys, TZ)
    newest_cameras = {f"FAKE-{n:03d}" for n in range(300 - kept, 300)}
    assert aggregates.unregistered("camera") == newest_cameras
    # Per-camera state: the registered camera plus the unregistered ones still listed.
    assert set(redis_client.hkeys(keys.latest("camera_seen"))) == newest_cameras | {"CAM-1"}
    assert set(redis_client.hkeys(keys.latest("camera_district"))) == newest_cameras | {"CAM-1"}
    newest_rangers = {f"RG-FAKE-{n:03d}" for n in range(300 - kept, 300)}
    assert aggregates.unregistered("ranger") == newest_rangers
    for name in ("ranger_started", "ranger_seen", "ranger_where"):
        assert set(redis_client.hkeys(keys.latest(name))) == newest_rangers | {"RG-1"}
    # Every verdict still counts: only the per-id state is bounded.
    assert aggregates.waste_view(day="2026-11-30").quality.qualified == 301


def test_unregistered_ids_of_an_older_version_are_kept(redis_client, keys, make_worker):
    redis_client.sadd(keys.unregistered("camera"), "OLD-CAM")
    redis_client.xadd(keys.feed("waste.quality"), {**QUALITY, "camera": "NEW-CAM", "ts": str(NOW_MS)})
    assert Aggregates(redis_client, keys, TZ).unregistered("camera") == {"OLD-CAM"}

    drain(make_worker())

    assert Aggregates(redis_client, keys, TZ).unregistered("camera") == {"OLD-CAM", "NEW-CAM"}
    assert redis_client.zscore(keys.unregistered("camera"), "NEW-CAM") == NOW_MS


def test_no_more_cases_open_than_the_bound(redis_client, keys, make_worker):
    track = case_track(keys)
    state = json.dumps({"s": 1, "t": str(NOW_MS - 60_000), "id": "fire @ PG-1", "r": {}})
    redis_client.hset(track.open_key, mapping={f"AJ-{n}": state for n in range(OPEN_CASES_KEPT)})

    def step(incident: str, stage: str) -> str:
        return redis_client.xadd(keys.feed("forest.incident"), {
            "incident": incident, "scenario": "fire", "stage": stage, "grid": "PG-1",
            "lat": "31.2", "lon": "121.6", "ts": str(NOW_MS)})

    refused = step("AJ-NEW", "reported")
    step("AJ-7", "verified")
    drain(make_worker())

    (letter,) = letters(redis_client, keys).values()
    assert letter["entry"] == refused
    assert letter["reason"].startswith(f"stage: {OPEN_CASES_KEPT} incidents are open already")
    assert redis_client.hlen(track.open_key) == OPEN_CASES_KEPT
    assert '"s":2' in redis_client.hget(track.open_key, "AJ-7")

    step("AJ-7", "disposed")
    step("AJ-7", "assessed")  # closes a case: room for one more
    step("AJ-NEW", "reported")
    drain(make_worker())
    assert list(letters(redis_client, keys)) == [refused]
    assert redis_client.hexists(track.open_key, "AJ-NEW")


def test_deadletters_trimmed_unread_are_counted(redis_client, keys, make_worker):
    for n in range(8):
        redis_client.xadd(keys.feed("waste.weighing"), {**WEIGHING, "tonnes": f"-{n}"})
    assert deadletter_status(redis_client, keys).as_dict() == {
        "length": 0, "maxlen": None, "added": 0, "trimmed": 0}

    drain(make_worker(deadletter_maxlen=5, batch_size=3))

    status = deadletter_status(redis_client, keys)
    assert status.as_dict() == {"length": 5, "maxlen": 5, "added": 8, "trimmed": 3}
    kept = [fields["tonnes"] for _, fields in redis_client.xrange(keys.deadletter)]
    assert kept == ["-3", "-4", "-5", "-6", "-7"]  # the newest stay


def test_the_worker_reads_its_limits_from_settings(settings, sources):
    from datasources.platform.ingest import worker_limits

    tuned = settings.model_copy(update={"max_deliveries": 2, "max_clock_skew_s": 30,
                                        "deadletter_maxlen": 7})
    worker = IngestWorker(connect(sources.redis_url), sources.keys, TZ, StaticMaster(), "w",
                          **worker_limits(tuned))
    assert (worker.max_deliveries, worker.max_clock_skew_ms, worker.deadletter_maxlen) == (2, 30_000, 7)
    assert (settings.max_deliveries, settings.max_clock_skew_s, settings.deadletter_maxlen) == (
        5, 300, 100_000)
    worker.client.close()


def test_a_message_without_ts_counts_at_its_entry_time(sources, worker):
    """The entry ID's time is the event time; the real clock accepts it."""
    publish(sources.redis, sources.keys, "waste.weighing", ts="", **WEIGHING)
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 1)
    assert abs(sources.live.feed_stats()["waste.weighing"].last_event_ms
               - time.time() * 1000) < 60_000
