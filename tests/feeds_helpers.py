"""Writing feed messages the way an upstream system does (XADD of flat string fields)."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_iso() -> str:
    return datetime.now(SHANGHAI).isoformat()


def publish(client, keys, feed: str, **fields) -> str:
    """XADD one message to ``feed``; values are stringified, ``ts`` and ``event_id`` filled in."""
    fields.setdefault("ts", now_iso())
    fields.setdefault("event_id", uuid.uuid4().hex)
    return client.xadd(keys.feed(feed), {k: str(v) for k, v in fields.items()})
