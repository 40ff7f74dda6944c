"""The app factory: a Dash app on its FastAPI backend, wired to its data sources."""

from __future__ import annotations

import logging
from pathlib import Path

import dash
from dash import Dash, dcc, html

from callbacks.live import register_live
from callbacks.navigation import register_navigation
from callbacks.poll import register_poll
from dashboard import access, dash_compat, ids
from dashboard.discovery import discover, payload_builders
from dashboard.hub import LiveHub
from dashboard.metrics import WebMetrics
from dashboard.ops import register_embedding, register_routes
from dashboard.pages import register_pages
from dashboard.payloads import PayloadCache
from dashboard.security_headers import install_security_headers, websocket_origins
from dashboard.settings import Settings, load_settings
from dashboard.signin import register_signin
from dashboard.sources import Sources

ASSETS = Path(__file__).resolve().parent.parent / "assets"
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, sources: Sources | None = None,
               redis_url: str | None = None) -> Dash:
    """Build the web app. Tests pass their own ``sources``; processes build them from settings."""
    settings = settings or load_settings()
    sources = sources or Sources.from_settings(settings, redis_url=redis_url)
    app = Dash(
        __name__,
        backend="fastapi",
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title="greenwall",
        update_title=None,
        compress=True,
        suppress_callback_exceptions=True,
        websocket_batch_delay=0,  # a live push is already one message; send it at once
        websocket_allowed_origins=websocket_origins(settings),
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.config.include_pages_meta = False
    found = discover(known_feeds=[f for d in sources.domains for f in d.feeds])
    gate = access.Gatekeeper(sources.settings, sources.redis, sources.keys.revoked_grants)
    cache = PayloadCache(sources, payload_builders(found))
    hub = LiveHub(sources.redis_url, sources.keys)
    metrics = WebMetrics(sources.live)
    register_pages(cache)
    app.layout = html.Div([dcc.Location(id=ids.LOCATION), dcc.Location(id=ids.NAVIGATE, refresh=True),
                           dash.page_container])
    if sources.settings.push_mode == "poll":
        register_poll(app, cache, metrics, gate)
    else:
        register_live(app, cache, hub, metrics, gate)
    register_navigation(app)
    for screen in found.values():  # a screen's own interactions (the forest map's grid panel)
        if screen.register is not None:
            screen.register(app, sources)
    register_routes(app, sources, metrics)
    register_signin(app, gate)
    register_embedding(app, cache, gate)
    access.install(app, gate)  # before every route: nothing is served before the grant is known
    install_security_headers(app, settings)  # …but for the host check and headers on refusals
    dash_compat.self_check(app)  # refuse to start on a Dash whose internals moved
    app.greenwall = {"sources": sources, "cache": cache, "hub": hub, "metrics": metrics,
                     "gate": gate}
    return app


def create_server():
    """The ASGI app for uvicorn's factory mode (``greenwall web``)."""
    from dashboard.logfilter import install_access_log_filter

    logging.basicConfig(level=load_settings().log_level.upper(),
                        format="%(asctime)s web[%(process)d] %(levelname)s %(name)s: %(message)s")
    install_access_log_filter()  # whatever server runs the factory: tokens stay out of its log
    return create_app().server
