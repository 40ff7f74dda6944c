"""HTTP hardening on every response: a Content-Security-Policy, ``nosniff``, a trusted-host check.

The policy allows scripts from this origin and Dash's own inline scripts (by hash), nothing
else: a feed string that reached the DOM as HTML despite the text-only rule still cannot run.
A route that sets its own ``frame-ancestors`` (the embed pages, the full screens) keeps it; every
other response may be framed by this origin only.

The trusted-host check answers 400 to a request naming a host this server is not: with the
default loopback bind (open access, ``make run``) that is what stops a DNS-rebinding page from
reading the screens through a victim's browser.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from starlette.datastructures import MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")

# Directives every response carries; a route's own directive of the same name wins.
BASE_POLICY = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
    # 'self' covers ws:/wss: to this host as well: Dash's live WebSocket, opened by the
    # SharedWorker, whose policy is the one its script was served with (this one).
    "connect-src": "'self'",
    "worker-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    # Dash's renderer, dcc and dash-leaflet insert <style> elements with content that varies at
    # run time (without this Chromium refuses dozens of them); styles cannot run script.
    "style-src": "'self' 'unsafe-inline'",
}


def is_loopback(host: str) -> bool:
    """True for a bind address only this machine can reach (``127.0.0.0/8``, ``::1``, localhost)."""
    name = host.strip().strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(settings) -> list[str]:
    """``GREENWALL_ALLOWED_HOSTS`` if set, else the loopback names on a loopback bind, else any."""
    listed = [h for h in re.split(r"[\s,]+", settings.allowed_hosts or "") if h]
    if listed:
        return listed
    if is_loopback(settings.host):
        return list(LOOPBACK_HOSTS)
    log.warning("GREENWALL_ALLOWED_HOSTS is unset and the server listens on %s: any Host header "
                "is accepted. Set it to the names the screens are served under.", settings.host)
    return ["*"]


def websocket_origins(settings) -> list[str]:
    """Origins besides the page's own that may open the live WebSocket (``GREENWALL_WS_ORIGINS``)."""
    return [o.rstrip("/") for o in re.split(r"[\s,]+", settings.ws_origins or "") if o]


def parse_policy(header: str) -> dict[str, str]:
    """A CSP header as ``{directive: sources}``, in order; the first of a repeated directive wins."""
    policy: dict[str, str] = {}
    for part in header.split(";"):
        name, _, sources = part.strip().partition(" ")
        if name:
            policy.setdefault(name.lower(), sources.strip())
    return policy


def render_policy(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {sources}".strip() for name, sources in policy.items())


class SecurityHeaders:
    """ASGI middleware adding the policy and ``nosniff`` to every HTTP response."""

    def __init__(self, app: ASGIApp, script_hashes):
        self.app = app
        self.script_hashes = script_hashes

    def policy(self, own: str | None) -> str:
        directives = {**BASE_POLICY,
                      "script-src": " ".join(["'self'", *self.script_hashes()])}
        if own:
            directives.update(parse_policy(own))
        return render_policy(directives)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own = headers.get("content-security-policy")
                headers["Content-Security-Policy"] = self.policy(own)
                headers["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app, settings) -> None:
    """Add the trusted-host check and the headers to a Dash app's server (the WebSocket
    origins are the app's ``websocket_allowed_origins=websocket_origins(settings)``).

    Call it last in the app factory: middleware added later would sit outside it and its own
    answers would go out without the headers.
    """
    server = app.server
    # Starlette wraps the last added outermost: a 400 for a foreign host gets the headers too.
    server.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings))
    # Hashed per response: Dash adds the inline scripts of its pages on the first request.
    server.add_middleware(SecurityHeaders, script_hashes=app.csp_hashes)
