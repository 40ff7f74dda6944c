"""Grants: signed, expiring statements of which screens and districts someone may see.

A grant travels as a token — an itsdangerous ``URLSafeSerializer`` string: base64url JSON, a
dot, and an HMAC-SHA256 keyed by ``GREENWALL_SECRET`` — carrying
``{"v": 1, "i": id, "s": [screen slugs] | ["*"], "d": [adcodes] | null, "t": issued, "e": expiry}``.
``d: null`` allows every district and the whole city (市级); a list allows exactly those
districts (区级). Two kinds are signed with different salts, so one can never pass for the
other: an **embed** token rides in an iframe's URL (``/embed/<slug>?token=…``), a **sign-in**
token in a link (``/signin?token=…``) that trades it for an HttpOnly cookie.

Every grant has an id, so it can be revoked before it expires (``greenwall revoke ID``), and no
grant lives longer than ``GREENWALL_MAX_GRANT_TTL_S``. Signing keys rotate: the newest secret
signs, every secret in ``GREENWALL_SECRET_PREVIOUS`` still verifies.

A missing, tampered or expired token is refused with 401, a screen or district outside the
grant with 403; every refusal carries a reason a person can act on.

``Access`` is what one connection may see (everything, or the union of its grants);
``current()`` gives the one of the request or socket being served. It is set by the web layer's
middleware (``dashboard.access``) and read by page builders and callbacks, which therefore
never need the web layer themselves.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from dashboard.districts import BY_ADCODE, CITY_ADCODE
from dashboard.settings import BUREAU_TZ

FORMAT_VERSION = 1
DEFAULT_TTL_S = 24 * 3600
MAX_TTL_S = 30 * 24 * 3600
ALL_SCREENS = "*"
EMBED, SIGNIN = "embed", "signin"
_SALTS = {EMBED: "greenwall.embed.v1", SIGNIN: "greenwall.signin.v1"}
_NAMES = {EMBED: ("嵌入令牌", "token"), SIGNIN: ("登录链接", "sign-in link")}


class Refused(Exception):
    """A request greenwall refuses; ``status`` is its HTTP status, ``reason`` says why."""

    status = 401

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TokenMissing(Refused):
    """No token where one is needed (401)."""


class TokenInvalid(Refused):
    """The token was altered, cut short, signed with another secret, or is of another kind (401)."""


class TokenExpired(Refused):
    """The token's expiry has passed, or it outlives the lifetime cap (401)."""


class GrantRevoked(Refused):
    """The grant was revoked by its id before it expired (401)."""


class NoGrant(Refused):
    """The connection carries no grant at all (401)."""


class OutOfScope(Refused):
    """A valid grant that does not cover this screen or district (403)."""

    status = 403


def district_label(adcode: str) -> str:
    district = BY_ADCODE.get(adcode)
    return f"{adcode} {district.name}" if district else adcode


@dataclass(frozen=True)
class Grant:
    """What one valid token allows: these screens (``("*",)``: all), these districts
    (``None``: all and the whole city), until ``expires`` (epoch seconds)."""

    screens: tuple[str, ...]
    districts: tuple[str, ...] | None
    expires: int
    id: str = ""
    kind: str = EMBED
    subject: str = ""  # who, for logs: a proxy identity, or the grant's kind and id

    def allows_screen(self, slug: str) -> bool:
        return ALL_SCREENS in self.screens or slug in self.screens

    def allows_district(self, district: str | None) -> bool:
        """``district`` is an adcode, or ``None`` for the whole city."""
        if self.districts is None:
            return True
        return district is not None and district in self.districts

    def allows(self, slug: str, district: str | None) -> bool:
        return self.allows_screen(slug) and self.allows_district(district)

    def check(self, slug: str, district: str | None) -> None:
        """Raise ``OutOfScope`` unless this grant covers ``slug`` in ``district``."""
        if not self.allows_screen(slug):
            raise OutOfScope(
                f"授权不含大屏 {slug!r} (this grant does not allow screen {slug!r}; "
                f"it allows {', '.join(self.screens)})"
            )
        if self.allows_district(district):
            return
        allowed = ", ".join(district_label(d) for d in self.districts or ())
        if district is None:
            raise OutOfScope(
                f"授权不含全市视图 (the whole city is outside this grant's scope; it allows "
                f"{allowed}: add district={self.districts[0]})"
            )
        raise OutOfScope(
            f"区 {district_label(district)} 不在授权范围内 (district {district} is outside this "
            f"grant's scope; it allows {allowed})"
        )

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, BUREAU_TZ)

    def describe(self) -> str:
        """One line for people: screens, districts, expiry."""
        screens = "every screen" if ALL_SCREENS in self.screens else ", ".join(self.screens)
        scope = ("the whole city and every district" if self.districts is None
                 else ", ".join(district_label(d) for d in self.districts))
        return f"{screens}; {scope}; valid until {self.expires_at:%Y-%m-%d %H:%M:%S %z}"


