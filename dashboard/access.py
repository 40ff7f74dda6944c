"""Access: what a connection may see, decided on the server for every request and socket.

``GREENWALL_ACCESS`` picks the mode:

- ``open`` — anyone who reaches the port (the default on a loopback host, so ``make run``
  stays one command);
- ``signed`` — holders of a signed grant (``dashboard.grants``): the cookie a sign-in link set,
  an ``/embed`` token (its page sets a cookie for the frame's own requests), or a token in the
  request itself (``Authorization: Bearer`` or ``?token=``, as CSV exports use);
- ``proxy`` — identities an auth proxy asserts in headers, believed only from
  ``GREENWALL_TRUSTED_PROXIES``; its groups map to grants in a TOML file. Signed grants work too.

An ASGI middleware resolves each HTTP request's and each WebSocket upgrade's ``Access`` from
what the connection carries — cookies, headers, the peer address — never from what a page
reports about itself, and refuses with 401 any route but the public ones when there is none.
It also puts the ``Access`` in a context variable, which the page builders and every callback
read (``current()``): Dash runs HTTP callbacks in a copy of the request's context, and the live
socket's async callbacks as tasks of the upgrade request, which inherit it.
"""

from __future__ import annotations

import ipaddress
import logging
import time
import tomllib
from collections.abc import Iterable
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs

from fastapi.responses import JSONResponse

from dashboard.districts import resolve_district
from dashboard.errors import error_page
from dashboard.grants import (
    ALL_SCREENS,
    CONNECTION,
    EMBED,
    NEED_GRANT,
    SIGNIN,
    Access,
    Grant,
    GrantRevoked,
    Refused,
    verify,
)
from dashboard.settings import ConfigError, Settings

log = logging.getLogger(__name__)

SIGNIN_COOKIE = "gw_grant"
EMBED_COOKIE_PREFIX = "gw_embed_"
MAX_EMBED_COOKIES = 8  # a host page framing more scopes than this re-sends tokens
REVOKED_CACHE_S = 5.0
# Routes anyone may reach in every mode: the health word, the sign-in exchange, static files,
# the embed page (it checks its own token), and 码上环境's public asset pages.
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/signin", "/signout", "/embed/",
                   "/code/")
PUBLIC_PATHS = ("/healthz", "/favicon.ico", "/_favicon.ico")
STATUS_PATHS = ("/metrics",)


def _networks(spec: str | Iterable[str]) -> tuple:
    items = spec.split(",") if isinstance(spec, str) else spec
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def _in(address: str | None, networks: tuple) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


class ProxyGrantsError(ConfigError):
    """The proxy mode's group file is missing or says something greenwall cannot use."""


