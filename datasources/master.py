"""Master data as the ingest worker needs it: is an entity registered, and where does a site lead.

``MasterLookup`` is the interface; ``StaticMaster`` answers from plain dicts (tests, and a
worker without a database). The snapshot database implements the same protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

ENTITY_KINDS: tuple[str, ...] = ("station", "camera", "site", "vehicle", "ranger", "patrol_grid")


@dataclass(frozen=True)
class SiteTrace:
    """Where a collection site's (收集点) garbage goes: the vehicle (车辆) and transfer station
    (中转站) that serve it, in the site's district (adcode)."""

    district: str
    vehicle: str | None = None
    station: str | None = None


class UnknownEntityKind(ValueError):
    """A kind other than those in ``ENTITY_KINDS`` was asked about."""


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
    to a truck knows that truck.
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
    ) -> None:
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
        self._grid_districts = dict(patrol_grids or {})
        for trace in self._sites.values():
            if trace.vehicle:
                self._registered["vehicle"].add(trace.vehicle)
            if trace.station:
                self._registered["station"].add(trace.station)

    def trace_site(self, site: str) -> SiteTrace | None:
        return self._sites.get(site)

    def is_registered(self, kind: str, ident: str) -> bool:
        return ident in self._registered[check_kind(kind)]

    def grid_district(self, grid: str) -> str | None:
        return self._grid_districts.get(grid)