def _keys(secret: str | Sequence[str]) -> list[str]:
    """itsdangerous signs with the last key and verifies with any: newest last."""
    return [secret] if isinstance(secret, str) else list(secret)


def _serializer(secret: str | Sequence[str], kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(_keys(secret), salt=_SALTS[kind],
                             signer_kwargs={"digest_method": hashlib.sha256})


def _district_codes(districts: Iterable[str] | None) -> tuple[str, ...] | None:
    if districts is None:
        return None
    codes = tuple(dict.fromkeys(districts))
    if not codes:
        raise ValueError("an empty district list allows nothing: leave it out to allow all")
    for code in codes:
        if code == CITY_ADCODE:
            raise ValueError(f"{CITY_ADCODE} is the whole city: a grant for the city and every "
                             "district is asked for with --all-districts")
        if code not in BY_ADCODE:
            raise ValueError(f"unknown district {code!r} (expected one of the 16 adcodes)")
    return codes


def issue(secret: str | Sequence[str], screens: Iterable[str],
          districts: Iterable[str] | None = None, ttl_s: int = DEFAULT_TTL_S,
          now: float | None = None, *, kind: str = EMBED, max_ttl_s: int = MAX_TTL_S) -> str:
    """A token of ``kind`` for ``screens`` (``["*"]``: all) in ``districts`` (``None``: every
    district and the city), valid ``ttl_s`` seconds; ``ValueError`` says what is wrong."""
    screens = tuple(dict.fromkeys(screens))
    if not screens:
        raise ValueError("a grant needs at least one screen")
    if ttl_s <= 0:
        raise ValueError(f"ttl must be a positive number of seconds, got {ttl_s}")
    if ttl_s > max_ttl_s:
        raise ValueError(f"ttl {ttl_s} s is longer than the lifetime cap of {max_ttl_s} s "
                         "(GREENWALL_MAX_GRANT_TTL_S)")
    codes = _district_codes(districts)
    issued = int(time.time() if now is None else now)
    return _serializer(secret, kind).dumps(
        {"v": FORMAT_VERSION, "i": secrets.token_hex(8), "s": list(screens),
         "d": None if codes is None else list(codes), "t": issued, "e": issued + ttl_s})


def verify(secret: str | Sequence[str], token: str | None, now: float | None = None, *,
           kind: str = EMBED, max_ttl_s: int = MAX_TTL_S) -> Grant:
    """The grant a token carries; raises ``TokenMissing``, ``TokenInvalid`` or ``TokenExpired``.

    Revocation is the caller's to check (``dashboard.access``): it needs the shared store.
    """
    name_zh, name_en = _NAMES[kind]
    if not token:
        hint = "add ?token=… made by `greenwall token`" if kind == EMBED else \
            "open the link made by `greenwall token --signin`"
        raise TokenMissing(f"缺少{name_zh} (missing {name_en}: {hint})")
    try:
        claims = _serializer(secret, kind).loads(token)
    except BadSignature:
        raise TokenInvalid(f"{name_zh}无效 (invalid {name_en}: it was altered, cut short, or "
                           "signed with another GREENWALL_SECRET)") from None
    try:
        if claims["v"] != FORMAT_VERSION:
            raise ValueError(claims["v"])
        expires = int(claims["e"])
        issued = int(claims.get("t", expires - max_ttl_s))
        grant = Grant(screens=tuple(str(s) for s in claims["s"]),
                      districts=None if claims["d"] is None else tuple(str(d) for d in claims["d"]),
                      expires=expires, id=str(claims.get("i") or _legacy_id(token)), kind=kind)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise TokenInvalid(f"{name_zh}格式不符 (invalid {name_en}: not a greenwall {name_en} of "
                           f"format {FORMAT_VERSION})") from None
    moment = time.time() if now is None else now
    if moment >= grant.expires:
        raise TokenExpired(
            f"{name_zh}已过期 ({name_en} expired at {grant.expires_at:%Y-%m-%d %H:%M:%S %z}; "
            "ask for a new one)")
    if grant.expires - min(issued, moment) > max_ttl_s:
        raise TokenExpired(
            f"{name_zh}有效期超过上限 ({name_en} lives longer than the lifetime cap of "
            f"{max_ttl_s} s; ask for a new one)")
    return grant


def _legacy_id(token: str) -> str:
    """Tokens made before grants had ids are named by their signature, so they can be revoked."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def authorize(secret: str | Sequence[str], token: str | None, slug: str, district: str | None,
              now: float | None = None, **options) -> Grant:
    """Verify ``token`` and check it covers ``slug`` in ``district``; raises ``Refused``."""
    grant = verify(secret, token, now, **options)
    grant.check(slug, district)
    return grant


# ---- what one connection may see --------------------------------------------------------------

NEED_GRANT = ("需要授权：请使用 `greenwall token --signin` 生成的登录链接，或经统一身份认证进入 "
              "(a grant is needed: open a sign-in link made by `greenwall token --signin`, or "
              "come through the bureau's single sign-on)")


@dataclass(frozen=True)
class Access:
    """What one connection may see: everything (``open``), or the union of its grants."""

    mode: str
    grants: tuple[Grant, ...] = ()
    identity: str | None = None  # who the auth proxy says this is
    status_reader: bool = False  # may read /healthz in full and /metrics
    https: bool = False  # the browser's side of the connection is TLS (here or at the proxy)
    refusals: tuple[str, ...] = field(default=(), compare=False)  # why offered tokens failed

    @property
    def unrestricted(self) -> bool:
        return self.mode == "open"

    @property
    def granted(self) -> bool:
        return self.unrestricted or bool(self.grants)

    def allows_screen(self, slug: str) -> bool:
        return self.unrestricted or any(g.allows_screen(slug) for g in self.grants)

    def allows(self, slug: str, district: str | None) -> bool:
        return self.unrestricted or any(g.allows(slug, district) for g in self.grants)

    def check(self, slug: str, district: str | None) -> None:
        """Raise ``NoGrant`` (401) or ``OutOfScope`` (403, the nearest grant's reason)."""
        if self.allows(slug, district):
            return
        if not self.grants:
            reason = self.refusals[0] if self.refusals else NEED_GRANT
            raise NoGrant(reason)
        nearest = next((g for g in self.grants if g.allows_screen(slug)), self.grants[0])
        nearest.check(slug, district)
        raise OutOfScope(f"no grant covers {slug} in {district or 'the whole city'}")

    def home_district(self, slug: str) -> str | None:
        """A district this connection may see ``slug`` in, when it may not see the city."""
        if self.allows(slug, None):
            return None
        return next((g.districts[0] for g in self.grants
                     if g.allows_screen(slug) and g.districts), None)

    def expiry(self, slug: str, district: str | None) -> float:
        """When the last grant covering ``slug`` in ``district`` expires (inf: never)."""
        if self.unrestricted:
            return float("inf")
        return max((g.expires for g in self.grants if g.allows(slug, district)), default=0.0)

    def who(self) -> str:
        if self.unrestricted:
            return "open"
        if self.identity:
            return f"proxy:{self.identity}"
        return ",".join(f"{g.kind}:{g.id}" for g in self.grants) or "anonymous"


DENIED = Access(mode="signed")
CONNECTION: ContextVar[Access] = ContextVar("greenwall_access", default=DENIED)


def current() -> Access:
    """The access of the request or socket this code runs for (nothing outside one)."""
    return CONNECTION.get()



