"""Master data as the ingest worker needs it: is an entity registered, and where does a site lead.

``MasterLookup`` is the interface; ``StaticMaster`` answers from plain dicts (tests, and a
worker without a database); ``SnapshotMasterLookup`` answers from the snapshot database, from
what each enabled domain's ``master`` function reads (``MasterPart``). ``ENTITY_KINDS`` is the
registry of entity kinds the feeds name, filled by the domains (``entity_kinds``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

ENTITY_KINDS: dict[str, None] = {}
"""The entity kinds the feeds name (as an ordered set), registered by the domains."""


@dataclass(frozen=True)
class SiteTrace:
    """Where a collection site's (收集点) garbage goes: the vehicle (车辆) and transfer station
    (中转站) that serve it, in the site's district (adcode)."""

    district: str
    vehicle: str | None = None
    station: str | None = None


class UnknownEntityKind(ValueError):
    """A kind other than those in ``ENTITY_KINDS`` was asked about."""


def entity_kinds(*kinds: str) -> tuple[str, ...]:
    """Register entity kinds a domain's feeds name (and may list as unregistered); returns them."""
    ENTITY_KINDS.update(dict.fromkeys(kinds))
    return kinds


class MasterLookup(Protocol):
    """What the ingest worker asks of master data.

    Both calls sit on the ingest hot path (once per distinct entity per batch), so an
    implementation should answer from memory, e.g. a cache it refreshes now and then.
    """

    def trace_site(self, site: str) -> SiteTrace | None:
        """The vehicle and station serving ``site``; ``None`` for an unregistered site."""
        ...

    def is_registered(self, kind: str, ident: str) -> bool:
        """Whether master data knows entity ``ident`` of ``kind`` (one of ``ENTITY_KINDS``)."""
        ...

    def lookup(self, table: str, key: str) -> Any | None:
        """``key`` in a domain's lookup table (``MasterPart.tables``, e.g. park → district);
        ``None`` if the table or the key is unknown. A new domain's effects use this."""
        ...

    def grid_district(self, grid: str) -> str | None:
        """The district (adcode) of patrol grid (巡护网格) ``grid``; ``None`` if unregistered."""
        ...


def check_kind(kind: str) -> str:
    """``kind`` itself if it is one of ``ENTITY_KINDS``; ``UnknownEntityKind`` otherwise."""
    if kind not in ENTITY_KINDS:
        raise UnknownEntityKind(f"unknown entity kind {kind!r} (expected {', '.join(ENTITY_KINDS)})")
    return kind


class StaticMaster:
    """Master data held in memory, built from plain values.

    A site's trace also registers its vehicle and station: master data that routes a site
    to a truck knows that truck. ``ids`` registers ids of any kind by kind (a newer domain's,
    ``ids={"litter_site": ["LS-1"]}``); the kind must be one of ``ENTITY_KINDS``.
    """

    def __init__(
        self,
        *,
        sites: Mapping[str, SiteTrace | Mapping[str, str | None]] | None = None,
        stations: Iterable[str] = (),
        cameras: Iterable[str] = (),
        vehicles: Iterable[str] = (),
        patrol_grids: Mapping[str, str] | None = None,
        rangers: Iterable[str] = (),
        ids: Mapping[str, Iterable[str]] | None = None,
        tables: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self._tables = {name: dict(rows) for name, rows in (tables or {}).items()}
        self._sites = {
            site: trace if isinstance(trace, SiteTrace) else SiteTrace(**trace)
            for site, trace in (sites or {}).items()
        }
        self._registered: dict[str, set[str]] = {
            "station": set(stations),
            "camera": set(cameras),
            "site": set(self._sites),
            "vehicle": set(vehicles),
            "ranger": set(rangers),
            "patrol_grid": set(patrol_grids or {}),
        }
        for kind, idents in (ids or {}).items():
            self._registered.setdefault(check_kind(kind), set()).update(idents)
        self._grid_districts = dict(patrol_grids or {})
        for trace in self._sites.values():
            if trace.vehicle:
                self._registered["vehicle"].add(trace.vehicle)
            if trace.station:
                self._registered["station"].add(trace.station)

    def trace_site(self, site: str) -> SiteTrace | None:
        return self._sites.get(site)

    def is_registered(self, kind: str, ident: str) -> bool:
        return ident in self._registered.get(check_kind(kind), ())

    def lookup(self, table: str, key: str) -> Any | None:
        return self._tables.get(table, {}).get(key)

    def grid_district(self, grid: str) -> str | None:
        return self._grid_districts.get(grid)


@dataclass(frozen=True)
class MasterPart:
    """What one domain contributes to the in-memory master lookup: its registered ids by
    entity kind, and its lookup tables (``site_trace``: site → ``SiteTrace``,
    ``grid_district``: patrol grid → adcode)."""

    ids: Mapping[str, frozenset[str]] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class SnapshotMasterLookup:
    """``MasterLookup`` over the snapshot database, held in memory.

    The ingest worker asks it about every message, so it is loaded once and answers without
    touching the database; ``refresh()`` reloads it (the store does so after its own writes).
    ``parts`` reads each enabled domain's part (``Domain.master``).
    """

    def __init__(self, parts: Callable[[], Iterable[MasterPart]]):
        self._parts = parts
        self._ids: dict[str, frozenset[str]] = {}
        self._tables: dict[str, Mapping[str, Any]] = {}
        self.refresh()

    def refresh(self) -> None:
        """Reload every id and lookup table from the database."""
        ids: dict[str, frozenset[str]] = dict.fromkeys(ENTITY_KINDS, frozenset())
        tables: dict[str, Mapping[str, Any]] = {}
        for part in self._parts():
            # Pooled: two domains may register entities of one kind (the belt's open parks
            # are parks of the visitor-flow domain too) and rows of one lookup table.
            for kind, idents in part.ids.items():
                ids[kind] = ids.get(kind, frozenset()) | idents
            for name, rows in part.tables.items():
                tables[name] = {**tables.get(name, {}), **rows}
        # Readers in other threads see either the old or the new state, never a mix.
        self._ids, self._tables = ids, tables

    def trace_site(self, site: str) -> SiteTrace | None:
        """The district, vehicle and station behind a collection site; None if unknown."""
        return self._tables.get("site_trace", {}).get(site)

    def is_registered(self, kind: str, ident: str) -> bool:
        """Whether the master data knows entity ``ident`` of ``kind`` (station/camera/…).

        Raises ``UnknownEntityKind`` for a kind no domain registered.
        """
        return ident in self._ids.get(check_kind(kind), ())

    def lookup(self, table: str, key: str) -> Any | None:
        """``key`` in a domain's lookup table; None if the table or the key is unknown."""
        return self._tables.get(table, {}).get(key)

    def grid_district(self, grid: str) -> str | None:
        """The district (adcode) of a patrol grid (巡护网格); None if unknown."""
        return self.lookup("grid_district", grid)
