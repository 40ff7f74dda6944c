"""The signboard feeds through a real ingest worker and Redis: sensor readings newest-wins and
their alarms counted by hour under both threshold sets, exactly once; bad readings dead-lettered
with reasons; the hazard loop (found → notified → rectified → verified) enforced atomically in
the ingest script, also inside a batch with good steps; the typhoon switch; and ids master data
does not know listed as unregistered."""

from __future__ import annotations

import json

import pytest

from datasources.platform.keys import Keys
from datasources.platform.master import StaticMaster
from datasources.sign.effects import alarm_field, case_track
from datasources.sign.reader import SignReader
from datasources.sign.settings import SignSettings
from tests.datasources.domain_helpers import TZ, at, dead_letters, drain, ms, send, static_worker, stats, t

SIGN, OTHER_SIGN = "ZP-T1", "ZP-T2"
SENSORS = ("CG-1", "CG-2")
HUANGPU, PUDONG, CITY = "310101", "310115", "310000"
NOW = "2026-12-01T18:00:00+08:00"
LIMITS = SignSettings()  # the defaults: tilt 3° / 20 mm/s, typhoon 1.5° / 10 mm/s


@pytest.fixture
def keys(key_prefix: str) -> Keys:
    return Keys(key_prefix)


@pytest.fixture
def worker(redis_url, keys):
    master = StaticMaster(ids={"sign_board": [SIGN, OTHER_SIGN], "sign_sensor": list(SENSORS)},
                          tables={"sign_district": {SIGN: HUANGPU, OTHER_SIGN: PUDONG}})
    with static_worker(redis_url, keys, master, "sign-test", NOW) as ingest:
        yield ingest


@pytest.fixture
def reader(redis_client, keys) -> SignReader:
    return SignReader(redis_client, keys, TZ)


def reading(client, keys, ts: str, sensor: str = "CG-1", sign: str = SIGN, tilt="0.5",
            vibration="3", battery="80", online="1", **more) -> str:
    return send(client, keys, "sign.sensor", ts, sensor=sensor, sign=sign, tilt=tilt,
                vibration=vibration, battery=battery, online=online, **more)


def step(client, keys, stage: str, ts: str, case: str = "YH-1", sign: str = SIGN, **more) -> str:
    if stage == "found":
        more.setdefault("category", "corrosion")
    return send(client, keys, "sign.inspection", ts, case=case, sign=sign, stage=stage, **more)


# ---- readings ----
def test_the_newest_reading_holds_and_a_late_one_changes_nothing(redis_client, keys, worker,
                                                                 reader):
    reading(redis_client, keys, t("09:00"), tilt="0.8", vibration="4.5", battery="77")
    reading(redis_client, keys, t("09:10"), tilt="0.9", vibration="5", battery="76")
    assert drain(worker) == 2
    reading(redis_client, keys, t("08:50"), tilt="7", vibration="50", battery="78")  # late
    assert drain(worker) == 1
    r = reader.view(at(t("09:15"))).readings["CG-1"]
    assert (r.at_ms, r.tilt, r.vibration, r.battery, r.online, r.sign) == (
        ms(t("09:10")), 0.9, 5.0, 76, True, SIGN)
    reading(redis_client, keys, t("09:20"), tilt="", vibration="", online="0", battery="75")
    assert drain(worker) == 1
    r = reader.view(at(t("09:25"))).readings["CG-1"]
    assert (r.online, r.tilt, r.vibration) == (False, None, None)
    assert stats(redis_client, keys, "sign.sensor") == (4, 0, 0)


