"""Every response carries the Content-Security-Policy and ``nosniff``; a foreign Host header is
refused on the default loopback bind; the live WebSocket opens to its own and listed origins only."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import urlparse

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from dashboard.security_headers import allowed_hosts, parse_policy
from dashboard.settings import Settings

FRAME_ANCESTORS = "'self' https://platform.example.gov.cn"
WALL_ORIGIN = "https://wall.example.gov.cn"
PATHS = ["/", "/screens/waste-sorting", "/screens/forest-chief", "/embed/waste-sorting",
         "/embed/waste-sorting?token=nonsense", "/export/waste-sorting/tonnes.csv", "/healthz",
         "/metrics", "/_dash-layout", "/_dash-dependencies", "/assets/map.js",
         "/screens/no-such-screen", "/no-such-page"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)([^>]*)>(.*?)</script>", re.DOTALL)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)  # Dash's IE notice hides in one: never run


@pytest.fixture
def access():
    """The access mode (a test parametrizes it to see refusals); unset → open on loopback."""
    return None


@pytest.fixture
def settings(settings, access):
    return settings.model_copy(update={"frame_ancestors": FRAME_ANCESTORS,
                                       "ws_origins": WALL_ORIGIN, "access": access})


def policy_of(response: httpx.Response) -> dict[str, str]:
    [header] = response.headers.get_list("content-security-policy")
    return parse_policy(header)


def assert_hardened(response: httpx.Response, frame_ancestors: str = "'self'") -> None:
    where = f"{response.request.method} {response.request.url} → {response.status_code}"
    policy = policy_of(response)
    script_src = policy["script-src"].split()
    assert script_src[0] == "'self'", where
    assert all(s.startswith("'sha256-") for s in script_src[1:]), where
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'", where
    assert policy["connect-src"] == "'self'" and policy["default-src"] == "'self'", where
    assert policy["img-src"] == "'self' data: blob:", where
    assert policy["frame-ancestors"] == frame_ancestors, where
    assert response.headers["x-content-type-options"] == "nosniff", where


def worker_url(page: str) -> str:
    """The live WebSocket's SharedWorker script, as Dash's config names it."""
    config = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page,
                       re.DOTALL)
    return urlparse(json.loads(config.group(1))["websocket"]["worker_url"]).path


def test_every_response_carries_the_policy_and_nosniff(web):
    with httpx.Client(base_url=web, timeout=10) as client:
        for path in PATHS:
            response = client.get(path)
            assert_hardened(response, FRAME_ANCESTORS if path.startswith("/embed/") else "'self'")
        # The worker's own policy governs its WebSocket: it must allow connecting home.
        worker = client.get(worker_url(client.get("/screens/waste-sorting").text))
        assert worker.status_code == 200
        assert_hardened(worker)


@pytest.mark.parametrize("access", ["signed"])
def test_refusals_without_a_grant_carry_the_headers_too(web, access):
    with httpx.Client(base_url=web, timeout=10) as client:
        for path in ("/screens/waste-sorting", "/_dash-layout", "/export/waste-sorting/tonnes.csv"):
            response = client.get(path)
            assert response.status_code == 401, path
            assert_hardened(response)
        # The host is checked before the grant: a rebinding page learns nothing more.
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_the_inline_scripts_of_a_first_page_are_allowed_by_hash(web):
    # Dash Pages adds an inline script on the first request: the policy sent with that very
    # page must already allow it.
    response = httpx.get(web + "/screens/forest-chief", timeout=10)
    scripts = [body for attrs, body in INLINE_SCRIPT.findall(COMMENT.sub("", response.text))
               if "application/json" not in attrs]
    assert len(scripts) >= 2  # the renderer and Dash Pages' title callback at least
    allowed = policy_of(response)["script-src"].split()
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, script[:80]
    assert "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in allowed


def test_a_foreign_host_header_gets_400_in_loopback_mode(web):
    port = urlparse(web).port
    with httpx.Client(base_url=web, timeout=10) as client:
        for host in ("evil.example", f"rebind.attacker.example:{port}", "127.0.0.2", "[::2]"):
            response = client.get("/screens/waste-sorting", headers={"Host": host})
            assert response.status_code == 400, host
            assert_hardened(response)
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "LOCALHOST"):
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
    # Origin and Host agree, as a rebinding page's would: Dash's origin check alone lets it in.
    # uvicorn answers a socket refused before its handshake with 403.
    with pytest.raises(InvalidStatus, match="403"):
        connect(f"ws://127.0.0.1:{port}/_dash-ws-callback", origin="http://evil.example",
                additional_headers={"Host": "evil.example"}, open_timeout=10)


def test_the_websocket_opens_to_its_own_and_listed_origins_only(web):
    url = f"ws://{urlparse(web).netloc}/_dash-ws-callback"
    for origin in (web, WALL_ORIGIN):
        with connect(url, origin=origin, open_timeout=10):
            pass
    for origin in ("http://evil.example", f"{WALL_ORIGIN}.evil.example", "null"):
        with pytest.raises(InvalidStatus, match="403"):
            connect(url, origin=origin, open_timeout=10)


@pytest.mark.parametrize("host, listed, expected", [
    ("127.0.0.1", None, ["localhost", "127.0.0.1", "[::1]"]),
    ("::1", None, ["localhost", "127.0.0.1", "[::1]"]),
    ("localhost", "", ["localhost", "127.0.0.1", "[::1]"]),
    ("0.0.0.0", None, ["*"]),
    ("10.1.2.3", "screens.example.gov.cn, *.wall.example.gov.cn",
     ["screens.example.gov.cn", "*.wall.example.gov.cn"]),
])
def test_allowed_hosts_follow_the_bind_address_unless_listed(host, listed, expected):
    assert allowed_hosts(Settings(host=host, allowed_hosts=listed)) == expected
