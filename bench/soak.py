"""Soak: does a screen left running for hours keep flat memory? (headless Chromium, 30+ min)

    .venv/bin/python bench/soak.py --minutes 30 [--speed 30] [--json out.json]

Stands up the real stack in one process (seeded temporary SQLite, Redis under a throw-away key
prefix, a real ingest worker, uvicorn serving the app) and runs the simulator ``--speed`` times
faster than real time, so the waste screen changes several times a second. Two pages watch it:

- **wall**: ``/screens/waste-sorting?kiosk=1`` left open the whole time — the leak check;
- **rotation**: ``…?kiosk=1&rotate_districts=10`` stepping through the 16 districts and the city.

Every ``--every`` seconds it reads each page's JS heap and DOM node count through the DevTools
protocol (``Performance.getMetrics``; collected garbage first with ``HeapProfiler.collectGarbage``
so the figure is what the page holds, not what it has yet to free). It prints the samples, the
growth from the first sample after ``--warmup`` minutes to the last, and a least-squares slope
(MB per hour). The stack comes from ``stack.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import threading
import time
import uuid
from pathlib import Path

from selenium.common.exceptions import TimeoutException
from stack import browser, delete_keys, ingest_worker, log, seeded_database, web_server

from dashboard.settings import Settings
from dashboard.sources import Sources
from datasources.platform.publisher import Simulator

PAGES = {"wall": "?kiosk=1", "rotation": "?kiosk=1&rotate_districts=10"}


def metrics(driver) -> dict[str, float]:
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    values = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    found = {m["name"]: m["value"] for m in values}
    return {"heap_mb": found["JSHeapUsedSize"] / 2**20, "nodes": found["Nodes"]}


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per hour."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    num = sum((t - mean_t) * (v - mean_v) for t, v in points)
    den = sum((t - mean_t) ** 2 for t, _ in points) or 1.0
    return num / den * 3600


def run(args: argparse.Namespace) -> dict:
    prefix = f"gwsoak:{uuid.uuid4().hex[:10]}"
    with contextlib.ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gwsoak-")))
        # The simulator's clock runs ahead of the worker's by up to the whole run × speed.
        settings = Settings(redis_url=args.redis, database_url=seeded_database(directory),
                            data_dir=directory, key_prefix=prefix, simulate=False,
                            max_clock_skew_s=300 + args.minutes * 60 * args.speed)
        stack.callback(delete_keys, args.redis, prefix)
        sources = Sources.from_settings(settings)
        stack.enter_context(ingest_worker(sources))
        base_url = stack.enter_context(web_server(settings, sources))
        simulator = Simulator(sources.redis, sources.keys, sources.store, settings.tz,
                              speed=args.speed)
        stop = threading.Event()
        stack.callback(stop.set)
        threading.Thread(target=simulator.run, args=(stop,), daemon=True).start()
        drivers = {}
        for name, query in PAGES.items():
            driver = stack.enter_context(browser())
            driver.execute_cdp_cmd("Performance.enable", {})
            driver.get(f"{base_url}/screens/waste-sorting{query}")
            drivers[name] = driver
        log(f"soaking {args.minutes} min at simulator speed {args.speed}× on {base_url}")
        started = time.monotonic()
        samples: dict[str, list[dict]] = {name: [] for name in PAGES}
        while (elapsed := time.monotonic() - started) < args.minutes * 60:
            for name, driver in drivers.items():
                try:
                    samples[name].append({"t_s": round(elapsed, 1), **metrics(driver)})
                except TimeoutException:  # mid-navigation (rotation) or busy: next round
                    log(f"{name}: no sample this round (page busy)")
            log(" · ".join(f"{n} {s[-1]['heap_mb']:.1f} MB {s[-1]['nodes']:.0f} nodes"
                           for n, s in samples.items() if s))
            time.sleep(args.every)
    report = {"minutes": args.minutes, "speed": args.speed, "pages": {}}
    for name, rows in samples.items():
        steady = [r for r in rows if r["t_s"] >= args.warmup * 60] or rows
        report["pages"][name] = {
            "samples": rows,
            "heap_first_mb": round(steady[0]["heap_mb"], 2),
            "heap_last_mb": round(steady[-1]["heap_mb"], 2),
            "heap_max_mb": round(max(r["heap_mb"] for r in steady), 2),
            "heap_slope_mb_per_h": round(slope_per_hour([(r["t_s"], r["heap_mb"]) for r in steady]), 2),
            "nodes_first": steady[0]["nodes"], "nodes_last": steady[-1]["nodes"],
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--every", type=float, default=30, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=3, help="minutes left out of the trend")
    parser.add_argument("--speed", type=float, default=30, help="simulator time acceleration")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = run(args)
    print(f"\nsoak: {args.minutes:g} min, simulator at {args.speed:g}×\n")
    print("| page | heap after warm-up | heap at end | max | trend | DOM nodes |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, page in report["pages"].items():
        print(f"| {name} | {page['heap_first_mb']} MB | {page['heap_last_mb']} MB | "
              f"{page['heap_max_mb']} MB | {page['heap_slope_mb_per_h']:+} MB/h | "
              f"{page['nodes_first']:.0f} → {page['nodes_last']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
