"""The water-area feeds through a real ingest worker and Redis: tonnes, areas and hourly sums
counted exactly once (a replay is a duplicate), a boat's status with since when and its track,
the newest assessment of a section kept by event time, the issue loop (found → assigned →
closed) enforced atomically — a skip or a step back is dead-lettered with why, also inside a
batch with good steps, and moves nothing — bad values dead-lettered with reasons, and ids
master data does not know listed as unregistered."""

from __future__ import annotations

import pytest

from datasources.platform.ingest import IngestWorker, connect
from datasources.platform.keys import Keys
from datasources.platform.master import StaticMaster
from datasources.water.effects import issue_track
from datasources.water.reader import WaterReader
from tests.datasources.domain_helpers import TZ, at, dead_letters, drain, ms, send, static_worker, stats, t

SECTION, OTHER = "HPJ-T1", "SZH-T2"
PUDONG, PUTUO = "310115", "310107"
BOATS = ("CB-1", "CB-2")
NOW = "2026-12-01T18:00:00+08:00"


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def worker(redis_url, keys):
    master = StaticMaster(
        ids={"water_section": [SECTION, OTHER], "water_boat": list(BOATS)},
        tables={"water_section_district": {SECTION: PUDONG, OTHER: PUTUO}})
    with static_worker(redis_url, keys, master, "water-test", NOW) as ingest:
        yield ingest


@pytest.fixture
def reader(redis_client, keys) -> WaterReader:
    return WaterReader(redis_client, keys, TZ)


def issue(client, keys, ident: str, stage: str, ts: str, section: str = SECTION, **more) -> str:
    return send(client, keys, "water.issue", ts, issue=ident, section=section, stage=stage, **more)


def test_tonnes_are_counted_once_by_section_scope_and_hour(redis_client, keys, worker, reader):
    send(redis_client, keys, "water.collection", t("09:10"), boat="CB-1", section=SECTION,
         tonnes="0.4", event_id="c1")
    send(redis_client, keys, "water.collection", t("09:50"), boat="CB-2", section=SECTION,
         tonnes="1.25", event_id="c2")
    send(redis_client, keys, "water.collection", t("11:05"), boat="CB-1", section=OTHER,
         tonnes="2", event_id="c3")
    send(redis_client, keys, "water.collection", t("09:10"), boat="CB-1", section=SECTION,
         tonnes="0.4", event_id="c1")  # a replay
    send(redis_client, keys, "water.collection", t("10:00", "2026-11-30"), boat="CB-1",
         section=SECTION, tonnes="3", event_id="c0")  # yesterday
    assert drain(worker) == 5
    view = reader.view(at(t("17:00")))
    assert view.total(f"t:x:{SECTION}") == pytest.approx(1.65)
    assert view.total(f"t:x:{OTHER}") == pytest.approx(2.0)
    assert view.total(f"n:x:{SECTION}") == 2
    assert view.total(f"t:d:{PUDONG}") == pytest.approx(1.65)
    assert view.total("t:d:310000") == pytest.approx(3.65)
    assert view.total(f"t:h:09:{PUDONG}") == pytest.approx(1.65)
    assert view.total("t:h:11:310000") == pytest.approx(2.0)
    assert view.yesterday[f"t:d:{PUDONG}"] == pytest.approx(3.0)
    assert stats(redis_client, keys, "water.collection") == (4, 0, 1)
    assert [e["x"] for e in view.events[:2]] == [SECTION, OTHER]  # newest pushed first


def test_plants_and_assessments(redis_client, keys, worker, reader):
    send(redis_client, keys, "water.plants", t("10:00"), section=SECTION, species="hyacinth",
         area_m2="1200", tonnes="18")
    send(redis_client, keys, "water.plants", t("10:30"), section=SECTION, species="duckweed",
         area_m2="300")
    send(redis_client, keys, "water.inspection", t("14:00"), inspection="I-2", inspector="SG-1",
         section=SECTION, floating="90", shore="80", facility="70")
    send(redis_client, keys, "water.inspection", t("09:00"), inspection="I-1", inspector="SG-1",
         section=SECTION, floating="50", shore="50", facility="50")  # older: ignored
    assert drain(worker) == 4
    view = reader.view(at(t("17:00")))
    assert view.total(f"a:d:{PUDONG}") == 1500 and view.total("a:hyacinth:310000") == 1200
    assert view.total(f"p:d:{PUDONG}") == pytest.approx(18)
    a = view.assessments[SECTION]
    assert (a.floating, a.shore, a.facility, a.inspector, a.at_ms) == (90, 80, 70, "SG-1",
                                                                        ms(t("14:00")))
    assert view.total(f"i:d:{PUDONG}") == 2


