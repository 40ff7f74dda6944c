"""End-to-end push latency: feed XADD → the waste-sorting screen's DOM, in real headless Chromium.

    .venv/bin/python bench/latency_bench.py                          # 40 events at 1/s, 1 page
    .venv/bin/python bench/latency_bench.py --events 40 --rate 10 --pages 3 --json out.json

What is measured: for every weighing message, the time from just before its XADD to the
moment a browser's ``[data-metric="waste.tonnes_today.wet"]`` element carries a
``data-value`` that includes it. That covers the whole live path: ingest worker (validate,
Lua apply, version bump), the web process's live hub, the payload build, the WebSocket push
and Dash's DOM update. Painting is not included.

How: the script stands up the real stack in-process, as the test fixtures do — a seeded
temporary SQLite snapshot database, Redis at ``--redis`` under a throw-away key prefix, a
real ``IngestWorker`` thread, and uvicorn serving ``create_app`` in a thread (no simulator).
It opens ``--pages`` headless Chromium windows (1920×1080, one browser each) on
``/screens/waste-sorting``, waits for ``data-connection="live"``, and installs a
MutationObserver that appends ``{value, t: Date.now()}`` to ``window.__gwSeen`` whenever the
metric's ``data-value`` changes. ``Date.now()`` and Python's ``time.time()`` read the same
machine clock, so the two timestamps are comparable (to the browser clock's 1 ms). The
observer watches the document for ``data-value`` changes (and node replacement) and re-reads
the metric element, so it keeps working even if Dash re-mounts the element. Worker, web
server and the measuring code share one Python process, as in the tests; a deployment runs
them as separate processes.

Message *i* carries ``1.00 + i × 0.01`` tonnes of wet waste, so its expected cumulative
total is known. When updates coalesce (several events in one push), each event is
attributed to the first observation whose value is ≥ its expected total (tolerance 1e-6).
p95 is the nearest-rank percentile. A run must not cross midnight in Asia/Shanghai, where
"today" (and the total) resets; the script refuses to report such a run.

Browsers, server, worker, temporary files and Redis keys are torn down on exit, also on error
or Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import redis
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.app import create_app  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from dashboard.sources import Sources  # noqa: E402
from datasources.redis_feeds import IngestWorker, connect  # noqa: E402
from datasources.seed import seed  # noqa: E402
from datasources.snapshot import SnapshotStore  # noqa: E402

SCREEN_PATH = "/screens/waste-sorting"
METRIC = "waste.tonnes_today.wet"
SELECTOR = f'[data-metric="{METRIC}"]'
FEED = "waste.weighing"
MESSAGE = {"district": "310115", "station": "ST-310115-01", "vehicle": "VH-310115-001",
           "category": "wet"}
TOLERANCE = 1e-6

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1920,1080",
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost")

# Returns {value: the metric's current data-value} (null if the element is missing yet) and
# starts recording every later change of it, timestamped with the browser's wall clock.
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


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the result table."""
    print(message, file=sys.stderr, flush=True)


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    """Poll ``predicate`` until truthy (returned) or raise ``TimeoutError`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shanghai_day(settings: Settings) -> str:
    return datetime.now(settings.tz).date().isoformat()


# ---- the stack: database, worker, web server, browsers --------------------------------------


def seeded_database(directory: Path) -> str:
    url = f"sqlite:///{directory / 'greenwall.db'}"
    store = SnapshotStore(url)
    try:
        store.create_schema()
        seed(store)
    finally:
        store.close()
    return url


def delete_keys(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
    finally:
        client.close()


@contextlib.contextmanager
def ingest_worker(sources: Sources):
    """A real ingest worker consuming the bench's streams in a thread."""
    client = connect(sources.redis_url)
    worker = IngestWorker(client, sources.keys, sources.settings.tz,
                          sources.store.master_lookup(), consumer="bench-worker", block_ms=100)
    worker.ensure_groups()
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="bench-worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(10)
        client.close()


@contextlib.contextmanager
def web_server(settings: Settings, sources: Sources):
    """The real web app served by uvicorn in a thread; yields its base URL."""
    app = create_app(settings, sources)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app.server, host="127.0.0.1", port=port,
                                           log_level="warning", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, name="bench-uvicorn", daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), 15, "uvicorn start")
        if not server.started:
            raise RuntimeError("uvicorn exited during start-up")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def browser():
    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(10)
        yield driver
    finally:
        driver.quit()


def open_screen(driver: webdriver.Chrome, base_url: str, timeout: float) -> float:
    """Load the screen, wait for its live connection, start observing; the metric's value."""
    driver.get(base_url + SCREEN_PATH)
    wait_for(lambda: driver.execute_script(IS_LIVE), timeout, "screen live connection")
    initial = wait_for(lambda: driver.execute_script(INSTALL_OBSERVER, SELECTOR), timeout,
                       f"{SELECTOR} present")
    return float(initial["value"] or 0)


# ---- publishing and attribution -------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    tonnes: float
    t0_ms: float  # time.time() * 1000 just before the XADD
    expected: float  # the metric's value once this event (and all before it) arrived


