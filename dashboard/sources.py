"""The data sources a web process reads, built once from settings and passed to callbacks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from dashboard import theme
from dashboard.settings import Settings
from datasources.platform.domain import load_domains
from datasources.platform.feedstats import LiveReader
from datasources.platform.ingest import connect
from datasources.platform.keys import Keys
from datasources.platform.snapshot import SnapshotStore

T = TypeVar("T")


@dataclass
class _Cached:
    value: Any
    at: float


class Sources:
    """Live aggregates in Redis and master data from the snapshot database.

    One reader per enabled domain (the store's domains), built by the domain itself
    (``Domain.reader``): ``sources.readers["forest"]``, also ``sources.forest``. ``live`` reads
    what the platform keeps for every feed (counters, version, dead letters). Master data
    changes rarely, so reads of it are cached for ``PAYLOAD_MASTER_TTL_S``; live aggregates are
    always read from Redis (the payload cache decides how often).
    """

    def __init__(self, settings: Settings, redis_url: str, store: SnapshotStore):
        self.settings = settings
        self.redis_url = redis_url
        client = connect(redis_url)
        self.redis = client
        self.keys = Keys(settings.key_prefix)
        self.store = store
        self.domains = store.domains
        self.live = LiveReader(client, self.keys, settings.tz,
                               feeds=[feed for domain in self.domains for feed in domain.feeds])
        self.readers = {d.name: d.reader(client, self.keys, settings.tz) for d in self.domains}
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, redis_url: str | None = None) -> Sources:
        url = redis_url or settings.redis_url
        if url is None:
            raise ValueError("no Redis URL: start the embedded Redis first (greenwall run)")
        store = SnapshotStore(settings.resolved_database_url, domains=load_domains(settings.domains))
        return cls(settings, url, store)

    def __getattr__(self, name: str) -> Any:
        # Only called for what Sources itself lacks: a domain's reader, by the domain's name.
        readers = self.__dict__.get("readers", {})
        if name in readers:
            return readers[name]
        raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r} "
                             f"(domains enabled: {', '.join(readers) or 'none'})")

    def master(self, name: str, load: Callable[[], T]) -> T:
        """A master-data read, cached per process for a short while."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(name)
            if hit and now - hit.at < theme.PAYLOAD_MASTER_TTL_S:
                return hit.value
        value = load()
        with self._lock:
            self._cache[name] = _Cached(value, now)
        return value
