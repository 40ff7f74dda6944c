"""Embedding: signed tokens saying which screens and districts an iframe host may show, until when.

A token is an itsdangerous ``URLSafeSerializer`` string — base64url JSON, a dot, and an
HMAC-SHA256 of it keyed by ``GREENWALL_SECRET`` (salted, so the secret signs nothing else by
accident) — carrying ``{"v": 1, "s": [screen slugs], "d": [adcodes] | null, "e": expiry}``.
``d: null`` allows every district and the whole city; a list allows exactly those districts.

A missing, tampered or expired token is refused with 401, a screen or district outside the
token's scope with 403; every refusal carries a reason a host's developer can act on.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeSerializer

from dashboard.districts import BY_ADCODE, CITY_ADCODE, DISTRICTS

FORMAT_VERSION = 1
DEFAULT_TTL_S = 24 * 3600
_SALT = "greenwall.embed.v1"
_SHANGHAI = ZoneInfo("Asia/Shanghai")
_CONCRETE_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/*\s]+/?$", re.IGNORECASE)


class EmbedRefused(Exception):
    """An embed request greenwall refuses; ``status`` is its HTTP status, ``reason`` says why."""

    status = 401

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TokenMissing(EmbedRefused):
    """No ``token=`` on an embed URL (401)."""


class TokenInvalid(EmbedRefused):
    """The token was altered, cut short, or signed with another secret (401)."""


class TokenExpired(EmbedRefused):
    """The token's expiry has passed (401)."""


class OutOfScope(EmbedRefused):
    """A valid token that does not cover this screen or district (403)."""

    status = 403


def _district_label(adcode: str) -> str:
    district = BY_ADCODE.get(adcode)
    return f"{adcode} {district.name}" if district else adcode


@dataclass(frozen=True)
class Grant:
    """What a valid token allows: these screens, these districts (``None``: all), until then."""

    screens: tuple[str, ...]
    districts: tuple[str, ...] | None
    expires: int  # epoch seconds

    def allows_district(self, district: str | None) -> bool:
        """``district`` is an adcode, or ``None`` for the whole city."""
        if self.districts is None:
            return True
        return district is not None and district in self.districts

    def check(self, slug: str, district: str | None) -> None:
        """Raise ``OutOfScope`` unless this grant covers ``slug`` in ``district``."""
        if slug not in self.screens:
            raise OutOfScope(
                f"令牌不含大屏 {slug!r} (this token does not allow screen {slug!r}; "
                f"it allows {', '.join(self.screens)})"
            )
        if self.allows_district(district):
            return
        allowed = ", ".join(_district_label(d) for d in self.districts or ())
        if district is None:
            raise OutOfScope(
                f"令牌不含全市视图 (the whole city is outside this token's scope; it allows "
                f"{allowed}: add district={self.districts[0]})"
            )
        raise OutOfScope(
            f"区 {_district_label(district)} 不在令牌范围内 (district {district} is outside this "
            f"token's scope; it allows {allowed})"
        )

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, _SHANGHAI)


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def issue(secret: str, screens: Iterable[str], districts: Iterable[str] | None = None,
          ttl_s: int = DEFAULT_TTL_S, now: float | None = None) -> str:
    """A token for ``screens`` in ``districts`` (``None``: every district and the city)."""
    screens = tuple(dict.fromkeys(screens))
    if not screens:
        raise ValueError("a token needs at least one screen")
    if ttl_s <= 0:
        raise ValueError(f"ttl must be a positive number of seconds, got {ttl_s}")
    codes = None
    if districts is not None:
        codes = tuple(dict.fromkeys(districts))
        if not codes:
            raise ValueError("an empty district list allows nothing: leave it out to allow all")
        for code in codes:
            if code == CITY_ADCODE:
                raise ValueError(f"{CITY_ADCODE} is the whole city: leave --district out for a "
                                 "token valid for the city and every district")
            if code not in BY_ADCODE:
                raise ValueError(f"unknown district {code!r} (expected one of the 16 adcodes)")
    expires = int((time.time() if now is None else now) + ttl_s)
    return _serializer(secret).dumps(
        {"v": FORMAT_VERSION, "s": list(screens), "d": None if codes is None else list(codes),
         "e": expires})


def verify(secret: str, token: str | None, now: float | None = None) -> Grant:
    """The grant a token carries; raises ``TokenMissing``, ``TokenInvalid`` or ``TokenExpired``."""
    if not token:
        raise TokenMissing("缺少嵌入令牌 (missing token: add ?token=… made by `greenwall token`)")
    try:
        claims = _serializer(secret).loads(token)
    except BadSignature:
        raise TokenInvalid("嵌入令牌无效 (invalid token: it was altered, cut short, or signed "
                           "with another GREENWALL_SECRET)") from None
    try:
        if claims["v"] != FORMAT_VERSION:
            raise ValueError(claims["v"])
        grant = Grant(screens=tuple(str(s) for s in claims["s"]),
                      districts=None if claims["d"] is None else tuple(str(d) for d in claims["d"]),
                      expires=int(claims["e"]))
    except (KeyError, TypeError, ValueError):
        raise TokenInvalid("嵌入令牌格式不符 (invalid token: not a greenwall embed token of "
                           f"format {FORMAT_VERSION})") from None
    if (time.time() if now is None else now) >= grant.expires:
        raise TokenExpired(
            f"嵌入令牌已过期 (token expired at {grant.expires_at:%Y-%m-%d %H:%M:%S %z}; "
            "ask for a new one)")
    return grant


def authorize(secret: str, token: str | None, slug: str, district: str | None,
              now: float | None = None) -> Grant:
    """Verify ``token`` and check it covers ``slug`` in ``district``; raises ``EmbedRefused``."""
    grant = verify(secret, token, now)
    grant.check(slug, district)
    return grant


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
