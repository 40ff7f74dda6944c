"""Profile the web process under load: N protocol screens, events at a rate, optional py-spy.

    .venv/bin/python bench/profile_push.py --screens 200 --seconds 30 --pyspy /tmp/web.svg

A quick loop for working on push cost; ``run.py`` is the benchmark of record.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from clients import Fleet
from feed import METRIC, SCREEN_PATH, current_value, latencies, open_screen, summary
from run import SLUG, Run, WebProbe
from stack import bench_sources, browser, greenwall_process, process_env, web_process

from dashboard import ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--browsers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--mode", default="push")
    parser.add_argument("--workers", type=int, default=1, help="web processes")
    parser.add_argument("--compression", action="store_true", help="permessage-deflate on")
    parser.add_argument("--pyspy", type=Path, help="write py-spy collapsed stacks of the web process")
    args = parser.parse_args()
    prefix = f"gwbench:{uuid.uuid4().hex[:10]}"
    with contextlib.ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gwbench-")))
        sources = stack.enter_context(bench_sources(args.redis, prefix, directory))
        bench = Run(argparse.Namespace(), sources)
        stack.enter_context(greenwall_process(["worker", "--name", "bench-worker"],
                                              process_env(sources.settings)))
        base_url, process = stack.enter_context(
            web_process(sources.settings, args.workers, GREENWALL_PUSH_MODE=args.mode,
                        GREENWALL_WS_COMPRESSION="1" if args.compression else "0"))
        probe = WebProbe(process.pid)
        idle: dict = {}
        with probe.cpu(idle):
            bench.publish(10, 1.0)
        drivers = []
        for _ in range(args.browsers):
            driver = stack.enter_context(browser())
            open_screen(driver, base_url, 60)
            drivers.append(driver)
        fleet = stack.enter_context(contextlib.closing(
            Fleet(base_url, args.mode, SCREEN_PATH, SLUG, bench.digests(), ids.metric(METRIC))))
        fleet.add(args.screens - len(drivers))
        time.sleep(3)
        bench.wait_ingested()
        for driver in drivers:
            driver.execute_script("window.__gwSeen = [];")
        fleet.take_seen()
        spy = None
        if args.pyspy:
            pyspy = Path(sys.executable).with_name("py-spy")
            spy = subprocess.Popen([str(pyspy), "record", "-f", "raw", "-o", str(args.pyspy),
                                    "-p", str(process.pid), "-d", str(args.seconds), "-r", "100"],
                                   stdout=subprocess.DEVNULL)
        figures: dict = {}
        with probe.cpu(figures):
            sent = bench.publish(int(args.seconds * args.rate), args.rate)
            for driver in drivers:
                with contextlib.suppress(TimeoutError):
                    deadline = time.monotonic() + 20
                    while current_value(driver) < sent[-1].expected - 1e-6 and time.monotonic() < deadline:
                        time.sleep(0.05)
        time.sleep(1.5)
        if spy is not None:
            spy.wait()
        pages = [latencies(sent, d.execute_script("return window.__gwSeen || [];")) for d in drivers]
        protocol = [latencies(sent, seen) for seen in fleet.take_seen()]
        print(f"idle CPU {idle['cpu_pct']} %; under load CPU {figures['cpu_pct']} % "
              f"({(figures['cpu_pct'] - idle['cpu_pct']) / args.screens:.4f} % per screen), "
              f"RSS {figures['rss_mb']} MB")
        print("browser", summary([v for values in pages for v in values]))
        print("protocol", summary([v for values in protocol for v in values]))
        print("failed clients", fleet.failed)
        metrics = httpx.get(base_url + "/metrics", timeout=10).text
        print("server push latency (s, cumulative):", " ".join(
            line.split('le="')[1].replace('"} ', ":") for line in metrics.splitlines()
            if line.startswith("greenwall_push_latency_seconds_bucket")))
        print("pushes:", [line for line in metrics.splitlines() if line.startswith("greenwall_pushes_total")])
    sys.exit(0)


if __name__ == "__main__":
    main()
