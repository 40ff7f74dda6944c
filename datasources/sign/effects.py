"""What the signboard (户外招牌) feeds change in Redis, and the field scheme shared with the
reader (``datasources.sign.reader``).

Per Shanghai day ``D`` and hour ``H`` of the event time; ``S`` the sign's district (and the city,
``310000``; a sign master data does not know counts in the city only); ``N`` a sensor, ``C`` a
hazard case, ``M`` the threshold set (``n`` normal, ``t`` typhoon):

====================================  ==========================  ==================================
key                                   field                       value
====================================  ==========================  ==================================
``latest("sign_sensor")``             ``N``                       ``ms|tilt|vibration|battery|online|sign``
``day("sign_alarm", D)``              ``M:S:H``                   readings in alarm under ``M``
``latest("sign_case_open")``          ``C`` → JSON state of an open case            —
``latest("sign_case_closed")``/``_at`` ``C`` → ``4|found,…,verified``; by close time —
``day("sign_case_log", D)``           ``S:<stage>:C``             ``ts1,…,tsk``
``latest("sign_typhoon")``            ``mode``                    ``ms|on|officer`` (or ``off``)
====================================  ==========================  ==================================

A reading is newest-wins by event time (a late one changes nothing). A reading in alarm is
counted under both threshold sets at ingest (``SignSettings.limits``): the screen shows the
set in force, so switching typhoon mode on shows the day's hours as they read under it. A case
is a four-stage track (``datasources.sign.feeds.STAGES``): the ingest script enforces the order
atomically, so a skip or a step back is dead-lettered with why. A case's record holds its sign,
district and category.
"""

from __future__ import annotations

import json
from functools import lru_cache

from dashboard.districts import CITY_ADCODE
from datasources.platform.effects import Effects, Track, effects_of, entity_state
from datasources.platform.keys import Keys
from datasources.platform.master import entity_kinds
from datasources.sign.feeds import STAGES, CaseStep, SensorReading, TyphoonSwitch
from datasources.sign.settings import sign_settings

DAY_S = 86_400
LOG_TTL_S = 40 * DAY_S  # the screen looks back 30 days
CASE_RETAIN_MS = 90 * DAY_S * 1000
CASE_STEP_KEPT_S = 60 * DAY_S
"""A case step counts up to this old (a rectification may take weeks)."""
MODES = ("n", "t")  # normal, typhoon

ENTITY_KINDS = entity_kinds("sign_board", "sign_sensor")
"""What the sign feeds name and master data knows: the large signboards and their sensors.
Cases are known by their feed alone (their first step names them)."""
entity_state("sign_sensor", "sign_sensor")


def alarm_field(mode: str, scope: str, hour: int) -> str:
    return f"{mode}:{scope}:{hour}"


def case_log_field(scope: str, stage: str, case: str) -> str:
    return f"{scope}:{stage}:{case}"


def in_alarm(tilt: float | None, vibration: float | None, limits: tuple[float, float]) -> bool:
    """Whether a reading reaches the (tilt, vibration) limits."""
    return (tilt is not None and tilt >= limits[0]) or (
        vibration is not None and vibration >= limits[1])


@lru_cache(maxsize=64)
def case_track(keys: Keys) -> Track:
    """A signboard hazard: 发现 → 告知 → 整改 → 复核."""
    return Track(open_key=keys.latest("sign_case_open"), closed_key=keys.latest("sign_case_closed"),
                 closed_at_key=keys.latest("sign_case_closed_at"), label="case",
                 retain_ms=CASE_RETAIN_MS, stages=STAGES, open_kept=20_000)


def _district(fx: Effects, sign: str) -> str | None:
    district = fx.master.lookup("sign_district", sign)
    if district:
        fx.touch_district(district)
    fx.note_entity("sign_board", sign)
    return district


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@effects_of("sign.sensor")
def sensor_effects(event: SensorReading, fx: Effects) -> None:
    """The sensor's newest reading; a reading in alarm counted by hour, per threshold set."""
    district = _district(fx, event.sign)
    fx.note_entity("sign_sensor", event.sensor)
    fx.newest(fx.keys.latest("sign_sensor"), event.sensor, event.ts_ms,
              f"{_number(event.tilt)}|{_number(event.vibration)}|{event.battery}|{event.online}|"
              f"{event.sign}")
    if event.online != "1":
        return
    day, hour = fx.day_hour(event.ts_ms)
    alarms = fx.daily(fx.keys.day("sign_alarm", day))
    settings = sign_settings()
    for mode in MODES:
        if in_alarm(event.tilt, event.vibration, settings.limits(mode == "t")):
            for scope in {district or CITY_ADCODE, CITY_ADCODE}:
                fx.count(alarms, alarm_field(mode, scope, hour))


@effects_of("sign.inspection", kept_s=CASE_STEP_KEPT_S)
def case_effects(event: CaseStep, fx: Effects) -> None:
    """One step of a hazard's loop, checked and kept by the ingest script."""
    day, _ = fx.day_hour(event.ts_ms)
    district = _district(fx, event.sign)
    record = {"sign": event.sign, "district": district, "category": event.category,
              "inspector": event.inspector}
    fx.step(case_track(fx.keys), event.case, event.stage, identity=event.sign,
            record=json.dumps(record, ensure_ascii=False), note=event.note or "",
            log_key=fx.retained(fx.keys.day("sign_case_log", day), LOG_TTL_S),
            log_field=case_log_field(district or CITY_ADCODE, event.stage, event.case))


@effects_of("sign.typhoon", kept_s=CASE_STEP_KEPT_S)
def typhoon_effects(event: TyphoonSwitch, fx: Effects) -> None:
    """The newest switch by event time holds."""
    fx.newest(fx.keys.latest("sign_typhoon"), "mode", event.ts_ms, f"{event.mode}|{event.officer}")
