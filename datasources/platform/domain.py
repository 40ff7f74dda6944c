"""The ``Domain`` interface: what a feed family (waste, forest, later parks, belt, …) gives the
platform, and ``load_domains``, which enables domains by name.

A domain is a package ``datasources.<name>`` whose ``__init__`` exposes ``DOMAIN``. Which
domains run is a setting (``GREENWALL_DOMAINS``, comma-separated), not a side-effect import:
the ingest worker, the simulator, seeding, the snapshot schema and the web process's readers
all iterate the domains ``load_domains`` returns. A new domain is a new package plus its name
in that setting.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

import redis

from datasources.platform.effects import EffectFunction
from datasources.platform.feeds import FeedEvent
from datasources.platform.keys import Keys
from datasources.platform.master import MasterPart

if TYPE_CHECKING:
    from datasources.platform.publisher import PlanSource
    from datasources.platform.seed import SeedPart
    from datasources.platform.snapshot import SnapshotStore

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class UnknownDomain(ValueError):
    """A domain named in settings that no package ``datasources.<name>`` provides."""


class StoreReads(Protocol):
    """A domain's reads of the snapshot database (``SnapshotStore.<domain>``)."""

    def is_empty(self) -> bool:
        """True when the domain's master data is missing (its tables are absent or empty)."""
        ...


@dataclass(frozen=True)
class Domain:
    """One feed family, as the platform uses it.

    - ``feeds``: its feed models by feed name (stream ``greenwall:feed:<name>``);
    - ``effects``: by feed name, what a valid event changes (``@effects_of``);
    - ``entity_kinds``: the kinds of entity its feeds name and may list as unregistered;
    - ``reader``: builds the reader of its aggregates from (Redis client, keys, time zone);
    - ``tables``: its snapshot tables (ORM models on ``datasources.platform.schema.Base``);
    - ``reads``: builds its reads of the snapshot database from (sessions, engine, schema),
      reached as ``store.<name>``;
    - ``master``: what of its master data the ingest worker needs, from its reads;
    - ``seed``: fills its demo master data and history (``None`` if it needs none);
    - ``simulation``: from the snapshot store, what its simulator plan is made from (an
      object with ``plan(tz, rng_seed)``), or ``None`` without the master data it needs;
    - ``requires``: domains it builds on (the belt's visitors are the park domain's), which
      must be enabled and named before it.
    """

    name: str
    feeds: Mapping[str, type[FeedEvent]]
    effects: Mapping[str, EffectFunction]
    entity_kinds: tuple[str, ...]
    reader: Callable[[redis.Redis, Keys, tzinfo], Any]
    tables: tuple[type, ...]
    reads: Callable[[Any, Any, str | None], StoreReads]
    master: Callable[[Any], MasterPart]
    seed: Callable[[SnapshotStore, int, date, bool], SeedPart | None]
    simulation: Callable[[SnapshotStore], PlanSource | None]
    requires: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"domain name {self.name!r}: lower-case letters, digits and _")
        missing = sorted(set(self.feeds) - set(self.effects))
        if missing:
            raise ValueError(f"domain {self.name}: feeds without effects: {', '.join(missing)}")
        stray = sorted(set(self.effects) - set(self.feeds))
        if stray:
            raise ValueError(f"domain {self.name}: effects of feeds it lacks: {', '.join(stray)}")


def _names(names: str | Iterable[str] | None) -> list[str]:
    if names is None:
        from dashboard.settings import Settings

        names = Settings.model_fields["domains"].default
    if isinstance(names, str):
        names = names.split(",")
    return [name.strip() for name in names if name.strip()]


def load_domains(names: str | Iterable[str] | None = None) -> tuple[Domain, ...]:
    """The ``DOMAIN`` of each package ``datasources.<name>``, in the order given.

    ``names`` is a comma-separated string or a list (default: the default of the
    ``domains`` setting). ``UnknownDomain`` names a domain without such a package.
    """
    domains: dict[str, Domain] = {}
    for name in _names(names):
        if not _NAME.match(name) or name == "platform":
            raise UnknownDomain(f"{name!r} is not a domain name (GREENWALL_DOMAINS)")
        try:
            module = importlib.import_module(f"datasources.{name}")
        except ModuleNotFoundError as error:
            if error.name not in (f"datasources.{name}",):
                raise
            raise UnknownDomain(
                f"unknown domain {name!r} in GREENWALL_DOMAINS: no package datasources.{name}"
            ) from None
        domain = getattr(module, "DOMAIN", None)
        if not isinstance(domain, Domain):
            raise UnknownDomain(f"datasources.{name} has no DOMAIN (a datasources.platform.Domain)")
        missing = [need for need in domain.requires if need not in domains]
        if missing:
            raise UnknownDomain(
                f"domain {domain.name!r} builds on {', '.join(missing)}: name "
                f"{'it' if len(missing) == 1 else 'them'} before it in GREENWALL_DOMAINS")
        domains.setdefault(domain.name, domain)
    if not domains:
        raise UnknownDomain("no domain enabled (GREENWALL_DOMAINS is empty)")
    return tuple(domains.values())


def feeds_of(domains: Iterable[Domain]) -> dict[str, type[FeedEvent]]:
    """The feed models of ``domains``, by feed name."""
    return {name: model for domain in domains for name, model in domain.feeds.items()}
