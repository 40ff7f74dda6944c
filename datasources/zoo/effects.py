"""What the zoo (上海动物园) feeds change in Redis, and the field scheme shared with the reader
(``datasources.zoo.reader``).

Per Shanghai day ``D`` of the event time and hour ``H`` (0–23); ``S`` a species, ``E`` an
enclosure (馆舍), ``C`` a vet case, ``A`` the enclosure's district (``310000`` for an enclosure
master data does not know):

=====================================  ==========================================  ===============
key                                    field                                       value
=====================================  ==========================================  ===============
``day("zoo_feeding", D)``              ``kg:S`` / ``n:S`` / ``off:S`` / ``h:H``     kg / feedings
``day("zoo_health", D)``               ``check`` / ``<stage>`` (entered that day)   count
``latest("zoo_case_open")``            ``C`` → JSON state of a case under way        —
``latest("zoo_case_closed")``/``_at``  ``C`` → ``4|t1,t2,t3,t4``                   —
``day("zoo_case_log", D)``             ``A:<stage>:C``                             ``t1,…,tk``
``latest("zoo_sensor")``               ``E``                                       ``ms|temp|hum|sensor``
``latest("zoo_door")``                 ``E``                                       ``ms|since|door|sensor``
``day("zoo_safety", D)``               ``n`` / ``h:H`` / ``sev:<s>`` / ``kind:<k>`` count
``day("zoo_safety_list", D)``          list, newest first                          JSON incident
=====================================  ==========================================  ===============

``off:S`` counts feedings of a food the species' diet plan lacks (master lookup ``zoo_diet``,
``"S|food"``). A vet case is a four-stage track (上报 → 诊断 → 治疗 → 康复); the ingest script
enforces its order atomically, so a skipped stage or a step back is dead-lettered with why.
The newest sensor reading (by event time) holds per enclosure; its door is an
``Effects.status`` (open since when).
"""

from __future__ import annotations

import json
from functools import lru_cache

from dashboard.districts import CITY_ADCODE
from datasources.platform.effects import Effects, Track, effects_of, entity_state
from datasources.platform.keys import Keys
from datasources.platform.master import entity_kinds
from datasources.zoo.feeds import CASE_STAGES, Feeding, HealthStep, SafetyIncident, SensorReading

DAY_S = 86_400
LOG_TTL_S = 40 * DAY_S  # the screen looks back 30 days
CASE_RETAIN_MS = 60 * DAY_S * 1000
CASE_STEP_KEPT_S = 60 * DAY_S
"""A case step counts up to this old (a long treatment's history can be sent again)."""

ENTITY_KINDS = entity_kinds("zoo_enclosure", "zoo_species")
"""What the zoo feeds name and master data knows: enclosures (馆舍) and species. Keepers, vets,
sensors, cases and incidents are known by their feed alone."""
entity_state("zoo_enclosure", "zoo_sensor", "zoo_door")


def case_log_field(scope: str, stage: str, case: str) -> str:
    return f"{scope}:{stage}:{case}"


@lru_cache(maxsize=64)
def case_track(keys: Keys) -> Track:
    """A vet case: 上报 → 诊断 → 治疗 → 康复."""
    return Track(open_key=keys.latest("zoo_case_open"), closed_key=keys.latest("zoo_case_closed"),
                 closed_at_key=keys.latest("zoo_case_closed_at"), label="case",
                 retain_ms=CASE_RETAIN_MS, stages=CASE_STAGES, open_kept=5_000)


def _enclosure(fx: Effects, enclosure: str) -> str | None:
    district = fx.master.lookup("zoo_enclosure_district", enclosure)
    if district:
        fx.touch_district(district)
    fx.note_entity("zoo_enclosure", enclosure)
    return district


@effects_of("zoo.feeding")
def feeding_effects(event: Feeding, fx: Effects) -> None:
    """Kilograms and feedings of the day by species, off-plan feedings, feedings by hour."""
    day, hour = fx.day_hour(event.ts_ms)
    _enclosure(fx, event.enclosure)
    fx.note_entity("zoo_species", event.species)
    totals = fx.daily(fx.keys.day("zoo_feeding", day))
    fx.add(totals, f"kg:{event.species}", event.kg)
    fx.count(totals, f"n:{event.species}")
    fx.count(totals, f"h:{hour}")
    if fx.master.lookup("zoo_diet", f"{event.species}|{event.food}") is None:
        fx.count(totals, f"off:{event.species}")


@effects_of("zoo.health", kept_s=CASE_STEP_KEPT_S)
def health_effects(event: HealthStep, fx: Effects) -> None:
    """A routine check counts for the day; a case step moves the case on its track."""
    day, _ = fx.day_hour(event.ts_ms)
    district = _enclosure(fx, event.enclosure)
    fx.note_entity("zoo_species", event.species)
    fx.count(fx.daily(fx.keys.day("zoo_health", day)), event.stage)
    if event.stage == "check":
        return
    record = {"species": event.species, "enclosure": event.enclosure, "district": district,
              "vet": event.vet, "note": event.note}
    fx.step(case_track(fx.keys), event.case, event.stage,
            identity=f"{event.species} @ {event.enclosure}",
            record=json.dumps(record, ensure_ascii=False), note=event.note or "",
            log_key=fx.retained(fx.keys.day("zoo_case_log", day), LOG_TTL_S),
            log_field=case_log_field(district or CITY_ADCODE, event.stage, event.case))


@effects_of("zoo.enclosure")
def enclosure_effects(event: SensorReading, fx: Effects) -> None:
    """The enclosure's newest reading, and its door: open or closed since when."""
    _enclosure(fx, event.enclosure)
    fx.newest(fx.keys.latest("zoo_sensor"), event.enclosure, event.ts_ms,
              f"{event.temp_c:g}|{event.humidity:g}|{event.sensor}")
    fx.status(fx.keys.latest("zoo_door"), event.enclosure, event.ts_ms, event.door, event.sensor)


@effects_of("zoo.safety")
def safety_effects(event: SafetyIncident, fx: Effects) -> None:
    """Incidents of the day by hour, severity and kind, and the day's list, newest first."""
    day, hour = fx.day_hour(event.ts_ms)
    district = _enclosure(fx, event.enclosure)
    counts = fx.daily(fx.keys.day("zoo_safety", day))
    for field in ("n", f"h:{hour}", f"sev:{event.severity}", f"kind:{event.kind}"):
        fx.count(counts, field)
    fx.push(fx.daily(fx.keys.day("zoo_safety_list", day)), json.dumps({
        "ts": event.ts_ms, "incident": event.incident, "enclosure": event.enclosure,
        "district": district, "kind": event.kind, "severity": event.severity,
        "note": event.note}, ensure_ascii=False))
