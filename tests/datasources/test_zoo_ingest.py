"""The zoo (上海动物园) feeds through a real ingest worker and Redis: feedings counted exactly
against the diet plan, the vet-case loop enforced atomically in the ingest script (skips and
reversals dead-lettered, also inside a batch with good steps), sensors newest-first with a door
open since when, safety incidents, bad values dead-lettered with their reason once, ids master
data does not know listed as unregistered, and a simulator backfill without a dead letter."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from datasources.platform.ingest import IngestWorker, connect
from datasources.platform.keys import Keys
from datasources.platform.master import StaticMaster
from datasources.platform.snapshot import SnapshotStore
from datasources.zoo.effects import case_track
from datasources.zoo.reader import ZooReader
from datasources.zoo.simulator import ZooSimulation
from tests.datasources.domain_helpers import TZ, at, dead_letters, drain, ms, send, static_worker, stats, t

NOW = "2026-12-01T18:00:00+08:00"
ENC, OTHER_ENC = "ZE-T1", "ZE-T2"
PANDA, TIGER = "SP-T-PANDA", "SP-T-TIGER"
CHANGNING = "310105"


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def worker(redis_url, keys):
    master = StaticMaster(
        ids={"zoo_enclosure": [ENC, OTHER_ENC], "zoo_species": [PANDA, TIGER]},
        tables={"zoo_enclosure_district": {ENC: CHANGNING, OTHER_ENC: CHANGNING},
                "zoo_diet": {f"{PANDA}|竹子": "68", f"{TIGER}|牛肉": "28"}})
    with static_worker(redis_url, keys, master, "zoo-test", NOW) as ingest:
        yield ingest


@pytest.fixture
def reader(redis_client, keys) -> ZooReader:
    return ZooReader(redis_client, keys, TZ)


def feed_(client, keys, ts: str, species: str = PANDA, food: str = "竹子", kg: float = 10,
          **more) -> str:
    return send(client, keys, "zoo.feeding", ts, enclosure=ENC, species=species, food=food, kg=kg,
                keeper="KP-1", **more)


def health(client, keys, stage: str, ts: str, case: str = "BL-1", **more) -> str:
    return send(client, keys, "zoo.health", ts, **{"case": case, "species": PANDA,
                                                   "enclosure": ENC, "stage": stage,
                                                   "vet": "VET-1", **more})


def sensor(client, keys, ts: str, enclosure: str = ENC, temp: float = 20, humidity: float = 60,
           door: str = "closed", **more) -> str:
    return send(client, keys, "zoo.enclosure", ts, **{
        "enclosure": enclosure, "sensor": "SN-1", "temp_c": temp, "humidity": humidity,
        "door": door, **more})


def incident(client, keys, ident: str, ts: str, kind: str = "fall", severity: str = "low",
             **more) -> str:
    return send(client, keys, "zoo.safety", ts, incident=ident, enclosure=ENC, kind=kind,
                severity=severity, **more)


# ---- feedings ----
def test_feedings_count_exactly_with_off_plan_food(redis_client, keys, worker, reader):
    feed_(redis_client, keys, t("08:30"), kg=30.5, event_id="f1")
    feed_(redis_client, keys, t("08:30"), kg=30.5, event_id="f1")  # the same message again
    feed_(redis_client, keys, t("14:35"), kg=25.25)
    feed_(redis_client, keys, t("14:40"), food="苹果", kg=2)  # not in the plan
    feed_(redis_client, keys, t("08:40"), species=TIGER, food="牛肉", kg=14)
    assert drain(worker) == 5
    view = reader.view(at(NOW))
    assert view.fed(f"kg:{PANDA}") == pytest.approx(57.75)
    assert (view.fed(f"n:{PANDA}"), view.fed(f"off:{PANDA}")) == (3, 1)
    assert (view.fed(f"kg:{TIGER}"), view.fed(f"n:{TIGER}"), view.fed(f"off:{TIGER}")) == (14, 1, 0)
    assert (view.fed("h:8"), view.fed("h:14")) == (2, 2)
    assert stats(redis_client, keys, "zoo.feeding") == (4, 0, 1)


@pytest.mark.parametrize(("fields", "reason"), [
    ({"kg": "0"}, "kg: must be > 0 and ≤ 500, got '0'"),
    ({"kg": "lots"}, "kg: must be a number, got 'lots'"),
    ({"species": ""}, "species: must be 1–64 characters, got ''"),
])
def test_a_bad_feeding_is_dead_lettered_once_with_its_reason(redis_client, keys, worker, reader,
                                                             fields, reason):
    entry = redis_client.xadd(keys.feed("zoo.feeding"), {
        "ts": str(ms(t("09:00"))), "enclosure": ENC, "species": PANDA, "food": "竹子", "kg": "3",
        "keeper": "KP-1", **fields})
    assert drain(worker) == 1
    [letter] = dead_letters(redis_client, keys)
    assert (letter["entry"], letter["reason"]) == (entry, reason)
    assert stats(redis_client, keys, "zoo.feeding") == (0, 1, 0)
    assert reader.view(at(NOW)).feeding == {}


# ---- health: the vet-case loop ----
def test_a_case_moves_through_its_loop_and_checks_count(redis_client, keys, worker, reader):
    health(redis_client, keys, "check", t("09:00"), case="TJ-1")
    for stage, hm in (("reported", "09:30"), ("diagnosed", "10:30"), ("treated", "13:00")):
        health(redis_client, keys, stage, t(hm), note="食欲下降" if stage == "reported" else "")
    assert drain(worker) == 4
    view = reader.view(at(NOW))
    [case] = view.cases
    assert (case.case, case.stage, case.species, case.enclosure, case.district, case.note) == (
        "BL-1", "treated", PANDA, ENC, CHANGNING, "食欲下降")
    assert case.times == (ms(t("09:30")), ms(t("10:30")), ms(t("13:00")))
    assert view.health == {"check": 1, "reported": 1, "diagnosed": 1, "treated": 1}
    health(redis_client, keys, "recovered", t("17:00"))
    assert drain(worker) == 1
    view = reader.view(at(NOW))
    assert view.cases == ()
    closed = redis_client.hget(case_track(keys).closed_key, "BL-1")
    assert closed.startswith("4|") and len(closed.split("|")[1].split(",")) == 4
    logged = {(s.stage, s.case): s for s in view.case_log}
    assert logged[("recovered", "BL-1")].at_ms == ms(t("17:00"))
    assert logged[("recovered", "BL-1")].district == CHANGNING
    assert stats(redis_client, keys, "zoo.health") == (5, 0, 0)
    assert dead_letters(redis_client, keys) == []


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([("reported", "08:00"), ("treated", "09:00")],
         "stage: case BL-1 is reported; treated would skip diagnosed"),
        ([("reported", "08:00"), ("diagnosed", "09:00"), ("treated", "10:00"),
          ("diagnosed", "11:00")],
         "stage: case BL-1 is already treated; diagnosed would reverse the loop"),
        ([("recovered", "09:00")],
         "stage: case BL-1 is unknown, so it cannot be recovered; a new case starts at reported"),
    ],
)
@pytest.mark.parametrize("one_batch", [False, True])
def test_a_skip_or_a_reversal_is_dead_lettered_atomically(redis_client, keys, worker, reader,
                                                          steps, reason, one_batch):
    track = case_track(keys)
    log_key = keys.day("zoo_case_log", "2026-12-01")
    day_key = keys.day("zoo_health", "2026-12-01")

    def state() -> tuple:
        log = {f: v for f, v in redis_client.hgetall(log_key).items() if f.endswith(":BL-1")}
        return redis_client.hget(track.open_key, "BL-1"), log, redis_client.hgetall(day_key)

    for stage, hm in steps[:-1]:
        health(redis_client, keys, stage, t(hm))
    if not one_batch:
        drain(worker)
    before = state()
    bad = health(redis_client, keys, steps[-1][0], t(steps[-1][1]), note="改")
    # A good step of another case after the bad one, in the same batch.
    health(redis_client, keys, "reported", t("12:00"), case="BL-2")
    drain(worker)
    [letter] = dead_letters(redis_client, keys)
    assert letter["reason"] == reason
    assert (letter["feed"], letter["entry"], letter["stage"]) == ("zoo.health", bad, steps[-1][0])
    good = len(steps) - 1
    assert stats(redis_client, keys, "zoo.health") == (good + 1, 1, 0)
    open_state, log, counts = state()
    if not one_batch:
        assert open_state == before[0] and log == before[1]
        # Nothing of the rejected step counted; the good one of BL-2 did.
        assert counts == {**before[2], "reported": str(int(before[2].get("reported", 0)) + 1)}
    if good:
        assert json.loads(open_state)["s"] == good and "改" not in open_state
    else:
        assert open_state is None
    assert len(log) == good
    view = reader.view(at(NOW))
    assert [(c.case, c.stage) for c in view.cases] == (
        ([("BL-1", steps[-2][0])] if good else []) + [("BL-2", "reported")])


# ---- sensors ----
def test_the_newest_reading_holds_and_a_door_stays_open_since_it_opened(redis_client, keys, worker,
                                                                       reader):
    sensor(redis_client, keys, t("09:00"), temp=21.5, humidity=61)
    sensor(redis_client, keys, t("09:05"), temp=22, humidity=62, door="open")
    sensor(redis_client, keys, t("09:10"), temp=22.5, humidity=63, door="open")
    sensor(redis_client, keys, t("08:55"), temp=10, humidity=10)  # late: older than the one held
    assert drain(worker) == 4
    r = reader.view(at(t("09:12"))).readings[ENC]
    assert (r.at_ms, r.temp_c, r.humidity, r.door, r.door_since_ms) == (
        ms(t("09:10")), 22.5, 63, "open", ms(t("09:05")))
    sensor(redis_client, keys, t("09:15"), temp=23, humidity=64)
    assert drain(worker) == 1
    r = reader.view(at(t("09:16"))).readings[ENC]
    assert (r.door, r.door_since_ms, r.temp_c) == ("closed", ms(t("09:15")), 23)
    assert stats(redis_client, keys, "zoo.enclosure") == (5, 0, 0)


@pytest.mark.parametrize(("fields", "reason"), [
    ({"temp_c": "99"}, "temp_c: must be between -40 and 60, got '99'"),
    ({"humidity": "120"}, "humidity: must be between 0 and 100, got '120'"),
    ({"door": "ajar"}, "door: must be one of open, closed, got 'ajar'"),
])
def test_a_bad_reading_is_dead_lettered_with_its_reason(redis_client, keys, worker, reader,
                                                        fields, reason):
    sensor(redis_client, keys, t("09:00"), **fields)
    assert drain(worker) == 1
    [letter] = dead_letters(redis_client, keys)
    assert letter["reason"] == reason
    assert reader.view(at(NOW)).readings == {}


# ---- safety ----
HOSTILE = "<script>alert('x')</script> | a:b,c \"q\" ${x} 😀"


def test_incidents_count_and_list_newest_first(redis_client, keys, worker, reader):
    incident(redis_client, keys, "AQ-1", t("09:10"), kind="fall", severity="low")
    incident(redis_client, keys, "AQ-2", t("11:20"), kind="climbing", severity="high", note=HOSTILE)
    incident(redis_client, keys, "AQ-3", t("11:40"), kind="feeding", severity="medium")
    bad = incident(redis_client, keys, "AQ-4", t("12:00"), severity="critical")
    assert drain(worker) == 4
    view = reader.view(at(NOW))
    assert [i.incident for i in view.incidents] == ["AQ-3", "AQ-2", "AQ-1"]
    assert view.incidents[1].note == HOSTILE and view.incidents[1].district == CHANGNING
    assert view.safety == {"n": 3, "h:9": 1, "h:11": 2, "sev:low": 1, "sev:high": 1,
                           "sev:medium": 1, "kind:fall": 1, "kind:climbing": 1, "kind:feeding": 1}
    [letter] = dead_letters(redis_client, keys)
    assert letter["entry"] == bad
    assert letter["reason"] == "severity: must be one of low, medium, high, got 'critical'"
    assert stats(redis_client, keys, "zoo.safety") == (3, 1, 0)


# ---- unregistered ----
def test_unknown_enclosures_and_species_are_listed(redis_client, keys, worker):
    feed_(redis_client, keys, t("09:00"), species="SP-NEW")
    sensor(redis_client, keys, t("09:00"), enclosure="ZE-NEW")
    send(redis_client, keys, "zoo.safety", t("09:10"), incident="AQ-U", enclosure="ZE-NEW-2",
         kind="other", severity="low")
    assert drain(worker) == 3

    def members(kind: str) -> set[str]:
        return set(redis_client.zrange(keys.unregistered(kind), 0, -1))

    assert members("zoo_species") == {"SP-NEW"}
    assert members("zoo_enclosure") == {"ZE-NEW", "ZE-NEW-2"}


# ---- the simulator ----
def test_a_simulated_backfill_leaves_no_dead_letter(redis_client, redis_url, keys, seeded_db_url):
    store = SnapshotStore(seeded_db_url)
    plan = ZooSimulation.from_store(store).plan(TZ, 7)
    master = store.master_lookup()
    now = datetime.now(TZ).replace(microsecond=0)
    now_ms = int(now.timestamp() * 1000)
    yesterday = datetime.combine(now.date() - timedelta(days=1), datetime.min.time(), TZ)
    start_ms = int(yesterday.timestamp() * 1000)
    planned = [*plan.history(start_ms), *plan.events_between(start_ms, now_ms)]
    ids = [p.fields["event_id"] for p in planned]
    assert len(ids) == len(set(ids))
    # The same plan again gives the same messages (stable ids).
    again = [p.fields["event_id"] for p in plan.events_between(start_ms, now_ms)]
    assert again == [p.fields["event_id"] for p in plan.events_between(start_ms, now_ms)]
    pipe = redis_client.pipeline(transaction=False)
    for p in planned:
        pipe.xadd(keys.feed(p.feed), p.fields)
    pipe.execute()
    client = connect(redis_url)
    ingest = IngestWorker(client, keys, TZ, master, "zoo-sim", block_ms=0)
    ingest.ensure_groups()
    try:
        drain(ingest)
    finally:
        client.close()
        store.close()
    assert dead_letters(redis_client, keys) == []
    feeds = {p.feed for p in planned}
    assert feeds == {"zoo.feeding", "zoo.health", "zoo.enclosure", "zoo.safety"} or now.hour < 9
    assert sum(stats(redis_client, keys, f)[0] for f in feeds) == len(planned)
