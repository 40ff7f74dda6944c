"""First render of a screen in a cold headless Chromium at 1920×1080, and what it transferred.

"Drawn" means: every tile of the screen's spec is in the DOM, every Plotly graph in it has
drawn its SVG and every Leaflet map has drawn its GeoJSON paths; the time is taken at the next
animation frame after that (so layout and paint of that state are included), in
``performance.now()`` milliseconds — which counts from navigation start. Bytes are the
compressed bodies (``encodedBodySize`` of Resource Timing) of every ``.js`` and ``.css``
response, with a fresh profile so nothing comes from cache.
"""

from __future__ import annotations

from stack import browser, wait_for

from dashboard.registry import ScreenSpec

# Installed before any page script runs; records window.__gwDrawn once the screen is drawn.
DRAWN_WATCH = """
(function (expected) {
  function drawn() {
    var tiles = document.querySelectorAll('#gw-root [data-tile]');
    if (tiles.length < expected) { return false; }
    for (var i = 0; i < tiles.length; i++) {
      var graphs = tiles[i].querySelectorAll('.js-plotly-plot');
      for (var g = 0; g < graphs.length; g++) {
        if (!graphs[g].querySelector('.main-svg')) { return false; }
      }
      var maps = tiles[i].querySelectorAll('.leaflet-container');
      for (var m = 0; m < maps.length; m++) {
        if (!maps[m].querySelector('path.leaflet-interactive')) { return false; }
      }
    }
    return true;
  }
  var observer = new MutationObserver(function () {
    if (window.__gwDrawn || !drawn()) { return; }
    observer.disconnect();
    requestAnimationFrame(function () { window.__gwDrawn = performance.now(); });
  });
  document.addEventListener('DOMContentLoaded', function () {
    observer.observe(document.body, {subtree: true, childList: true});
  });
})(%d);
"""

TRANSFERRED = """
var bytes = {js: 0, css: 0, other: 0, count: 0};
performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
  .forEach(function (e) {
    var path = e.name.split('?')[0];
    var kind = /\\.js$/.test(path) ? 'js' : /\\.css$/.test(path) ? 'css' : 'other';
    bytes[kind] += e.encodedBodySize || 0;
    bytes.count += 1;
  });
return bytes;
"""


def first_render(base_url: str, spec: ScreenSpec, timeout: float = 60) -> dict:
    """Navigation start → every tile drawn, and the compressed JS/CSS bytes, for one screen."""
    with browser((1920, 1080)) as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": DRAWN_WATCH % len(spec.tiles)})
        driver.get(f"{base_url}/screens/{spec.slug}")
        drawn_ms = wait_for(lambda: driver.execute_script("return window.__gwDrawn || 0;"),
                            timeout, f"{spec.slug} drawn")
        bytes_ = driver.execute_script(TRANSFERRED)
    return {"screen": spec.slug, "tiles": len(spec.tiles), "drawn_ms": round(drawn_ms, 1),
            "js_bytes": bytes_["js"], "css_bytes": bytes_["css"], "other_bytes": bytes_["other"],
            "requests": bytes_["count"]}