def test_boat_status_since_and_track(redis_client, keys, worker, reader):
    for hm, status, lat in (("08:00", "patrolling", "31.20"), ("08:03", "collecting", "31.21"),
                            ("08:06", "collecting", "31.22")):
        send(redis_client, keys, "water.boat", t(hm), boat="CB-1", section=SECTION, lat=lat,
             lon="121.49", status=status)
    assert drain(worker) == 3
    view = reader.view(at(t("08:07")))
    boat = view.boats["CB-1"]
    assert (boat.status, boat.since_ms, boat.at_ms, boat.lat) == (
        "collecting", ms(t("08:03")), ms(t("08:06")), 31.22)
    assert [p.at_ms for p in view.track] == [ms(t(h)) for h in ("08:06", "08:03", "08:00")]


def test_the_issue_loop_counts_in_order_and_refuses_skips_and_reversals(
        redis_client, keys, worker, reader):
    issue(redis_client, keys, "Q-1", "found", t("09:00"), category="floating", note="漂浮垃圾")
    assert drain(worker) == 1
    # A skip (found → closed) inside a batch with good steps: only the skip is dead-lettered.
    issue(redis_client, keys, "Q-2", "found", t("09:05"), category="shore")
    issue(redis_client, keys, "Q-1", "closed", t("09:10"))
    issue(redis_client, keys, "Q-2", "assigned", t("09:20"), company="WC-1")
    assert drain(worker) == 3
    [letter] = dead_letters(redis_client, keys)
    assert "would skip assigned" in letter["reason"] and "Q-1" in letter["reason"], letter
    view = reader.view(at(t("10:00")))
    assert {i.issue: i.stage for i in view.open_issues} == {"Q-1": "found", "Q-2": "assigned"}
    # The dead-lettered step left no trace: not in the log, not in the event list.
    assert sorted((s.issue, s.stage) for s in view.issue_log) == [
        ("Q-1", "found"), ("Q-2", "assigned"), ("Q-2", "found")]
    assert sum(e["f"] == "water.issue" for e in view.events) == 3
    # A reversal (assigned → found) is refused; the loop then closes.
    issue(redis_client, keys, "Q-2", "found", t("09:30"), category="shore")
    issue(redis_client, keys, "Q-2", "closed", t("12:00"))
    assert drain(worker) == 2
    assert len(dead_letters(redis_client, keys)) == 2
    assert "Q-2" in dead_letters(redis_client, keys)[1]["reason"]
    view = reader.view(at(t("13:00")))
    assert [i.issue for i in view.open_issues] == ["Q-1"]
    closed = redis_client.hget(issue_track(keys).closed_key, "Q-2")
    assert closed.endswith(f"{ms(t('09:05'))},{ms(t('09:20'))},{ms(t('12:00'))}")
    assert stats(redis_client, keys, "water.issue") == (4, 2, 0)
    # A closure never found starts at the wrong stage.
    issue(redis_client, keys, "Q-9", "closed", t("13:00"))
    assert drain(worker) == 1
    assert "Q-9" in dead_letters(redis_client, keys)[2]["reason"]


@pytest.mark.parametrize(("feed", "fields", "reason"), [
    ("water.boat", {"boat": "CB-1", "section": SECTION, "lat": "29.5", "lon": "121.4",
                    "status": "patrolling"}, "lat: must be between"),
    ("water.boat", {"boat": "CB-1", "section": SECTION, "lat": "31.2", "lon": "121.4",
                    "status": "sailing"}, "status: must be one of patrolling, collecting, docked"),
    ("water.collection", {"boat": "CB-1", "section": SECTION, "tonnes": "0"},
     "tonnes: must be > 0 and ≤ 50, got '0'"),
    ("water.collection", {"boat": "CB-1", "tonnes": "1"}, "section"),
    ("water.inspection", {"inspection": "I", "inspector": "S", "section": SECTION,
                          "floating": "101", "shore": "90", "facility": "90"},
     "floating: must be a whole number 0–100, got '101'"),
    ("water.plants", {"section": SECTION, "species": "lotus", "area_m2": "10"},
     "species: must be one of hyacinth, duckweed, other"),
    ("water.plants", {"section": SECTION, "species": "hyacinth", "area_m2": "12.5"},
     "area_m2: must be a whole number"),
    ("water.issue", {"issue": "Q", "section": SECTION, "stage": "found"},
     "a found issue needs a category"),
    ("water.issue", {"issue": "Q", "section": SECTION, "stage": "done"},
     "stage: must be one of found, assigned, closed"),
])
def test_bad_values_are_dead_lettered_once_with_a_reason(redis_client, keys, worker, reader,
                                                         feed, fields, reason):
    send(redis_client, keys, feed, t("10:00"), **fields)
    assert drain(worker) == 1
    [letter] = dead_letters(redis_client, keys)
    assert reason in letter["reason"], letter
    assert stats(redis_client, keys, feed) == (0, 1, 0)
    assert drain(worker) == 0
    assert reader.view(at(t("11:00"))).today == {}


