"""Every Redis key greenwall uses, in one place.

With the default prefix ``greenwall`` the feed streams and the dead-letter stream are the
names fixed by the contract (``greenwall:feed:<name>``, ``greenwall:deadletter``). Tests use
their own prefix so that runs never see each other's data.
"""

from __future__ import annotations

from dataclasses import dataclass

CONSUMER_GROUP = "greenwall-ingest"


@dataclass(frozen=True)
class Keys:
    prefix: str = "greenwall"

    def feed(self, name: str) -> str:
        """The stream an upstream system writes feed ``name`` to."""
        return f"{self.prefix}:feed:{name}"

    @property
    def deadletter(self) -> str:
        return f"{self.prefix}:deadletter"

    @property
    def deadletter_stats(self) -> str:
        """Hash: ``added``, ``trimmed`` (dropped by the stream's MAXLEN) and ``maxlen``."""
        return f"{self.prefix}:stats:deadletter"

    @property
    def revoked_grants(self) -> str:
        """Hash of revoked grant ids → epoch seconds until which the revocation matters."""
        return f"{self.prefix}:grants:revoked"

    @property
    def changes(self) -> str:
        """Stream of data versions: one entry per ingested batch, read by every web process."""
        return f"{self.prefix}:changes"

    @property
    def version(self) -> str:
        """Counter bumped with every batch that changed an aggregate."""
        return f"{self.prefix}:version"

    def dedupe(self, feed: str, event_id: str) -> str:
        """Marker that an upstream ``event_id`` was counted (expires after 24 h)."""
        return f"{self.prefix}:seen:{feed}:{event_id}"

    def day(self, kind: str, day: str) -> str:
        """A per-day aggregate hash, e.g. ``day("weighing", "2026-11-29")``."""
        return f"{self.prefix}:agg:{kind}:{day}"

    def day_list(self, kind: str, day: str) -> str:
        return f"{self.prefix}:list:{kind}:{day}"

    def latest(self, kind: str) -> str:
        """A hash of the latest value per entity (e.g. camera → last-seen epoch ms)."""
        return f"{self.prefix}:latest:{kind}"

    def unregistered(self, kind: str) -> str:
        """Sorted set of entity ids seen in feeds but unknown to the master data, scored by
        when each was last seen (epoch ms); the newest ``UNREGISTERED_KEPT`` are kept."""
        return f"{self.prefix}:unregistered:{kind}"

    @property
    def feed_stats(self) -> str:
        """Hash: ``<feed>:ingested``, ``<feed>:deadlettered``, ``<feed>:last_event_ms``."""
        return f"{self.prefix}:stats:feeds"

    def heartbeat(self, role: str) -> str:
        """Per-role liveness hash (worker, simulator) keyed by process id."""
        return f"{self.prefix}:heartbeat:{role}"
