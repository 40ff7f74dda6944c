"""The whole benchmark (``make bench``): greenwall's push against 1 s polling, in one run.

    .venv/bin/python bench/run.py                       # everything, ~12 min on 2 cores
    .venv/bin/python bench/run.py --screens 1,50 --rates 1 --soak-minutes 0   # a quick look

Writes ``bench/results/<date>-<commit>.md`` and its JSON twin. Figures (``docs/benchmarks.md``
explains each): ingest of one and two workers; then for each push mode (``push``, ``poll``)
against one ``greenwall web`` process and one ``greenwall worker`` process — bytes per tile
update, server CPU and memory at rest and per connected screen, feed → DOM latency with 1, 50
and 200 screens (real Chromium pages plus protocol-level clients) at 1 and 10 events/s, and a
memory soak with 200 screens; then the first render of every registered screen.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import psutil
from clients import Fleet, WireMeter
from feed import METRIC, SCREEN_PATH, current_value, latencies, open_screen, publish, summary
from ingest_bench import sustained
from render import first_render
from report import markdown
from stack import (
    ROOT,
    bench_sources,
    browser,
    greenwall_process,
    log,
    process_env,
    shanghai_day,
    wait_for,
    web_process,
)

from dashboard import ids
from dashboard.discovery import payload_builders
from dashboard.payloads import PayloadCache
from dashboard.registry import get_screen, screens

SLUG = "waste-sorting"


class WebProbe:
    """CPU (% of one core) and resident memory of the web process and its children."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)

    def _processes(self) -> list[psutil.Process]:
        return [self.process, *self.process.children(recursive=True)]

    def cpu_seconds(self) -> float:
        return sum(sum(p.cpu_times()[:2]) for p in self._processes())

    def rss_mb(self) -> float:
        return sum(p.memory_info().rss for p in self._processes()) / 2**20

    @contextlib.contextmanager
    def cpu(self, into: dict):
        """Measure the CPU share over the block into ``into["cpu_pct"]``."""
        started, cpu = time.monotonic(), self.cpu_seconds()
        yield
        seconds = time.monotonic() - started
        into["cpu_pct"] = round((self.cpu_seconds() - cpu) / seconds * 100, 2)
        into["seconds"] = round(seconds, 1)
        into["rss_mb"] = round(self.rss_mb(), 1)


class Run:
    """Shared state of one benchmark run: sources, the changing metric total, results."""

    def __init__(self, args: argparse.Namespace, sources):
        self.args, self.sources = args, sources
        self.run_id = f"gwbench-{uuid.uuid4().hex[:8]}"
        self.published = 0
        self.total = None
        self.cache = PayloadCache(sources, payload_builders())

    def current_total(self) -> float:
        """The metric's value as the aggregates have it now."""
        for updates in self.cache.get(SLUG, None).updates.values():
            props = updates.get(ids.metric(METRIC))
            if props and "data-value" in props:
                return float(props["data-value"] or 0)
        raise KeyError(f"no tile of {SLUG} updates {METRIC}")

    def digests(self) -> dict:
        return self.cache.get(SLUG, None).digests

    def publish(self, events: int, rate: float) -> list:
        total = self.total if self.total is not None else self.current_total()
        sent = publish(self.sources, events, rate, total, self.run_id, first=self.published,
                       jitter=True)
        self.published += events
        self.total = sent[-1].expected
        return sent

    def wait_ingested(self, timeout: float = 30) -> None:
        """Until the aggregates show every event this run published (the worker caught up)."""
        wait_for(lambda: self.current_total() >= (self.total or 0) - 1e-6, timeout, "worker catch-up",
                 interval=0.1)


def bytes_per_update(run: Run, base_url: str, mode: str, events: int) -> dict:
    """One protocol client, behind a byte-counting relay, while ``events`` arrive at 1/s: the
    JSON bytes of each tile's update and the bytes the screen received on the wire."""
    spec = get_screen(SLUG)
    owner = {cid: tile for tile, updates in run.cache.get(SLUG, None).updates.items()
             for cid in updates}
    meter = WireMeter(base_url)
    fleet = Fleet(meter.url, mode, SCREEN_PATH, SLUG, run.digests(), ids.metric(METRIC))
    try:
        fleet.add(1, measure_bytes=1)
        time.sleep(2)
        down_before = meter.down
        run.publish(events, 1.0)
        run.wait_ingested()
        time.sleep(1.5)
        wire = meter.down - down_before
        record = fleet.records[0]
    finally:
        fleet.close()
        meter.close()
    tiles: dict[str, dict] = {}
    for t, component, size in record.messages:
        tile = owner.get(component)
        if tile is None:
            continue
        entry = tiles.setdefault(tile, {"bytes": 0, "pushes": set(), "kind": spec.tile(tile).kind})
        entry["bytes"] += size
        entry["pushes"].add(t)  # the messages of one push arrive in one frame or response
    for entry in tiles.values():
        entry["updates"] = len(entry.pop("pushes"))
        entry["bytes_per_update"] = round(entry["bytes"] / max(1, entry["updates"]))
    return {"events": events, "wire_bytes": wire, "wire_bytes_per_event": round(wire / events),
            "frames": len(record.frames), "tiles": tiles}


