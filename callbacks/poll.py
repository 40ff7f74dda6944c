"""Polling, the baseline greenwall is measured against: a 1 s ``dcc.Interval`` per screen.

With ``GREENWALL_PUSH_MODE=poll`` every screen page carries a ``dcc.Interval`` (``ids.POLL``)
instead of the live WebSocket. Each tick the browser POSTs one regular callback, which reads
the data version from Redis, takes the screen's payload from the same ``PayloadCache`` the
live push uses and sends the same tile updates, for the tiles whose digest differs from the
page's. This is the usual dashboard way (a refresh interval, Dash's ``dcc.Interval``) done as
cheaply as it can be done, so the benchmark's comparison with push is fair to polling.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from dash import Input, Output, Patch, State, set_props
from dash.exceptions import PreventUpdate

from dashboard import ids, theme
from dashboard.build import BUILD_ID
from dashboard.grants import Refused, current
from dashboard.query import BadQuery, parse_query
from dashboard.registry import UnknownScreen, get_screen

if TYPE_CHECKING:  # the web layer passes these in (callbacks sit below it)
    from dashboard.access import Gatekeeper
    from dashboard.metrics import WebMetrics
    from dashboard.payloads import PayloadCache, ScreenPayload

log = logging.getLogger(__name__)

SCREEN_PREFIX = "/screens/"
EMBED_PREFIX = "/embed/"


def register_poll(app, cache: PayloadCache, metrics: WebMetrics, gate: Gatekeeper) -> None:
    """Register the interval callback that serves every screen in poll mode."""

    @app.callback(
        Output(ids.CLIENT_STATE, "data"),
        Input(ids.POLL, "n_intervals"),
        State(ids.LOCATION, "pathname"),
        State(ids.LOCATION, "search"),
        State(ids.CLIENT_STATE, "data"),
        State(ids.ROOT, "data-heartbeat"),
        State(ids.ROOT, "data-source"),
        prevent_initial_call=True,
    )
    async def poll_screen(_ticks, pathname, search, sent, heartbeat, source):
        slug, district, lang = _scope(gate, pathname or "", search or "")
        screen = get_screen(slug)
        sent = sent or {}
        try:
            payload: ScreenPayload | None = await asyncio.to_thread(cache.get, slug, district)
        except Exception:  # Redis or the database failed: the page shows stale, next tick retries
            log.exception("payload for %s/%s failed", slug, district)
            payload = None
        now_ms = int(time.time() * 1000)
        state = "ok" if payload is not None else "down"
        changed = Patch()
        count = 0
        if payload is not None:
            wire = payload.wire_updates(lang)
            updates_counter = metrics.tile_updates.labels(screen.slug)
            for tile, digest in payload.digests.items():
                if sent.get(tile) == digest:
                    continue
                for (component_id, prop), (_, value) in wire[tile].items():
                    set_props(component_id, {prop: value})
                changed[tile] = digest
                count += 1
                updates_counter.inc()
        beat_due = now_ms - int(heartbeat or 0) >= theme.HEARTBEAT_S * 1000
        if count or beat_due or source != state:
            root = {"data-heartbeat": str(now_ms), "data-source": state, "data-build": BUILD_ID}
            if payload is not None:
                root["data-version"] = str(payload.version)
            set_props(ids.ROOT, root)
        elif not count:
            raise PreventUpdate
        return changed


def _scope(gate: Gatekeeper, pathname: str, search: str) -> tuple[str, str | None, str]:
    """The screen, district and language a page's URL asks for, within the request's grant;
    embed pages within their token too."""
    prefix = next((p for p in (SCREEN_PREFIX, EMBED_PREFIX) if pathname.startswith(p)), None)
    if prefix is None:
        raise PreventUpdate
    try:
        slug = get_screen(pathname[len(prefix):].strip("/")).slug
        query = parse_query(search)
    except (UnknownScreen, BadQuery):
        raise PreventUpdate from None
    if not gate.permits(current(), slug, query.district_code):
        raise PreventUpdate
    if prefix == EMBED_PREFIX:
        try:
            gate.verify(query.token).check(slug, query.district_code)
        except Refused:
            raise PreventUpdate from None
    return slug, query.district_code, query.lang
