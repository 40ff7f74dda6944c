"""Embedding: what an iframe host may frame, and where the embedded page may post messages.

The tokens themselves are grants (``dashboard.grants``, kind ``embed``); this module holds the
frame-ancestor rules (``GREENWALL_FRAME_ANCESTORS``) and the root attributes ``assets/embed.js``
reads.
"""

from __future__ import annotations

import json
import re

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