def latency_phase(run: Run, base_url: str, mode: str, probe: WebProbe, stack) -> dict:
    args = run.args
    result: dict = {"screens": {}, "idle": {}, "rss_samples": []}
    # At rest: no screen connected, the feed at 1 event/s.
    with probe.cpu(result["idle"]):
        run.publish(args.idle_seconds, 1.0)
    log(f"{mode}: idle web process {result['idle']}")
    fleet = stack.enter_context(contextlib.closing(
        Fleet(base_url, mode, SCREEN_PATH, SLUG, run.digests(), ids.metric(METRIC))))
    drivers = []
    started = time.monotonic()
    for count in args.screens:
        while len(drivers) < min(count, args.browsers):
            driver = stack.enter_context(browser())
            open_screen(driver, base_url, 60)
            drivers.append(driver)
        missing = count - len(drivers) - len(fleet.records)
        if missing > 0:
            fleet.add(missing)
        time.sleep(3)  # connections settle; the first pushes go out
        run.wait_ingested()
        for driver in drivers:
            driver.execute_script("window.__gwSeen = [];")
        fleet.take_seen()
        per_rate = {}
        for rate in args.rates:
            events = args.events_at_1 if rate <= 1 else args.events_at_10
            figures: dict = {}
            day = shanghai_day(run.sources.settings)
            with probe.cpu(figures):
                fleet.take_requests()
                sent = run.publish(events, rate)
                final = sent[-1].expected
                for driver in drivers:
                    with contextlib.suppress(TimeoutError):
                        wait_for(lambda d=driver, f=final: current_value(d) >= f - 1e-6, 30,
                                 "page final")
            requests = fleet.take_requests()  # poll requests answered during the CPU window
            time.sleep(1.5)  # a poll client asks at most 1 s later
            if shanghai_day(run.sources.settings) != day:
                raise RuntimeError("the run crossed midnight in Asia/Shanghai; today's total reset")
            pages = [latencies(sent, d.execute_script("var s = window.__gwSeen || [];"
                                                      "window.__gwSeen = []; return s;"))
                     for d in drivers]
            protocol = [latencies(sent, seen) for seen in fleet.take_seen()]
            figures["browser"] = summary([v for values in pages for v in values])
            figures["protocol"] = summary([v for values in protocol for v in values])
            figures["cpu_per_screen_pct"] = round(
                (figures["cpu_pct"] - result["idle"]["cpu_pct"]) / count, 4)
            if mode == "poll" and len(fleet.records):
                # Protocol pollers that fall behind ask less than once a second; the baseline's
                # cost per screen is then scaled to the 1 request/s a page's Interval makes
                # (browser pages are taken to keep up).
                rate_per_screen = requests / figures["seconds"] / len(fleet.records)
                figures["poll_requests_per_screen_s"] = round(rate_per_screen, 3)
                figures["cpu_per_screen_at_1hz_pct"] = round(
                    figures["cpu_per_screen_pct"] / max(rate_per_screen, 1e-6), 4)
            figures["failed_clients"] = fleet.failed
            per_rate[str(rate)] = figures
            result["rss_samples"].append((round(time.monotonic() - started), figures["rss_mb"]))
            log(f"{mode}: {count} screens at {rate:g}/s: browser {figures['browser']['median_ms']} / "
                f"{figures['browser']['p95_ms']} ms, protocol {figures['protocol']['median_ms']} / "
                f"{figures['protocol']['p95_ms']} ms, web CPU {figures['cpu_pct']} %, "
                f"RSS {figures['rss_mb']} MB")
        result["screens"][str(count)] = per_rate
    top = max(args.screens)
    if args.soak_minutes > 0 and mode == "push":
        log(f"{mode}: memory soak, {top} screens at 1 event/s for {args.soak_minutes:g} min")
        soak_started = time.monotonic()
        while time.monotonic() - soak_started < args.soak_minutes * 60:
            run.publish(30, 1.0)
            result["rss_samples"].append((round(time.monotonic() - started), round(probe.rss_mb(), 1)))
        run.wait_ingested()
    result["rss_idle_mb"] = result["idle"]["rss_mb"]
    result["rss_top_mb"] = round(probe.rss_mb(), 1)
    result["rss_per_screen_mb"] = round((result["rss_top_mb"] - result["rss_idle_mb"]) / top, 3)
    return result


