"""One batch of feed entries turned into the ingest script's input.

``BatchPlan`` implements ``datasources.platform.effects.Effects``: each valid event's effect function
records into it what the event changes, and ``datasources/platform/ingest.lua`` applies the whole
batch atomically (``datasources.platform.ingest`` runs it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from datasources.platform.deadletter import REASON_MAX, original_fields
from datasources.platform.effects import DAY_TTL_S, ENTITY_STATE, EffectFunction, Track, Watch
from datasources.platform.feeds import FeedEvent
from datasources.platform.keys import Keys
from datasources.platform.master import MasterLookup, check_kind


class Delivery(NamedTuple):
    """One stream entry handed to this worker; ``fields`` is empty if it was deleted.

    ``delivered`` counts the attempts at it so far, this one included (Redis's delivery
    count, plus this worker's retries of it).
    """

    feed: str
    entry_id: str
    fields: dict[str, str]
    delivered: int = 1


class BatchPlan:
    """One batch turned into the ingest script's KEYS and payload.

    Implements ``datasources.platform.effects.Effects``: each feed's effect function records into
    it. Keys and operations are interned, so an entry carries only small indexes and values.
    """

    def __init__(
        self, keys: Keys, master: MasterLookup, day_hour: Callable[[int], tuple[str, int]]
    ) -> None:
        self.keys = keys
        self.master = master
        self.day_hour = day_hour
        self._key_names = [keys.deadletter, keys.feed_stats, keys.version, keys.changes,
                           keys.deadletter_stats]
        self._key_index = {name: i for i, name in enumerate(self._key_names, start=1)}
        self._ops: dict[tuple[str, str, str], int] = {}
        self._feeds: dict[str, int] = {}
        self._expire: dict[int, int] = {}
        self._tracks: dict[Track, int] = {}
        self._known: dict[tuple[str, str], bool] = {}
        self._registers: set[str] = set()
        self._entry: list[Any] = []
        self._delivery: Delivery | None = None
        self._ts_ms = 0
        self.payload: dict[str, list[Any]] = {"feeds": [], "ops": [], "expire": [], "tracks": [],
                                              "registers": [], "entries": []}

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
        """Record a valid event and what it changes if it counts.

        If the effect function raises, the plan is left as it was before the call.
        """
        mark = self._mark()
        try:
            marker = self._key(self.keys.dedupe(delivery.feed, event.event_id)) if event.event_id else 0
            feed = self._feed(delivery.feed)
            self._entry = ["v", feed, delivery.entry_id, event.ts_ms, marker, "", 0]
            self._delivery = delivery
            self._ts_ms = event.ts_ms
            effect(event, self)
        except BaseException:
            self._rollback(mark)
            raise
        self.payload["entries"].append(self._entry)

    def add_invalid(self, delivery: Delivery, reason: str, *, truncate: bool = False) -> None:
        """Record a message for the dead-letter stream, with its original fields (cut down
        to a bounded size when ``truncate``)."""
        entry: list[Any] = ["x", self._feed(delivery.feed), delivery.entry_id, reason[:REASON_MAX]]
        entry += original_fields(delivery.fields, truncate=truncate)
        self.payload["entries"].append(entry)

    def _mark(self) -> tuple[int, ...]:
        return (len(self._key_names), len(self._ops), len(self._feeds), len(self._tracks),
                len(self.payload["registers"]))

    def _rollback(self, mark: tuple[int, ...]) -> None:
        """Forget the keys, operations, feeds, tracks and registers added since ``mark``."""
        keys, ops, feeds, tracks, registers = mark
        for name in self._key_names[keys:]:
            del self._key_index[name]
        del self._key_names[keys:]
        self._expire = {index: ttl for index, ttl in self._expire.items() if index <= keys}
        self._ops = {op: index for op, index in self._ops.items() if index <= ops}
        del self.payload["ops"][ops:]
        self._feeds = {name: index for name, index in self._feeds.items() if index <= feeds}
        del self.payload["feeds"][feeds:]
        self._tracks = {track: index for track, index in self._tracks.items() if index <= tracks}
        del self.payload["tracks"][tracks:]
        for kind, *_ in self.payload["registers"][registers:]:
            self._registers.discard(kind)
        del self.payload["registers"][registers:]

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

    def status(self, key: str, field: str, ts_ms: int, status: str, extra: str = "") -> None:
        self._op("c", key, field, f"{ts_ms}|{status}|{extra}")

    def step(self, track: Track, subject: str, stage: str, identity: str, record: str,
             note: str, log_key: str, log_field: str) -> None:
        """The event moves ``subject`` to ``stage``; the script checks the order."""
        index = self._tracks.get(track)
        if index is None:
            self.payload["tracks"].append([
                self._key(track.open_key), self._key(track.closed_key),
                self._key(track.closed_at_key), track.label, track.retain_ms, track.open_kept,
                *track.stages])
            index = self._tracks[track] = len(self._tracks) + 1
        assert self._delivery is not None
        self._entry[6] = [index, subject, track.stages.index(stage) + 1, identity, record, note,
                          self._key(log_key), log_field, *original_fields(self._delivery.fields)]

    def add(self, key: str, field: str, amount: float) -> None:
        self._op("f", key, field, amount)

    def count(self, key: str, field: str, n: int = 1) -> None:
        self._op("i", key, field, n)

    def keep_max(self, key: str, field: str, value: int) -> None:
        self._op("m", key, field, value)

    def set(self, key: str, field: str, value: str) -> None:
        self._op("s", key, field, value)

    def running(self, key: str, field: str, delta: int, watch: Watch | None = None) -> None:
        self._op("z", key, field, self._watched(delta, watch))

    def reset_running(self, key: str, field: str, value: int, watch: Watch | None = None) -> None:
        self._op("r", key, field, self._watched(value, watch))

    def _watched(self, value: int, watch: Watch | None) -> Any:
        if watch is None or not watch.lines:
            return value
        return [value, self._key(watch.key), *sorted(watch.lines)]

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
            register = self.keys.unregistered(kind)
            if kind not in self._registers:
                # The script drops an id's per-id state with the id (see ENTITY_STATE).
                self._registers.add(kind)
                state = [self._key(self.keys.latest(name)) for name in ENTITY_STATE.get(kind, ())]
                self.payload["registers"].append([kind, self._key(register), *state])
            self._op("a", register, ident, self._ts_ms)
