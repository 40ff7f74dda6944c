"""The benchmark's results as Markdown, with the issue's budget beside each figure."""

from __future__ import annotations


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _pct(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f} %"


def _ratio(slow: float | None, fast: float | None) -> str:
    if not slow or not fast or fast <= 0:
        return "—"
    return f"{slow / fast:,.1f}×"


def _latency_rows(mode: str, data: dict) -> list[str]:
    rows = []
    for screens, rates in data["screens"].items():
        for rate, f in rates.items():
            b, p = f["browser"], f["protocol"]
            rows.append(
                f"| {mode} | {screens} | {float(rate):g}/s | {_ms(b['median_ms'])} | {_ms(b['p95_ms'])} | "
                f"{b['seen']}/{b['events']} | {_ms(p['median_ms'])} | {_ms(p['p95_ms'])} | "
                f"{p['seen']}/{p['events']} | {f['cpu_pct']:.1f} % | {f['rss_mb']:.0f} MB |")
    return rows


def _counters_bytes(data: dict | None) -> str:
    sizes = [t["bytes_per_update"] for t in (data or {}).get("bytes", {}).get("tiles", {}).values()
             if t["kind"] == "counters"]
    return f"{max(sizes):,} B" if sizes else "—"


def _top(data: dict, rate: str = "1.0") -> dict | None:
    if not data:
        return None
    top = max(data["screens"], key=int)
    return {"screens": int(top), **data["screens"][top].get(rate, {})}