def machine_speed() -> float:
    """Seconds this machine takes for a fixed pure-Python loop (the sum of 10 million squares):
    runs on different machines compare through it (a typical desktop core: about 0.6 s)."""
    started = time.perf_counter()
    sum(i * i for i in range(10_000_000))
    return round(time.perf_counter() - started, 2)


def commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                             capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               text=True, capture_output=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run(args: argparse.Namespace) -> dict:
    began = time.monotonic()
    results: dict = {"meta": {"started": datetime.now().isoformat(timespec="seconds"),
                              "commit": commit(), "cpus": psutil.cpu_count(),
                              "python": sys.version.split()[0], "args": vars(args),
                              "speed_s": machine_speed()}}
    log("ingest: one worker, then two in one group")
    results["ingest"] = [sustained(args.redis, args.ingest_events, 0.05, n) for n in (1, 2)]
    log(f"ingest: {results['ingest']}")
    prefix = f"gwbench:{uuid.uuid4().hex[:10]}"
    with contextlib.ExitStack() as outer:
        directory = Path(outer.enter_context(tempfile.TemporaryDirectory(prefix="gwbench-")))
        sources = outer.enter_context(bench_sources(args.redis, prefix, directory))
        bench = Run(args, sources)
        outer.enter_context(greenwall_process(["worker", "--name", "bench-worker"],
                                              process_env(sources.settings)))
        for mode in args.modes:
            # push2: push served by two web processes, the top screen count at 1 event/s only.
            push_mode, workers = ("push", 2) if mode == "push2" else (mode, 1)
            with contextlib.ExitStack() as stack:
                base_url, process = stack.enter_context(
                    web_process(sources.settings, workers, GREENWALL_PUSH_MODE=push_mode))
                probe = WebProbe(process.pid)
                log(f"{mode}: greenwall web pid {process.pid} at {base_url}")
                results[mode] = {"bytes": bytes_per_update(bench, base_url, push_mode,
                                                           args.bytes_events)}
                phase = bench if mode != "push2" else Run(argparse.Namespace(
                    **{**vars(args), "screens": args.screens[-1:], "rates": [1.0],
                       "soak_minutes": 0}), sources)
                results[mode].update(latency_phase(phase, base_url, push_mode, probe, stack))
            if mode == "push":
                with web_process(sources.settings, GREENWALL_WS_COMPRESSION="1") as (base_url, _):
                    results[mode]["bytes_compressed"] = bytes_per_update(
                        bench, base_url, mode, args.bytes_events)
            if mode == "push":
                with web_process(sources.settings) as (base_url, _):
                    results["render"] = [first_render(base_url, spec) for spec in screens()]
                log(f"render: {results['render']}")
    results["meta"]["minutes"] = round((time.monotonic() - began) / 60, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--screens", default="1,50,200", help="connected screens, ascending")
    parser.add_argument("--rates", default="1,10", help="events per second")
    parser.add_argument("--modes", default="push,poll,push2",
                        help="push2: push from two web processes, most screens at 1 event/s")
    parser.add_argument("--browsers", type=int, default=2, help="real Chromium pages among the screens")
    parser.add_argument("--events-at-1", type=int, default=30)
    parser.add_argument("--events-at-10", type=int, default=100)
    parser.add_argument("--idle-seconds", type=int, default=15)
    parser.add_argument("--bytes-events", type=int, default=10)
    parser.add_argument("--ingest-events", type=int, default=100_000)
    parser.add_argument("--soak-minutes", type=float, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    args.screens = sorted(int(n) for n in args.screens.split(","))
    args.rates = [float(r) for r in args.rates.split(",")]
    args.modes = args.modes.split(",")
    results = run(args)
    results["meta"]["args"] = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    stem = f"{datetime.now().date().isoformat()}-{results['meta']['commit']}"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    text = markdown(results)
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    print(text)
    log(f"wrote {args.out / stem}.md and .json")


if __name__ == "__main__":
    main()
