"""What the water-area (水域市容环境) feeds change in Redis, and the field scheme shared with the
reader (``datasources.water.reader``).

Per Shanghai day ``D`` of the event time, hour ``H`` (00–23); ``X`` a section (河段/责任区),
``S`` a scope: the section's district adcode and the city (``310000``; a section master data
does not know counts in the city only), ``B`` a boat, ``I`` an issue:

==================================  ================================  ==================================
key                                 field                             value
==================================  ================================  ==================================
``latest("water_boat")``            ``B``                             ``ms|since|status|X|lat|lon``
``latest("water_track")`` (list)    newest first, 500 kept            ``B|ms|lat|lon|status``
``day("water", D)``                 ``t:x:X``, ``t:d:S``, ``t:h:H:S``  tonnes collected
…                                   ``n:x:X``                         collections
…                                   ``a:x:X``, ``a:d:S``, ``a:<sp>:S`` m² of plants (``sp`` species)
…                                   ``p:d:S`` / ``i:d:S``             plant tonnes / inspections
``latest("water_inspection")``      ``X``                             ``ms|floating|shore|facility|who``
``latest("water_issue_open")``      ``I``                             JSON state of an open issue
``latest("water_issue_closed")``    ``I`` (and ``…_closed_at``)       ``3|found,assigned,closed``
``day("water_issue_log", D)``       ``S:<stage>:I``                   ``ts1[,ts2[,ts3]]``
``latest("water_events")`` (list)   newest first, 500 kept            JSON of an event
==================================  ================================  ==================================

A boat's status is an ``Effects.status``: the newest report by event time, with ``since`` the
time its current status began. An issue is a three-stage track (found → assigned → closed)
whose order the ingest script enforces atomically; its record holds the section, district,
category and text, and the assigned company's id is kept in the log's note.
"""

from __future__ import annotations

import json
from functools import lru_cache

from dashboard.districts import CITY_ADCODE
from datasources.platform.effects import Effects, Track, effects_of, entity_state
from datasources.platform.keys import Keys
from datasources.platform.master import entity_kinds
from datasources.water.feeds import (
    ISSUE_STAGES,
    BoatPosition,
    Collection,
    Inspection,
    IssueStep,
    PlantClearance,
)

DAY_S = 86_400
ISSUE_RETAIN_MS = 60 * DAY_S * 1000
ISSUE_STEP_KEPT_S = 30 * DAY_S
"""An issue step counts up to this old (a late closure of a month-old issue still closes it)."""
LOG_TTL_S = 3 * DAY_S

ENTITY_KINDS = entity_kinds("water_section", "water_boat")
"""What the water feeds name and master data knows: its sections and boats. Issues are known
by their feed alone (their first step names them)."""
entity_state("water_boat", "water_boat")
entity_state("water_section", "water_inspection")


@lru_cache(maxsize=64)
def issue_track(keys: Keys) -> Track:
    """An issue on the water: found, assigned, closed."""
    return Track(open_key=keys.latest("water_issue_open"),
                 closed_key=keys.latest("water_issue_closed"),
                 closed_at_key=keys.latest("water_issue_closed_at"), label="issue",
                 retain_ms=ISSUE_RETAIN_MS, stages=ISSUE_STAGES, open_kept=20_000)


def _scopes(fx: Effects, section: str) -> tuple[str, ...]:
    """The section's district (when master data knows it) and the city; notes the section."""
    fx.note_entity("water_section", section)
    district = fx.master.lookup("water_section_district", section)
    if district:
        fx.touch_district(district)
        return (district, CITY_ADCODE)
    return (CITY_ADCODE,)


def _event(fx: Effects, feed: str, ts_ms: int, section: str, scopes: tuple[str, ...],
           **more) -> None:
    fx.push(fx.keys.latest("water_events"), json.dumps(
        {"f": feed, "ms": ts_ms, "x": section, "d": scopes[0], **more},
        ensure_ascii=False, separators=(",", ":")))


