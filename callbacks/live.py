"""Live push: one persistent WebSocket callback per open screen, fed by the process's hub.

The callback reads the page's URL and the tile digests the page was built with, then sends
only the tiles whose data changed at each new data version, and a heartbeat in between so
the page can tell a quiet feed from a dead connection.

Each push is one WebSocket frame: the JSON array of Dash ``set_props`` messages, one per
changed component, serialised once. That is the frame Dash's own sender writes when it batches
messages, and the page's renderer applies it in one React batch. Through ``set_props`` Dash
would serialise and queue every prop on its own, which at 200 screens cost the web process
about three times the CPU (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from dash import ctx
from dash.exceptions import PreventUpdate

from dashboard import ids, theme
from dashboard.build import BUILD_ID
from dashboard.dash_compat import push_frame
from dashboard.grants import Refused, current
from dashboard.query import BadQuery, ScreenQuery, parse_query
from dashboard.registry import UnknownScreen, get_screen
from layouts.kinds import get_kind

if TYPE_CHECKING:  # the web layer passes these in (callbacks sit below it)
    from dashboard.access import Gatekeeper
    from dashboard.hub import LiveHub
    from dashboard.metrics import WebMetrics
    from dashboard.payloads import PayloadCache

log = logging.getLogger(__name__)

SCREEN_PREFIX = "/screens/"
EMBED_PREFIX = "/embed/"
ASK_TIMEOUT_S, ASK_ATTEMPTS = 3.0, 20  # a page's answer to a get_props request
GRANT_CHECK_S = 1.0  # how soon a revoked grant stops an open stream (the revocation cache is 5 s)
RIDE_ALONG = 0.3  # share of a tile's refresh budget by which it may go early with another push


async def _ask(ws, component_id: str, prop: str):
    """The page's current value of a prop, asked again if an answer does not come.

    Now and then a page never answers a request sent while it is still starting up (seen on a
    busy 2-core machine: the callback then waited out Dash's 30 s and died, and the screen
    stayed without live data). A short wait and a new request get past that; a page that stays
    silent for a minute is given up on.
    """
    for _ in range(ASK_ATTEMPTS):
        try:
            return await ws.get_prop(component_id, prop, timeout=ASK_TIMEOUT_S)
        except TimeoutError:
            log.info("page did not answer for %s.%s; asking again", component_id, prop)
    log.warning("page never answered for %s.%s; not streaming to it", component_id, prop)
    raise PreventUpdate


async def _mounted_screen(ws) -> tuple[str | None, dict | None]:
    """Wait for the page's screen root; its slug and the digests it was built with.

    Dash Pages mounts the screen by a callback just after the socket opens, and later still
    when the server is busy, so this waits as long as the page is open.
    """
    pause = 0.05
    while not ws.is_shutdown:
        slug = await _ask(ws, ids.ROOT, "data-screen")
        if slug:
            return slug, await _ask(ws, ids.CLIENT_STATE, "data")
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, 1.0)
    return None, None


def register_live(app, cache: PayloadCache, hub: LiveHub, metrics: WebMetrics,
                  gate: Gatekeeper) -> None:
    """Register the persistent live callback on ``app``.

    What it streams is bounded by the socket's own grant (``current()``, resolved from
    the upgrade request), never by what the page answers: the page's path and district only
    choose among what that grant allows, and an embed page's token can narrow it further.
    """

    @app.callback(websocket=True, persistent=True, hidden=True)
    async def live_screen():
        ws = ctx.websocket
        if ws is None:
            raise PreventUpdate
        pathname = await _ask(ws, ids.LOCATION, "pathname") or ""
        prefix = next((p for p in (SCREEN_PREFIX, EMBED_PREFIX) if pathname.startswith(p)), None)
        if prefix is None:
            raise PreventUpdate
        try:
            screen = get_screen(pathname[len(prefix):].strip("/"))
            query = parse_query(await _ask(ws, ids.LOCATION, "search") or "")
        except (UnknownScreen, BadQuery):
            raise PreventUpdate from None
        seen = current()
        district = query.district_code
        if not gate.permits(seen, screen.slug, district):
            log.info("live push refused for %s in %s: outside %s's grant", screen.slug,
                     district or "the city", seen.who())
            raise PreventUpdate
        token_grant = _embed_grant(gate, screen.slug, query) if prefix == EMBED_PREFIX else None

        def allowed() -> bool:
            return gate.permits(seen, screen.slug, district) and (
                token_grant is None or not gate.is_revoked(token_grant))

        slug, sent = await _mounted_screen(ws)
        if slug != screen.slug:
            raise PreventUpdate
        sent = dict(sent or {})
        until = min(seen.expiry(screen.slug, district),
                    token_grant.expires if token_grant else float("inf"))
        gauge = metrics.screens.labels(screen.slug)
        gauge.inc()
        try:
            streaming = _stream(ws, screen, district, query.lang, sent, cache, hub, metrics,
                                allowed)
            await (streaming if until == float("inf") else _until_expiry(ws, streaming, until))
        finally:
            gauge.dec()
        raise PreventUpdate

    return None


def _embed_grant(gate: Gatekeeper, slug: str, query: ScreenQuery):
    """An embed page is streamed to only within its token's rights too, checked before anything
    is sent: a missing, tampered, expired, revoked or out-of-scope token gets no data at all."""
    try:
        grant = gate.verify(query.token)
        grant.check(slug, query.district_code)
        return grant
    except Refused as exc:
        log.info("live push refused for %s%s (%s): %s", EMBED_PREFIX, slug, exc.status, exc.reason)
        raise PreventUpdate from None


async def _until_expiry(ws, streaming, until: float) -> None:
    """Stream until the grant expires, then tell the page (it reloads into 401)."""
    try:
        await asyncio.wait_for(streaming, timeout=max(0.0, until - time.time()))
    except TimeoutError:
        push_frame(ws, {ids.ROOT: {"data-token": "expired"}})


async def _stream(ws, screen, district, lang, sent, cache, hub, metrics, allowed) -> None:
    """Push changed tiles until the page closes or ``allowed()`` turns false (a revoked grant),
    each tile about as often as its kind's budget allows."""
    loop = asyncio.get_running_loop()
    budgets = {t.key: get_kind(t.kind).push_budget_s for t in screen.tiles}
    last_push: dict[str, float] = {}
    on_page: dict[tuple[str, str], str] = {}  # digest of every prop value the page shows
    last_beat, last_root = -1e9, None
    seen = -1
    updates = metrics.tile_updates.labels(screen.slug)
    pushes = metrics.pushes.labels(screen.slug)
    if not hub.source_ok:
        await hub.wait(hub.version, 2.0)  # let a just-started hub connect before judging
    last_check = loop.time()
    while not ws.is_shutdown:
        if loop.time() - last_check >= GRANT_CHECK_S:
            last_check = loop.time()
            if not allowed():
                log.info("live push for %s stopped: its grant was revoked", screen.slug)
                push_frame(ws, {ids.ROOT: {"data-token": "expired"}})
                return
        next_due = None
        bundle: dict[str, dict] = {}
        pushed_tiles = 0
        version = hub.version
        woken_at = hub.version_of(screen.feeds)  # this screen sleeps until its feeds move on
        if hub.source_ok:
            try:
                payload = await cache.aget(screen.slug, district, version)
            except Exception:  # Redis or the database failed mid-read: mark stale, retry
                log.exception("payload for %s/%s failed", screen.slug, district)
                payload = None
            if payload is not None:
                now = loop.time()
                wire = payload.wire_updates(lang)
                if seen < 0:  # tiles the page was built with at this version: it shows their props
                    for tile, digest in payload.digests.items():
                        if sent.get(tile) == digest:
                            on_page.update((key, d) for key, (d, _) in wire[tile].items())
                for tile, digest in payload.digests.items():
                    if sent.get(tile) == digest:
                        continue
                    due = last_push.get(tile, -1e9) + budgets[tile]
                    # A tile due soon rides along with this push rather than waking a second
                    # one a moment later: at one event a second that halves the pushes.
                    if now < due - budgets[tile] * RIDE_ALONG:
                        next_due = due if next_due is None else min(next_due, due)
                        continue
                    # Only the props whose value changed: one digit of one counter, not the tile.
                    for (component_id, prop), (value_digest, value) in wire[tile].items():
                        if on_page.get((component_id, prop)) != value_digest:
                            bundle.setdefault(component_id, {})[prop] = value
                            on_page[(component_id, prop)] = value_digest
                    sent[tile] = digest
                    last_push[tile] = now
                    pushed_tiles += 1
                changed_ms = hub.last_change_ms_of(screen.feeds)
                if seen != payload.version and changed_ms:
                    metrics.push_latency.observe(max(0, hub.now_ms() - changed_ms) / 1000)
                seen = payload.version
        root = {"data-source": "ok" if hub.source_ok else "down", "data-version": str(seen),
                "data-build": BUILD_ID}
        if bundle or root != last_root or loop.time() - last_beat >= theme.HEARTBEAT_S:
            # The heartbeat, and of the rest only what changed since the last one.
            changed = {k: v for k, v in root.items() if (last_root or {}).get(k) != v}
            bundle[ids.ROOT] = {"data-heartbeat": str(hub.now_ms()), **changed}
            push_frame(ws, bundle)
            pushes.inc()
            if pushed_tiles:
                updates.inc(pushed_tiles)
            last_beat, last_root = loop.time(), root
        timeout = theme.HEARTBEAT_S if next_due is None else max(0.0, next_due - loop.time())
        # While Redis is down, wake on the hub's next state change or the heartbeat only.
        if hub.source_ok:
            await hub.wait(woken_at, min(timeout, theme.HEARTBEAT_S), screen.feeds)
        else:
            await hub.wait(hub.version, min(timeout, theme.HEARTBEAT_S))
