"""The forest feeds through a real ingest worker and Redis: the case loop's order is enforced in
the atomic apply (rejected steps dead-lettered with why), exactly once; patrols, fire risk,
and overdue counted in elapsed time across a day boundary."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from datasources.forest.reader import ForestReader
from datasources.forest.stats import closure, coverage, funnel, is_overdue, on_patrol, overdue_count
from datasources.platform.ingest import IngestWorker, connect
from datasources.platform.keys import Keys
from datasources.platform.master import StaticMaster

TZ = ZoneInfo("Asia/Shanghai")
GRID, OTHER_GRID = "PG-310115-001", "PG-310101-001"
DEADLINES = {"reported": 24 * 3_600_000, "verified": 7 * 86_400_000, "disposed": 30 * 86_400_000}


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def clock(iso: str):
    """A worker clock stopped at ``iso``: event times are judged against it."""
    return lambda: int(at(iso).timestamp() * 1000)


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def worker(redis_url, keys):
    client = connect(redis_url)
    master = StaticMaster(patrol_grids={GRID: "310115", OTHER_GRID: "310101"},
                          rangers=["RG-1", "RG-2"])
    ingest = IngestWorker(client, keys, TZ, master, "forest-test", block_ms=0,
                          now_ms=clock("2026-11-30T00:00:00+08:00"))
    ingest.ensure_groups()
    yield ingest
    client.close()


@pytest.fixture
def reader(redis_client, keys) -> ForestReader:
    return ForestReader(redis_client, keys, TZ)


def drain(worker: IngestWorker) -> int:
    handled = 0
    while n := worker.process_once():
        handled += n
    return handled


def case(client, keys, stage: str, ts: str, incident: str = "AJ-1", **more) -> str:
    fields = {"incident": incident, "scenario": "fire", "stage": stage, "grid": GRID,
              "lat": "31.2", "lon": "121.6", "ts": ts, **more}
    return client.xadd(keys.feed("forest.incident"), fields)


def dead_letters(client, keys) -> list[dict]:
    return [fields for _, fields in client.xrange(keys.deadletter)]


def stats(client, keys, feed="forest.incident") -> tuple[int, int, int]:
    values = client.hgetall(keys.feed_stats)
    return tuple(int(values.get(f"{feed}:{c}", 0)) for c in ("ingested", "deadlettered", "duplicates"))


def test_a_case_moves_through_the_loop_in_order(redis_client, keys, worker, reader):
    case(redis_client, keys, "reported", "2026-11-29T08:00:00+08:00", note="林缘发现焚烧痕迹")
    case(redis_client, keys, "verified", "2026-11-29T10:30:00+08:00")
    assert drain(worker) == 2
    view = reader.view(at("2026-11-29T12:00:00+08:00"))
    [open_case] = view.open_cases
    assert (open_case.stage, open_case.district, open_case.note) == ("verified", "310115", "林缘发现焚烧痕迹")
    case(redis_client, keys, "disposed", "2026-11-30T09:00:00+08:00", note="已清理")
    case(redis_client, keys, "assessed", "2026-12-02T09:00:00+08:00")
    worker.now_ms = clock("2026-12-02T09:30:00+08:00")
    assert drain(worker) == 2
    view = reader.view(at("2026-12-02T10:00:00+08:00"))
    assert view.open_cases == ()
    rows = {r.stage: r for r in funnel(view, None, DEADLINES)}
    assert rows["reported"].median_hours == 2.5  # reported → verified
    assert rows["verified"].median_hours == 22.5
    assert rows["assessed"].current == rows["assessed"].reached == 1
    assert closure(view, "310115", DEADLINES).rate == 1.0
    assert closure(view, "310101", DEADLINES).closed == 0
    assert stats(redis_client, keys) == (4, 0, 0)
    assert dead_letters(redis_client, keys) == []


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([("reported", "08:00"), ("disposed", "09:00")],
         "stage: incident AJ-1 is reported; disposed would skip verified"),
        ([("reported", "08:00"), ("verified", "09:00"), ("reported", "10:00")],
         "stage: incident AJ-1 is already verified; reported would reverse the loop"),
        ([("reported", "08:00"), ("verified", "09:00"), ("verified", "09:30")],
         "stage: incident AJ-1 is already verified; verified would reverse the loop"),
        ([("verified", "09:00")],
         "stage: incident AJ-1 is unknown, so it cannot be verified; a new incident starts at reported"),
        ([("reported", "08:00"), ("verified", "07:15")],
         "ts: incident AJ-1 would be verified 45 min before it was reported"),
        ([("reported", "08:00"), ("verified", "09:00"), ("disposed", "10:00"), ("assessed", "11:00"),
          ("verified", "12:00")],
         "stage: incident AJ-1 is already assessed (closed); verified would reopen it"),
    ],
)
def test_a_step_out_of_order_is_dead_lettered_with_why(redis_client, keys, worker, reader, steps,
                                                       reason):
    entries = [case(redis_client, keys, stage, f"2026-11-29T{hm}:00+08:00") for stage, hm in steps]
    assert drain(worker) == len(steps)
    [letter] = dead_letters(redis_client, keys)
    assert letter["reason"] == reason
    assert letter["feed"] == "forest.incident" and letter["entry"] == entries[-1]
    assert letter["stage"] == steps[-1][0] and letter["incident"] == "AJ-1"
    assert stats(redis_client, keys) == (len(steps) - 1, 1, 0)
    # The case is where its last accepted step left it.
    view = reader.view(at("2026-11-29T13:00:00+08:00"))
    accepted = [s for s, _ in steps[:-1]]
    if accepted and accepted[-1] != "assessed":
        assert [c.stage for c in view.open_cases] == [accepted[-1]]


def test_a_case_cannot_change_its_scenario_or_grid(redis_client, keys, worker):
    case(redis_client, keys, "reported", "2026-11-29T08:00:00+08:00")
    case(redis_client, keys, "verified", "2026-11-29T09:00:00+08:00", scenario="wildlife")
    drain(worker)
    [letter] = dead_letters(redis_client, keys)
    assert letter["reason"] == ("incident AJ-1 was reported as fire @ PG-310115-001; "
                                "this verified says wildlife @ PG-310115-001")


def test_two_steps_of_one_case_in_one_batch(redis_client, keys, worker, reader):
    case(redis_client, keys, "reported", "2026-11-29T08:00:00+08:00", incident="AJ-2")
    case(redis_client, keys, "verified", "2026-11-29T08:20:00+08:00", incident="AJ-2")
    case(redis_client, keys, "reported", "2026-11-29T08:00:00+08:00", incident="AJ-3")
    case(redis_client, keys, "disposed", "2026-11-29T08:30:00+08:00", incident="AJ-3")
    batch = worker.read_batch()
    assert len(batch) == 4, "all four steps are applied by one script call"
    assert worker.apply_batch(batch) == 4
    stages = {c.incident: c.stage for c in reader.view(at("2026-11-29T09:00:00+08:00")).open_cases}
    assert stages == {"AJ-2": "verified", "AJ-3": "reported"}
    [letter] = dead_letters(redis_client, keys)
    assert letter["reason"] == "stage: incident AJ-3 is reported; disposed would skip verified"
    # Applying the same deliveries again changes nothing: they are acknowledged already.
    assert worker.apply_batch(batch) == 0
    assert stats(redis_client, keys) == (3, 1, 0)


def test_repeats_count_once(redis_client, keys, worker, reader):
    case(redis_client, keys, "reported", "2026-11-29T08:00:00+08:00", event_id="E1")
    case(redis_client, keys, "reported", "2026-11-29T08:00:00+08:00", event_id="E1")
    # The same step again without an event_id (a replay of old events) is no reversal.
    case(redis_client, keys, "verified", "2026-11-29T09:00:00+08:00")
    case(redis_client, keys, "reported", "2026-11-29T08:00:00+08:00")
    case(redis_client, keys, "verified", "2026-11-29T09:00:00+08:00")
    drain(worker)
    assert stats(redis_client, keys) == (2, 0, 3)
    [open_case] = reader.view(at("2026-11-29T10:00:00+08:00")).open_cases
    assert open_case.times == (int(at("2026-11-29T08:00:00+08:00").timestamp() * 1000),
                               int(at("2026-11-29T09:00:00+08:00").timestamp() * 1000))


def test_a_rejected_step_can_be_corrected_under_the_same_event_id(redis_client, keys, worker):
    case(redis_client, keys, "reported", "2026-11-29T08:00:00+08:00", event_id="R1")
    case(redis_client, keys, "disposed", "2026-11-29T09:00:00+08:00", event_id="S2")
    case(redis_client, keys, "verified", "2026-11-29T09:00:00+08:00", event_id="S2")
    drain(worker)
    assert stats(redis_client, keys) == (2, 1, 0)


def test_overdue_is_elapsed_time_across_a_day_boundary(redis_client, keys, worker, reader):
    # Reported late in the evening: the 24 h to verify run out late the next evening,
    # not at midnight, and the case stays open (and counted) after the day rolls over.
    case(redis_client, keys, "reported", "2026-11-28T23:30:00+08:00")
    drain(worker)
    before = reader.view(at("2026-11-29T23:29:00+08:00"))
    after = reader.view(at("2026-11-29T23:31:00+08:00"))
    [open_case] = before.open_cases
    assert before.day == "2026-11-29"
    assert not is_overdue(open_case, before.now_ms, DEADLINES)
    assert overdue_count(before, None, DEADLINES) == 0
    assert is_overdue(open_case, after.now_ms, DEADLINES)
    assert overdue_count(after, "310115", DEADLINES) == 1
    assert {r.stage: r.overdue for r in funnel(after, None, DEADLINES)}["reported"] == 1
    # Verified just in time: the next clock (7 days to dispose) starts then.
    case(redis_client, keys, "verified", "2026-11-29T23:29:30+08:00")
    drain(worker)
    later = reader.view(at("2026-12-06T23:29:00+08:00"))
    assert overdue_count(later, None, DEADLINES) == 0
    assert overdue_count(reader.view(at("2026-12-06T23:30:00+08:00")), None, DEADLINES) == 1


def test_patrols_count_visited_grids_and_rangers_on_patrol(redis_client, keys, worker, reader):
    feed = keys.feed("forest.patrol")

    def patrol(ranger, grid, kind, ts):
        redis_client.xadd(feed, {"ranger": ranger, "grid": grid, "kind": kind, "lat": "31.2",
                                 "lon": "121.5", "ts": f"2026-11-29T{ts}:00+08:00"})

    patrol("RG-1", GRID, "start", "08:00")
    patrol("RG-1", GRID, "checkpoint", "08:15")
    patrol("RG-2", OTHER_GRID, "start", "08:00")
    patrol("RG-2", OTHER_GRID, "finish", "09:00")
    drain(worker)
    view = reader.view(at("2026-11-29T08:30:00+08:00"))
    assert view.visits == {GRID: 2, OTHER_GRID: 2}
    assert coverage(view, [GRID, "PG-310115-002"]) == (1, 2, 0.5)
    assert on_patrol(view, ["RG-1", "RG-2"], 3_600_000) == 1
    # Unheard for longer than the idle limit, a ranger no longer counts as on patrol.
    assert on_patrol(reader.view(at("2026-11-29T09:20:00+08:00")), ["RG-1"], 3_600_000) == 0


def test_fire_risk_keeps_the_newest_rating(redis_client, keys, worker, reader):
    feed = keys.feed("forest.fire_risk")
    redis_client.xadd(feed, {"district": "310115", "level": "4", "ts": "2026-11-29T14:00:00+08:00"})
    redis_client.xadd(feed, {"district": "浦东新区", "level": "2", "ts": "2026-11-29T06:00:00+08:00"})
    redis_client.xadd(feed, {"district": "310101", "level": "7"})
    drain(worker)
    view = reader.view(at("2026-11-29T15:00:00+08:00"))
    assert view.fire == {"310115": 4}, "a late, older rating does not replace the newer one"
    assert view.fire_peak == {"310115": 4}
    [letter] = dead_letters(redis_client, keys)
    assert letter["reason"] == "level: must be a whole number 1–5, got '7'"
