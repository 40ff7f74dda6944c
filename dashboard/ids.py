"""Every component ID, from one module: a typo here is an import error, not a dead callback."""

from __future__ import annotations

LOCATION = "gw-location"  # our own dcc.Location (not Pages' private one): callbacks read the URL
NAVIGATE = "gw-navigate"  # a refreshing dcc.Location that scope changes write to
ROOT = "gw-root"  # the screen root: carries heartbeat and source health for the badges
CANVAS = "gw-canvas"
CLIENT_STATE = "gw-client-state"  # digests of the tile payloads the page was built with
MAP_DISTRICTS = "gw-map-districts"
SCOPE_PICKER = "gw-scope-picker"
CLOCK = "gw-clock"
POLL = "gw-poll"  # the 1 s dcc.Interval of a screen served in poll mode (GREENWALL_PUSH_MODE=poll)


def _slug(text: str) -> str:
    return text.replace(".", "-").replace("_", "-")


def tile(screen: str, key: str) -> str:
    """The root element of a tile."""
    return f"t-{_slug(screen)}-{_slug(key)}"


def part(screen: str, key: str, name: str) -> str:
    """A named part inside a tile (a graph, a list, a ring)."""
    return f"p-{_slug(screen)}-{_slug(key)}-{_slug(name)}"


def metric(key: str) -> str:
    """The element showing metric ``key`` (also its ``data-metric``)."""
    return f"m-{_slug(key)}"
