"""The simulator (模拟数据源): publishes the enabled domains' simulated feeds to their streams,
exactly as upstream systems would, so a new install shows living screens at once.

Each domain plans its messages (``Domain.simulation`` → a ``PlanSource`` → a ``Plan``); the
``Simulator`` merges the plans in time order, adds malformed copies for a ``bad_ratio`` share
(the one rule for which message breaks and how its variant is picked; each domain only says
how each of its feeds can break, ``Plan.malformations``), and XADDs them in chunks, riding out
Redis outages and waiting for the ingest group rather than let a capped stream drop entries.
Plans are made from the rng seed and the date alone, so every message has a stable
``event_id``: publishing the same period again is deduplicated downstream.
"""

from __future__ import annotations

import heapq
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import redis

from datasources.platform.keys import CONSUMER_GROUP, Keys
from datasources.platform.snapshot import SnapshotStore

if TYPE_CHECKING:
    from datasources.platform.domain import Domain

log = logging.getLogger(__name__)

STREAM_MAXLEN = 100_000  # approximate cap, so an always-on demo does not grow without bound
DEFAULT_RNG_SEED = 20231
PUBLISH_CHUNK = 500
MAX_BACKOFF_S = 30.0
READER_STALL_S = 15.0  # give up waiting for a consumer group that makes no progress


class SimEvent(NamedTuple):
    """One message: the feed it belongs to and its flat string fields, as XADD writes them."""

    feed: str
    fields: dict[str, str]


class Planned(NamedTuple):
    """One planned message at its time; a step of a longer process (a forest case) also
    carries when that process closes, so a backfill can replay whole processes."""

    at_ms: int
    feed: str
    fields: dict[str, str]
    closes_ms: int = 0


Malformation = Callable[[dict[str, str], int], None]
"""Breaks a copy of a message in place; the int picks one of the rule's variants."""


class Plan(Protocol):
    """A domain's simulated messages of any period."""

    name: str
    feeds: tuple[str, ...]
    malformations: Mapping[str, Mapping[str, Malformation]]
    """Per feed, the ways a message of it can break (at least one each)."""

    def events_between(self, start_ms: int, end_ms: int) -> Iterator[Planned]:
        """The messages with ``start_ms <= at < end_ms``, in time order."""
        ...

    def history(self, until_ms: int) -> Iterable[Planned]:
        """What a backfill publishes before yesterday and today (in time order), if anything."""
        ...


class PlanSource(Protocol):
    """What a plan is made of (a domain's simulation entities, read from master data)."""

    def plan(self, tz: tzinfo, rng_seed: int) -> Plan: ...


def replaced(field: str, *values: str) -> Malformation:
    """A rule that sets ``field`` to one of ``values``."""

    def rule(bad: dict[str, str], pick: int) -> None:
        bad[field] = values[pick % len(values)]

    return rule


def drop_one_of(*fields: str) -> Malformation:
    """A rule that leaves out one of the required ``fields``."""

    def rule(bad: dict[str, str], pick: int) -> None:
        del bad[fields[pick % len(fields)]]

    return rule


def overlong(field: str) -> Malformation:
    """A rule that makes identifier ``field`` longer than an identifier may be."""

    def rule(bad: dict[str, str], pick: int) -> None:
        bad[field] = (bad[field] + "-") * 8

    return rule


def malformed(fields: dict[str, str], rules: Mapping[str, Malformation], kind: str) -> dict[str, str]:
    """A copy of a valid message broken by ``rules[kind]``, with its own ``event_id``.

    Which variant of the rule applies is derived from the message, so the copy is
    deterministic.
    """
    if kind not in rules:
        raise ValueError(f"{kind!r} does not apply here; one of {tuple(rules)}")
    pick = sum(map(ord, fields["event_id"]))
    bad = dict(fields, event_id=f"{fields['event_id']}-x")
    rules[kind](bad, pick)
    return bad