@effects_of("water.boat")
def boat_effects(event: BoatPosition, fx: Effects) -> None:
    """The boat's status since when and where, and a point of its track."""
    fx.status(fx.keys.latest("water_boat"), event.boat, event.ts_ms, event.status,
              f"{event.section}|{event.lat:.5f}|{event.lon:.5f}")
    fx.push(fx.keys.latest("water_track"),
            f"{event.boat}|{event.ts_ms}|{event.lat:.5f}|{event.lon:.5f}|{event.status}")
    _scopes(fx, event.section)
    fx.note_entity("water_boat", event.boat)


@effects_of("water.collection")
def collection_effects(event: Collection, fx: Effects) -> None:
    """Tonnes by section, scope and hour; one more collection in the section."""
    day, hour = fx.day_hour(event.ts_ms)
    totals = fx.daily(fx.keys.day("water", day))
    scopes = _scopes(fx, event.section)
    fx.add(totals, f"t:x:{event.section}", event.tonnes)
    fx.count(totals, f"n:x:{event.section}")
    for scope in scopes:
        fx.add(totals, f"t:d:{scope}", event.tonnes)
        fx.add(totals, f"t:h:{hour:02d}:{scope}", event.tonnes)
    fx.note_entity("water_boat", event.boat)
    _event(fx, "water.collection", event.ts_ms, event.section, scopes, b=event.boat,
           v=round(event.tonnes, 3))


@effects_of("water.plants")
def plants_effects(event: PlantClearance, fx: Effects) -> None:
    """Area cleared by section, scope and species (and tonnes, when sent)."""
    day, _ = fx.day_hour(event.ts_ms)
    totals = fx.daily(fx.keys.day("water", day))
    scopes = _scopes(fx, event.section)
    fx.count(totals, f"a:x:{event.section}", event.area_m2)
    for scope in scopes:
        fx.count(totals, f"a:d:{scope}", event.area_m2)
        fx.count(totals, f"a:{event.species}:{scope}", event.area_m2)
        if event.tonnes is not None:
            fx.add(totals, f"p:d:{scope}", event.tonnes)
    _event(fx, "water.plants", event.ts_ms, event.section, scopes, k=event.species,
           v=event.area_m2)


@effects_of("water.inspection")
def inspection_effects(event: Inspection, fx: Effects) -> None:
    """The section's newest criteria scores, and one more inspection today."""
    day, _ = fx.day_hour(event.ts_ms)
    scopes = _scopes(fx, event.section)
    fx.newest(fx.keys.latest("water_inspection"), event.section, event.ts_ms,
              f"{event.floating}|{event.shore}|{event.facility}|{event.inspector}")
    totals = fx.daily(fx.keys.day("water", day))
    for scope in scopes:
        fx.count(totals, f"i:d:{scope}")
    _event(fx, "water.inspection", event.ts_ms, event.section, scopes,
           v=[event.floating, event.shore, event.facility])


@effects_of("water.issue", kept_s=ISSUE_STEP_KEPT_S)
def issue_effects(event: IssueStep, fx: Effects) -> None:
    """One step of an issue's loop, checked and kept by the ingest script."""
    day, _ = fx.day_hour(event.ts_ms)
    scopes = _scopes(fx, event.section)
    district = scopes[0] if len(scopes) > 1 else None
    record = {"section": event.section, "district": district, "category": event.category,
              "note": event.note}
    fx.step(issue_track(fx.keys), event.issue, event.stage, identity=event.section,
            record=json.dumps(record, ensure_ascii=False), note=event.note or "",
            log_key=fx.retained(fx.keys.day("water_issue_log", day), LOG_TTL_S),
            log_field=f"{scopes[0]}:{event.stage}:{event.issue}")
    _event(fx, "water.issue", event.ts_ms, event.section, scopes, s=event.stage,
           k=event.category or "", i=event.issue, c=event.company or "")
