"""A host not in ``GREENWALL_FRAME_ANCESTORS`` that frames a screen sees, inside its frame, a
page saying so (403), instead of a broken frame; the screen itself is never framed by it."""

from __future__ import annotations

import html

import pytest

from dashboard.embed import ancestors_allow, framing_origin
from dashboard.grants import issue
from dashboard.security_headers import parse_policy
from tests.dashboard.test_embed_routes import get

SLUG = "waste-sorting"
ALLOWED_HOST = "https://platform.example.gov.cn"
FRAME_ANCESTORS = f"'self' {ALLOWED_HOST} https://*.pd.example.gov.cn"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"frame_ancestors": FRAME_ANCESTORS})


def framed_by(referer: str | None, site: str = "cross-site", dest: str = "iframe") -> dict:
    headers = {"Sec-Fetch-Dest": dest, "Sec-Fetch-Site": site}
    if referer is not None:
        headers["Referer"] = referer
    return headers


@pytest.mark.parametrize(("source", "origin", "allowed"), [
    ("'self'", "http://127.0.0.1:8050", True),
    ("'self'", "http://127.0.0.1:8000", False),
    ("'self'", "https://127.0.0.1:8050", True),  # an upgrade to https matches
    ("'self'", "http://localhost:8050", False),
    ("https://platform.example.gov.cn", "https://platform.example.gov.cn", True),
    ("https://platform.example.gov.cn", "http://platform.example.gov.cn", False),
    ("https://platform.example.gov.cn", "https://evil.example.com", False),
    ("https://*.example.gov.cn", "https://pd.example.gov.cn", True),
    ("https://*.example.gov.cn", "https://example.gov.cn", False),
    ("platform.example.gov.cn", "http://platform.example.gov.cn", True),
    ("http://platform.example.gov.cn", "https://platform.example.gov.cn", True),
    ("https://platform.example.gov.cn:8443", "https://platform.example.gov.cn", False),
    ("https://platform.example.gov.cn:*", "https://platform.example.gov.cn:9000", True),
    ("https:", "https://anything.example.com", True),
    ("*", "https://anything.example.com", True),
    ("'none'", "http://127.0.0.1:8050", False),
])
def test_ancestors_match_as_csp_frame_ancestors_does(source, origin, allowed):
    assert ancestors_allow(source, origin, "http://127.0.0.1:8050") is allowed


def test_the_framing_origin_is_known_only_from_a_cross_origin_frame_navigation():
    assert framing_origin(framed_by("https://evil.example.com/portal?x=1")) == \
        "https://evil.example.com"
    assert framing_origin(framed_by("http://127.0.0.1:8000/host.html", "same-site")) == \
        "http://127.0.0.1:8000"
    assert framing_origin({**framed_by(None), "Origin": "https://h.example:8443"}) == \
        "https://h.example:8443"
    assert framing_origin(framed_by(None)) is None  # the host sends no referrer
    assert framing_origin(framed_by("https://evil.example.com/", "same-origin")) is None
    assert framing_origin(framed_by("https://evil.example.com/", dest="document")) is None
    assert framing_origin({"Referer": "https://evil.example.com/"}) is None  # old browsers


def test_a_host_not_allowed_sees_why_in_its_frame(served, sources):
    _, base = served
    token = issue(sources.settings.signing_secret(), [SLUG])
    status, headers, body = get(f"{base}/embed/{SLUG}?token={token}",
                                framed_by("https://evil.example.com/portal/wall.html"))
    assert status == 403
    page = body.decode()
    assert "https://evil.example.com" in page and "GREENWALL_FRAME_ANCESTORS" in page
    assert "未获准嵌入" in page and "is not allowed to embed greenwall" in page
    # Nothing of the screen: no Dash, no data, no script; any host may show this page.
    assert "_dash-config" not in page and "<script" not in page.lower()
    policy = parse_policy(headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == "*" and policy["script-src"] == "'none'"
    assert policy["default-src"] == "'none'"
    assert headers["Cache-Control"] == "no-store"


def test_the_origin_is_shown_as_text(served):
    _, base = served
    _, _, body = get(f"{base}/embed/{SLUG}", framed_by('https://x.example.com"><b>x</b>/'))
    assert "<b>" not in body.decode()


@pytest.mark.parametrize("referer", [f"{ALLOWED_HOST}/portal", "https://wall.pd.example.gov.cn/"])
def test_an_allowed_host_gets_the_screen_under_the_usual_policy(served, sources, referer):
    _, base = served
    token = issue(sources.settings.signing_secret(), [SLUG])
    status, headers, body = get(f"{base}/embed/{SLUG}?token={token}", framed_by(referer))
    assert status == 200 and "_dash-config" in body.decode()
    assert parse_policy(headers["Content-Security-Policy"])["frame-ancestors"] == FRAME_ANCESTORS


def test_an_unknown_host_keeps_the_csp_refusal(served, sources):
    """Without a referrer the origin cannot be named: the browser refuses by the header."""
    _, base = served
    token = issue(sources.settings.signing_secret(), [SLUG])
    status, headers, _ = get(f"{base}/embed/{SLUG}?token={token}", framed_by(None))
    assert status == 200
    assert parse_policy(headers["Content-Security-Policy"])["frame-ancestors"] == FRAME_ANCESTORS


def test_a_refused_token_in_a_disallowed_frame_still_says_the_frame_reason(served):
    _, base = served
    status, _, body = get(f"{base}/embed/{SLUG}?token=nonsense",
                          framed_by("https://evil.example.com/"))
    assert status == 403 and "GREENWALL_FRAME_ANCESTORS" in html.unescape(body.decode())