def publish(sources: Sources, events: int, rate: float, baseline: float, run_id: str) -> list[Sent]:
    """XADD ``events`` weighing messages, one every ``1 / rate`` s (paced, not measured)."""
    stream = sources.keys.feed(FEED)
    sent: list[Sent] = []
    total = baseline
    start = time.monotonic()
    for i in range(events):
        pause = start + i / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        tonnes = float(f"{1.0 + i * 0.01:.2f}")
        total += tonnes
        fields = {**MESSAGE, "tonnes": f"{tonnes:.2f}", "event_id": f"{run_id}-{i}",
                  "ts": str(int(time.time() * 1000))}
        t0_ms = time.time() * 1000
        sources.redis.xadd(stream, fields)
        sent.append(Sent(tonnes, t0_ms, total))
    return sent


def latencies(sent: list[Sent], seen: list[dict]) -> list[float | None]:
    """Per event: ms from its XADD to the first observation that includes it (None: never)."""
    observations = sorted((float(o["t"]), float(o["value"])) for o in seen if o["value"] != "")
    result: list[float | None] = []
    for event in sent:
        hit = next((t for t, value in observations if value >= event.expected - TOLERANCE), None)
        result.append(None if hit is None else hit - event.t0_ms)
    return result


def summary(values: list[float | None]) -> dict:
    found = sorted(v for v in values if v is not None)
    stats = {"events": len(values), "seen": len(found), "never_seen": len(values) - len(found),
             "median_ms": None, "p95_ms": None, "max_ms": None}
    if found:
        stats.update(median_ms=statistics.median(found),
                     p95_ms=found[math.ceil(0.95 * len(found)) - 1],  # nearest rank
                     max_ms=found[-1])
    return stats


def markdown(rows: list[tuple[str, dict]]) -> str:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f}"

    lines = ["| page | events | seen | never seen | median ms | p95 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in rows:
        lines.append(f"| {name} | {s['events']} | {s['seen']} | {s['never_seen']} | "
                     f"{ms(s['median_ms'])} | {ms(s['p95_ms'])} | {ms(s['max_ms'])} |")
    return "\n".join(lines)


# ---- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    run_id = f"gwbench-{uuid.uuid4().hex[:10]}"
    prefix = f"gwbench:{uuid.uuid4().hex[:10]}"
    with contextlib.ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gwbench-")))
        log(f"seeding snapshot database in {directory}")
        settings = Settings(redis_url=args.redis, database_url=seeded_database(directory),
                            data_dir=directory, key_prefix=prefix, simulate=False)
        stack.callback(delete_keys, args.redis, prefix)
        sources = Sources.from_settings(settings)
        stack.callback(sources.redis.close)
        stack.callback(sources.store.close)
        sources.redis.ping()
        stack.enter_context(ingest_worker(sources))
        base_url = stack.enter_context(web_server(settings, sources))
        log(f"serving {base_url} with Redis key prefix {prefix}")

        drivers, baselines = [], []
        for n in range(args.pages):
            driver = stack.enter_context(browser())
            baselines.append(open_screen(driver, base_url, args.timeout))
            drivers.append(driver)
            log(f"page {n + 1}: live, {METRIC} = {baselines[-1]:g}")
        if len(set(baselines)) != 1:
            raise RuntimeError(f"pages disagree on the starting value: {baselines}")

        day = shanghai_day(settings)
        log(f"publishing {args.events} events at {args.rate:g}/s")
        sent = publish(sources, args.events, args.rate, baselines[0], run_id)
        final = sent[-1].expected
        log(f"published; waiting up to {args.timeout:.0f} s for every page to show {final:g}")
        for n, driver in enumerate(drivers, 1):
            with contextlib.suppress(TimeoutError):  # a page that never gets there is reported
                wait_for(lambda d=driver: float(d.execute_script(CURRENT_VALUE, SELECTOR) or 0)
                         >= final - TOLERANCE, args.timeout, f"page {n} final value")
        if shanghai_day(settings) != day:
            raise RuntimeError("the run crossed midnight in Asia/Shanghai; today's total reset")

        per_page = [latencies(sent, d.execute_script("return window.__gwSeen || [];"))
                    for d in drivers]

    pages = [summary(values) for values in per_page]
    overall = summary([v for values in per_page for v in values])
    rows = [(str(n), s) for n, s in enumerate(pages, 1)] + [("all", overall)]
    print(f"Feed XADD → DOM `data-value` of `{METRIC}`: {args.events} events at "
          f"{args.rate:g}/s, {args.pages} page(s)\n")
    print(markdown(rows))
    if args.json:
        report = {
            "events": args.events, "rate_per_s": args.rate, "pages": args.pages,
            "per_page": [{"page": n, **s, "latencies_ms": values}
                         for n, (s, values) in enumerate(zip(pages, per_page, strict=True), 1)],
            "overall": overall,
        }
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    return 1 if overall["never_seen"] else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=40, help="weighing messages to publish")
    parser.add_argument("--rate", type=float, default=1.0, help="messages per second")
    parser.add_argument("--pages", type=int, default=1, help="browser pages watching the screen")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Redis URL")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds to wait for a page to connect, or to catch up at the end")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON here")
    args = parser.parse_args()
    if args.events < 1 or args.rate <= 0 or args.pages < 1:
        parser.error("--events and --pages must be ≥ 1 and --rate > 0")
    sys.exit(run(args))


if __name__ == "__main__":
    main()
