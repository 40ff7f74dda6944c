"""The ingest worker: reads every feed through one consumer group and counts each valid
message exactly once.

Python validates a batch and records what each event changes (the enabled domains' effects,
into a ``datasources.platform.ingest_plan.BatchPlan``); one call of the Lua script
``ingest.lua`` then acknowledges and applies the whole batch atomically. Several workers may
share the group; entries left pending by a dead worker are claimed after ``claim_idle_ms``.
Run one with ``python -m datasources.platform.ingest``.

No message stops a feed: whatever goes wrong while validating or planning one entry
dead-letters that entry with the reason; an entry whose application fails is retried on its
own (the rest of its batch is applied), and dead-lettered once it has been delivered
``max_deliveries`` times without being applied, also when it took the worker down with it.

(Just over 400 lines: one class whose round — read, claim, plan, apply, split on failure —
reads best in one place.)
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import redis

from datasources.platform.deadletter import DEADLETTER_MAXLEN, TRUNCATION_NOTE
from datasources.platform.domain import Domain, feeds_of, load_domains
from datasources.platform.effects import EVENTS_KEPT_S, UNQUALIFIED_KEPT, UNREGISTERED_KEPT
from datasources.platform.feeds import FeedValidationError, check_event_time, oversize_reason, parse_event
from datasources.platform.ingest_plan import BatchPlan, Delivery
from datasources.platform.keys import CONSUMER_GROUP, Keys
from datasources.platform.master import MasterLookup, StaticMaster

log = logging.getLogger(__name__)

EVENT_ID_TTL_S = 24 * 3600
CHANGES_MAXLEN = 1000
MAX_DELIVERIES = 5
MAX_CLOCK_SKEW_S = 300
# Errors of Redis itself, not of an entry: the batch is retried as it is, and no entry's
# delivery count goes up (an outage must not dead-letter good messages).
SERVER_ERRORS = ("READONLY", "OOM", "BUSY", "LOADING", "MASTERDOWN", "MISCONF", "NOREPLICAS",
                 "CLUSTERDOWN", "TRYAGAIN", "NOGROUP", "NOSCRIPT", "NOPERM", "NOAUTH", "MOVED",
                 "ASK", "EXECABORT", "UNBLOCKED")
HEARTBEAT_EVERY_S = 5.0
BACKOFF_MAX_S = 10.0
DELETED_REASON = "entry was deleted from the stream before it was processed"
SCRIPT = (Path(__file__).with_name("ingest.lua")).read_text(encoding="utf-8")


def connect(url: str, *, name: str | None = None) -> redis.Redis:
    """A client for ``redis://…`` or ``unix:///path/to.sock`` URLs, returning ``str`` values.

    Bytes that are not UTF-8 decode to lone surrogates and encode back to the same bytes,
    so a message with such bytes is dead-lettered instead of failing every read.
    The socket timeout must outlast the worker's blocking reads (``block_ms``).
    """
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        encoding_errors="surrogateescape",
        health_check_interval=15,
        socket_timeout=10,
        socket_connect_timeout=5,
        client_name=name,
    )


class EntriesNotApplied(RuntimeError):
    """Entries whose application failed; the rest of their batch was applied. They stay
    pending and are retried until ``max_deliveries``, then dead-lettered."""

    def __init__(self, failures: dict[str, str]) -> None:
        self.failures = failures
        listed = "; ".join(f"{entry}: {error}" for entry, error in list(failures.items())[:5])
        super().__init__(f"{len(failures)} entries not applied ({listed})")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _server_failure(error: Exception) -> bool:
    """Whether ``error`` is Redis failing (an outage, a failover, memory), not an entry."""
    if isinstance(error, redis.ResponseError):
        return str(error).startswith(SERVER_ERRORS)
    return isinstance(error, redis.RedisError)


class IngestWorker:
    """Consumes every feed of ``domains`` (default: ``load_domains()``) as consumer
    ``consumer`` of group ``CONSUMER_GROUP``.

    ``max_deliveries``, ``max_clock_skew_s`` and ``deadletter_maxlen`` are the settings of
    the same names (``worker_limits``); ``now_ms`` is the clock event times are judged by.
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        tz: ZoneInfo,
        master: MasterLookup,
        consumer: str,
        batch_size: int = 500,
        block_ms: int = 1000,
        claim_idle_ms: int = 30000,
        *,
        max_deliveries: int = MAX_DELIVERIES,
        max_clock_skew_s: float = MAX_CLOCK_SKEW_S,
        deadletter_maxlen: int = DEADLETTER_MAXLEN,
        unregistered_kept: int = UNREGISTERED_KEPT,
        now_ms: Callable[[], int] = _now_ms,
        domains: Iterable[Domain] | None = None,
    ) -> None:
        self.domains = load_domains() if domains is None else tuple(domains)
        self.models = feeds_of(self.domains)
        self.effects = {feed: effect for d in self.domains for feed, effect in d.effects.items()}
        options = client.connection_pool.connection_kwargs
        if not options.get("decode_responses") or options.get("encoding_errors") != "surrogateescape":
            raise ValueError("the ingest worker needs a client made by "
                             "datasources.platform.ingest.connect()")
        socket_timeout = options.get("socket_timeout")
        if socket_timeout and block_ms >= socket_timeout * 1000:
            raise ValueError(f"block_ms {block_ms} must be under the socket timeout ({socket_timeout} s)")
        self.client = client
        self.keys = keys
        self.tz = tz
        self.master = master
        self.consumer = consumer
        self.batch_size = batch_size
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.max_deliveries = max_deliveries
        self.max_clock_skew_ms = round(max_clock_skew_s * 1000)
        self.deadletter_maxlen = deadletter_maxlen
        self.unregistered_kept = unregistered_kept
        self.now_ms = now_ms
        # Entries whose application failed, held for the next round: retrying them from
        # memory, not by re-reading, keeps Redis's delivery counts to real deliveries.
        self._retry: list[Delivery] = []
        self._feed_of = {keys.feed(name): name for name in self.models}
        self._claim_from = dict.fromkeys(self._feed_of, "0-0")
        self._script = client.register_script(SCRIPT)
        # Entries delivered to this consumer name before (a restart, or a failed round) are
        # re-read from its own pending list first.
        self._recover_own = True
        self._day_hours: dict[int, tuple[str, int]] = {}

    def ensure_groups(self) -> None:
        """Create the consumer group on every feed stream (and the stream) if missing."""
        for stream in self._feed_of:
            try:
                self.client.xgroup_create(stream, CONSUMER_GROUP, id="0", mkstream=True)
            except redis.ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    def day_hour(self, ts_ms: int) -> tuple[str, int]:
        """The local day and hour of an epoch-ms time.

        Cached per quarter hour: every time-zone offset in use is a multiple of 15 minutes.
        """
        quarter = ts_ms // 900_000
        found = self._day_hours.get(quarter)
        if found is None:
            if len(self._day_hours) > 10_000:
                self._day_hours.clear()
            moment = datetime.fromtimestamp(quarter * 900, self.tz)
            found = self._day_hours[quarter] = (moment.date().isoformat(), moment.hour)
        return found

    def _deliveries(self, stream: str, entries: Iterable[tuple[Any, Any]]) -> list[Delivery]:
        feed = self._feed_of[stream]
        # An entry trimmed away while pending comes back without an id or fields.
        return [Delivery(feed, entry_id, fields or {}) for entry_id, fields in entries if entry_id]

    def _with_delivery_counts(self, deliveries: list[Delivery]) -> list[Delivery]:
        """``deliveries`` (re-delivered ones: recovered or claimed) with Redis's count of how
        often each was delivered."""
        if not deliveries:
            return deliveries
        pipe = self.client.pipeline(transaction=False)
        for delivery in deliveries:
            pipe.xpending_range(self.keys.feed(delivery.feed), CONSUMER_GROUP, delivery.entry_id,
                                delivery.entry_id, 1)
        counted = []
        for delivery, pending in zip(deliveries, pipe.execute(), strict=True):
            times = pending[0]["times_delivered"] if pending else 1
            counted.append(delivery._replace(delivered=max(int(times), 1)))
        return counted

    def _read_group(self, from_id: str, block_ms: int | None) -> list[Delivery]:
        replies = self.client.xreadgroup(
            CONSUMER_GROUP,
            self.consumer,
            dict.fromkeys(self._feed_of, from_id),
            count=self.batch_size,
            block=block_ms if block_ms and block_ms > 0 else None,
        )
        deliveries = []
        for stream, entries in replies or []:
            deliveries += self._deliveries(stream, entries)
        return deliveries

    def _claim_stale(self) -> list[Delivery]:
        """Take over entries another consumer left pending for longer than claim_idle_ms."""
        pipe = self.client.pipeline(transaction=False)
        for stream, start in self._claim_from.items():
            pipe.xautoclaim(
                stream, CONSUMER_GROUP, self.consumer, self.claim_idle_ms, start, self.batch_size
            )
        deliveries = []
        for stream, reply in zip(self._claim_from, pipe.execute(), strict=True):
            self._claim_from[stream] = reply[0]
            deliveries += self._deliveries(stream, reply[1])
        return deliveries

    def read_batch(self) -> list[Delivery]:
        """One round of input: own unfinished entries, else claimed stale ones plus new ones."""
        if self._recover_own:
            own = self._read_group("0", None)
            self._recover_own = bool(own)
            if own:
                return self._with_delivery_counts(own)
        deliveries = self._with_delivery_counts(self._claim_stale())
        return deliveries + self._read_group(">", None if deliveries else self.block_ms)

    def apply_batch(self, deliveries: list[Delivery]) -> int:
        """Validate and apply a batch; the number of entries handled (entries another
        consumer had already handled are skipped).

        An entry that cannot be applied does not hold up the others: the batch is split
        until it is alone, the rest is applied, and ``EntriesNotApplied`` names it; it is
        retried on the next round until ``max_deliveries``, then dead-lettered.
        """
        if not deliveries:
            return 0
        self._retry = []
        try:
            handled, failed = self._apply(deliveries)
        except Exception:
            # Redis failed, not an entry: the whole batch again next round, counts unchanged.
            self._retry = list(deliveries)
            raise
        if failed:
            self._retry = [d._replace(delivered=d.delivered + 1) for d, _ in failed]
            raise EntriesNotApplied({d.entry_id: error for d, error in failed})
        return handled

    def _apply(self, deliveries: list[Delivery]) -> tuple[int, list[tuple[Delivery, str]]]:
        """Apply ``deliveries`` in one script call, or split them if it fails because of an
        entry; the entries handled, and the ones that failed alone with their errors."""
        try:
            return self._run(self._plan(deliveries)), []
        except Exception as error:
            if _server_failure(error):
                raise
            if len(deliveries) > 1:
                half = len(deliveries) // 2
                first, first_failed = self._apply(deliveries[:half])
                second, second_failed = self._apply(deliveries[half:])
                return first + second, first_failed + second_failed
            delivery = deliveries[0]
            log.warning("entry %s of %s not applied (delivery %d of at most %d): %s",
                        delivery.entry_id, delivery.feed, delivery.delivered,
                        self.max_deliveries, error)
            if delivery.delivered < self.max_deliveries:
                return 0, [(delivery, str(error))]
            reason = f"not applied after {delivery.delivered} deliveries: {error}"
            return self._run(self._plan(deliveries, dead={delivery.entry_id: reason})), []

    def _plan(self, deliveries: list[Delivery], dead: dict[str, str] | None = None) -> BatchPlan:
        """The batch as the script takes it; an entry in ``dead`` is dead-lettered with its
        reason, as is every entry that fails a check or whose validation or effects raise."""
        plan = BatchPlan(self.keys, self.master, self.day_hour)
        now_ms = self.now_ms()
        for delivery in deliveries:
            reason = (dead or {}).get(delivery.entry_id) or self._refusal(delivery)
            too_big = oversize_reason(delivery.fields)
            if too_big:
                reason = f"{reason}; {too_big}{TRUNCATION_NOTE}" if reason else too_big + TRUNCATION_NOTE
            if reason:
                plan.add_invalid(delivery, reason, truncate=bool(too_big))
                continue
            try:
                event = parse_event(delivery.feed, delivery.fields, delivery.entry_id, self.models)
                check_event_time(event.ts_ms, now_ms, ahead_ms=self.max_clock_skew_ms,
                                 kept_ms=EVENTS_KEPT_S[delivery.feed] * 1000)
                plan.add_valid(delivery, event, self.effects[delivery.feed])
            except FeedValidationError as error:
                plan.add_invalid(delivery, error.reason)
            except Exception as error:  # a bug meets an odd message: that message, not the feed
                log.exception("entry %s of %s could not be planned", delivery.entry_id, delivery.feed)
                plan.add_invalid(delivery, f"could not be processed: {type(error).__name__}: {error}")
        return plan

    def _refusal(self, delivery: Delivery) -> str | None:
        """Why an entry is dead-lettered without a look at its fields, if it is."""
        if not delivery.fields:
            return DELETED_REASON
        if delivery.delivered > self.max_deliveries:
            return (f"delivered {delivery.delivered} times without being applied (at most "
                    f"{self.max_deliveries}, GREENWALL_MAX_DELIVERIES); did it stop the worker?")
        return None

    def _run(self, plan: BatchPlan) -> int:
        keys, args = plan.script_input()
        handled, ingested, duplicates, deadlettered, version = self._script(
            keys=keys,
            args=[*args, CONSUMER_GROUP, EVENT_ID_TTL_S, UNQUALIFIED_KEPT, CHANGES_MAXLEN,
                  self.deadletter_maxlen, self.unregistered_kept],
        )
        log.debug(
            "batch of %d: %d handled, %d ingested, %d duplicates, %d dead-lettered, version %d",
            len(plan.payload["entries"]), handled, ingested, duplicates, deadlettered, version,
        )
        return int(handled)

    def process_once(self) -> int:
        """One round: retry what failed last round, else read (or claim) a batch; apply it.
        The number of entries handled."""
        return self.apply_batch(self._retry or self.read_batch())

    def heartbeat(self) -> None:
        """Tell watchers this consumer is alive: its field in the worker heartbeat hash."""
        self.client.hset(self.keys.heartbeat("worker"), self.consumer, int(time.time() * 1000))

    def run(self, stop: threading.Event) -> None:
        """Process rounds until ``stop`` is set, riding out Redis outages with backoff."""
        groups_ready = False
        next_heartbeat = 0.0
        failures = 0
        while not stop.is_set():
            try:
                if not groups_ready:
                    self.ensure_groups()
                    groups_ready = True
                if time.monotonic() >= next_heartbeat:
                    self.heartbeat()
                    next_heartbeat = time.monotonic() + HEARTBEAT_EVERY_S
                self.process_once()
                failures = 0
            except Exception as error:  # any failure: the entries stay pending, retry later
                failures += 1
                delay = min(0.5 * 2 ** (failures - 1), BACKOFF_MAX_S)
                self._recover_own = True
                if isinstance(error, redis.ConnectionError | redis.TimeoutError):
                    log.warning("Redis unreachable (%s); retrying in %.1f s", error, delay)
                elif isinstance(error, EntriesNotApplied):
                    log.warning("%s; retrying them in %.1f s", error, delay)
                else:
                    if isinstance(error, redis.ResponseError) and "NOGROUP" in str(error):
                        groups_ready = False
                    log.exception("ingest round failed; retrying in %.1f s", delay)
                stop.wait(delay)


