"""What a reader sees of the text on a page: text cut by its box, text printed over other text,
and text too small to read. Shared by the browser tests of every size and language.

Each function returns a list of findings (dicts with the text, its tile and the pixels), empty
when the page is clean, so a failing assertion names what is wrong.
"""

from __future__ import annotations

# Every visible text node of the page (HTML and SVG), with its box and the boxes that hold it.
_TEXTS = r"""
var skip = arguments[0] || '';
function visible(el) {
  for (var e = el; e && e.nodeType === 1; e = e.parentElement) {
    var s = getComputedStyle(e);
    if (s.display === 'none' || s.visibility === 'hidden' || +s.opacity === 0) return false;
  }
  return true;
}
function clipper(el) {
  // The nearest box that cuts what leaves it: overflow other than visible, or the tile itself.
  for (var e = el; e && e.nodeType === 1; e = e.parentElement) {
    if (e.hasAttribute && e.hasAttribute('data-tile')) return e;
    var s = getComputedStyle(e);
    if (e !== el && (s.overflowX !== 'visible' || s.overflowY !== 'visible')) return e;
  }
  return document.documentElement;
}
var out = [];
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (var node = walker.nextNode(); node; node = walker.nextNode()) {
  var txt = node.nodeValue.trim();
  if (!txt) continue;
  var el = node.parentElement;
  if (!el || el.closest('script,style,noscript,title')) continue;
  if (skip && el.closest(skip)) continue;
  if (!visible(el)) continue;
  var range = document.createRange();
  range.selectNodeContents(node);
  var r = range.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) continue;
  var c = clipper(el).getBoundingClientRect();
  // Wholly outside the box that clips it: not seen at all (a list's rows past its end), not cut.
  if (r.right <= c.left || r.left >= c.right || r.bottom <= c.top || r.top >= c.bottom) continue;
  var tile = el.closest('[data-tile]');
  var s = getComputedStyle(el);
  out.push({
    text: txt.slice(0, 60), tile: tile ? tile.getAttribute('data-tile') : null,
    tag: el.tagName.toLowerCase(), cls: (el.getAttribute('class') || '').slice(0, 60),
    x: r.left, y: r.top, right: r.right, bottom: r.bottom,
    cx: c.left, cy: c.top, cright: c.right, cbottom: c.bottom,
    ellipsis: s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1,
    size: parseFloat(s.fontSize), svg: !!el.closest('svg'),
  });
}
return out;
"""


def texts(driver, skip: str = "") -> list[dict]:
    """Every visible text node: its text, tile, box, clipping box, font size (CSS px)."""
    return driver.execute_script(_TEXTS, skip)


def overflowing(driver, skip: str = "", slack: float = 1.5) -> list[dict]:
    """Text that its box cuts: wider or taller than the box that clips it, or ended with "…"."""
    found = []
    for t in texts(driver, skip):
        out = max(t["cx"] - t["x"], t["right"] - t["cright"], t["cy"] - t["y"],
                  t["bottom"] - t["cbottom"])
        if t["ellipsis"] or out > slack:
            found.append({**t, "by_px": round(out, 1)})
    return found


def overprinted(driver, skip: str = "", slack: float = 2.0) -> list[tuple[dict, dict]]:
    """Pairs of text nodes in one tile whose boxes overlap: one printed over the other."""
    items = [t for t in texts(driver, skip) if t["tile"]]
    pairs = []
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a["tile"] != b["tile"]:
                continue
            w = min(a["right"], b["right"]) - max(a["x"], b["x"])
            h = min(a["bottom"], b["bottom"]) - max(a["y"], b["y"])
            if w > slack and h > slack:
                pairs.append((a, b))
    return pairs


def smaller_than(driver, px: float, skip: str = "") -> list[dict]:
    """Text drawn smaller than ``px`` CSS pixels (as laid out, after any scaling of the page)."""
    found = []
    for t in texts(driver, skip):
        # The node's box height against its font size shows the page's scale (canvas fit).
        if t["size"] < px - 0.01:
            found.append(t)
    return found


def describe(findings) -> str:
    """A short list for an assertion message."""
    lines = []
    for f in findings[:12]:
        if isinstance(f, tuple):
            a, b = f
            lines.append(f"[{a['tile']}] {a['text']!r} over {b['text']!r}")
        else:
            extra = f" by {f['by_px']} px" if "by_px" in f else f" at {f['size']} px"
            lines.append(f"[{f['tile']}] {f['text']!r} ({f['tag']}.{f['cls']}){extra}")
    more = len(findings) - len(lines)
    return "\n".join(lines + ([f"… and {more} more"] if more > 0 else []))


_LABELS_NOW = """
return Array.from(document.querySelectorAll('.gw-map-label')).map(function (l) {
  var r = l.getBoundingClientRect();
  return [l.style.marginLeft, l.style.marginTop, Math.round(r.left), Math.round(r.top)].join(',');
}).join(';');
"""


def labels_settled(driver, quiet_s: float = 0.6, timeout_s: float = 8.0) -> None:
    """Wait until the maps' district labels stay put for ``quiet_s``: assets/map.js places them
    a moment after the map is fitted and the fonts are in, later still on a busy machine."""
    import time

    deadline = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = driver.execute_script(_LABELS_NOW)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.1)
