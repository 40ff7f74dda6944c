"""Embed tokens on every route: the page, CSV export and the live WebSocket refuse a missing,
tampered, expired or out-of-scope token alike, and serve a valid one."""

from __future__ import annotations

import html
import time
import urllib.error
import urllib.request

import pytest

from dashboard import ids
from dashboard.grants import issue
from dashboard.security_headers import parse_policy
from tests.live_client import drive_live

SLUG = "waste-sorting"
FRAME_ANCESTORS = "'self' https://platform.example.gov.cn"
ALLOWED, OTHER = "310115", "310101"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"frame_ancestors": FRAME_ANCESTORS})


def _tampered(token: str) -> str:
    body, signature = token.rsplit(".", 1)
    return f"{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def refused_tokens(secret: str) -> dict[str, tuple[str | None, int, str]]:
    """name → (token, status, words of the reason); each is refused for district ALLOWED."""
    mine = issue(secret, [SLUG], [ALLOWED])
    return {
        "missing": (None, 401, "missing token"),
        "empty": ("", 401, "missing token"),
        "tampered": (_tampered(mine), 401, "invalid token"),
        "another secret": (issue("not-our-secret-0123456789-0123456789", [SLUG]), 401, "invalid token"),
        "expired": (issue(secret, [SLUG], [ALLOWED], ttl_s=60, now=time.time() - 3600), 401,
                    "token expired"),
        "another screen": (issue(secret, ["forest-chief"]), 403, "does not allow screen"),
        "another district": (issue(secret, [SLUG], [OTHER]), 403, "outside this grant's scope"),
    }


CASES = ["missing", "empty", "tampered", "another secret", "expired", "another screen",
         "another district"]


def get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def query(token: str | None, district: str | None = ALLOWED) -> str:
    parts = [f"district={district}"] if district else []
    if token is not None:
        parts.append(f"token={token}")
    return "?" + "&".join(parts)


# ---- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_embed_page_refuses_with_status_reason_and_csp(served, sources, case):
    _, base = served
    token, status, words = refused_tokens(sources.settings.signing_secret())[case]
    got, headers, body = get(f"{base}/embed/{SLUG}{query(token)}")
    assert got == status
    page = html.unescape(body.decode())
    assert words in page and "gw-error-code" in page and "_dash-config" not in page
    assert parse_policy(headers["Content-Security-Policy"])["frame-ancestors"] == FRAME_ANCESTORS
    assert ("WWW-Authenticate" in headers) == (status == 401)


def test_a_district_token_does_not_open_the_whole_city(served, sources):
    _, base = served
    token = issue(sources.settings.signing_secret(), [SLUG], [ALLOWED])
    got, _, body = get(f"{base}/embed/{SLUG}{query(token, district=None)}")
    assert got == 403
    assert f"add district={ALLOWED}" in html.unescape(body.decode())


def test_embed_page_with_a_valid_token_is_served_framable_without_cookies(served, sources):
    _, base = served
    token = issue(sources.settings.signing_secret(), [SLUG], [ALLOWED])
    got, headers, body = get(f"{base}/embed/{SLUG}{query(token)}")
    assert got == 200 and "_dash-config" in body.decode()
    assert "/assets/embed.js" in body.decode()
    assert parse_policy(headers["Content-Security-Policy"])["frame-ancestors"] == FRAME_ANCESTORS
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert headers.get_all("Set-Cookie") is None
    everywhere = issue(sources.settings.signing_secret(), [SLUG])
    assert get(f"{base}/embed/{SLUG}{query(everywhere, district=None)}")[0] == 200


def test_embed_urls_that_are_wrong_whatever_the_token(served, sources):
    _, base = served
    token = issue(sources.settings.signing_secret(), [SLUG])
    assert get(f"{base}/embed/no-such-screen?token={token}")[0] == 404
    assert get(f"{base}/embed/{SLUG}?token={token}&district=999999")[0] == 404
    got, headers, _ = get(f"{base}/embed/{SLUG}?token={token}&fit=zoom")
    assert got == 400 and "frame-ancestors" in headers["Content-Security-Policy"]


