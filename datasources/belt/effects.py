"""What the ring-belt (环城生态公园带) feeds change in Redis, and the field scheme shared with
the reader (``datasources.belt.reader``).

Per Shanghai day ``D`` of the event time; ``S`` the park's district (``310000`` for a park
master data does not know); ``P`` a belt park, ``X`` a section (标段), ``V`` a
device, ``I`` an inspection (and the issue it found), ``J`` a project:

=====================================  ==========================================  ===============
key                                    field                                       value
=====================================  ==========================================  ===============
``latest("belt_device")``              ``V``                                       ``ms|since|status|kind|P``
``day("belt_inspection", D)``          ``done:X`` / ``visit:P``                    inspections
                                       ``<result>:X`` (ok, issue, closed)          count
``latest("belt_issue_open")``          ``I`` → JSON state of an open issue          —
``latest("belt_issue_closed")``/``_at`` ``I`` → ``2|found,closed``; by close time   —
``day("belt_issue_log", D)``           ``S:X:<stage>:<category>:I`` (X %-escaped)  ``found[,closed]``
``latest("belt_project_open")``        ``J`` → JSON state of a project under way    —
``latest("belt_project_closed")``/…    ``J`` → ``5|ts1,…,ts5``                     —
``day("belt_project_log", D)``         ``S:<stage>:J``                             ``ts1,…,tsk``
=====================================  ==========================================  ===============

A device's status is an ``Effects.status``: the newest report by event time, with ``since``
the time its current status began (a fault re-sent by heartbeats stays open since its first
report). An issue is a two-stage track (``issue`` → ``closed``), a project the five stages of
``datasources.belt.feeds.STAGES``; the ingest script enforces their order atomically, so a
closure of an issue never found, a skipped stage or a step back is dead-lettered with why.
An issue's record holds its park, section, district, category, text and inspector; a
project's its park and district. Visitors are the park domain's (``park.gate``): the belt's
open parks are parks there.
"""

from __future__ import annotations

import json
from functools import lru_cache

from dashboard.districts import CITY_ADCODE
from datasources.belt.feeds import STAGES, DeviceReport, Inspection, ProjectStep
from datasources.platform.effects import Effects, Track, effects_of, entity_state
from datasources.platform.keys import Keys
from datasources.platform.master import entity_kinds

DAY_S = 86_400
LOG_TTL_S = 40 * DAY_S  # the screen looks back 30 days
ISSUE_STAGES = ("issue", "closed")
ISSUE_RETAIN_MS = 60 * DAY_S * 1000
PROJECT_RETAIN_MS = 400 * DAY_S * 1000
PROJECT_STEP_KEPT_S = 400 * DAY_S
"""A project step counts up to this old: a project's history can be sent again (its track
keeps a repeat from counting twice)."""
ISSUE_STEP_KEPT_S = 60 * DAY_S

ENTITY_KINDS = entity_kinds("belt_park", "belt_device", "belt_section")
"""What the belt feeds name and master data knows: its parks, devices and sections (标段).
Projects are known by their feed alone (their first step names them)."""
entity_state("belt_device", "belt_device")


def done_field(section: str) -> str:
    return f"done:{section}"


def visit_field(park: str) -> str:
    return f"visit:{park}"


def result_field(result: str, section: str) -> str:
    return f"{result}:{section}"


def issue_log_field(scope: str, section: str, stage: str, category: str,
                    inspection: str) -> str:
    # A section id may hold ":" (any id may): escaped, so the reader splits the field right.
    section = section.replace("%", "%25").replace(":", "%3A")
    return f"{scope}:{section}:{stage}:{category}:{inspection}"


def project_log_field(scope: str, stage: str, project: str) -> str:
    return f"{scope}:{stage}:{project}"


@lru_cache(maxsize=64)
def issue_track(keys: Keys) -> Track:
    """An inspection's issue: found, then closed."""
    return Track(open_key=keys.latest("belt_issue_open"), closed_key=keys.latest("belt_issue_closed"),
                 closed_at_key=keys.latest("belt_issue_closed_at"), label="issue",
                 retain_ms=ISSUE_RETAIN_MS, stages=ISSUE_STAGES, open_kept=20_000)


@lru_cache(maxsize=64)
def project_track(keys: Keys) -> Track:
    """A green-construction project: 方案编制 → 立项 → 初步设计 → 施工 → 竣工验收."""
    return Track(open_key=keys.latest("belt_project_open"),
                 closed_key=keys.latest("belt_project_closed"),
                 closed_at_key=keys.latest("belt_project_closed_at"), label="project",
                 retain_ms=PROJECT_RETAIN_MS, stages=STAGES, open_kept=5_000)


def _touch(fx: Effects, park: str) -> str | None:
    district = fx.master.lookup("belt_park_district", park)
    if district:
        fx.touch_district(district)
    fx.note_entity("belt_park", park)
    return district


@effects_of("belt.device")
def device_effects(event: DeviceReport, fx: Effects) -> None:
    """The device's status, since when, its kind and park."""
    fx.status(fx.keys.latest("belt_device"), event.device, event.ts_ms, event.status,
              f"{event.kind}|{event.park}")
    _touch(fx, event.park)
    fx.note_entity("belt_device", event.device)


@effects_of("belt.inspection", kept_s=ISSUE_STEP_KEPT_S)
def inspection_effects(event: Inspection, fx: Effects) -> None:
    """Inspections of the day by section and park; an issue opens (or closes) on its track."""
    day, _ = fx.day_hour(event.ts_ms)
    district = _touch(fx, event.park)
    fx.note_entity("belt_section", event.section)
    counts = fx.daily(fx.keys.day("belt_inspection", day))
    fx.count(counts, result_field(event.result, event.section))
    if event.result != "closed":
        fx.count(counts, done_field(event.section))
        fx.count(counts, visit_field(event.park))
    if event.result == "ok":
        return
    record = {"park": event.park, "section": event.section, "district": district,
              "category": event.category, "note": event.issue, "inspector": event.inspector}
    stage = "issue" if event.result == "issue" else "closed"
    fx.step(issue_track(fx.keys), event.inspection, stage,
            identity=f"{event.park} @ {event.section}",
            record=json.dumps(record, ensure_ascii=False), note=event.issue or "",
            log_key=fx.retained(fx.keys.day("belt_issue_log", day), LOG_TTL_S),
            log_field=issue_log_field(district or CITY_ADCODE, event.section, stage,
                                      event.category or "-", event.inspection))


@effects_of("belt.project", kept_s=PROJECT_STEP_KEPT_S)
def project_effects(event: ProjectStep, fx: Effects) -> None:
    """One step of a project's life cycle, checked and kept by the ingest script."""
    day, _ = fx.day_hour(event.ts_ms)
    district = _touch(fx, event.park)
    record = {"park": event.park, "district": district, "name": event.name, "note": event.note}
    fx.step(project_track(fx.keys), event.project, event.stage, identity=event.park,
            record=json.dumps(record, ensure_ascii=False), note=event.note or "",
            log_key=fx.retained(fx.keys.day("belt_project_log", day), LOG_TTL_S),
            log_field=project_log_field(district or CITY_ADCODE, event.stage, event.project))
