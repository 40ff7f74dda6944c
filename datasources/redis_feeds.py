"""The ingest worker: reads every feed through one consumer group and counts each valid
message exactly once.

Python validates a batch and records what each event changes (``datasources.aggregates``);
one call of the Lua script ``ingest.lua`` then acknowledges and applies the whole batch
atomically. Several workers may share the group; entries left pending by a dead worker are
claimed after ``claim_idle_ms``. Run one with ``python -m datasources.redis_feeds``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import redis

from datasources import forest_effects  # noqa: F401  (registers the forest feeds' effects)
from datasources.aggregates import DAY_TTL_S, EFFECTS, UNQUALIFIED_KEPT, EffectFunction, Track
from datasources.feeds import FEEDS, FeedEvent, FeedValidationError, parse_event
from datasources.keys import CONSUMER_GROUP, Keys
from datasources.master import MasterLookup, StaticMaster, check_kind

log = logging.getLogger(__name__)

EVENT_ID_TTL_S = 24 * 3600
CHANGES_MAXLEN = 1000
DEADLETTER_MAXLEN = 100_000
# Lua's stack limits how many fields one XADD can carry; no real message comes near this.
DEADLETTER_FIELDS_KEPT = 200
REASON_MAX = 1000
RESERVED_DEADLETTER_FIELDS = ("feed", "entry", "reason")
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


class Delivery(NamedTuple):
    """One stream entry handed to this worker; ``fields`` is empty if it was deleted."""

    feed: str
    entry_id: str
    fields: dict[str, str]


class BatchPlan:
    """One batch turned into the ingest script's KEYS and payload.

    Implements ``datasources.aggregates.Effects``: each feed's effect function records into
    it. Keys and operations are interned, so an entry carries only small indexes and values.
    """

    def __init__(
        self, keys: Keys, master: MasterLookup, day_hour: Callable[[int], tuple[str, int]]
    ) -> None:
        self.keys = keys
        self.master = master
        self.day_hour = day_hour
        self._key_names = [keys.deadletter, keys.feed_stats, keys.version, keys.changes]
        self._key_index = {name: i for i, name in enumerate(self._key_names, start=1)}
        self._ops: dict[tuple[str, str, str], int] = {}
        self._feeds: dict[str, int] = {}
        self._expire: dict[int, int] = {}
        self._tracks: dict[Track, int] = {}
        self._known: dict[tuple[str, str], bool] = {}
        self._entry: list[Any] = []
        self._delivery: Delivery | None = None
        self.payload: dict[str, list[Any]] = {"feeds": [], "ops": [], "expire": [], "tracks": [],
                                              "entries": []}

    def _key(self, name: str) -> int:
        index = self._key_index.get(name)
        if index is None:
            self._key_names.append(name)
            index = self._key_index[name] = len(self._key_names)
        return index

    def _feed(self, name: str) -> int:
        index = self._feeds.get(name)
        if index is None:
            self.payload["feeds"].append([name, self._key(self.keys.feed(name))])
            index = self._feeds[name] = len(self._feeds) + 1
        return index

    def _op(self, code: str, key: str, field: str, value: Any) -> None:
        index = self._ops.get((code, key, field))
        if index is None:
            self.payload["ops"].append([code, self._key(key), field])
            index = self._ops[(code, key, field)] = len(self._ops) + 1
        self._entry.append(index)
        self._entry.append(value)

    def add_valid(self, delivery: Delivery, event: FeedEvent, effect: EffectFunction) -> None:
        """Record a valid event and what it changes if it counts."""
        marker = self._key(self.keys.dedupe(delivery.feed, event.event_id)) if event.event_id else 0
        feed = self._feed(delivery.feed)
        self._entry = ["v", feed, delivery.entry_id, event.ts_ms, marker, "", 0]
        self._delivery = delivery
        effect(event, self)
        self.payload["entries"].append(self._entry)

    def add_invalid(self, delivery: Delivery, reason: str) -> None:
        """Record a message for the dead-letter stream, with its original fields."""
        entry: list[Any] = ["x", self._feed(delivery.feed), delivery.entry_id, reason[:REASON_MAX]]
        entry += _original_fields(delivery)
        self.payload["entries"].append(entry)

    def script_input(self) -> tuple[list[str], list[bytes]]:
        """KEYS and ARGV[1] (the JSON payload) for one script call."""
        self.payload["expire"] = sorted([key, ttl] for key, ttl in self._expire.items())
        text = json.dumps(self.payload, ensure_ascii=False, separators=(",", ":"))
        # Bytes, not str: hiredis's packer encodes str strictly, and a dead letter may carry
        # the original, non-UTF-8 bytes of a message (decoded with surrogateescape).
        return self._key_names, [text.encode("utf-8", "surrogateescape")]

    def daily(self, key: str) -> str:
        return self.retained(key, DAY_TTL_S)

    def retained(self, key: str, ttl_s: int) -> str:
        index = self._key(key)
        self._expire[index] = max(ttl_s, self._expire.get(index, 0))
        return key

    def newest(self, key: str, field: str, ts_ms: int, value: str) -> None:
        self._op("n", key, field, f"{ts_ms}|{value}")

    def step(self, track: Track, subject: str, stage: str, identity: str, record: str,
             note: str, log_key: str, log_field: str) -> None:
        """The event moves ``subject`` to ``stage``; the script checks the order."""
        index = self._tracks.get(track)
        if index is None:
            self.payload["tracks"].append([
                self._key(track.open_key), self._key(track.closed_key),
                self._key(track.closed_at_key), track.label, track.retain_ms, *track.stages])
            index = self._tracks[track] = len(self._tracks) + 1
        assert self._delivery is not None
        self._entry[6] = [index, subject, track.stages.index(stage) + 1, identity, record, note,
                          self._key(log_key), log_field, *_original_fields(self._delivery)]

    def add(self, key: str, field: str, amount: float) -> None:
        self._op("f", key, field, amount)

    def count(self, key: str, field: str, n: int = 1) -> None:
        self._op("i", key, field, n)

    def keep_max(self, key: str, field: str, value: int) -> None:
        self._op("m", key, field, value)

    def set(self, key: str, field: str, value: str) -> None:
        self._op("s", key, field, value)

    def push(self, key: str, value: str) -> None:
        self._op("l", key, "", value)

    def touch_district(self, adcode: str) -> None:
        """An event touches at most one district; a later call replaces an earlier one."""
        self._entry[5] = adcode

    def note_entity(self, kind: str, ident: str) -> None:
        known = self._known.get((kind, ident))
        if known is None:
            known = self._known[(kind, ident)] = self.master.is_registered(check_kind(kind), ident)
        if not known:
            self._op("a", self.keys.unregistered(kind), ident, 0)


def _original_fields(delivery: Delivery) -> list[str]:
    """A message's fields as a flat list for its dead letter (reserved names renamed)."""
    flat: list[str] = []
    for index, (field, value) in enumerate(delivery.fields.items()):
        if index == DEADLETTER_FIELDS_KEPT:
            break
        flat.append(f"orig_{field}" if field in RESERVED_DEADLETTER_FIELDS else field)
        flat.append(value)
    return flat