def test_screen_pages_need_no_token_and_only_greenwall_may_frame_them(served):
    _, base = served
    got, headers, body = get(f"{base}/screens/{SLUG}")
    assert got == 200 and "_dash-config" in body.decode()
    assert parse_policy(headers["Content-Security-Policy"])["frame-ancestors"] == "'self'"


# ---- CSV export ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", [c for c in CASES if c != "missing"])
def test_export_with_a_token_follows_the_same_rules(served, sources, case):
    _, base = served
    token, status, words = refused_tokens(sources.settings.signing_secret())[case]
    got, headers, body = get(f"{base}/export/{SLUG}/tonnes.csv{query(token)}")
    assert got == status
    assert words in html.unescape(body.decode())
    assert "Content-Disposition" not in headers


def test_export_takes_the_token_from_an_authorization_header_too(served, sources):
    _, base = served
    secret = sources.settings.signing_secret()
    url = f"{base}/export/{SLUG}/tonnes.csv?district={ALLOWED}"
    assert get(url, {"Authorization": f"Bearer {issue(secret, [SLUG], [ALLOWED])}"})[0] == 200
    assert get(url, {"Authorization": f"Bearer {issue(secret, [SLUG], [OTHER])}"})[0] == 403
    assert get(url, {"Authorization": "Bearer nonsense"})[0] == 401


def test_export_with_a_valid_token_or_none_serves_the_csv(served, sources):
    _, base = served
    token = issue(sources.settings.signing_secret(), [SLUG], [ALLOWED])
    for url in (f"{base}/export/{SLUG}/tonnes.csv{query(token)}",
                f"{base}/export/{SLUG}/tonnes.csv{query(None)}"):
        got, headers, body = get(url)
        assert got == 200 and body.startswith(b"\xef\xbb\xbf")
        assert headers["Content-Type"] == "text/csv; charset=utf-8"


# ---- the live WebSocket --------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_live_push_refuses_before_sending_anything(served, sources, case):
    app, base = served
    token, _, _ = refused_tokens(sources.settings.signing_secret())[case]
    session = drive_live(app, base, f"/embed/{SLUG}", query(token))
    assert session.response == {"status": "prevent_update"}
    assert session.set_props == []
    # Refused on the URL alone: it never even looked at the page's screen.
    assert (ids.ROOT, "data-screen") not in session.asked


def _pushed_tiles(session) -> bool:
    return any(cid == ids.tile(SLUG, "tonnes") for cid, _ in session.set_props)


def test_live_push_streams_within_a_valid_token(served, sources):
    app, base = served
    token = issue(sources.settings.signing_secret(), [SLUG], [ALLOWED])
    session = drive_live(app, base, f"/embed/{SLUG}", query(token), until=_pushed_tiles)
    assert session.props_of(ids.metric("waste.tonnes_today.wet"))["data-value"] == "0"
    assert session.response is None  # still streaming when the test hung up


def test_live_push_for_screen_pages_needs_no_token(served):
    app, base = served
    session = drive_live(app, base, f"/screens/{SLUG}", "?district=310115", until=_pushed_tiles)
    assert session.response is None


def test_live_push_stops_when_the_token_expires(served, sources):
    app, base = served
    token = issue(sources.settings.signing_secret(), [SLUG], [ALLOWED], ttl_s=4)
    session = drive_live(app, base, f"/embed/{SLUG}", query(token))
    assert _pushed_tiles(session)
    assert session.props_of(ids.ROOT)["data-token"] == "expired"
    assert session.response == {"status": "prevent_update"}


@pytest.mark.parametrize("path", ["/embed/{slug}?district=310115&token={token}", "/screens/{slug}"])
def test_a_first_request_page_carries_dash_pages_inline_script(served, sources, path):
    # Dash Pages sets up its router in a hook only Dash's own routes ran; a page served first
    # by our routes lacked the script of its title callback and the renderer threw.
    _, base = served
    token = issue(sources.settings.signing_secret(), [SLUG], [ALLOWED])
    got, _, body = get(base + path.format(slug=SLUG, token=token))
    assert got == 200 and "_dashprivate_clientside_funcs" in body.decode()
