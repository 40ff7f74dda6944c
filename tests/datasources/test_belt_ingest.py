"""The ring-belt feeds through a real ingest worker and Redis: a device's status with since when
(heartbeats, late reports, a change inside one batch, a worker killed again and again), the
project life cycle enforced atomically in the ingest script, inspections and their issues, and
ids master data does not know listed as unregistered."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from callbacks.ring_belt import BeltMaster, scoped_devices
from datasources.belt.effects import issue_track, project_track
from datasources.belt.reader import BeltReader
from datasources.platform.keys import CONSUMER_GROUP, Keys
from datasources.platform.master import StaticMaster
from tests.datasources.domain_helpers import TZ, at, dead_letters, drain, ms, send, static_worker, stats, t
from tests.datasources.test_ingest import wait_for

ROOT = Path(__file__).resolve().parents[2]
PARK, OTHER_PARK = "PK-R1", "PK-R2"
SECTION = "BS-T1"
DEVICES = ("DV-1", "DV-2", "DV-3")
NOW = "2026-12-01T18:00:00+08:00"


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def worker(redis_url, keys):
    master = StaticMaster(
        ids={"belt_park": [PARK, OTHER_PARK], "belt_device": list(DEVICES),
             "belt_section": [SECTION]},
        tables={"belt_park_district": {PARK: "310115", OTHER_PARK: "310113"}})
    with static_worker(redis_url, keys, master, "belt-test", NOW) as ingest:
        yield ingest


@pytest.fixture
def reader(redis_client, keys) -> BeltReader:
    return BeltReader(redis_client, keys, TZ)


def device(client, keys, ident: str, status: str, ts: str, park: str = PARK, kind: str = "camera",
           **more) -> str:
    return send(client, keys, "belt.device", ts, device=ident, park=park, kind=kind, status=status,
                **more)


def step(client, keys, stage: str, ts: str, project: str = "BJ-1", park: str = PARK, **more) -> str:
    return send(client, keys, "belt.project", ts, project=project, park=park, stage=stage, **more)


def inspect(client, keys, inspection: str, result: str, ts: str, park: str = PARK,
            section: str = SECTION, **more) -> str:
    return send(client, keys, "belt.inspection", ts, inspection=inspection, inspector="XJ-1",
                park=park, section=section, result=result, **more)


def no_master() -> BeltMaster:
    return BeltMaster({}, {}, (), {}, {}, {})


# ---- device status ----
def test_a_fault_stays_open_since_its_first_report(redis_client, keys, worker, reader):
    device(redis_client, keys, "DV-1", "online", t("08:00"))
    assert drain(worker) == 1
    device(redis_client, keys, "DV-1", "fault", t("09:00"))
    assert drain(worker) == 1
    device(redis_client, keys, "DV-1", "fault", t("09:10"))  # heartbeats
    assert drain(worker) == 1
    device(redis_client, keys, "DV-1", "fault", t("09:20"))
    assert drain(worker) == 1
    dv = reader.view(at(t("09:25"))).devices["DV-1"]
    assert (dv.status, dv.since_ms, dv.at_ms) == ("fault", ms(t("09:00")), ms(t("09:20")))
    assert (dv.kind, dv.park) == ("camera", PARK)
    device(redis_client, keys, "DV-1", "online", t("08:30"))  # late: older than the one held
    assert drain(worker) == 1
    dv = reader.view(at(t("09:25"))).devices["DV-1"]
    assert (dv.status, dv.since_ms, dv.at_ms) == ("fault", ms(t("09:00")), ms(t("09:20")))
    device(redis_client, keys, "DV-1", "online", t("10:00"))  # back online: since moves
    device(redis_client, keys, "DV-1", "online", t("10:10"))
    assert drain(worker) == 2
    dv = reader.view(at(t("10:15"))).devices["DV-1"]
    assert (dv.status, dv.since_ms, dv.at_ms) == ("online", ms(t("10:00")), ms(t("10:10")))
    assert stats(redis_client, keys, "belt.device") == (7, 0, 0)


def test_a_status_change_inside_one_batch_applies_in_event_order(redis_client, keys, worker,
                                                                 reader):
    # The stream holds them newest first; applied in event time, the fault began at 09:00.
    device(redis_client, keys, "DV-2", "fault", t("09:30"))
    device(redis_client, keys, "DV-2", "fault", t("09:00"))
    device(redis_client, keys, "DV-2", "online", t("08:00"))
    device(redis_client, keys, "DV-3", "offline", t("09:40"), kind="tower")
    device(redis_client, keys, "DV-3", "online", t("09:50"), kind="tower")
    device(redis_client, keys, "DV-3", "offline", t("09:45"), kind="tower")
    assert drain(worker) == 6
    view = reader.view(at(t("10:00")))
    dv2, dv3 = view.devices["DV-2"], view.devices["DV-3"]
    assert (dv2.status, dv2.since_ms, dv2.at_ms) == ("fault", ms(t("09:00")), ms(t("09:30")))
    assert (dv3.status, dv3.since_ms, dv3.at_ms) == ("online", ms(t("09:50")), ms(t("09:50")))
    assert dv3.kind == "tower"


def test_a_resent_device_report_counts_once(redis_client, keys, worker, reader):
    device(redis_client, keys, "DV-1", "fault", t("09:00"), event_id="e1")
    device(redis_client, keys, "DV-1", "fault", t("09:00"), event_id="e1")
    assert drain(worker) == 2
    assert stats(redis_client, keys, "belt.device") == (1, 0, 1)


def test_a_killed_worker_leaves_every_device_in_its_last_reported_status(
        redis_url, redis_client, keys, tmp_path):
    rng = random.Random(20261202)
    now = datetime.now(TZ).replace(microsecond=0)
    start = int((now - timedelta(hours=3)).timestamp() * 1000)
    devices = [f"KV-{n:03d}" for n in range(150)]
    statuses = ("online", "online", "online", "fault", "offline")
    history: dict[str, list[tuple[int, str]]] = {d: [] for d in devices}
    total, resent = 8_000, 0
    pipe = redis_client.pipeline(transaction=False)
    for n in range(total):
        ident = rng.choice(devices)
        # Runs of one status, as heartbeats make them, with changes now and then.
        last = history[ident][-1][1] if history[ident] else "online"
        status = last if rng.random() < 0.7 else rng.choice(statuses)
        ts = start + n * 1_200  # the last ones a few minutes ago
        history[ident].append((ts, status))
        fields = {"device": ident, "park": f"PK-K{int(ident[3:]) % 5}", "kind": "camera",
                  "status": status, "ts": str(ts), "event_id": f"kv{n}"}
        pipe.xadd(keys.feed("belt.device"), fields)
        if n % 500 == 0:  # an upstream retry
            pipe.xadd(keys.feed("belt.device"), fields)
            resent += 1
    pipe.execute()
    entries = total + resent
    env = {**os.environ, "GREENWALL_REDIS_URL": redis_url, "GREENWALL_KEY_PREFIX": keys.prefix,
           "GREENWALL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def start_worker(consumer: str) -> subprocess.Popen:
        log = (tmp_path / f"{consumer}.log").open("w")
        return subprocess.Popen(
            [sys.executable, "-m", "datasources.platform.ingest", "--consumer", consumer,
             "--batch-size", "100", "--block-ms", "100", "--claim-idle-ms", "50"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def handled() -> int:
        return sum(stats(redis_client, keys, "belt.device"))

    for round_ in range(3):
        goal = handled() + rng.randrange(600, 1_800)
        doomed = start_worker(f"doomed-{round_}")
        try:
            wait_for(lambda: handled() >= goal or doomed.poll() is not None,  # noqa: B023
                     f"worker {round_} to get going")
        finally:
            doomed.send_signal(signal.SIGKILL)
            doomed.wait()
        assert handled() < entries, "the workers finished before the last could be killed"
    rescuer = start_worker("rescuer")
    try:
        wait_for(lambda: redis_client.xpending(keys.feed("belt.device"), CONSUMER_GROUP)["pending"] == 0
                 and handled() == entries or rescuer.poll() is not None, "the rescuer", timeout=120)
    finally:
        rescuer.send_signal(signal.SIGTERM)
        assert rescuer.wait(timeout=30) == 0, (tmp_path / "rescuer.log").read_text()
    assert stats(redis_client, keys, "belt.device") == (total, 0, resent)
    view = BeltReader(redis_client, keys, TZ).view()
    expected = {}
    for ident, reports in history.items():
        if not reports:
            continue
        last_ts, last_status = reports[-1]
        since = last_ts
        for ts, status in reversed(reports):
            if status != last_status:
                break
            since = ts
        expected[ident] = (last_status, since, last_ts)
    assert {d: (v.status, v.since_ms, v.at_ms) for d, v in view.devices.items()} == expected
    # The screen's counts (now is within 90 minutes of the last reports: none is silent).
    states = scoped_devices(view, no_master(), None)
    assert Counter(states.values()) == Counter(s for s, _, _ in expected.values())


# ---- projects ----
def test_a_project_moves_through_its_life_cycle(redis_client, keys, worker, reader):
    for stage, day in (("plan", "2026-10-01"), ("approve", "2026-10-20"), ("design", "2026-11-01"),
                       ("build", "2026-11-10")):
        step(redis_client, keys, stage, t("10:00", day), name="绿道贯通" if stage == "plan" else "")
    assert drain(worker) == 4
    view = reader.view(at(NOW))
    [project] = view.projects
    assert (project.stage, project.district, project.name, project.park) == (
        "build", "310115", "绿道贯通", PARK)
    assert project.since_ms == ms(t("10:00", "2026-11-10"))
    step(redis_client, keys, "accept", t("10:00", "2026-11-30"))
    assert drain(worker) == 1
    view = reader.view(at(NOW))
    assert view.projects == ()
    closed = redis_client.hget(project_track(keys).closed_key, "BJ-1")
    assert closed.startswith("5|") and len(closed.split("|")[1].split(",")) == 5
    logged = {(s.stage, s.project): s.at_ms for s in view.project_log}
    assert logged[("accept", "BJ-1")] == ms(t("10:00", "2026-11-30"))
    assert logged[("build", "BJ-1")] == ms(t("10:00", "2026-11-10"))
    assert stats(redis_client, keys, "belt.project") == (5, 0, 0)
    assert dead_letters(redis_client, keys) == []


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([("plan", "08:00"), ("design", "09:00")],
         "stage: project BJ-1 is plan; design would skip approve"),
        ([("plan", "08:00"), ("approve", "09:00"), ("design", "10:00"), ("build", "11:00"),
          ("design", "12:00")],
         "stage: project BJ-1 is already build; design would reverse the loop"),
        ([("approve", "09:00")],
         "stage: project BJ-1 is unknown, so it cannot be approve; a new project starts at plan"),
    ],
)
@pytest.mark.parametrize("one_batch", [False, True])
def test_a_skip_or_a_reversal_is_dead_lettered_atomically(redis_client, keys, worker, reader,
                                                          steps, reason, one_batch):
    track = project_track(keys)
    log_key = keys.day("belt_project_log", "2026-12-01")

    def state() -> tuple:
        log = {f: v for f, v in redis_client.hgetall(log_key).items() if f.endswith(":BJ-1")}
        return redis_client.hget(track.open_key, "BJ-1"), log

    for stage, hm in steps[:-1]:
        step(redis_client, keys, stage, t(hm))
    if not one_batch:
        drain(worker)
    before = state()
    bad = step(redis_client, keys, steps[-1][0], t(steps[-1][1]), note="改")
    # A good step of another project after the bad one, in the same batch.
    step(redis_client, keys, "plan", t("13:00"), project="BJ-2", park=OTHER_PARK)
    drain(worker)
    [letter] = dead_letters(redis_client, keys)
    assert letter["reason"] == reason
    assert (letter["feed"], letter["entry"], letter["stage"]) == ("belt.project", bad, steps[-1][0])
    good = len(steps) - 1
    assert stats(redis_client, keys, "belt.project") == (good + 1, 1, 0)
    open_state, log = state()
    if not one_batch:
        assert (open_state, log) == before
    if good:
        assert json.loads(open_state)["s"] == good and "改" not in open_state
    else:
        assert open_state is None
    assert len(log) == good
    assert f"310115:{steps[-1][0]}:BJ-1" not in log or steps[-1][0] in [s for s, _ in steps[:-1]]
    view = reader.view(at(NOW))
    assert [(j.project, j.stage) for j in view.projects] == (
        ([("BJ-1", steps[-2][0])] if good else []) + [("BJ-2", "plan")])


def test_a_repeated_step_is_a_duplicate(redis_client, keys, worker, reader):
    step(redis_client, keys, "plan", t("08:00"), event_id="p1")
    step(redis_client, keys, "plan", t("08:00"), event_id="p1")  # the same message again
    step(redis_client, keys, "approve", t("09:00"), event_id="a1")
    assert drain(worker) == 3
    step(redis_client, keys, "approve", t("09:00"), event_id="a1-again")  # replayed, new id
    step(redis_client, keys, "plan", t("08:00"))
    assert drain(worker) == 2
    assert stats(redis_client, keys, "belt.project") == (2, 0, 3)
    [project] = reader.view(at(NOW)).projects
    assert project.times == (ms(t("08:00")), ms(t("09:00")))


# ---- inspections ----
def test_inspections_count_and_an_issue_is_closed(redis_client, keys, worker, reader):
    inspect(redis_client, keys, "INS-1", "ok", t("09:00"))
    inspect(redis_client, keys, "INS-2", "ok", t("09:30"), park=OTHER_PARK)
    inspect(redis_client, keys, "INS-3", "issue", t("10:00"), category="facility", issue="座椅破损")
    assert drain(worker) == 3
    view = reader.view(at(t("11:00")))
    assert view.done(SECTION) == 3 and view.visited(PARK) == 2 and view.visited(OTHER_PARK) == 1
    assert view.inspections["ok:" + SECTION] == 2 and view.inspections["issue:" + SECTION] == 1
    [issue] = view.open_issues
    assert (issue.inspection, issue.park, issue.section, issue.district, issue.category,
            issue.text, issue.found_ms) == ("INS-3", PARK, SECTION, "310115", "facility", "座椅破损",
                                            ms(t("10:00")))
    inspect(redis_client, keys, "INS-3", "closed", t("15:00"))
    assert drain(worker) == 1
    view = reader.view(at(t("16:00")))
    assert view.open_issues == ()
    assert view.done(SECTION) == 3 and view.inspections["closed:" + SECTION] == 1
    logged = {(i.stage, i.inspection): i for i in view.issue_log}
    assert logged[("issue", "INS-3")].times == (ms(t("10:00")),)
    closed = logged[("closed", "INS-3")]
    assert closed.times == (ms(t("10:00")), ms(t("15:00")))
    assert (closed.district, closed.section) == ("310115", SECTION)
    assert redis_client.hget(issue_track(keys).closed_key, "INS-3") == (
        f"2|{ms(t('10:00'))},{ms(t('15:00'))}")
    assert stats(redis_client, keys, "belt.inspection") == (4, 0, 0)


def test_an_issue_without_category_or_a_closure_never_found_is_dead_lettered(
        redis_client, keys, worker, reader):
    bad = inspect(redis_client, keys, "INS-9", "issue", t("10:00"), issue="护栏松动")
    ghost = inspect(redis_client, keys, "INS-8", "closed", t("11:00"))
    inspect(redis_client, keys, "INS-7", "ok", t("11:30"))
    okay = inspect(redis_client, keys, "INS-7", "closed", t("12:00"))  # an ok found nothing
    assert drain(worker) == 4
    letters = {d["entry"]: d["reason"] for d in dead_letters(redis_client, keys)}
    assert set(letters) == {bad, ghost, okay}
    assert "an issue needs a category" in letters[bad] and "facility" in letters[bad]
    assert letters[ghost] == ("stage: issue INS-8 is unknown, so it cannot be closed; "
                              "a new issue starts at issue")
    assert "issue INS-7 is unknown" in letters[okay]
    view = reader.view(at(t("13:00")))
    assert view.open_issues == ()
    # Only the ok counted: nothing of a rejected closure is.
    assert view.inspections == {f"done:{SECTION}": 1, f"visit:{PARK}": 1, f"ok:{SECTION}": 1}
    assert stats(redis_client, keys, "belt.inspection") == (1, 3, 0)


HOSTILE = "<script>alert('x')</script> | a:b,c \"q\" ${x} 😀 \\u0000"


def test_hostile_issue_text_stays_literal(redis_client, keys, worker, reader):
    inspect(redis_client, keys, "INS-H", "issue", t("10:00"), category="safety", issue=HOSTILE)
    assert drain(worker) == 1
    [issue] = reader.view(at(t("11:00"))).open_issues
    assert issue.text == HOSTILE and issue.category == "safety"


def test_a_section_id_with_a_colon_keeps_its_issue_log(redis_client, keys, worker, reader):
    inspect(redis_client, keys, "INS-C", "issue", t("10:00"), section="BS:X", category="pest")
    inspect(redis_client, keys, "INS-C", "closed", t("11:00"), section="BS:X")
    assert drain(worker) == 2
    logged = {(i.stage, i.inspection): i for i in reader.view(at(t("12:00"))).issue_log}
    assert logged[("closed", "INS-C")].section == "BS:X"
    assert logged[("issue", "INS-C")].category == "pest"


# ---- unregistered ----
def test_unknown_parks_devices_and_sections_are_listed(redis_client, keys, worker):
    device(redis_client, keys, "DV-NEW", "online", t("09:00"), park="PK-NEW")
    device(redis_client, keys, "DV-1", "online", t("09:00"))
    inspect(redis_client, keys, "INS-U", "ok", t("09:10"), park="PK-NEW-2", section="BS-NEW")
    step(redis_client, keys, "plan", t("09:20"), park="PK-NEW-3")
    assert drain(worker) == 4

    def members(kind: str) -> set[str]:
        return set(redis_client.zrange(keys.unregistered(kind), 0, -1))

    assert members("belt_park") == {"PK-NEW", "PK-NEW-2", "PK-NEW-3"}
    assert members("belt_device") == {"DV-NEW"}
    assert members("belt_section") == {"BS-NEW"}
    assert redis_client.zscore(keys.unregistered("belt_device"), "DV-NEW") == ms(t("09:00"))