def test_unknown_sections_and_boats_are_listed_and_count_in_the_city(redis_client, keys, worker,
                                                                      reader):
    send(redis_client, keys, "water.collection", t("10:00"), boat="CB-X", section="RIVER-X",
         tonnes="1.5")
    send(redis_client, keys, "water.boat", t("10:00"), boat="CB-Y", section=SECTION, lat="31.2",
         lon="121.5", status="patrolling")
    assert drain(worker) == 2
    view = reader.view(at(t("11:00")))
    assert view.total("t:d:310000") == pytest.approx(1.5) and view.total("t:x:RIVER-X") == 1.5
    assert not any(k.startswith("t:d:31011") for k in view.today)
    assert set(redis_client.zrange(keys.unregistered("water_section"), 0, -1)) == {"RIVER-X"}
    assert set(redis_client.zrange(keys.unregistered("water_boat"), 0, -1)) == {"CB-X", "CB-Y"}


# ---- the simulator ----
def test_a_simulated_backfill_ingests_without_a_dead_letter(tmp_path, redis_url, key_prefix):
    import threading
    from collections import Counter
    from datetime import date

    from datasources.platform.feeds import FeedValidationError, parse_event
    from datasources.platform.publisher import Simulator
    from datasources.platform.seed import seed
    from datasources.platform.snapshot import SnapshotStore
    from datasources.water.simulator import MALFORMATIONS

    store = SnapshotStore(f"sqlite:///{tmp_path / 'snapshot.db'}")
    seed(store, today=date(2026, 11, 30))
    client = connect(redis_url)
    keys = Keys(key_prefix)
    now = at("2026-12-01T15:00:00+08:00")
    worker = IngestWorker(client, keys, TZ, store.master_lookup(), "wsim", block_ms=0,
                          now_ms=lambda: int(now.timestamp() * 1000))
    worker.ensure_groups()
    simulator = Simulator(client, keys, store, TZ, maxlen=1_000_000)
    plan = simulator.plans["water"]
    start_ms = ms("2026-11-30T00:00:00+08:00")
    events = list(plan.events_between(start_ms, int(now.timestamp() * 1000)))
    counts = Counter(p.feed for p in events)
    assert counts["water.boat"] > 5000 and counts["water.collection"] > 200
    assert 13 < counts["water.inspection"] < 2 * 13 and counts["water.plants"] > 50
    assert len({p.fields["event_id"] for p in events}) == len(events)
    assert list(plan.events_between(start_ms, start_ms + 3_600_000 * 20)) == [
        p for p in events if p.at_ms < start_ms + 3_600_000 * 20]  # deterministic
    stop = threading.Event()
    published = simulator._publish(simulator._with_malformed(plan.history(start_ms)), stop)
    published += simulator._publish(simulator._with_malformed(iter(events)), stop)
    handled = 0
    while n := worker.process_once():
        handled += n
    assert handled == published
    assert client.xlen(keys.deadletter) == 0, dead_letters(client, keys)[:3]
    view = WaterReader(client, keys, TZ).view(now)
    assert 20 < view.total("t:d:310000") < 400
    assert view.open_issues and view.assessments
    # Every malformation of every feed breaks a good message.
    for feed, rules in MALFORMATIONS.items():
        good = next(p.fields for p in events if p.feed == feed)
        for rule in rules:
            for pick in range(3):
                bad = dict(good)
                rules[rule](bad, pick)
                if rule == "skip":
                    continue  # well-formed: the ingest script refuses it
                with pytest.raises(FeedValidationError):
                    parse_event(feed, bad, "0-0")
    client.close()
    store.close()