def load_proxy_grants(path: Path) -> dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]]:
    """``{group: (screens, districts)}`` from a TOML file of ``[groups."<name>"]`` tables.

    ``screens`` is ``"*"`` or a list of slugs; ``districts`` is ``"*"`` (the whole city and
    every district) or a list of adcodes or exact Chinese names.
    """
    from dashboard.registry import screens as registered

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProxyGrantsError(f"GREENWALL_PROXY_GRANTS: no file at {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProxyGrantsError(f"{path}: not valid TOML ({exc})") from None
    known = {s.slug for s in registered()}
    groups = {}
    for name, table in (data.get("groups") or {}).items():
        where = f"{path}: [groups.{name!r}]"
        screens = table.get("screens")
        if screens == ALL_SCREENS:
            screens = (ALL_SCREENS,)
        elif isinstance(screens, list) and screens and all(s in known for s in screens):
            screens = tuple(screens)
        else:
            raise ProxyGrantsError(f"{where}: screens must be \"*\" or a list of "
                                   f"{', '.join(sorted(known))}, got {screens!r}")
        districts = table.get("districts")
        if districts == "*":
            districts = None
        elif isinstance(districts, list) and districts:
            try:
                districts = tuple(resolve_district(str(d)).adcode for d in districts)
            except KeyError as exc:
                raise ProxyGrantsError(f"{where}: unknown district {exc.args[0]!r}") from None
        else:
            raise ProxyGrantsError(f"{where}: districts must be \"*\" or a list of adcodes, "
                                   f"got {districts!r}")
        groups[name] = (screens, districts)
    return groups


class Gatekeeper:
    """Resolves connections to ``Access`` for one app, and keeps the revocation list.

    Revocations live in Redis (a hash of grant id → until when), so ``greenwall revoke`` on any
    machine reaches every web process; each process reads the list at most every few seconds.
    """

    def __init__(self, settings: Settings, redis_client=None, revoked_key: str = ""):
        self.settings = settings
        self.mode = settings.access_mode
        self.keys = settings.signing_keys()
        self.max_ttl_s = settings.max_grant_ttl_s
        self.status_allow = _networks(settings.status_allow)
        self.trusted = _networks(settings.trusted_proxies)
        self.redis = redis_client
        self.revoked_key = revoked_key
        self._revoked: dict[str, float] = {}
        self._revoked_read = -1e9
        self.proxy_groups: dict = {}
        if self.mode == "proxy":
            if not self.trusted:
                raise ProxyGrantsError("GREENWALL_ACCESS=proxy needs GREENWALL_TRUSTED_PROXIES: "
                                       "the addresses of the auth proxy in front")
            if settings.proxy_grants is None:
                raise ProxyGrantsError("GREENWALL_ACCESS=proxy needs GREENWALL_PROXY_GRANTS: a "
                                       "TOML file mapping the proxy's groups to grants")
            self.proxy_groups = load_proxy_grants(settings.proxy_grants)

    # ---- revocation ------------------------------------------------------------------------

    def revoked(self) -> dict[str, float]:
        """Grant ids revoked and not yet past their own expiry (cached a few seconds)."""
        now = time.monotonic()
        if self.redis is not None and now - self._revoked_read > REVOKED_CACHE_S:
            try:
                raw = self.redis.hgetall(self.revoked_key)
                self._revoked = {(k.decode() if isinstance(k, bytes) else k): float(v)
                                 for k, v in raw.items()}
            except Exception:  # Redis down: keep the revocations already known
                log.warning("cannot read revoked grants; using the %d known", len(self._revoked))
            self._revoked_read = now
        wall = time.time()
        return {k: v for k, v in self._revoked.items() if v > wall}

    def is_revoked(self, grant: Grant) -> bool:
        return grant.id in self.revoked()

    def permits(self, access: Access, slug: str, district: str | None) -> bool:
        """Whether ``access`` still covers ``slug`` in ``district`` now (expiry, revocation)."""
        if access.unrestricted:
            return True
        now, revoked = time.time(), self.revoked()
        return any(g.allows(slug, district) and g.expires > now and g.id not in revoked
                   for g in access.grants)

    # ---- tokens ----------------------------------------------------------------------------

    def verify(self, token: str | None, kind: str = EMBED) -> Grant:
        """A token's grant, refused if it is revoked as well as if it is bad or expired."""
        grant = verify(self.keys, token, kind=kind, max_ttl_s=self.max_ttl_s)
        if self.is_revoked(grant):
            raise GrantRevoked(f"授权已撤销 (grant {grant.id} was revoked; ask for a new one)")
        return grant

    # ---- connections -----------------------------------------------------------------------

    def resolve(self, scope: dict) -> Access:
        """The ``Access`` of an ASGI HTTP request or WebSocket upgrade."""
        peer = (scope.get("client") or (None,))[0]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers") or ()}
        # uvicorn runs without proxy headers (``greenwall web``), so ``client`` is the peer
        # itself; a trusted proxy alone may say the browser came over TLS.
        https = scope.get("scheme") in ("https", "wss") or (
            _in(peer, self.trusted) and headers.get("x-forwarded-proto", "").lower() == "https")
        if self.mode == "open":
            return Access(mode="open", status_reader=True, https=https)
        status_reader = _in(self._client(peer, headers), self.status_allow)
        grants: list[Grant] = []
        refusals: list[str] = []

        def take(token: str, kind: str) -> None:
            try:
                grants.append(self.verify(token, kind))
            except Refused as exc:
                refusals.append(exc.reason)

        cookies = _cookies(headers.get("cookie", ""))
        if SIGNIN_COOKIE in cookies:
            take(cookies[SIGNIN_COOKIE], SIGNIN)
        for name in [n for n in cookies if n.startswith(EMBED_COOKIE_PREFIX)][:MAX_EMBED_COOKIES]:
            take(cookies[name], EMBED)
        if scope["type"] == "http":
            scheme, _, bearer = headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and bearer.strip():
                take(bearer.strip(), EMBED)
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            for token in query.get("token", [])[:1]:
                if token:
                    take(token, EMBED)
        identity = None
        if self.mode == "proxy" and _in(peer, self.trusted):
            identity = headers.get(self.settings.proxy_user_header.lower()) or None
            if identity:
                grants.extend(self._proxy_grants(identity, headers))
        return Access(mode=self.mode, grants=tuple(grants), identity=identity,
                      status_reader=status_reader, https=https, refusals=tuple(refusals))

    def _client(self, peer: str | None, headers: dict[str, str]) -> str | None:
        """The browser's address: behind trusted proxies, the nearest one they forwarded for
        (so a local nginx does not make every visitor a loopback status reader)."""
        if not _in(peer, self.trusted):
            return peer
        hops = [h.strip() for h in headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not _in(hop, self.trusted):
                return hop
        return hops[0] if hops else peer

    def _proxy_grants(self, identity: str, headers: dict[str, str]) -> list[Grant]:
        raw = headers.get(self.settings.proxy_groups_header.lower(), "")
        groups = [g.strip() for g in raw.split(",") if g.strip()]
        until = int(time.time()) + self.max_ttl_s
        return [Grant(screens=screens, districts=districts, expires=until, id=f"group:{group}",
                      kind="proxy", subject=identity)
                for group in groups if group in self.proxy_groups
                for screens, districts in [self.proxy_groups[group]]]


def _cookies(header: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _wants_json(path: str) -> bool:
    return path.startswith("/_dash-")


class AccessMiddleware:
    """Pure ASGI: resolve, refuse without a grant, and expose the ``Access`` downstream."""

    def __init__(self, app, gate: Gatekeeper):
        self.app = app
        self.gate = gate

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        access = self.gate.resolve(scope)
        token = CONNECTION.set(access)
        try:
            if scope["type"] == "websocket":
                if not access.granted:
                    log.info("live socket refused: no grant (%s)", scope.get("client"))
                    await receive()  # the upgrade request
                    await send({"type": "websocket.close", "code": 4401, "reason": "no grant"})
                    return
            elif not access.granted and not _public(scope["path"]) and not (
                    scope["path"] in STATUS_PATHS and access.status_reader):
                await self._refuse(scope, receive, send, access)
                return
            await self.app(scope, receive, send)
        finally:
            CONNECTION.reset(token)

    async def _refuse(self, scope, receive, send, access: Access) -> None:
        reason = access.refusals[0] if access.refusals else NEED_GRANT
        headers = {"WWW-Authenticate": 'Bearer realm="greenwall"', "Cache-Control": "no-store"}
        if _wants_json(scope["path"]):
            response = JSONResponse({"error": "unauthorized", "reason": reason}, status_code=401,
                                    headers=headers)
        else:
            response = error_page(401, reason, headers)
        await response(scope, receive, send)


def install(app, gate: Gatekeeper) -> None:
    """Put the access middleware in front of everything ``app.server`` serves."""
    app.server.add_middleware(AccessMiddleware, gate=gate)
