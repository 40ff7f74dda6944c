"""Where feed → DOM time goes, stage by stage, for one Chromium page among N screens.

    .venv/bin/python bench/timeline.py --screens 1
    .venv/bin/python bench/timeline.py --screens 200

Per weighing message, medians over the run (all clocks are this machine's wall clock):

- XADD → commit: the worker reads, validates and applies the batch (the ``changes`` entry id);
- commit → queued: the web process hears of the version, builds the payload and queues this
  page's frame (the frame's ``data-heartbeat`` is stamped as it is queued);
- queued → page: the frame crosses the socket and Dash's shared worker to the page (a hook on
  the worker's message port, installed before Dash loads);
- page → DOM: Dash's renderer and React apply it (a MutationObserver on the root's heartbeat).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from clients import Fleet
from feed import METRIC, SCREEN_PATH, open_screen
from run import SLUG, Run
from stack import bench_sources, browser, greenwall_process, process_env, web_process

from dashboard import ids

# Before Dash loads: stamp each message the shared worker hands this page, with the heartbeat
# it carries, and every change of the root's heartbeat attribute.
HOOK = """
window.__gwPort = []; window.__gwDom = [];
(function () {
  var Shared = window.SharedWorker;
  window.SharedWorker = function (url, options) {
    var worker = new Shared(url, options), port = worker.port;
    var slot = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
    Object.defineProperty(port, 'onmessage', {configurable: true,
      get: function () { return slot.get.call(port); },
      set: function (handler) { slot.set.call(port, function (event) {
        var t = Date.now(), beat = null;
        var items = event.data && Array.isArray(event.data.payload) ? event.data.payload : [];
        items.forEach(function (p) {
          if (p && p.props && p.props['data-heartbeat']) { beat = +p.props['data-heartbeat']; }
        });
        if (beat) { window.__gwPort.push({beat: beat, t: t}); }
        return handler.call(this, event);
      }); }});
    return worker;
  };
})();
"""
WATCH_ROOT = """
new MutationObserver(function () {
  var root = document.getElementById('gw-root');
  window.__gwDom.push({beat: +root.getAttribute('data-heartbeat'),
                       version: +root.getAttribute('data-version'), t: Date.now()});
}).observe(document.getElementById('gw-root'), {attributes: true, attributeFilter: ['data-heartbeat']});
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--screens", type=int, default=1, help="connected screens, one a browser")
    parser.add_argument("--events", type=int, default=30)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gwbench-")))
        sources = stack.enter_context(bench_sources(args.redis, f"gwbench:{uuid.uuid4().hex[:10]}",
                                                    directory))
        bench = Run(argparse.Namespace(), sources)
        stack.enter_context(greenwall_process(["worker"], process_env(sources.settings)))
        base_url, _ = stack.enter_context(web_process(sources.settings))
        driver = stack.enter_context(browser())
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK})
        open_screen(driver, base_url, 60)
        fleet = stack.enter_context(contextlib.closing(
            Fleet(base_url, "push", SCREEN_PATH, SLUG, bench.digests(), ids.metric(METRIC))))
        if args.screens > 1:
            fleet.add(args.screens - 1)
        time.sleep(3)
        driver.execute_script(WATCH_ROOT + "window.__gwPort = [];")
        sent = bench.publish(args.events, 1.0)
        bench.wait_ingested()
        time.sleep(1.5)
        commits = {}
        for entry_id, fields in sources.redis.xrange(sources.keys.changes, count=100_000):
            entry_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
            version = fields.get(b"version", fields.get("version"))
            commits[int(version)] = int(entry_id.split("-")[0])
        port = {p["beat"]: p["t"] for p in driver.execute_script("return window.__gwPort;")}
        dom, shown = [], set()  # the first frame of each version; later ones are heartbeats
        for d in driver.execute_script("return window.__gwDom;"):
            if d["version"] in commits and d["version"] not in shown:
                shown.add(d["version"])
                dom.append(d)
        stages: dict[str, list[float]] = {"XADD → commit": [], "commit → queued": [],
                                          "queued → page": [], "page → DOM": []}
        ordered = sorted(commits.items(), key=lambda item: item[1])
        for message in sent:
            commit = next((t for _, t in ordered if t >= message.t0_ms - 1), None)
            if commit is not None:
                stages["XADD → commit"].append(commit - message.t0_ms)
        for d in dom:
            stages["commit → queued"].append(d["beat"] - commits[d["version"]])
            if d["beat"] in port:
                stages["queued → page"].append(port[d["beat"]] - d["beat"])
                stages["page → DOM"].append(d["t"] - port[d["beat"]])
        print(f"{args.screens} screen(s), {args.events} events at 1/s, medians (p95) in ms:")
        for stage, values in stages.items():
            if values:
                values.sort()
                p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
                print(f"  {stage:16} {statistics.median(values):6.1f}  ({p95:.1f})  n={len(values)}")
    sys.exit(0)


if __name__ == "__main__":
    main()
