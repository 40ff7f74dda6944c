"""What the forest-chief (林长制) feeds change in Redis, and the field scheme shared with the reader.

Per Shanghai day ``D`` of the event time; ``S`` is a district adcode or the city ``310000``;
``G`` a patrol grid (巡护网格), ``R`` a ranger (护林员), ``I`` a case (案件):

=====================================  ============================================  =============
key                                    field                                         value
=====================================  ============================================  =============
``day("forest_patrol", D)``            ``visit:G``                                   patrol events
                                       ``<kind>:S`` (start, checkpoint, finish)      count
``latest("ranger_started")`` / …       ``R`` (also ``ranger_finished``,              epoch ms
                                       ``ranger_seen``)
``latest("ranger_where")``             ``R``                                         ``ms|G``
``latest("fire_risk")``                ``<adcode>``                                  ``ms|level``
``day("forest_fire", D)``              ``max:<adcode>``                              today's peak
``latest("forest_open")``              ``I`` → JSON state of an open case (see below)  —
``latest("forest_closed")`` / ``_at``  ``I`` → ``4|ts1,ts2,ts3,ts4``; by close time    —
``day("forest_log", D)``               ``S:<stage>:<scenario>:I``                    ``ts1,…,tsk``
``day_list("forest_events", D)``       newest 500 events for the ticker, JSON        —
=====================================  ============================================  =============

The ranger hashes are per-entity state (``entity_state``): an unregistered ranger's fields go
when it falls off the unregistered list. At most ``OPEN_CASES_KEPT`` cases are open at once.

A case's state is ``{"s": stage number, "t": "ts1,…", "id": "<scenario> @ <grid>",
"r": {scenario, grid, district, lat, lon, note}}``. The loop order is enforced by the ingest
script (``Effects.step``), so the log and the counters only ever see cases moving forward.
``S`` in a log field is the case's district, or ``310000`` when its grid is not registered.
"""

from __future__ import annotations

import json
from functools import lru_cache

from dashboard.districts import CITY_ADCODE
from datasources.forest.feeds import STAGES, FireRisk, Incident, Patrol
from datasources.platform.effects import Effects, Track, effects_of, entity_state
from datasources.platform.keys import Keys
from datasources.platform.master import entity_kinds

DAY_S = 86_400
LOG_TTL_S = 40 * DAY_S  # the screen looks back 30 days (and to the 1st of the month)
CLOSED_RETAIN_MS = 60 * DAY_S * 1000  # a closed case is remembered, so a replay stays a replay
# A step counts while its case can be remembered: open for up to 60 days (a case takes no
# longer from report to assessment), then closed for CLOSED_RETAIN_MS.
CASE_STEP_KEPT_S = 120 * DAY_S
OPEN_CASES_KEPT = 50_000  # the city opens about 80 cases a day
TICKER_FIRE_LEVEL = 5  # only 极高 fire danger makes the ticker; lower levels are on the map
CASE_LABEL = "incident"
RANGER_LATEST = {"start": "ranger_started", "finish": "ranger_finished"}


def visit_field(grid: str) -> str:
    return f"visit:{grid}"


def patrol_field(scope: str, kind: str) -> str:
    return f"{kind}:{scope}"


def fire_max_field(district: str) -> str:
    return f"max:{district}"


def log_field(scope: str, stage: str, scenario: str, incident: str) -> str:
    return f"{scope}:{stage}:{scenario}:{incident}"


@lru_cache(maxsize=64)
def case_track(keys: Keys) -> Track:
    """The forest-case loop (上报 → 核实 → 处置 → 考核) as the ingest script tracks it."""
    return Track(open_key=keys.latest("forest_open"), closed_key=keys.latest("forest_closed"),
                 closed_at_key=keys.latest("forest_closed_at"), label=CASE_LABEL,
                 retain_ms=CLOSED_RETAIN_MS, stages=STAGES, open_kept=OPEN_CASES_KEPT)


ENTITY_KINDS = entity_kinds("ranger", "patrol_grid")
"""What the forest feeds name: rangers (护林员) and patrol grids (巡护网格)."""
entity_state("ranger", *RANGER_LATEST.values(), "ranger_seen", "ranger_where")


def _ticker(fx: Effects, ts_ms: int, day: str, item: dict) -> None:
    events = fx.daily(fx.keys.day_list("forest_events", day))
    fx.push(events, json.dumps({"ts_ms": ts_ms, **item}, ensure_ascii=False))


@effects_of("forest.patrol")
def patrol_effects(event: Patrol, fx: Effects) -> None:
    """Grid visits and patrol counts of the day; each ranger's last start, finish and place."""
    day, _ = fx.day_hour(event.ts_ms)
    district = fx.master.grid_district(event.grid)
    patrols = fx.daily(fx.keys.day("forest_patrol", day))
    fx.count(patrols, visit_field(event.grid))
    for scope in {district or CITY_ADCODE, CITY_ADCODE}:
        fx.count(patrols, patrol_field(scope, event.kind))
    if event.kind != "checkpoint":
        fx.keep_max(fx.keys.latest(RANGER_LATEST[event.kind]), event.ranger, event.ts_ms)
        _ticker(fx, event.ts_ms, day, {"feed": "patrol", "what": event.kind,
                                       "subject": event.ranger, "grid": event.grid,
                                       "district": district})
    fx.keep_max(fx.keys.latest("ranger_seen"), event.ranger, event.ts_ms)
    fx.newest(fx.keys.latest("ranger_where"), event.ranger, event.ts_ms, event.grid)
    if district:
        fx.touch_district(district)
    fx.note_entity("ranger", event.ranger)
    fx.note_entity("patrol_grid", event.grid)


@effects_of("forest.incident", kept_s=CASE_STEP_KEPT_S)
def incident_effects(event: Incident, fx: Effects) -> None:
    """One step of a case: its state and timeline (checked and kept by the ingest script)."""
    day, _ = fx.day_hour(event.ts_ms)
    district = fx.master.grid_district(event.grid)
    record = {"scenario": event.scenario, "grid": event.grid, "district": district,
              "lat": event.lat, "lon": event.lon, "note": event.note}
    log = fx.retained(fx.keys.day("forest_log", day), LOG_TTL_S)
    fx.step(case_track(fx.keys), event.incident, event.stage,
            identity=f"{event.scenario} @ {event.grid}",
            record=json.dumps(record, ensure_ascii=False), note=event.note or "",
            log_key=log,
            log_field=log_field(district or CITY_ADCODE, event.stage, event.scenario,
                                event.incident))
    _ticker(fx, event.ts_ms, day, {"feed": "incident", "what": event.stage,
                                   "subject": event.incident, "scenario": event.scenario,
                                   "grid": event.grid, "district": district, "note": event.note})
    if district:
        fx.touch_district(district)
    fx.note_entity("patrol_grid", event.grid)


@effects_of("forest.fire_risk")
def fire_risk_effects(event: FireRisk, fx: Effects) -> None:
    """The district's current rating (newest by event time) and today's peak."""
    day, _ = fx.day_hour(event.ts_ms)
    fx.newest(fx.keys.latest("fire_risk"), event.district, event.ts_ms, str(event.level))
    fx.keep_max(fx.daily(fx.keys.day("forest_fire", day)), fire_max_field(event.district),
                event.level)
    if event.level >= TICKER_FIRE_LEVEL:
        _ticker(fx, event.ts_ms, day, {"feed": "fire", "what": str(event.level),
                                       "district": event.district})
    fx.touch_district(event.district)