def markdown(results: dict) -> str:
    meta = results["meta"]
    push, poll = results.get("push"), results.get("poll")
    lines = [f"# greenwall benchmark — {meta['started']} at {meta['commit']}", "",
             f"{meta['cpus']} CPUs, Python {meta['python']}, {meta.get('minutes', '?')} min; "
             f"machine speed {meta.get('speed_s', '?')} s for 10 million squares in a Python loop "
             "(lower is faster). Method and the meaning of each figure: `docs/benchmarks.md`.", ""]

    top_push, top_poll = _top(push), _top(poll)
    lines += ["## Budget", "", "| figure | budget | push | poll | ratio |", "|---|---|---:|---:|---:|"]
    if top_push:
        b = top_push["browser"]
        lines.append(f"| feed → DOM p95, {top_push['screens']} screens, 1 event/s (browser pages) | "
                     f"≤ 50 ms | {_ms(b['p95_ms'])} ms | "
                     f"{_ms(top_poll['browser']['p95_ms']) if top_poll else '—'} ms | "
                     f"{_ratio(top_poll and top_poll['browser']['p95_ms'], b['p95_ms'])} |")
        lines.append(f"| feed → DOM median, same | — | {_ms(b['median_ms'])} ms | "
                     f"{_ms(top_poll['browser']['median_ms']) if top_poll else '—'} ms | "
                     f"{_ratio(top_poll and top_poll['browser']['median_ms'], b['median_ms'])} |")
        per_push = top_push["cpu_per_screen_pct"]
        per_poll = top_poll["cpu_per_screen_pct"] if top_poll else None
        lines.append(f"| server CPU per screen at 1 update/s | ≤ 0.05 % and ≥ 6× under polling | "
                     f"{_pct(per_push)} | {_pct(per_poll)} | {_ratio(per_poll, per_push)} |")
        if top_poll and "cpu_per_screen_at_1hz_pct" in top_poll:
            at_1hz = top_poll["cpu_per_screen_at_1hz_pct"]
            lines.append(f"| same, polling scaled to 1 request/s per screen (its pollers made "
                         f"{top_poll['poll_requests_per_screen_s']:.2f}/s) | | {_pct(per_push)} | "
                         f"{_pct(at_1hz)} | {_ratio(at_1hz, per_push)} |")
        if results.get("push2"):
            b2 = _top(results["push2"])["browser"]
            lines.append(f"| feed → DOM median / p95, same, 2 web processes | — | "
                         f"{_ms(b2['median_ms'])} / {_ms(b2['p95_ms'])} ms | | |")
        lines.append(f"| web process memory, {top_push['screens']} screens | ≤ 400 MB, flat | "
                     f"{push['rss_top_mb']:.0f} MB | {poll['rss_top_mb'] if poll else '—'} MB | |")
    for entry in results.get("ingest", []):
        lines.append(f"| ingest, {entry['workers']} worker(s), 5 % invalid | "
                     f"{'≥ 20,000/s' if entry['workers'] == 1 else '—'} | "
                     f"{entry['events_per_s']:,}/s | | |")
    for entry in results.get("render", []):
        compressed = (entry["js_bytes"] + entry["css_bytes"]) / 2**20
        lines.append(f"| first render `{entry['screen']}`, JS+CSS compressed | ≤ 1.5 s; ≤ 1.5 MB | "
                     f"{entry['drawn_ms'] / 1000:.2f} s; {compressed:.2f} MB | | |")
    if push:
        lines.append(f"| a number tile's update (JSON, before compression) | ≤ 1 KB | "
                     f"{_counters_bytes(push)} | {_counters_bytes(poll)} | |")

    lines += ["", "## Feed → DOM latency, CPU and memory of the web process", "",
              "Browser: real headless Chromium pages (XADD → `data-value` in the DOM). "
              "Protocol: the other screens, asyncio clients of the same protocol (XADD → message "
              "received). CPU: `greenwall web` only, % of one core during the events.", "",
              "| mode | screens | rate | browser median ms | browser p95 ms | seen | protocol median ms "
              "| protocol p95 ms | seen | web CPU | web RSS |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    push2 = results.get("push2")
    for mode, data in (("push", push), ("poll", poll), ("push, 2 web processes", push2)):
        if data:
            lines += _latency_rows(mode, data)
    lines += ["", "| mode | idle web CPU (0 screens, 1 event/s) | idle RSS | RSS at most screens "
              "| RSS per screen | RSS samples (s, MB) |", "|---|---:|---:|---:|---:|---|"]
    for mode, data in (("push", push), ("poll", poll), ("push, 2 web processes", push2)):
        if data:
            samples = ", ".join(f"{t}: {mb:.0f}" for t, mb in data["rss_samples"])
            lines.append(f"| {mode} | {data['idle']['cpu_pct']:.2f} % | {data['rss_idle_mb']:.0f} MB | "
                         f"{data['rss_top_mb']:.0f} MB | {data['rss_per_screen_mb'] * 1024:.0f} KB | "
                         f"{samples} |")

    lines += ["", "## Bytes per tile update (one screen, events at 1/s)", "",
              "| mode | tile | kind | updates | bytes per update |", "|---|---|---|---:|---:|"]
    for mode, data in (("push", push), ("poll", poll)):
        if data:
            for tile, entry in data["bytes"]["tiles"].items():
                lines.append(f"| {mode} | {tile} | {entry['kind']} | {entry['updates']} | "
                             f"{entry['bytes_per_update']:,} |")
            lines.append(f"| {mode} | *on the wire, everything* | | {data['bytes']['frames']} | "
                         f"{data['bytes']['wire_bytes_per_event']:,} per event |")
            if "bytes_compressed" in data:
                packed = data["bytes_compressed"]
                lines.append(f"| {mode}, `GREENWALL_WS_COMPRESSION=1` | *on the wire, everything* | | "
                             f"{packed['frames']} | {packed['wire_bytes_per_event']:,} per event |")

    lines += ["", "## Ingest (end to end, until the aggregates count every event)", "",
              "| workers | events | invalid | seconds | events/s |", "|---:|---:|---:|---:|---:|"]
    for e in results.get("ingest", []):
        lines.append(f"| {e['workers']} | {e['events']:,} | {e['invalid_share']:.0%} | {e['seconds']} | "
                     f"{e['events_per_s']:,} |")

    lines += ["", "## First render at 1920×1080 (cold cache)", "",
              "| screen | tiles | navigation → every tile drawn | JS (compressed) | CSS (compressed) "
              "| requests |", "|---|---:|---:|---:|---:|---:|"]
    for e in results.get("render", []):
        lines.append(f"| {e['screen']} | {e['tiles']} | {e['drawn_ms']:,.0f} ms | "
                     f"{e['js_bytes'] / 1024:,.0f} KB | {e['css_bytes'] / 1024:,.0f} KB | {e['requests']} |")
    return "\n".join(lines) + "\n"
