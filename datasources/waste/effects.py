"""What the waste-sorting (垃圾分类) feeds change in Redis, and the field scheme shared with the
reader (``datasources.waste.reader``), so the scheme lives in one place.

Per Shanghai day ``D`` (of the event time) and scope ``S`` (a district adcode, or the city
``310000``):

=====================================  ============================================  =========
key                                    field                                         value
=====================================  ============================================  =========
``day("weighing", D)``                 ``tonnes:S:<category>``                       tonnes
                                       ``loads:S:<category>``                        loads
                                       ``station_tonnes:<adcode>:<category>:<id>``   tonnes
                                       ``station_loads:<adcode>:<category>:<id>``    loads
``day("weighing_hourly", D)``          ``S:<hour 0–23>``                             tonnes
``day("quality", D)``                  ``verdict:S:<verdict>``                       count
                                       ``site:<verdict>:<site>``                     count
``day_list("unqualified", D)``         JSON trace, newest first, newest 500          —
``latest("camera_seen")``              ``<camera>``                                  epoch ms
``latest("camera_district")``          ``<camera>``                                  adcode
``unregistered(kind)``                 sorted set: ids unknown to master data        last seen ms
=====================================  ============================================  =========

Identifiers come last in a field so that they may contain ``:``. Per-day keys expire
``DAY_TTL_S`` (``datasources.platform.effects``) after their last write; "today" and
"yesterday" are always there. A camera's ``camera_seen`` and ``camera_district`` are
per-entity state (``entity_state``).
"""

from __future__ import annotations

import json

from dashboard.districts import CITY_ADCODE
from datasources.platform.effects import Effects, effects_of, entity_state
from datasources.platform.master import entity_kinds
from datasources.waste.feeds import QualityVerdict, Weighing

ENTITY_KINDS = entity_kinds("station", "camera", "site", "vehicle")
"""What the waste feeds name: transfer stations, quality cameras, collection sites, vehicles."""


def tonnes_field(scope: str, category: str) -> str:
    return f"tonnes:{scope}:{category}"


def loads_field(scope: str, category: str) -> str:
    return f"loads:{scope}:{category}"


def station_tonnes_field(district: str, category: str, station: str) -> str:
    return f"station_tonnes:{district}:{category}:{station}"


def station_loads_field(district: str, category: str, station: str) -> str:
    return f"station_loads:{district}:{category}:{station}"


def hourly_field(scope: str, hour: int) -> str:
    return f"{scope}:{hour}"


def verdict_field(scope: str, verdict: str) -> str:
    return f"verdict:{scope}:{verdict}"


def site_verdict_field(verdict: str, site: str) -> str:
    return f"site:{verdict}:{site}"


entity_state("camera", "camera_seen", "camera_district")


@effects_of("waste.weighing")
def weighing_effects(event: Weighing, fx: Effects) -> None:
    """Tonnes and loads by district × station × category, rolled up; tonnes per hour."""
    day, hour = fx.day_hour(event.ts_ms)
    totals = fx.daily(fx.keys.day("weighing", day))
    hourly = fx.daily(fx.keys.day("weighing_hourly", day))
    for scope in (event.district, CITY_ADCODE):
        fx.add(totals, tonnes_field(scope, event.category), event.tonnes)
        fx.count(totals, loads_field(scope, event.category))
        fx.add(hourly, hourly_field(scope, hour), event.tonnes)
    station = (event.district, event.category, event.station)
    fx.add(totals, station_tonnes_field(*station), event.tonnes)
    fx.count(totals, station_loads_field(*station))
    fx.touch_district(event.district)
    fx.note_entity("station", event.station)
    fx.note_entity("vehicle", event.vehicle)


@effects_of("waste.quality")
def quality_effects(event: QualityVerdict, fx: Effects) -> None:
    """Verdict counts by district, city and site; camera last seen; unqualified loads traced."""
    day, _ = fx.day_hour(event.ts_ms)
    verdicts = fx.daily(fx.keys.day("quality", day))
    for scope in (event.district, CITY_ADCODE):
        fx.count(verdicts, verdict_field(scope, event.verdict))
    fx.count(verdicts, site_verdict_field(event.verdict, event.site))
    fx.keep_max(fx.keys.latest("camera_seen"), event.camera, event.ts_ms)
    fx.set(fx.keys.latest("camera_district"), event.camera, event.district)
    if event.verdict == "unqualified":
        trace = fx.master.trace_site(event.site)
        load = {
            "ts_ms": event.ts_ms,
            "district": event.district,
            "camera": event.camera,
            "site": event.site,
            "vehicle": trace.vehicle if trace else None,
            "station": trace.station if trace else None,
            "issue": event.issue,
            "confidence": event.confidence,
        }
        unqualified = fx.daily(fx.keys.day_list("unqualified", day))
        fx.push(unqualified, json.dumps(load, ensure_ascii=False))
    fx.touch_district(event.district)
    fx.note_entity("camera", event.camera)
    fx.note_entity("site", event.site)
