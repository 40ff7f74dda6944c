"""HTTP routes beside the screens: ``/healthz``, ``/metrics`` and status codes for screen URLs."""

from __future__ import annotations

import time
from html import escape

from dash.backends._fastapi import reset_current_request, set_current_request
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text

from dashboard.metrics import WebMetrics
from dashboard.query import BadQuery, parse_query
from dashboard.registry import UnknownScreen, get_screen
from dashboard.sources import Sources


def _freshness(age_s: float | None, sources: Sources) -> str:
    if age_s is None:
        return "no-data"
    if age_s <= sources.settings.live_after_s:
        return "live"
    return "delayed" if age_s <= sources.settings.stale_after_s else "stale"


def health(sources: Sources) -> tuple[int, dict]:
    """Redis, database, workers and each feed's lag; 200 when this process can serve."""
    now_ms = int(time.time() * 1000)
    report: dict = {"redis": {"ok": False}, "database": {"ok": False}, "feeds": {}}
    try:
        started = time.perf_counter()
        sources.redis.ping()
        report["redis"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}
    except Exception as exc:
        report["redis"] = {"ok": False, "error": str(exc)}
    try:
        with sources.store.engine.connect() as conn:
            conn.execute(text("select 1"))
        report["database"] = {"ok": True}
    except Exception as exc:
        report["database"] = {"ok": False, "error": str(exc).splitlines()[0]}
    if report["redis"]["ok"]:
        beats = sources.redis.hgetall(sources.keys.heartbeat("worker")) or {}
        alive = [c for c, ms in beats.items() if now_ms - int(ms) < 30_000]
        report["workers"] = {"alive": len(alive), "consumers": sorted(alive)}
        for feed, stats in sources.aggregates.feed_stats().items():
            age = None if not stats.last_event_ms else max(0.0, (now_ms - stats.last_event_ms) / 1000)
            report["feeds"][feed] = {
                "status": _freshness(age, sources),
                "lag_s": None if age is None else round(age, 1),
                "ingested": stats.ingested,
                "deadlettered": stats.deadlettered,
                "duplicates": stats.duplicates,
                "pending": _pending(sources, feed),
            }
    healthy = report["redis"]["ok"] and report["database"]["ok"]
    fresh = all(f["status"] == "live" for f in report["feeds"].values())
    report["status"] = "down" if not healthy else "ok" if fresh and report.get(
        "workers", {}).get("alive") else "degraded"
    return (200 if healthy else 503), report


def _pending(sources: Sources, feed: str) -> int | None:
    try:
        info = sources.redis.xpending(sources.keys.feed(feed), "greenwall-ingest")
        return int(info["pending"])
    except Exception:  # no stream or group yet
        return None


def _error_page(status: int, message: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>greenwall</title>"
        "<link rel='stylesheet' href='/assets/theme.css'><body class='gw-error-page'>"
        f"<div class='gw-error'><h1 class='gw-error-code'>{status}</h1>"
        f"<p class='gw-error-message'>{escape(message)}</p>"
        "<a class='gw-error-link' href='/'>返回大屏目录</a></div></body></html>"
    )
    return HTMLResponse(body, status_code=status)


def register_routes(app, sources: Sources, metrics: WebMetrics) -> None:
    """Add the routes to the FastAPI server behind ``app`` (before Dash's catch-all)."""
    server = app.server

    @server.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        status, report = health(sources)
        return JSONResponse(report, status_code=status)

    @server.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    @server.get("/screens/{slug}", include_in_schema=False)
    async def screen(slug: str, request: Request) -> Response:
        try:
            get_screen(slug)
        except UnknownScreen:
            return _error_page(404, f"没有名为 {slug!r} 的大屏 (no screen {slug!r})")
        try:
            parse_query(str(request.url.query))
        except BadQuery as exc:
            return _error_page(exc.status, str(exc))
        # Dash renders its index from the current request, which its catch-all route sets,
        # and walks the assets folder on its first own request: this may come before that.
        token = set_current_request(request)
        try:
            app._setup_server()
            return HTMLResponse(app.index())
        finally:
            reset_current_request(token)