def worker_limits(settings: Any) -> dict[str, Any]:
    """The ``IngestWorker`` options that come from settings (``GREENWALL_MAX_DELIVERIES``,
    ``GREENWALL_MAX_CLOCK_SKEW_S``, ``GREENWALL_DEADLETTER_MAXLEN``)."""
    return {"max_deliveries": settings.max_deliveries,
            "max_clock_skew_s": settings.max_clock_skew_s,
            "deadletter_maxlen": settings.deadletter_maxlen}


def main(argv: list[str] | None = None) -> int:
    """Run one ingest worker against ``GREENWALL_REDIS_URL`` until SIGINT or SIGTERM.

    Without master data every entity is listed as unregistered; ``greenwall worker`` passes
    the snapshot database's master data instead.
    """
    from dashboard.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m datasources.platform.ingest", description=__doc__)
    parser.add_argument("--consumer", default=f"{socket.gethostname()}-{os.getpid()}")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--block-ms", type=int, default=1000)
    parser.add_argument("--claim-idle-ms", type=int, default=30000)
    args = parser.parse_args(argv)
    settings = load_settings()
    if settings.redis_url is None:
        parser.error("set GREENWALL_REDIS_URL (the embedded Redis is started by `greenwall run`)")
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    worker = IngestWorker(
        connect(settings.redis_url, name=f"greenwall-worker:{args.consumer}"),
        Keys(settings.key_prefix),
        settings.tz,
        StaticMaster(),
        args.consumer,
        batch_size=args.batch_size,
        block_ms=args.block_ms,
        claim_idle_ms=args.claim_idle_ms,
        **worker_limits(settings),
        domains=load_domains(settings.domains),
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    log.info("ingest worker %s started (prefix %s)", args.consumer, settings.key_prefix)
    worker.run(stop)
    log.info("ingest worker %s stopped", args.consumer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
