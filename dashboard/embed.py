"""Embedding: what an iframe host may frame, and where the embedded page may post messages.

The tokens themselves are grants (``dashboard.grants``, kind ``embed``); this module holds the
frame-ancestor rules (``GREENWALL_FRAME_ANCESTORS``), the page a host that may not embed sees in
its frame, and the root attributes ``assets/embed.js`` reads.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from dashboard.districts import DISTRICTS
from dashboard.grants import Grant

_CONCRETE_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/*\s]+/?$", re.IGNORECASE)


# ---- frame ancestors: the CSP header and where postMessage may go ---------------------------


def csp_header(frame_ancestors: str) -> dict[str, str]:
    """The header that lets exactly ``GREENWALL_FRAME_ANCESTORS`` frame an embed page."""
    sources = frame_ancestors.strip() or "'none'"
    return {"Content-Security-Policy": f"frame-ancestors {sources}"}


def host_origins(frame_ancestors: str) -> tuple[tuple[str, ...], bool]:
    """The concrete origins among the frame ancestors (``self`` for ``'self'``), and whether
    any source is not a concrete origin (a wildcard, a bare scheme), in which case the page
    falls back to its referrer's origin."""
    concrete: list[str] = []
    vague = False
    for source in frame_ancestors.split():
        if source == "'self'":
            concrete.append("self")
        elif source == "'none'":
            continue
        elif _CONCRETE_ORIGIN.match(source):
            concrete.append(source.rstrip("/").lower())
        else:
            vague = True
    return tuple(concrete), vague


# ---- a host that may not embed: tell it so inside its frame ---------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_HOST_SOURCE = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\*|(?:\*\.)?[^:/]+)"
                          r"(?::(?P<port>\d+|\*))?(?P<path>/.*)?$", re.IGNORECASE)
_SCHEME_SOURCE = re.compile(r"^[a-z][a-z0-9+.-]*:$")


def framing_origin(headers: Mapping[str, str]) -> str | None:
    """The origin of the page framing this request, when the browser says it is a frame of
    another origin and names that origin; ``None`` when it cannot be known.

    Browsers send ``Sec-Fetch-Dest: iframe``/``frame`` on a frame's navigation and
    ``Sec-Fetch-Site`` ``same-site``/``cross-site`` when the framing page is of another origin;
    the ``Referer`` (by default cut to the host's origin) or ``Origin`` names it.
    """
    headers = {name.lower(): value for name, value in headers.items()}
    if headers.get("sec-fetch-dest", "").lower() not in ("iframe", "frame"):
        return None
    if headers.get("sec-fetch-site", "").lower() not in ("same-site", "cross-site"):
        return None
    for name in ("origin", "referer"):
        parts = urlsplit(headers.get(name, "").strip())
        try:
            port_number = parts.port
        except ValueError:  # a port out of range: not an origin a browser sent
            continue
        if parts.scheme in ("http", "https") and parts.hostname:
            port = f":{port_number}" if port_number and port_number != _DEFAULT_PORTS[
                parts.scheme] else ""
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            return f"{parts.scheme}://{host}{port}"
    return None


def ancestors_allow(frame_ancestors: str, origin: str, own_origin: str) -> bool:
    """Whether ``GREENWALL_FRAME_ANCESTORS`` lets ``origin`` frame this server (whose origin is
    ``own_origin``), as CSP's ``frame-ancestors`` matches a source. A source this cannot read
    counts as allowing: the browser then decides by the header, as it always did."""
    target = urlsplit(origin)
    for source in frame_ancestors.split():
        lowered = source.lower()
        if lowered == "'none'":
            continue
        if lowered == "'self'":
            if _same_origin(urlsplit(own_origin), target):
                return True
            continue
        if lowered == "*":
            return True
        if _SCHEME_SOURCE.match(lowered):
            if _scheme_matches(lowered[:-1], target.scheme):
                return True
            continue
        match = _HOST_SOURCE.match(source)
        if match is None or source.startswith("'"):
            return True  # a keyword or form not understood here: leave it to the browser
        if _host_source_matches(match, target, urlsplit(own_origin).scheme):
            return True
    return False


