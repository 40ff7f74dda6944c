"""Embed tokens: what they carry, and every way one is refused, with its status and reason."""

from __future__ import annotations

import time

import pytest

from dashboard.cli import main
from dashboard.embed import csp_header, host_origins
from dashboard.grants import (
    OutOfScope,
    TokenExpired,
    TokenInvalid,
    TokenMissing,
    authorize,
    issue,
    verify,
)

SECRET = "test-secret-0123456789-0123456789-abc"
SLUG = "waste-sorting"


def test_a_token_carries_its_screens_districts_and_expiry():
    now = time.time()
    grant = verify(SECRET, issue(SECRET, [SLUG], ["310115", "310101"], ttl_s=600, now=now))
    assert grant.screens == (SLUG,)
    assert grant.districts == ("310115", "310101")
    assert grant.expires == int(now + 600)
    everywhere = verify(SECRET, issue(SECRET, [SLUG]))
    assert everywhere.districts is None
    authorize(SECRET, issue(SECRET, [SLUG]), SLUG, None)  # the whole city
    authorize(SECRET, issue(SECRET, [SLUG]), SLUG, "310104")


def _tampered(token: str) -> str:
    body, signature = token.rsplit(".", 1)
    flipped = "A" if signature[0] != "A" else "B"
    return f"{body}.{flipped}{signature[1:]}"


def _widened(token: str) -> str:
    """The payload rewritten to allow every district, with the original signature."""
    import base64
    import json
    import zlib

    body, signature = token.rsplit(".", 1)
    compressed = body.startswith(".")  # itsdangerous zlib-compresses payloads it can shorten
    raw = base64.urlsafe_b64decode(body.lstrip(".") + "=" * (-len(body.lstrip(".")) % 4))
    claims = json.loads(zlib.decompress(raw) if compressed else raw)
    claims["d"] = None
    raw = json.dumps(claims, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + signature


@pytest.mark.parametrize("make, error, status, words", [
    (lambda: None, TokenMissing, 401, "missing token"),
    (lambda: "", TokenMissing, 401, "missing token"),
    (lambda: "not-a-token", TokenInvalid, 401, "invalid token"),
    (lambda: _tampered(issue(SECRET, [SLUG], ["310115"])), TokenInvalid, 401, "altered"),
    (lambda: _widened(issue(SECRET, [SLUG], ["310115"])), TokenInvalid, 401, "altered"),
    (lambda: issue("another-secret-0123456789-0123456789", [SLUG]), TokenInvalid, 401,
     "GREENWALL_SECRET"),
    (lambda: issue(SECRET, [SLUG], ttl_s=60, now=time.time() - 120), TokenExpired, 401,
     "token expired at"),
])
def test_refused_tokens_say_why(make, error, status, words):
    with pytest.raises(error) as caught:
        verify(SECRET, make())
    assert caught.value.status == status
    assert words in caught.value.reason


@pytest.mark.parametrize("slug, district, words", [
    ("forest-chief", "310115", "grant does not allow screen 'forest-chief'"),
    (SLUG, "310104", "district 310104 is outside this grant's scope; it allows 310115 浦东新区"),
    (SLUG, None, "the whole city is outside this grant's scope"),
])
def test_out_of_scope_is_403_with_the_allowed_scope(slug, district, words):
    token = issue(SECRET, [SLUG], ["310115"])
    with pytest.raises(OutOfScope) as caught:
        authorize(SECRET, token, slug, district)
    assert caught.value.status == 403
    assert words in caught.value.reason


@pytest.mark.parametrize("screens, districts, ttl, words", [
    ([], None, 60, "at least one screen"),
    ([SLUG], ["310000"], 60, "310000 is the whole city"),
    ([SLUG], ["999999"], 60, "unknown district '999999'"),
    ([SLUG], [], 60, "allows nothing"),
    ([SLUG], None, 0, "ttl must be a positive"),
])
def test_tokens_that_would_make_no_sense_are_not_issued(screens, districts, ttl, words):
    with pytest.raises(ValueError, match=words):
        issue(SECRET, screens, districts, ttl)


def test_frame_ancestors_give_the_header_and_the_concrete_host_origins():
    assert csp_header("'self' https://one.example.gov.cn") == {
        "Content-Security-Policy": "frame-ancestors 'self' https://one.example.gov.cn"}
    assert csp_header("  ")["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert host_origins("'self' https://One.example.gov.cn:8443/") == (
        ("self", "https://one.example.gov.cn:8443"), False)
    assert host_origins("https://*.example.gov.cn 'self'") == (("self",), True)
    assert host_origins("https:") == ((), True)
    assert host_origins("'none'") == ((), False)


def test_greenwall_token_prints_a_token_for_the_secret_in_use(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GREENWALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GREENWALL_SECRET", SECRET)
    assert main(["token", "--screen", SLUG, "--district", "310115", "黄浦区", "--ttl", "900"]) == 0
    out, err = capsys.readouterr()
    grant = verify(SECRET, out.strip())
    assert grant.screens == (SLUG,) and grant.districts == ("310115", "310101")
    assert 0 < grant.expires - time.time() <= 900
    assert "310115 浦东新区, 310101 黄浦区" in err and "valid until" in err


def test_greenwall_token_uses_the_servers_generated_secret_when_none_is_set(
        monkeypatch, tmp_path, capsys):
    from dashboard.settings import Settings

    secret = Settings(data_dir=tmp_path).signing_secret()  # what `greenwall run` generates
    monkeypatch.setenv("GREENWALL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GREENWALL_SECRET", raising=False)
    assert main(["token", "--screen", SLUG, "--all-districts"]) == 0
    token = capsys.readouterr().out.strip()
    assert verify(secret, token).districts is None


@pytest.mark.parametrize("argv, words", [
    (["--screen", "nope", "--all-districts"], "unknown screen 'nope' (known: "),
    (["--screen", SLUG], "--all-districts for the whole city"),
    (["--district", "310115"], "name the screens an embed token allows"),
    (["--screen", SLUG, "--district", "310000"], "310000 is the whole city"),
    (["--screen", SLUG, "--district", "浦东"], "unknown district '浦东'"),
    (["--screen", SLUG, "--all-districts", "--ttl", "-5"], "ttl must be a positive"),
    (["--screen", SLUG, "--all-districts", "--ttl", str(31 * 86400)], "lifetime cap"),
])
def test_greenwall_token_explains_what_it_cannot_do(monkeypatch, tmp_path, capsys, argv, words):
    monkeypatch.setenv("GREENWALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GREENWALL_SECRET", SECRET)
    assert main(["token", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err