def test_alarms_are_counted_by_hour_under_both_threshold_sets_exactly_once(
        redis_client, keys, worker, reader):
    assert LIMITS.limits(False) == (3.0, 20.0) and LIMITS.limits(True) == (1.5, 10.0)
    reading(redis_client, keys, t("09:00"), tilt="3.0", event_id="a")  # normal and typhoon
    reading(redis_client, keys, t("09:00"), tilt="3.0", event_id="a")  # the same message again
    reading(redis_client, keys, t("09:10"), tilt="2.0")  # typhoon only
    reading(redis_client, keys, t("09:20"), tilt="0.4", vibration="12")  # typhoon only
    reading(redis_client, keys, t("09:30"), tilt="0.4", vibration="25")  # both
    reading(redis_client, keys, t("09:40"), tilt="1.49", vibration="9.9")  # neither
    reading(redis_client, keys, t("10:05"), sensor="CG-2", sign=OTHER_SIGN, tilt="4")  # both
    reading(redis_client, keys, t("10:15"), tilt="", vibration="", online="0")  # offline: none
    assert drain(worker) == 8
    assert stats(redis_client, keys, "sign.sensor") == (7, 0, 1)
    view = reader.view(at(t("11:00")))
    assert view.alarms_today == {
        alarm_field("n", HUANGPU, 9): 2, alarm_field("n", CITY, 9): 2,
        alarm_field("t", HUANGPU, 9): 4, alarm_field("t", CITY, 9): 4,
        alarm_field("n", PUDONG, 10): 1, alarm_field("n", CITY, 10): 1,
        alarm_field("t", PUDONG, 10): 1, alarm_field("t", CITY, 10): 1}
    assert view.hourly(False, None)[9:11] == [2, 1] and view.hourly(True, HUANGPU)[9] == 4
    assert view.hourly(True, PUDONG, yesterday=True) == [0] * 24


@pytest.mark.parametrize(("fields", "reason"), [
    ({"tilt": "95"}, "tilt"), ({"tilt": "-1"}, "tilt"), ({"vibration": "abc"}, "vibration"),
    ({"battery": "101"}, "battery"), ({"battery": "50.5"}, "battery"),
    ({"online": "yes"}, "online"), ({"tilt": ""}, "an online reading needs tilt and vibration"),
    ({"sensor": ""}, "sensor"),
])
def test_a_bad_reading_is_dead_lettered_with_why(redis_client, keys, worker, reader, fields,
                                                 reason):
    bad = reading(redis_client, keys, t("09:00"), **fields)
    good = reading(redis_client, keys, t("09:00"), sensor="CG-2", tilt="5")
    assert drain(worker) == 2
    [letter] = dead_letters(redis_client, keys)
    assert letter["entry"] == bad and letter["feed"] == "sign.sensor"
    assert reason in letter["reason"], letter
    assert stats(redis_client, keys, "sign.sensor") == (1, 1, 0)
    view = reader.view(at(t("09:30")))
    assert set(view.readings) == {"CG-2"} and good
    assert view.hourly(False, None)[9] == 1


# ---- the hazard loop ----
def test_a_hazard_goes_round_the_loop(redis_client, keys, worker, reader):
    for stage, when in (("found", t("09:00", "2026-11-20")), ("notified", t("15:00", "2026-11-20")),
                        ("rectified", t("10:00", "2026-11-28"))):
        step(redis_client, keys, stage, when, inspector="XC-1", note="钢结构锈蚀" if stage == "found" else "")
    assert drain(worker) == 3
    view = reader.view(at(NOW))
    [case] = view.cases
    assert (case.case, case.sign, case.district, case.category, case.stage) == (
        "YH-1", SIGN, HUANGPU, "corrosion", "rectified")
    assert case.since_ms == ms(t("10:00", "2026-11-28"))
    step(redis_client, keys, "verified", t("11:00"))
    assert drain(worker) == 1
    view = reader.view(at(NOW))
    assert view.cases == ()
    closed = redis_client.hget(case_track(keys).closed_key, "YH-1")
    assert closed.startswith("4|") and len(closed.split("|")[1].split(",")) == 4
    logged = {(s.stage, s.case): (s.district, s.at_ms) for s in view.case_log}
    assert logged[("verified", "YH-1")] == (HUANGPU, ms(t("11:00")))
    assert logged[("found", "YH-1")] == (HUANGPU, ms(t("09:00", "2026-11-20")))
    assert stats(redis_client, keys, "sign.inspection") == (4, 0, 0)
    assert dead_letters(redis_client, keys) == []


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([("found", "08:00"), ("rectified", "09:00")],
         "stage: case YH-1 is found; rectified would skip notified"),
        ([("found", "08:00"), ("notified", "09:00"), ("rectified", "10:00"), ("notified", "11:00")],
         "stage: case YH-1 is already rectified; notified would reverse the loop"),
        ([("notified", "09:00")],
         "stage: case YH-1 is unknown, so it cannot be notified; a new case starts at found"),
    ],
)
@pytest.mark.parametrize("one_batch", [False, True])
def test_a_skip_or_a_reversal_is_dead_lettered_atomically(redis_client, keys, worker, reader,
                                                          steps, reason, one_batch):
    track = case_track(keys)
    log_key = keys.day("sign_case_log", "2026-12-01")

    def state() -> tuple:
        log = {f: v for f, v in redis_client.hgetall(log_key).items() if f.endswith(":YH-1")}
        return redis_client.hget(track.open_key, "YH-1"), log

    for stage, hm in steps[:-1]:
        step(redis_client, keys, stage, t(hm))
    if not one_batch:
        drain(worker)
    before = state()
    bad = step(redis_client, keys, steps[-1][0], t(steps[-1][1]), note="改")
    # A good step of another case after the bad one, in the same batch.
    step(redis_client, keys, "found", t("13:00"), case="YH-2", sign=OTHER_SIGN)
    drain(worker)
    [letter] = dead_letters(redis_client, keys)
    assert letter["reason"] == reason
    assert (letter["feed"], letter["entry"]) == ("sign.inspection", bad)
    good = len(steps) - 1
    assert stats(redis_client, keys, "sign.inspection") == (good + 1, 1, 0)
    open_state, log = state()
    if not one_batch:
        assert (open_state, log) == before
    if good:
        assert json.loads(open_state)["s"] == good and "改" not in open_state
    else:
        assert open_state is None
    assert len(log) == good
    view = reader.view(at(NOW))
    assert [(c.case, c.stage) for c in view.cases] == (
        ([("YH-1", steps[-2][0])] if good else []) + [("YH-2", "found")])


