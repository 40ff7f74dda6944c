"""The live-push hub: one Redis reader per web process, fanning data versions out to screens.

Workers append an entry to the changes stream after every batch that changed an aggregate,
naming the feeds the batch touched. Each web process runs one ``LiveHub`` that blocks on that
stream and wakes the connected screens that show one of those feeds — an event on the forest
feeds does not wake a waste-sorting wall; screens then fetch the shared payload for their scope.
A browser costs no Redis connection of its own.
"""

from __future__ import annotations

import asyncio
import logging
import time

import redis.asyncio as aioredis

from datasources.platform.keys import Keys

log = logging.getLogger(__name__)


ANY = "*"  # waiters that follow every feed (and every change of the source's state)


class LiveHub:
    """Follows ``keys.changes`` and tells waiters when the data version of their feeds moves.

    ``version`` is the global data version (payloads are built at it); ``version_of(feeds)`` is
    the newest version at which any of ``feeds`` changed, which is what a screen waits on.
    """

    def __init__(self, redis_url: str, keys: Keys, block_ms: int = 5000):
        self.redis_url = redis_url
        self.keys = keys
        self.block_ms = block_ms
        self.version = 0
        self.source_ok = False
        self.last_change_ms: int | None = None  # when the worker committed the newest version
        # Per feed: the version and commit time of its newest change. A feed not seen since the
        # hub (re)connected counts as changed at the version read then: nothing is missed.
        self._feed_version: dict[str, int] = {}
        self._feed_change_ms: dict[str, int] = {}
        self._base_version = 0
        self._waiters: dict[str, dict[asyncio.Future, None]] = {}  # feed → screens, in order
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: aioredis.Redis | None = None

    def ensure_started(self) -> None:
        """Start the reader on the running loop (idempotent; restarts it on a new loop)."""
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._loop is loop:
            return
        self._loop = loop
        self._waiters = {}
        self._task = loop.create_task(self._follow(), name="greenwall-live-hub")

    def version_of(self, feeds: tuple[str, ...] | None = None) -> int:
        """The newest version at which one of ``feeds`` changed (``None``: any feed)."""
        if not feeds:
            return self.version
        return max(self._feed_version.get(feed, self._base_version) for feed in feeds)

    def last_change_ms_of(self, feeds: tuple[str, ...] | None = None) -> int | None:
        """When the newest change of one of ``feeds`` was committed."""
        if not feeds:
            return self.last_change_ms
        return max((self._feed_change_ms[f] for f in feeds if f in self._feed_change_ms),
                   default=None)

    async def wait(self, seen_version: int, timeout: float,
                   feeds: tuple[str, ...] | None = None) -> int:
        """Wait until ``version_of(feeds)`` differs from ``seen_version``, the source's state
        changes, or ``timeout`` elapses.

        Every open screen waits here between pushes, so this is a bare future and a timer, not
        ``asyncio.wait_for`` (which makes a task for each wait).
        """
        self.ensure_started()
        if self.version_of(feeds) != seen_version:
            return self.version_of(feeds)
        waiter = self._loop.create_future()
        keys = feeds or (ANY,)
        for key in keys:
            self._waiters.setdefault(key, {})[waiter] = None
        timer = self._loop.call_later(timeout, _wake, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            for key in keys:
                self._waiters.get(key, {}).pop(waiter, None)
        return self.version_of(feeds)

    def _notify(self, feeds: set[str] | None = None) -> None:
        """Wake the screens following ``feeds`` and those following any feed (``None``: all)."""
        if feeds is None:
            woken, self._waiters = self._waiters, {}
        else:
            woken = {key: self._waiters.pop(key) for key in (*feeds, ANY) if key in self._waiters}
        for waiters in woken.values():
            for waiter in waiters:
                _wake(waiter)

    async def _follow(self) -> None:
        backoff = 0.2
        last_id = "$"
        while True:
            try:
                if self._client is None:
                    self._client = aioredis.Redis.from_url(
                        self.redis_url, decode_responses=True, socket_connect_timeout=2,
                        socket_timeout=self.block_ms / 1000 + 5, health_check_interval=15,
                    )
                version = int(await self._client.get(self.keys.version) or 0)
                if not self.source_ok or version != self.version:
                    # Not max(): a Redis that restarted empty starts counting again from 0.
                    self.source_ok = True
                    self.version = self._base_version = version
                    self._feed_version.clear()
                    self._notify()
                backoff = 0.2
                while True:
                    reply = await self._client.xread(
                        {self.keys.changes: last_id}, block=self.block_ms, count=100
                    )
                    if not reply:
                        continue
                    changed: set[str] = set()
                    for entry_id, fields in reply[0][1]:
                        last_id = entry_id
                        self.version = int(fields.get("version", 0))
                        self.last_change_ms = int(entry_id.split("-", 1)[0])
                        feeds = [f for f in (fields.get("feeds") or "").split(",") if f]
                        if not feeds:  # a writer that does not say which: every screen looks
                            self._base_version = self.version
                            self._feed_version.clear()
                            changed = None
                        for feed in feeds:
                            self._feed_version[feed] = self.version
                            self._feed_change_ms[feed] = self.last_change_ms
                        if changed is not None:
                            changed.update(feeds)
                    self._notify(changed)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis gone or restarted: screens show stale, we retry
                if self.source_ok:
                    log.warning("live hub lost Redis (%s); retrying", exc)
                self.source_ok = False
                self._notify()
                if self._client is not None:
                    await self._client.aclose()
                    self._client = None
                # After a Redis restart the stream may be new: resume from its end.
                last_id = "$"
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._client is not None:
            await self._client.aclose()

    @staticmethod
    def now_ms() -> int:
        return int(time.time() * 1000)


def _wake(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)
