"""The data sources a web process reads, built once from settings and passed to callbacks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from dashboard import theme
from dashboard.settings import Settings
from datasources.aggregates import Aggregates
from datasources.forest_view import ForestReader
from datasources.keys import Keys
from datasources.redis_feeds import connect
from datasources.snapshot import SnapshotStore

T = TypeVar("T")


@dataclass
class _Cached:
    value: Any
    at: float


class Sources:
    """Live aggregates in Redis and master data from the snapshot database.

    Master data changes rarely, so reads of it are cached for ``PAYLOAD_MASTER_TTL_S``; live
    aggregates are always read from Redis (the payload cache decides how often).
    """

    def __init__(self, settings: Settings, redis_url: str, store: SnapshotStore):
        self.settings = settings
        self.redis_url = redis_url
        client = connect(redis_url)
        self.redis = client
        self.keys = Keys(settings.key_prefix)
        self.aggregates = Aggregates(client, self.keys, settings.tz)
        self.forest = ForestReader(client, self.keys, settings.tz)
        self.store = store
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, redis_url: str | None = None) -> Sources:
        url = redis_url or settings.redis_url
        if url is None:
            raise ValueError("no Redis URL: start the embedded Redis first (greenwall run)")
        return cls(settings, url, SnapshotStore(settings.resolved_database_url))

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