class Simulator:
    """Publishes the simulated messages of ``source`` to Redis.

    ``source`` is a ``SnapshotStore`` (a plan for each of ``domains`` — default the store's —
    that has the master data it needs), or one or more ``PlanSource``. ``rng_seed=None`` means
    ``DEFAULT_RNG_SEED``: the plan must be the same after a restart for its event ids to
    deduplicate. ``speed`` runs the simulated clock faster than the wall clock (its ``ts`` then
    runs ahead of real time). ``bad_ratio`` adds that many malformed messages per valid one,
    of varied kinds, to exercise validation and dead-lettering.
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        source: Any,
        tz: tzinfo,
        rng_seed: int | None = None,
        speed: float = 1.0,
        bad_ratio: float = 0.0,
        *,
        maxlen: int = STREAM_MAXLEN,
        domains: Iterable[Domain] | None = None,
    ):
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        if not 0.0 <= bad_ratio <= 1.0:
            raise ValueError(f"bad_ratio must be within 0–1, got {bad_ratio}")
        self.client, self.keys, self.tz = client, keys, tz
        self.rng_seed = DEFAULT_RNG_SEED if rng_seed is None else rng_seed
        self.speed, self.bad_ratio, self.maxlen = speed, bad_ratio, maxlen
        self.plans: dict[str, Plan] = {
            plan.name: plan for plan in (s.plan(tz, self.rng_seed) for s in _sources(source, domains))}
        self._rules = {feed: rules for plan in self.plans.values()
                       for feed, rules in plan.malformations.items()}
        self.published = {feed: 0 for plan in self.plans.values() for feed in plan.feeds}
        self._published_until: datetime | None = None

    def events_between(self, start: datetime, end: datetime) -> Iterator[SimEvent]:
        """The planned messages with ``start <= ts < end``, in time order, malformed included."""
        start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
        planned = [plan.events_between(start_ms, end_ms) for plan in self.plans.values()]
        return self._with_malformed(heapq.merge(*planned, key=_at))

    def _with_malformed(self, planned: Iterable[Planned]) -> Iterator[SimEvent]:
        """Each message, followed by a malformed copy for a ``bad_ratio`` share."""
        for p in planned:
            yield SimEvent(p.feed, dict(p.fields))
            if self.bad_ratio:
                # Decided by the message alone, so a replay breaks the same messages.
                rng = random.Random(f"greenwall-sim-bad:{p.fields['event_id']}")
                if rng.random() < self.bad_ratio:
                    rules = self._rules[p.feed]
                    yield SimEvent(p.feed, malformed(p.fields, rules, rng.choice(tuple(rules))))

    def backfill(self, now: datetime | None = None, stop: threading.Event | None = None) -> int:
        """Publish yesterday's events and today's until ``now``; returns how many.

        Days are the simulator's time zone's; ``now`` (aware) defaults to the current time.
        """
        now = (now or datetime.now(self.tz)).astimezone(self.tz)
        start = datetime.combine(now.date() - timedelta(days=1), dtime(), self.tz)
        stop = stop or threading.Event()
        # A plan's history (forest cases reach back weeks: the 30-day figures need them) first.
        start_ms = int(start.timestamp() * 1000)
        history = heapq.merge(*(plan.history(start_ms) for plan in self.plans.values()), key=_at)
        count = self._publish(self._with_malformed(history), stop, wait_for_readers=True)
        count += self._publish(self.events_between(start, now), stop, wait_for_readers=True)
        if not stop.is_set():
            self._published_until = now
        log.info("backfilled %d simulated messages from %s to %s", count, start, now)
        return count

    def run(self, stop: threading.Event, tick_s: float = 1.0) -> None:
        """Publish in real time (× ``speed``) until ``stop`` is set; survives Redis outages."""
        wall_start = time.monotonic()
        sim_start = self._published_until or datetime.now(self.tz)
        cursor = sim_start
        try:
            while not stop.is_set():
                elapsed = (time.monotonic() - wall_start) * self.speed
                sim_now = sim_start + timedelta(seconds=elapsed)
                if sim_now > cursor:
                    self._publish(self.events_between(cursor, sim_now), stop)
                    if not stop.is_set():
                        cursor = self._published_until = sim_now
                self._retrying(self._heartbeat, stop)
                stop.wait(tick_s)
        finally:
            self._forget_heartbeat()

    def _publish(
        self, events: Iterable[SimEvent], stop: threading.Event, wait_for_readers: bool = False
    ) -> int:
        count = 0
        size = max(1, min(PUBLISH_CHUNK, self.maxlen // 4))
        stalled: set[str] = set()
        for chunk in _chunks(events, size):
            if wait_for_readers:
                for stream in sorted({self.keys.feed(e.feed) for e in chunk} - stalled):
                    if not self._wait_for_readers(stream, len(chunk), stop):
                        stalled.add(stream)
            if not self._retrying(lambda chunk=chunk: self._xadd(chunk), stop):
                break
            for event in chunk:
                self.published[event.feed] += 1
            count += len(chunk)
        return count

    def _xadd(self, chunk: Sequence[SimEvent]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for event in chunk:
            stream = self.keys.feed(event.feed)
            pipe.xadd(stream, event.fields, maxlen=self.maxlen, approximate=True)
        pipe.execute()

    def _retrying(self, action: Callable[[], Any], stop: threading.Event) -> bool:
        """Run ``action`` until it gets through to Redis; False if ``stop`` came first."""
        delay = 0.5
        while not stop.is_set():
            try:
                action()
                return True
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                log.warning("Redis unavailable (%s); retrying in %.1f s", exc, delay)
                stop.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
        return False

    def _wait_for_readers(self, stream: str, adding: int, stop: threading.Event) -> bool:
        """Hold back while adding entries would make the cap drop some the ingest group has
        not read (a backfill writes more than a day at once). False if the group stalled."""
        best, since = None, time.monotonic()
        while not stop.is_set():
            lag = self._group_lag(stream)
            if lag is None or lag + adding <= self.maxlen:
                return True
            if best is None or lag < best:
                best, since = lag, time.monotonic()
            elif time.monotonic() - since > READER_STALL_S:
                log.warning("consumer group on %s stalled at lag %d; not waiting", stream, lag)
                return False
            stop.wait(0.05)
        return True

    def _group_lag(self, stream: str) -> int | None:
        try:
            groups = self.client.xinfo_groups(stream)
        except redis.ResponseError:
            return None  # no stream yet
        for group in groups:
            name = group.get("name")
            if (name.decode() if isinstance(name, bytes) else name) == CONSUMER_GROUP:
                lag = group.get("lag")
                return None if lag is None else int(lag)
        return None

    def _heartbeat(self) -> None:
        key = self.keys.heartbeat("simulator")
        self.client.hset(key, str(os.getpid()), str(int(time.time() * 1000)))

    def _forget_heartbeat(self) -> None:
        try:
            self.client.hdel(self.keys.heartbeat("simulator"), str(os.getpid()))
        except redis.RedisError:
            log.info("could not remove the simulator heartbeat; it will age out")


def _at(planned: Planned) -> int:
    return planned.at_ms


def _sources(source: Any, domains: Iterable[Domain] | None) -> list[PlanSource]:
    if isinstance(source, SnapshotStore):
        made = (domain.simulation(source) for domain in (source.domains if domains is None else domains))
        return [s for s in made if s is not None]
    if hasattr(source, "plan"):
        return [source]
    return list(source)


def _chunks(items: Iterable[SimEvent], size: int) -> Iterator[list[SimEvent]]:
    chunk: list[SimEvent] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
