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
import sys
import tempfile
import uuid
from pathlib import Path

from feed import CURRENT_VALUE, METRIC, SELECTOR, TOLERANCE, latencies, open_screen, publish, summary
from stack import bench_sources, browser, ingest_worker, log, shanghai_day, wait_for, web_server


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
        sources = stack.enter_context(bench_sources(args.redis, prefix, directory))
        settings = sources.settings
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
