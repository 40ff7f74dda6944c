"""Feed statistics and the other reads every screen shares: per-feed counters, the data
version, the dead-letter stream and the unregistered entities.

``LiveReader`` is the base of the domains' readers (``Domain.reader``); the counters are those
the ingest script keeps in ``Keys.feed_stats``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import redis

from datasources.platform.deadletter import DeadLetterStatus, deadletter_status
from datasources.platform.feeds import FEEDS
from datasources.platform.keys import Keys
from datasources.platform.master import check_kind


@dataclass(frozen=True)
class FeedStats:
    """Counters of one feed; times are epoch ms (event time, and Redis time of ingest)."""

    ingested: int
    deadlettered: int
    duplicates: int
    last_event_ms: int | None
    last_ingest_ms: int | None


class LiveReader:
    """Reads what the ingest worker keeps beside the domains' aggregates.

    ``feeds`` are the feeds ``feed_stats`` reports (default: every registered feed).
    """

    def __init__(self, client: redis.Redis, keys: Keys, tz: ZoneInfo,
                 feeds: Iterable[str] | None = None) -> None:
        self._client = client
        self._keys = keys
        self._tz = tz
        self._feeds = None if feeds is None else tuple(feeds)

    def today(self, now: datetime | None = None) -> str:
        """The local day ``YYYY-MM-DD`` at ``now`` (default: the current time)."""
        if now is None:
            now = datetime.now(self._tz)
        elif now.tzinfo is None:
            raise ValueError(f"now must carry a time zone, got naive {now.isoformat()}")
        return now.astimezone(self._tz).date().isoformat()

    def feed_stats(self) -> dict[str, FeedStats]:
        """Counters of every known feed (zeros for a feed not seen yet)."""
        stats = self._client.hgetall(self._keys.feed_stats)

        def optional(field: str) -> int | None:
            value = stats.get(field)
            return int(value) if value is not None else None

        return {
            name: FeedStats(
                ingested=int(stats.get(f"{name}:ingested", 0)),
                deadlettered=int(stats.get(f"{name}:deadlettered", 0)),
                duplicates=int(stats.get(f"{name}:duplicates", 0)),
                last_event_ms=optional(f"{name}:last_event_ms"),
                last_ingest_ms=optional(f"{name}:last_ingest_ms"),
            )
            for name in (FEEDS if self._feeds is None else self._feeds)
        }

    def deadletter(self) -> DeadLetterStatus:
        """The dead-letter stream's length, MAXLEN and the dead letters trimmed unread."""
        return deadletter_status(self._client, self._keys)

    def version(self) -> int:
        """The data version: bumped by every ingest batch that changed something."""
        return int(self._client.get(self._keys.version) or 0)

    def unregistered(self, kind: str) -> set[str]:
        """Ids of ``kind`` seen in feeds but unknown to master data (the most recently seen
        ``UNREGISTERED_KEPT``)."""
        key = self._keys.unregistered(check_kind(kind))
        try:
            return set(self._client.zrange(key, 0, -1))
        except redis.ResponseError:  # still the plain set of older versions, until the next ingest
            return set(self._client.smembers(key))