def test_a_find_without_category_or_a_bad_stage_is_dead_lettered(redis_client, keys, worker):
    no_category = step(redis_client, keys, "found", t("09:00"), category="")
    bad_stage = step(redis_client, keys, "closed", t("09:10"), case="YH-3")
    assert drain(worker) == 2
    letters = {d["entry"]: d["reason"] for d in dead_letters(redis_client, keys)}
    assert "a hazard found needs a category" in letters[no_category]
    assert "corrosion" in letters[no_category]
    assert "stage" in letters[bad_stage] and "closed" in letters[bad_stage]
    assert stats(redis_client, keys, "sign.inspection") == (0, 2, 0)


# ---- typhoon mode ----
def test_the_newest_typhoon_switch_holds(redis_client, keys, worker, reader):
    assert reader.view(at(NOW)).typhoon is None
    send(redis_client, keys, "sign.typhoon", t("08:00"), mode="on", officer="ZB-1")
    send(redis_client, keys, "sign.typhoon", t("07:00"), mode="off", officer="ZB-2")  # late
    assert drain(worker) == 2
    assert reader.view(at(NOW)).typhoon == (True, ms(t("08:00")), "ZB-1")
    send(redis_client, keys, "sign.typhoon", t("17:00"), mode="off", officer="ZB-3")
    bad = send(redis_client, keys, "sign.typhoon", t("17:30"), mode="maybe", officer="ZB-3")
    assert drain(worker) == 2
    assert reader.view(at(NOW)).typhoon == (False, ms(t("17:00")), "ZB-3")
    [letter] = dead_letters(redis_client, keys)
    assert letter["entry"] == bad and "mode" in letter["reason"]
    assert stats(redis_client, keys, "sign.typhoon") == (3, 1, 0)


# ---- unregistered ----
def test_unknown_signs_and_sensors_are_listed(redis_client, keys, worker, reader):
    reading(redis_client, keys, t("09:00"), sensor="CG-NEW", sign="ZP-NEW", tilt="4")
    reading(redis_client, keys, t("09:00"))
    step(redis_client, keys, "found", t("09:20"), sign="ZP-NEW-2")
    assert drain(worker) == 3

    def members(kind: str) -> set[str]:
        return set(redis_client.zrange(keys.unregistered(kind), 0, -1))

    assert members("sign_board") == {"ZP-NEW", "ZP-NEW-2"}
    assert members("sign_sensor") == {"CG-NEW"}
    view = reader.view(at(t("09:30")))
    # An unknown sign counts in the city only.
    assert view.alarms_today == {alarm_field("n", CITY, 9): 1, alarm_field("t", CITY, 9): 1}
    [case] = view.cases
    assert case.district is None
