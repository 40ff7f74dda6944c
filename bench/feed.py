"""Feed → screen timing: paced weighing messages with known totals, a page-side observer, and
attribution of each message to the first observation that includes it.

Message *i* of a run carries ``1.00 + i × 0.01`` tonnes of wet waste, so its expected
cumulative ``waste.tonnes_today.wet`` is known. When updates coalesce (several events in one
push or poll), each event is attributed to the first observation whose value is ≥ its expected
total (tolerance 1e-6). ``Date.now()`` in Chromium and ``time.time()`` here read the same
machine clock, so XADD and DOM timestamps are comparable to about 1 ms. p95 is nearest-rank.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from dataclasses import dataclass

from stack import wait_for

from dashboard.sources import Sources

SCREEN_PATH = "/screens/waste-sorting"
METRIC = "waste.tonnes_today.wet"
SELECTOR = f'[data-metric="{METRIC}"]'
FEED = "waste.weighing"
MESSAGE = {"district": "310115", "station": "ST-310115-01", "vehicle": "VH-310115-001",
           "category": "wet"}
TOLERANCE = 1e-6

# Returns {value: the metric's current data-value} (null if the element is missing yet) and
# starts recording every later change of it, timestamped with the browser's wall clock. It
# watches the whole document, so it keeps working if Dash re-mounts the element.
INSTALL_OBSERVER = """
var selector = arguments[0];
var element = document.querySelector(selector);
if (!element) { return null; }
var last = element.getAttribute('data-value');
if (window.__gwObserver) { window.__gwObserver.disconnect(); }
window.__gwSeen = [];
window.__gwObserver = new MutationObserver(function () {
  var t = Date.now();
  var node = document.querySelector(selector);
  var value = node ? node.getAttribute('data-value') : null;
  if (value !== null && value !== last) {
    last = value;
    window.__gwSeen.push({value: value, t: t});
  }
});
window.__gwObserver.observe(document.body, {
  subtree: true, childList: true, attributes: true, attributeFilter: ['data-value']
});
return {value: last};
"""
IS_LIVE = ("var r = document.getElementById('gw-root');"
           "return !!r && r.getAttribute('data-connection') === 'live';")
CURRENT_VALUE = ("var e = document.querySelector(arguments[0]);"
                 "return e ? e.getAttribute('data-value') : null;")
SEEN = "var s = window.__gwSeen || []; window.__gwSeen = []; return s;"


def open_screen(driver, base_url: str, timeout: float, path: str = SCREEN_PATH) -> float:
    """Load the screen, wait for its live connection, start observing; the metric's value."""
    driver.get(base_url + path)
    wait_for(lambda: driver.execute_script(IS_LIVE), timeout, "screen live connection")
    initial = wait_for(lambda: driver.execute_script(INSTALL_OBSERVER, SELECTOR), timeout,
                       f"{SELECTOR} present")
    return float(initial["value"] or 0)


def current_value(driver) -> float:
    return float(driver.execute_script(CURRENT_VALUE, SELECTOR) or 0)


@dataclass(frozen=True)
class Sent:
    tonnes: float
    t0_ms: float  # time.time() * 1000 just before the XADD
    expected: float  # the metric's value once this event (and all before it) arrived


def publish(sources: Sources, events: int, rate: float, baseline: float, run_id: str,
            first: int = 0, jitter: bool = False) -> list[Sent]:
    """XADD ``events`` weighing messages, one every ``1 / rate`` s (paced, not measured).

    ``jitter`` moves each message by up to half an interval either way, so that a poller
    running at the same rate does not lock onto one phase of the feed.
    """
    stream = sources.keys.feed(FEED)
    sent: list[Sent] = []
    total = baseline
    start = time.monotonic()
    rng = random.Random(first)
    for i in range(events):
        offset = rng.uniform(-0.5, 0.5) if jitter and i else 0.0
        pause = start + (i + offset) / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        tonnes = float(f"{1.0 + (first + i) % 1000 * 0.01:.2f}")
        total += tonnes
        fields = {**MESSAGE, "tonnes": f"{tonnes:.2f}", "event_id": f"{run_id}-{first + i}",
                  "ts": str(int(time.time() * 1000))}
        t0_ms = time.time() * 1000
        sources.redis.xadd(stream, fields)
        sent.append(Sent(tonnes, t0_ms, total))
    return sent


def latencies(sent: list[Sent], seen: list[dict]) -> list[float | None]:
    """Per event: ms from its XADD to the first observation that includes it (None: never).

    ``seen`` holds ``{"value", "t"}`` observations (``t`` in epoch ms).
    """
    observations = sorted((float(o["t"]), float(o["value"])) for o in seen if o["value"] != "")
    result: list[float | None] = []
    for event in sent:
        hit = next((t for t, value in observations
                    if value >= event.expected - TOLERANCE and t >= event.t0_ms), None)
        result.append(None if hit is None else hit - event.t0_ms)
    return result


def nearest_rank(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float | None]) -> dict:
    """Count, median, p95 (nearest rank) and max of the values that are not None."""
    found = sorted(v for v in values if v is not None)
    stats = {"events": len(values), "seen": len(found), "never_seen": len(values) - len(found),
             "median_ms": None, "p95_ms": None, "max_ms": None}
    if found:
        stats.update(median_ms=statistics.median(found), p95_ms=nearest_rank(found, 0.95),
                     max_ms=found[-1])
    return stats