class IngestWorker:
    """Consumes every feed in ``FEEDS`` as consumer ``consumer`` of group ``CONSUMER_GROUP``."""

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
    ) -> None:
        without_effects = sorted(set(FEEDS) - set(EFFECTS))
        if without_effects:
            raise ValueError(f"feeds without aggregate effects: {', '.join(without_effects)}")
        options = client.connection_pool.connection_kwargs
        if not options.get("decode_responses") or options.get("encoding_errors") != "surrogateescape":
            raise ValueError("the ingest worker needs a client made by datasources.redis_feeds.connect()")
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
        self._feed_of = {keys.feed(name): name for name in FEEDS}
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
                return own
        deliveries = self._claim_stale()
        return deliveries + self._read_group(">", None if deliveries else self.block_ms)

    def apply_batch(self, deliveries: list[Delivery]) -> int:
        """Validate and apply a batch in one script call; the number of entries this call
        handled (entries another consumer had already handled are skipped)."""
        if not deliveries:
            return 0
        plan = BatchPlan(self.keys, self.master, self.day_hour)
        for delivery in deliveries:
            if not delivery.fields:
                plan.add_invalid(delivery, DELETED_REASON)
                continue
            try:
                event = parse_event(delivery.feed, delivery.fields, delivery.entry_id)
            except FeedValidationError as error:
                plan.add_invalid(delivery, error.reason)
                continue
            plan.add_valid(delivery, event, EFFECTS[delivery.feed])
        keys, args = plan.script_input()
        handled, ingested, duplicates, deadlettered, version = self._script(
            keys=keys,
            args=[*args, CONSUMER_GROUP, EVENT_ID_TTL_S, UNQUALIFIED_KEPT, CHANGES_MAXLEN,
                  DEADLETTER_MAXLEN],
        )
        log.debug(
            "batch of %d: %d handled, %d ingested, %d duplicates, %d dead-lettered, version %d",
            len(deliveries), handled, ingested, duplicates, deadlettered, version,
        )
        return int(handled)

    def process_once(self) -> int:
        """One round: read (or claim) a batch and apply it; the number of entries handled."""
        return self.apply_batch(self.read_batch())

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
                else:
                    if isinstance(error, redis.ResponseError) and "NOGROUP" in str(error):
                        groups_ready = False
                    log.exception("ingest round failed; retrying in %.1f s", delay)
                stop.wait(delay)


def main(argv: list[str] | None = None) -> int:
    """Run one ingest worker against ``GREENWALL_REDIS_URL`` until SIGINT or SIGTERM.

    Without master data every entity is listed as unregistered; ``greenwall worker`` passes
    the snapshot database's master data instead.
    """
    from dashboard.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m datasources.redis_feeds", description=__doc__)
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