def _scheme_matches(scheme: str, target_scheme: str) -> bool:
    # CSP lets an http source match the same place over https (an upgrade), not the reverse.
    return scheme == target_scheme or scheme == "http" and target_scheme == "https"


def _port(parts, scheme: str | None = None) -> int | None:
    return parts.port or _DEFAULT_PORTS.get(scheme or parts.scheme)


def _same_origin(own, target) -> bool:
    if not _scheme_matches(own.scheme, target.scheme) or own.hostname != target.hostname:
        return False
    return _port(own) == _port(target) or own.scheme != target.scheme and _port(own) == 80 \
        and _port(target) == 443


def _host_source_matches(match: re.Match, target, own_scheme: str) -> bool:
    scheme = (match["scheme"] or own_scheme).lower()
    if not _scheme_matches(scheme, target.scheme):
        return False
    host, name = match["host"].lower(), target.hostname or ""
    if host.startswith("*."):
        if not name.endswith(host[1:]):
            return False
    elif host != "*" and host.strip("[]") != name:
        return False
    if match["port"] == "*":
        return True
    wanted = int(match["port"]) if match["port"] else _DEFAULT_PORTS.get(scheme)
    return wanted == _port(target) or (
        wanted == 80 and scheme == "http" and target.scheme == "https" and _port(target) == 443)


NOT_ALLOWED_POLICY = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
                      "img-src 'none'; form-action 'none'; frame-ancestors *")
"""The refusal page's own policy: nothing runs or loads, and any host may frame it, so that the
host that may not embed sees why (the screens themselves keep GREENWALL_FRAME_ANCESTORS)."""


def not_allowed_page(origin: str) -> str:
    """A small self-contained page saying, in Chinese and English, that ``origin`` may not embed
    greenwall and how the operator allows it. No data, no scripts; the origin is text."""
    shown = html.escape(origin)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>greenwall: 此网站未获准嵌入 (not allowed to embed)</title>
<style>
body {{ margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  background: #061423; color: #e6f1ff; font: 18px/1.6 system-ui, "Noto Sans CJK SC", sans-serif; }}
main {{ max-width: 44em; padding: 24px 32px; border: 1px solid #ffc145; border-radius: 8px; }}
h1 {{ margin: 0 0 12px; font-size: 22px; color: #ffc145; }}
p {{ margin: 8px 0; }} code {{ color: #35d0ff; overflow-wrap: anywhere; }}
</style></head>
<body><main data-frame-refused="1">
<h1>此网站未获准嵌入 greenwall 大屏 · This host may not embed greenwall</h1>
<p lang="zh-CN">嵌入页所在的网站 <code class="gw-origin">{shown}</code> 不在允许嵌入的来源之列。
请 greenwall 管理员将它加入 <code>GREENWALL_FRAME_ANCESTORS</code> 后重启服务。</p>
<p lang="en">The host <code class="gw-origin">{shown}</code> is not allowed to embed greenwall.
The operator adds it to <code>GREENWALL_FRAME_ANCESTORS</code> and restarts greenwall.</p>
</main></body></html>
"""


def host_attributes(frame_ancestors: str) -> dict[str, str]:
    """Where ``assets/embed.js`` may post messages: the concrete frame ancestors, and whether
    to fall back on the referrer's origin."""
    origins, vague = host_origins(frame_ancestors)
    return {"data-embed-origins": " ".join(origins), "data-embed-any-origin": "1" if vague else ""}


def page_attributes(grant: Grant, frame_ancestors: str) -> dict[str, str]:
    """Root attributes ``assets/embed.js`` reads: the rights the page may honour, and its hosts.

    The page uses them only to refuse a scope change early; the server checks every request.
    """
    return {
        "data-embed": "1",
        "data-embed-districts": "*" if grant.districts is None else " ".join(grant.districts),
        **host_attributes(frame_ancestors),
        "data-district-names": json.dumps({d.adcode: d.name for d in DISTRICTS},
                                          ensure_ascii=False, separators=(",", ":")),
    }
