"""Proxy access: identities an auth proxy asserts, believed only from the trusted proxy."""

from __future__ import annotations

import pytest

from dashboard.access import Gatekeeper, ProxyGrantsError
from tests.dashboard.test_access import call

SLUG = "waste-sorting"
GROUPS = """
[groups."city-duty"]
screens = "*"
districts = "*"

[groups."pudong-waste"]
screens = ["waste-sorting"]
districts = ["浦东新区"]
"""


@pytest.fixture
def grants_file(tmp_path):
    path = tmp_path / "groups.toml"
    path.write_text(GROUPS, encoding="utf-8")
    return path


@pytest.fixture
def settings(settings, grants_file):
    return settings.model_copy(update={
        "access": "proxy", "trusted_proxies": "127.0.0.1/32", "proxy_grants": grants_file,
        "secret": "proxy-test-secret-0123456789-0123456789", "status_allow": ""})


def who(user: str, groups: str) -> dict[str, str]:
    return {"X-Forwarded-User": user, "X-Forwarded-Groups": groups}


def test_groups_map_to_grants(web):
    duty = who("zhang.san", "city-duty")
    assert call(f"{web}/screens/forest-chief", duty)[0] == 200
    pudong = who("li.si", "pudong-waste,unknown-group")
    assert call(f"{web}/screens/{SLUG}?district=310115", pudong)[0] == 200
    assert call(f"{web}/screens/{SLUG}?district=310101", pudong)[0] == 403
    assert call(f"{web}/screens/forest-chief?district=310115", pudong)[0] == 403
    assert call(f"{web}/screens/{SLUG}", who("wang.wu", "unknown-group"))[0] == 401
    assert call(f"{web}/screens/{SLUG}", {"X-Forwarded-Groups": "city-duty"})[0] == 401


def test_identity_headers_from_an_untrusted_peer_are_ignored(served, settings, sources):
    app, _ = served
    gate = app.greenwall["gate"]
    untrusted = Gatekeeper(settings.model_copy(update={"trusted_proxies": "10.9.9.9/32"}),
                           sources.redis, gate.revoked_key)
    scope = {"type": "http", "client": ("127.0.0.1", 5000), "query_string": b"",
             "headers": [(b"x-forwarded-user", b"mallory"), (b"x-forwarded-groups", b"city-duty")]}
    assert not untrusted.resolve(scope).granted
    assert gate.resolve(scope).granted


@pytest.mark.parametrize("text, words", [
    ('[groups.a]\nscreens = ["nope"]\ndistricts = "*"', "screens must be"),
    ('[groups.a]\nscreens = "*"\ndistricts = ["浦东"]', "unknown district '浦东'"),
    ('[groups.a]\nscreens = "*"', "districts must be"),
    ("[groups.a", "not valid TOML"),
])
def test_a_bad_group_file_stops_the_start_with_a_reason(settings, tmp_path, text, words):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ProxyGrantsError, match=words):
        Gatekeeper(settings.model_copy(update={"proxy_grants": bad}))
    with pytest.raises(ProxyGrantsError, match="TRUSTED_PROXIES"):
        Gatekeeper(settings.model_copy(update={"trusted_proxies": ""}))


def test_behind_a_local_proxy_visitors_are_not_status_readers(settings):
    gate = Gatekeeper(settings.model_copy(update={"status_allow": "127.0.0.0/8"}))
    proxied = {"type": "http", "client": ("127.0.0.1", 5000), "query_string": b"",
               "headers": [(b"x-forwarded-for", b"203.0.113.9, 127.0.0.1"),
                           (b"x-forwarded-proto", b"https")]}
    seen = gate.resolve(proxied)
    assert not seen.status_reader and seen.https
    direct = {**proxied, "headers": []}  # a monitoring probe on the machine itself
    assert gate.resolve(direct).status_reader and not gate.resolve(direct).https
    spoofed = {**proxied, "client": ("198.51.100.7", 5000)}  # not the proxy: believed nothing
    assert not gate.resolve(spoofed).https


def test_health_errors_never_carry_hosts_users_or_passwords(settings):
    from dashboard.ops import health
    from dashboard.sources import Sources

    broken = settings.model_copy(update={
        "redis_url": "redis://admin:hunter2@127.0.0.1:1/0",
        "database_url": "postgresql+psycopg://dbuser:hunter2@127.0.0.1:1/nowhere"})
    status, report = health(Sources.from_settings(broken))
    assert status == 503 and report["status"] == "down"
    text = str(report)
    assert "hunter2" not in text and "admin" not in text and "dbuser" not in text
    assert report["redis"]["error"] and report["database"]["error"]
