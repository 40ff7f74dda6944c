"""What the park visitor-flow (公园游客量) feeds change in Redis, and the field scheme shared with
the reader (``datasources.park.reader``).

Per Shanghai day ``D`` (of the event time) and scope ``S`` (a district adcode, or the city
``310000``); a park's district comes from master data (an unknown park counts city-wide only):

====================================  =======================================  ===================
key                                   field                                    value
====================================  =======================================  ===================
``day("park", D)``                    ``entered:S`` / ``exited:S``             people
                                      ``entered_park:<park>``                  people
``day("park_hourly", D)``             ``in:S:<hour>`` / ``out:S:<hour>``       people
``day("park_in", D)``                 ``<park>`` (parks that close at night)   people in the park
``latest("park_in")``                 ``<park>`` (parks open 24 hours)         people in the park
``latest("park_band")``               ``<park>``                               ``lines|ms|count``
``latest("park_measured")``           ``<park>``                               ``ms|count``
``unregistered("park")``              sorted set: parks unknown to master data  last seen ms
====================================  =======================================  ===================

**In park** is a running count (``Effects.running``): each gate message adds entered − exited
in event order and the count never goes below 0. A park that closes at night starts again at
0 each day (its count is keyed by the day, so "since opening" is "since midnight": nobody
passes its gates while it is closed); a park open 24 hours carries its count across midnight,
while its entries today start again at 00:00. A measured count (``park.occupancy``) replaces
the running estimate, and later gate messages add to it. An unknown park's hours are unknown:
it starts again each day.

**Crossings**: a registered park with a capacity has its count watched across the lines of
``park_watch`` (people at the announce ratio and at 100 %, from the comfort-band settings);
``latest("park_band")`` says how many lines it reached, and since when.
"""

from __future__ import annotations

from dashboard.districts import CITY_ADCODE
from datasources.park.feeds import GateCount, Occupancy
from datasources.platform.effects import DAY_TTL_S, Effects, Watch, effects_of, entity_state
from datasources.platform.master import entity_kinds

ENTITY_KINDS = entity_kinds("park")
CARRIED_TTL_S = 30 * 24 * 3600
"""A 24-hour park's running count is kept this long after its last message."""
OCCUPANCY_KEPT_S = 1800
"""A measured count older than this would overwrite newer gate counts: it is dead-lettered."""

entity_state("park", "park_in", "park_band", "park_measured")


def entered_field(scope: str) -> str:
    return f"entered:{scope}"


def exited_field(scope: str) -> str:
    return f"exited:{scope}"


def park_entered_field(park: str) -> str:
    return f"entered_park:{park}"


def hourly_in_field(scope: str, hour: int) -> str:
    return f"in:{scope}:{hour}"


def hourly_out_field(scope: str, hour: int) -> str:
    return f"out:{scope}:{hour}"


def _in_park_key(fx: Effects, park: str, day: str) -> str:
    if fx.master.lookup("park_open_24h", park):
        return fx.retained(fx.keys.latest("park_in"), CARRIED_TTL_S)
    return fx.daily(fx.keys.day("park_in", day))


def _watch(fx: Effects, park: str) -> Watch | None:
    lines = fx.master.lookup("park_watch", park)
    if not lines:
        return None
    return Watch(fx.retained(fx.keys.latest("park_band"), DAY_TTL_S), tuple(lines))


@effects_of("park.gate")
def gate_effects(event: GateCount, fx: Effects) -> None:
    """Entries and exits by park, district and city, per hour; the park's running count."""
    day, hour = fx.day_hour(event.ts_ms)
    district = fx.master.lookup("park_district", event.park)
    totals = fx.daily(fx.keys.day("park", day))
    hourly = fx.daily(fx.keys.day("park_hourly", day))
    for scope in {district or CITY_ADCODE, CITY_ADCODE}:
        if event.entered:
            fx.count(totals, entered_field(scope), event.entered)
            fx.count(hourly, hourly_in_field(scope, hour), event.entered)
        if event.exited:
            fx.count(totals, exited_field(scope), event.exited)
            fx.count(hourly, hourly_out_field(scope, hour), event.exited)
    if event.entered:
        fx.count(totals, park_entered_field(event.park), event.entered)
    fx.running(_in_park_key(fx, event.park, day), event.park, event.entered - event.exited,
               _watch(fx, event.park))
    if district:
        fx.touch_district(district)
    fx.note_entity("park", event.park)


@effects_of("park.occupancy", kept_s=OCCUPANCY_KEPT_S)
def occupancy_effects(event: Occupancy, fx: Effects) -> None:
    """A measured count replaces the park's running count; when it was measured is kept."""
    day, _ = fx.day_hour(event.ts_ms)
    fx.reset_running(_in_park_key(fx, event.park, day), event.park, event.count,
                     _watch(fx, event.park))
    fx.newest(fx.retained(fx.keys.latest("park_measured"), DAY_TTL_S), event.park, event.ts_ms,
              str(event.count))
    district = fx.master.lookup("park_district", event.park)
    if district:
        fx.touch_district(district)
    fx.note_entity("park", event.park)
