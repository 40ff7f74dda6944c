"""Sign-in links and the cookies that carry grants.

``/signin?token=…`` trades a sign-in token (``greenwall token --signin``) for an HttpOnly,
SameSite cookie and sends the browser to the index, so the token leaves the address bar at
once. An ``/embed`` page sets a cookie of its own for the frame's later requests and its live
socket: over HTTPS a partitioned ``SameSite=None`` cookie (CHIPS), which a cross-site frame
keeps; over plain HTTP a ``SameSite=Lax`` one, which only a same-site frame sends.
"""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from dashboard.access import EMBED_COOKIE_PREFIX, SIGNIN_COOKIE, Gatekeeper
from dashboard.errors import error_page
from dashboard.grants import SIGNIN, Grant, Refused, current

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _secure(request: Request) -> bool:
    """Cookies are ``Secure`` when the browser came over TLS, here or at a trusted proxy."""
    return current().https or request.url.scheme == "https"


def _max_age(grant: Grant) -> int:
    return max(0, int(grant.expires - time.time()))


def set_embed_cookie(response: Response, request: Request, token: str, grant: Grant) -> None:
    """The embed grant as a cookie named by its id, so frames of several scopes coexist."""
    secure = _secure(request)
    response.set_cookie(f"{EMBED_COOKIE_PREFIX}{grant.id}", token, max_age=_max_age(grant),
                        httponly=True, secure=secure, samesite="none" if secure else "lax",
                        partitioned=secure)


def register_signin(app, gate: Gatekeeper) -> None:
    """``/signin`` and ``/signout``."""
    server = app.server

    @server.get("/signin", include_in_schema=False)
    def signin(request: Request, token: str = "") -> Response:
        try:
            grant = gate.verify(token, SIGNIN)
        except Refused as exc:
            return error_page(exc.status, exc.reason,
                              {**PRIVATE, "WWW-Authenticate": 'Bearer realm="greenwall"'})
        response = RedirectResponse("/", status_code=303, headers=PRIVATE)
        response.set_cookie(SIGNIN_COOKIE, token, max_age=_max_age(grant), httponly=True,
                            secure=_secure(request), samesite="lax")
        return response

    @server.get("/signout", include_in_schema=False)
    def signout(request: Request) -> Response:
        response = RedirectResponse("/", status_code=303, headers=PRIVATE)
        response.delete_cookie(SIGNIN_COOKIE, httponly=True, secure=_secure(request),
                               samesite="lax")
        return response
