"""HTTP routes beside the screens: ``/healthz``, ``/metrics``, status codes for screen URLs, the
embed pages' gate (``/embed/<slug>``) and CSV export (``/export/<slug>/<tile>.csv``)."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from dashboard import access
from dashboard.dash_compat import render_index
from dashboard.embed import (
    NOT_ALLOWED_POLICY,
    ancestors_allow,
    csp_header,
    framing_origin,
    host_attributes,
    not_allowed_page,
)
from dashboard.errors import error_page
from dashboard.export import content_disposition, tile_table, to_csv
from dashboard.grants import Refused, current
from dashboard.metrics import WebMetrics
from dashboard.payloads import PayloadCache
from dashboard.query import BadQuery, parse_query
from dashboard.registry import UnknownScreen, get_screen
from dashboard.signin import set_embed_cookie
from dashboard.sources import Sources
from datasources.platform.feeds import configure_freshness, feed_freshness

log = logging.getLogger(__name__)

def health(sources: Sources, now_ms: int | None = None) -> tuple[int, dict]:
    """Redis, database, workers and each feed's lag at ``now_ms`` (default: now); 200 when
    this process can serve.

    A feed silent in its quiet hours (``GREENWALL_QUIET_HOURS``) is ``quiet``, which, like
    ``live``, leaves the whole ``ok``: patrols resting at night are no fault.
    """
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    now = datetime.fromtimestamp(now_ms / 1000, sources.settings.tz)
    report: dict = {"redis": {"ok": False}, "database": {"ok": False}, "feeds": {}}
    try:
        started = time.perf_counter()
        sources.redis.ping()
        report["redis"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}
    except Exception as exc:  # the class only: a message may name hosts, users or passwords
        report["redis"] = {"ok": False, "error": type(exc).__name__}
    try:
        with sources.store.engine.connect() as conn:
            conn.execute(text("select 1"))
        report["database"] = {"ok": True}
    except Exception as exc:
        report["database"] = {"ok": False, "error": type(exc).__name__}
    if report["redis"]["ok"]:
        beats = sources.redis.hgetall(sources.keys.heartbeat("worker")) or {}
        alive = [c for c, ms in beats.items() if now_ms - int(ms) < 30_000]
        report["workers"] = {"alive": len(alive), "consumers": sorted(alive)}
        for feed, stats in sources.live.feed_stats().items():
            age = None if not stats.last_event_ms else max(0.0, (now_ms - stats.last_event_ms) / 1000)
            report["feeds"][feed] = {
                "status": feed_freshness(feed).status(age, now),
                "lag_s": None if age is None else round(age, 1),
                "ingested": stats.ingested,
                "deadlettered": stats.deadlettered,
                "duplicates": stats.duplicates,
                "pending": _pending(sources, feed),
            }
        from datasources.platform.deadletter import deadletter_status  # length, maxlen, trimmed unread

        report["deadletter"] = deadletter_status(sources.redis, sources.keys).as_dict()
    healthy = report["redis"]["ok"] and report["database"]["ok"]
    fresh = all(f["status"] in ("live", "quiet") for f in report["feeds"].values())
    report["status"] = "down" if not healthy else "ok" if fresh and report.get(
        "workers", {}).get("alive") else "degraded"
    return (200 if healthy else 503), report


def _pending(sources: Sources, feed: str) -> int | None:
    try:
        info = sources.redis.xpending(sources.keys.feed(feed), "greenwall-ingest")
        return int(info["pending"])
    except Exception:  # no stream or group yet
        return None


def register_routes(app, sources: Sources, metrics: WebMetrics) -> None:
    """Add the routes to the FastAPI server behind ``app`` (before Dash's catch-all).

    Also applies the per-feed freshness settings, which ``/healthz`` and the tiles' badges
    read: a feed they name that is not enabled stops the app here (``ConfigError``).
    """
    configure_freshness(sources.settings, [f for d in sources.domains for f in d.feeds])
    server = app.server

    @server.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        status, report = health(sources)
        seen = current()
        if not (seen.granted or seen.status_reader):  # anyone: the code and one word
            report = {"status": report["status"]}
        return JSONResponse(report, status_code=status, headers={"Cache-Control": "no-store"})

    @server.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    @server.get("/walls/{name}", include_in_schema=False)
    def wall(name: str, display: str = "") -> Response:
        from datasources.platform.walls import UnknownWall, wall_display

        if not display.isdigit():
            return error_page(400, f"display: must be the display's number, got {display!r}")
        try:
            shown = wall_display(sources.store, name, int(display))
        except UnknownWall as exc:
            return error_page(404, str(exc))
        return RedirectResponse(shown.url(), status_code=302)

    @server.get("/screens/{slug}", include_in_schema=False)
    async def screen(slug: str, request: Request) -> Response:
        lang = request.query_params.get("lang", "")  # the error page's link keeps it
        try:
            get_screen(slug)
        except UnknownScreen:
            return error_page(404, f"没有名为 {slug!r} 的大屏 (no screen {slug!r})", lang=lang)
        try:
            query = parse_query(str(request.url.query))
        except BadQuery as exc:
            return error_page(exc.status, str(exc), lang=lang)
        seen = current()
        home = seen.home_district(slug) if "district" not in request.query_params else None
        if home is not None:  # a district grant opening the screen: show its own district
            return RedirectResponse(str(request.url.include_query_params(district=home)), 302)
        try:
            seen.check(slug, query.district_code)
        except Refused as exc:
            return _refusal(exc, {"Cache-Control": "no-store"}, lang=lang)
        page = await render_index(app, request)
        # Full screens are not for other sites' frames: those use /embed with a token.
        page.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return page


def _refusal(exc: Refused, headers: dict[str, str],
             embed: dict[str, str] | None = None, lang: str = "") -> HTMLResponse:
    log.info("refused (%s) for %s: %s", exc.status, current().who(), exc.reason)
    if exc.status == 401:
        headers = {**headers, "WWW-Authenticate": 'Bearer realm="greenwall", error="invalid_token"'}
    return error_page(exc.status, exc.reason, headers, embed, lang=lang)


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def register_embedding(app, cache: PayloadCache, gate: access.Gatekeeper) -> None:
    """``/embed/<slug>`` answers 401/403 before Dash serves the page; ``/export`` serves CSV."""
    server = app.server
    settings = cache.sources.settings
    # The token rides in the URL: never let it leave the site in a Referer header.
    private = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}

    @server.get("/embed/{slug}", include_in_schema=False)
    async def embed(slug: str, request: Request) -> Response:
        host = framing_origin(request.headers)
        own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        if host is not None and not ancestors_allow(settings.frame_ancestors, host, own):
            # The browser would show a broken frame and say why only in its console: say it
            # in the frame instead, on a page that carries nothing of the screen.
            log.info("refused to be framed by %s (not in GREENWALL_FRAME_ANCESTORS)", host)
            return HTMLResponse(not_allowed_page(host), status_code=403, headers={
                "Content-Security-Policy": NOT_ALLOWED_POLICY, **private})
        headers = {**csp_header(settings.frame_ancestors), **private}
        hosts = host_attributes(settings.frame_ancestors)
        try:
            get_screen(slug)
        except UnknownScreen:
            return error_page(404, f"没有名为 {slug!r} 的大屏 (no screen {slug!r})", headers,
                               hosts)
        try:
            query = parse_query(str(request.url.query))
        except BadQuery as exc:
            return error_page(exc.status, str(exc), headers, hosts)
        try:
            grant = gate.verify(query.token)
            grant.check(slug, query.district_code)
        except Refused as exc:
            return _refusal(exc, headers, hosts)
        response = await render_index(app, request)
        response.headers.update(headers)
        if gate.mode != "open":  # the frame's own requests and socket carry the grant
            set_embed_cookie(response, request, query.token, grant)
        return response

    # A plain function: FastAPI runs it in a worker thread, where the payload may read Redis.
    @server.get("/export/{slug}/{tile}.csv", include_in_schema=False)
    def export_csv(slug: str, tile: str, request: Request) -> Response:
        try:
            spec = get_screen(slug)
        except UnknownScreen:
            return error_page(404, f"没有名为 {slug!r} 的大屏 (no screen {slug!r})")
        try:
            tile_spec = spec.tile(tile)
        except KeyError:
            keys = ", ".join(t.key for t in spec.tiles)
            return error_page(404, f"大屏 {slug} 没有图块 {tile!r} (no tile {tile!r}; tiles: {keys})")
        try:
            query = parse_query(str(request.url.query))
        except BadQuery as exc:
            return error_page(exc.status, str(exc))
        token = query.token if query.token is not None else _bearer(request)
        try:
            current().check(slug, query.district_code)
            if token is not None:  # an embedding host's export: that token's scope applies
                gate.verify(token).check(slug, query.district_code)
        except Refused as exc:
            return _refusal(exc, private)
        try:
            payload = cache.get(slug, query.district_code)
        except Exception:  # Redis or the database is down
            log.exception("export of %s/%s failed", slug, tile)
            return error_page(503, "实时数据源暂不可用 (data source unavailable)")
        try:
            body = to_csv(tile_table(tile_spec, payload.tiles[tile]))
        except LookupError as exc:  # a tile kind without a CSV table yet
            return error_page(404, str(exc))
        day = datetime.now(settings.tz).date()
        return Response(body, media_type="text/csv; charset=utf-8", headers={
            **private,
            "Content-Disposition": content_disposition(spec, tile_spec, query.district_code, day),
            "X-Greenwall-Version": str(payload.version),
        })
