"""The effects interface: how a domain says what each valid event of its feeds changes.

A domain's ``effects`` module registers one function per feed with ``@effects_of(feed)``; the
function records into an ``Effects`` (``datasources.platform.ingest_plan.BatchPlan``) what the
event changes, and the ingest script applies it only if the event counts. Per-day keys expire
``DAY_TTL_S`` after their last write.

State kept per entity id (a camera's last sighting, a ranger's last patrol) is bounded:
registered ids are bounded by master data, and at most ``UNREGISTERED_KEPT`` ids per kind that
master data does not know are kept, the most recently seen; the ingest script deletes an id's
state (the hashes named by ``entity_state``) when it drops the id from ``unregistered(kind)``.
So a flood of made-up ids cannot grow Redis without end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from datasources.platform.keys import Keys
from datasources.platform.master import MasterLookup, check_kind

DAY_TTL_S = 3 * 24 * 3600
UNQUALIFIED_KEPT = 500
"""Items a pushed list keeps (``Effects.push``), newest first."""
UNREGISTERED_KEPT = 10_000
"""Unregistered ids kept per kind (and their per-entity state), the most recently seen."""


@dataclass(frozen=True)
class Track:
    """A process whose subjects move through ``stages`` one at a time, in order (e.g. a forest
    case 上报 → 核实 → 处置 → 考核).

    The ingest script keeps each subject's state in ``open_key`` (a hash) until its last stage,
    then in ``closed_key`` (indexed by time in the sorted set ``closed_at_key``) for
    ``retain_ms``; ``label`` names a subject in dead-letter reasons. At most ``open_kept``
    subjects are open at once: a new one beyond that is dead-lettered, so a flood of made-up
    subjects cannot grow the open hash without end.
    """

    open_key: str
    closed_key: str
    closed_at_key: str
    label: str
    retain_ms: int
    stages: tuple[str, ...]
    open_kept: int = 50_000


@dataclass(frozen=True)
class Watch:
    """Lines a running count is watched across (e.g. 80 % and 100 % of a park's capacity, in
    people). Whenever the count crosses one, up or down, the ingest script writes
    ``"<lines reached>|<event ms>|<count>"`` to ``key`` under the count's field."""

    key: str
    lines: tuple[int, ...]


class Effects(Protocol):
    """What one valid event will change, recorded by its feed's effect function.

    Nothing is written while recording: the ingest script applies an event's effects only
    if the event counts (its entry was still pending for this worker, its ``event_id`` new).
    """

    keys: Keys
    master: MasterLookup

    def day_hour(self, ts_ms: int) -> tuple[str, int]:
        """The local day ``YYYY-MM-DD`` and hour 0–23 of an epoch-ms time."""
        ...

    def daily(self, key: str) -> str:
        """``key`` itself, marked as per-day: it expires ``DAY_TTL_S`` after its last write."""
        ...

    def retained(self, key: str, ttl_s: int) -> str:
        """``key`` itself, marked to expire ``ttl_s`` after its last write."""
        ...

    def newest(self, key: str, field: str, ts_ms: int, value: str) -> None:
        """Set ``field`` to ``"<ts_ms>|<value>"`` unless it holds a newer time already."""
        ...

    def status(self, key: str, field: str, ts_ms: int, status: str, extra: str = "") -> None:
        """A status with the time it began (a device online, offline or at fault since when):
        ``field`` holds ``"<ts_ms>|<since ms>|<status>|<extra>"`` of the newest report by
        event time; ``since`` moves only when the status changes, so a fault re-reported by
        heartbeats stays open since its first report. A report older than the one held is
        ignored. ``status`` must not contain ``|``; ``extra`` may."""
        ...

    def step(self, track: Track, subject: str, stage: str, identity: str, record: str,
             note: str, log_key: str, log_field: str) -> None:
        """Move ``subject`` of ``track`` to ``stage``; the event counts only if that is the
        stage right after its current one (a new subject starts at the first), else it is
        dead-lettered with why. ``identity`` must stay what the first stage said, ``record``
        (JSON) is kept from the first stage, a non-empty ``note`` replaces the record's; the
        subject's timeline ("ts1,ts2,…") is written to ``log_key``/``log_field``."""
        ...

    def add(self, key: str, field: str, amount: float) -> None: ...

    def count(self, key: str, field: str, n: int = 1) -> None: ...

    def keep_max(self, key: str, field: str, value: int) -> None: ...

    def set(self, key: str, field: str, value: str) -> None: ...

    def running(self, key: str, field: str, delta: int, watch: Watch | None = None) -> None:
        """Add ``delta`` (may be negative) to a running count that never goes below 0: each
        event's change is applied in event order and the count floored at 0 after each.
        With ``watch``, a crossing of one of its lines is recorded (see ``Watch``)."""
        ...

    def reset_running(self, key: str, field: str, value: int, watch: Watch | None = None) -> None:
        """Set a running count to a measured ``value``; later ``running`` changes add to it."""
        ...

    def push(self, key: str, value: str) -> None:
        """Prepend to a list that keeps only its newest ``UNQUALIFIED_KEPT`` items."""
        ...

    def touch_district(self, adcode: str) -> None:
        """Announce that data of this district changed (for the changes stream)."""
        ...

    def note_entity(self, kind: str, ident: str) -> None:
        """List ``ident`` as unregistered if master data does not know it (newest
        ``UNREGISTERED_KEPT`` per kind; an id dropped from the list loses its
        ``entity_state``)."""
        ...


EffectFunction = Callable[[Any, Effects], None]
EFFECTS: dict[str, EffectFunction] = {}
EVENTS_KEPT_S: dict[str, int] = {}
"""Per feed: how old an event may be and still count (what its aggregates keep)."""
ENTITY_STATE: dict[str, tuple[str, ...]] = {}
"""Per entity kind: the ``latest(name)`` hashes keyed by that kind's ids."""


def effects_of(feed: str, kept_s: int = DAY_TTL_S) -> Callable[[EffectFunction], EffectFunction]:
    """Register how events of ``feed`` change the aggregates; an event older than ``kept_s``
    is dead-lettered (its aggregates would be forgotten already)."""

    def register(function: EffectFunction) -> EffectFunction:
        EFFECTS[feed] = function
        EVENTS_KEPT_S[feed] = kept_s
        return function

    return register


def entity_state(kind: str, *latest_names: str) -> None:
    """Declare that the hashes ``keys.latest(name)`` hold per-id state of entity ``kind``, so
    that an unregistered id's state goes when the id falls off ``unregistered(kind)``."""
    ENTITY_STATE[check_kind(kind)] = (*ENTITY_STATE.get(kind, ()), *latest_names)
