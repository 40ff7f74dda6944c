"""Signed access, tried as an outsider and as a district viewer would: every route, Dash's own
protocol and the live socket, against the real app served by uvicorn and real Redis."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import InvalidStatus

from dashboard import ids
from dashboard.cli import main
from dashboard.grants import SIGNIN, issue
from tests.conftest import wait_until
from tests.live_client import drive_live

SECRET = "access-test-secret-0123456789-0123456789"
SLUG = "waste-sorting"
MINE, OTHER = "310115", "310101"  # 浦东新区, 黄浦区


@pytest.fixture
def settings(settings):
    # Loopback peers read /healthz in full by default; here nobody does without a grant.
    return settings.model_copy(update={"access": "signed", "secret": SECRET, "status_allow": ""})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def call(url: str, headers: dict[str, str] | None = None, body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={
        **({"Content-Type": "application/json"} if body is not None else {}), **(headers or {})})
    try:
        with OPENER.open(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def signin_cookie(base: str, districts: list[str] | None, screens=("*",)) -> str:
    token = issue(SECRET, screens, districts, 600, kind=SIGNIN)
    status, headers, _ = call(f"{base}/signin?token={token}")
    assert status == 303 and headers["Location"] == "/"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    return cookie.split(";", 1)[0]


PROTECTED = ["/", "/screens/waste-sorting", "/screens/forest-chief?district=310115",
             "/walls/any?display=1", "/export/waste-sorting/tonnes.csv", "/_dash-layout",
             "/_dash-dependencies", "/metrics", "/no-such-page"]


@pytest.mark.parametrize("path", PROTECTED)
def test_without_a_grant_every_route_is_401(web, path):
    status, headers, body = call(web + path)
    assert status == 401, path
    assert "WWW-Authenticate" in headers
    assert b"data-metric" not in body and b"_dash-config" not in body


def test_without_a_grant_dash_callbacks_are_401_and_say_nothing(web):
    status, _, body = call(f"{web}/_dash-update-component", body=pages_request(
        f"/screens/{SLUG}", f"?district={MINE}"))
    assert status == 401 and b"data-metric" not in body


def test_public_routes_stay_public_and_healthz_says_one_word(web):
    assert call(f"{web}/assets/theme.css")[0] == 200
    status, _, body = call(f"{web}/healthz")
    assert status == 200 and json.loads(body).keys() == {"status"}
    assert call(f"{web}/signin")[0] == 401
    assert call(f"{web}/embed/{SLUG}?district={MINE}")[0] == 401


def test_without_a_grant_the_live_socket_is_refused(served):
    app, base = served
    with pytest.raises(InvalidStatus):
        drive_live(app, base, f"/screens/{SLUG}", f"?district={MINE}")


def test_a_forged_or_expired_cookie_is_no_grant(web):
    token = issue(SECRET, ["*"], [MINE], 600, kind=SIGNIN)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    embed_kind = issue(SECRET, ["*"], [MINE], 600)  # an embed token is not a sign-in token
    old = issue(SECRET, ["*"], [MINE], 60, now=time.time() - 120, kind=SIGNIN)
    for bad in (forged, embed_kind, old):
        assert call(f"{web}/screens/{SLUG}?district={MINE}", {"Cookie": f"gw_grant={bad}"})[0] == 401
        assert call(f"{web}/signin?token={bad}")[0] == 401


def test_a_district_grant_sees_its_district_and_nothing_else(web):
    cookie = {"Cookie": signin_cookie(web, [MINE])}
    assert call(f"{web}/", cookie)[0] == 200
    assert call(f"{web}/screens/{SLUG}?district={MINE}", cookie)[0] == 200
    status, _, body = call(f"{web}/screens/{SLUG}?district={OTHER}", cookie)
    assert status == 403 and "outside this grant" in body.decode()
    status, headers, _ = call(f"{web}/screens/{SLUG}", cookie)  # the city: sent to its own district
    assert status == 302 and f"district={MINE}" in headers["Location"]
    assert call(f"{web}/screens/{SLUG}?district=310000", cookie)[0] == 403
    assert call(f"{web}/export/{SLUG}/tonnes.csv?district={MINE}", cookie)[0] == 200
    assert call(f"{web}/export/{SLUG}/tonnes.csv?district={OTHER}", cookie)[0] == 403
    assert call(f"{web}/export/{SLUG}/tonnes.csv", cookie)[0] == 403
    status, _, body = call(f"{web}/healthz", cookie)
    assert status in (200, 503) and "redis" in json.loads(body)


def test_a_screen_grant_does_not_open_other_screens(web):
    cookie = {"Cookie": signin_cookie(web, None, screens=(SLUG,))}
    assert call(f"{web}/screens/{SLUG}", cookie)[0] == 200
    assert call(f"{web}/screens/forest-chief", cookie)[0] == 403
    reply = dash_post(web, pages_request("/", ""), cookie)
    index = json.dumps(reply)
    assert f"/screens/{SLUG}" in index and "/screens/forest-chief" not in index


# ---- Dash's own protocol: what the page says about itself changes nothing ----------------


def pages_request(pathname: str, search: str) -> dict:
    """The Dash Pages router callback, as the renderer POSTs it."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": [],
    }


def dash_post(base: str, body: dict, headers: dict[str, str]) -> dict:
    status, _, raw = call(f"{base}/_dash-update-component", headers, body)
    assert status == 200, raw[:300]
    return json.loads(raw)


def test_the_page_callback_refuses_a_forged_district_or_path(web):
    cookie = {"Cookie": signin_cookie(web, [MINE])}
    mine = json.dumps(dash_post(web, pages_request(f"/screens/{SLUG}", f"?district={MINE}"), cookie))
    assert "waste.tonnes_today.wet" in mine
    for path, search in ((f"/screens/{SLUG}", f"?district={OTHER}"),
                         (f"/screens/{SLUG}", ""),
                         (f"/embed/{SLUG}", f"?district={OTHER}")):
        forged = json.dumps(dash_post(web, pages_request(path, search), cookie))
        assert "waste.tonnes_today" not in forged and "data-metric" not in forged, path + search
        assert "403" in forged


def test_the_grid_info_callback_refuses_grids_of_other_districts(web, sources):
    cookie = {"Cookie": signin_cookie(web, [MINE])}
    forest = sources.store.forest
    other_grid = forest.patrol_grids(OTHER)[0]
    their_chiefs = [c.name for c in forest.chiefs() if c.district == OTHER]
    my_grid = forest.patrol_grids(MINE)[0]

    def info(grid_id: str) -> str:
        return json.dumps(dash_post(web, {
            "output": "p-forest-chief-map-info.children",
            "outputs": {"id": "p-forest-chief-map-info", "property": "children"},
            "inputs": [{"id": "p-forest-chief-map-cells", "property": "clickData",
                        "value": {"properties": {"id": grid_id}}}],
            "changedPropIds": ["p-forest-chief-map-cells.clickData"],
            "state": [{"id": "gw-root", "property": "lang", "value": "zh-CN"}],
        }, cookie), ensure_ascii=False)

    refused = info(other_grid.id)
    assert "outside your grant" in refused and other_grid.id not in refused
    assert not any(name in refused for name in their_chiefs)
    assert my_grid.id in info(my_grid.id)


# ---- the live socket ------------------------------------------------------------------------


def _pushed(session) -> bool:
    return any(cid == ids.tile(SLUG, "tonnes") for cid, _ in session.set_props)


def test_the_live_socket_streams_only_within_the_connections_grant(served):
    app, base = served
    cookie = {"Cookie": signin_cookie(base, [MINE])}
    mine = drive_live(app, base, f"/screens/{SLUG}", f"?district={MINE}", headers=cookie,
                      until=_pushed)
    assert mine.response is None
    for path, search in ((f"/screens/{SLUG}", f"?district={OTHER}"), (f"/screens/{SLUG}", ""),
                         (f"/embed/{SLUG}", f"?district={OTHER}")):
        forged = drive_live(app, base, path, search, headers=cookie)
        assert forged.response == {"status": "prevent_update"}
        assert forged.set_props == [], path + search


def test_an_embed_page_sets_its_own_cookie_and_its_socket_stays_in_scope(served):
    app, base = served
    token = issue(SECRET, [SLUG], [MINE], 600)
    status, headers, _ = call(f"{base}/embed/{SLUG}?district={MINE}&token={token}")
    assert status == 200
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("gw_embed_") and "HttpOnly" in cookie
    jar = {"Cookie": cookie.split(";", 1)[0]}
    assert _pushed(drive_live(app, base, f"/embed/{SLUG}", f"?district={MINE}&token={token}",
                              headers=jar, until=_pushed))
    forged = drive_live(app, base, f"/screens/{SLUG}", f"?district={OTHER}", headers=jar)
    assert forged.set_props == []
    assert call(f"{base}/screens/forest-chief?district={MINE}", jar)[0] == 403


# ---- revocation -----------------------------------------------------------------------------


def test_a_revoked_grant_stops_at_once_on_every_route_and_the_socket(served, sources, monkeypatch,
                                                                     capsys):
    app, base = served
    token = issue(SECRET, ["*"], [MINE], 600, kind=SIGNIN)
    status, headers, _ = call(f"{base}/signin?token={token}")
    cookie = {"Cookie": headers["Set-Cookie"].split(";", 1)[0]}
    grant = app.greenwall["gate"].verify(token, SIGNIN)
    assert call(f"{base}/screens/{SLUG}?district={MINE}", cookie)[0] == 200
    streaming = {}

    def revoke_while_streaming(session) -> bool:
        if _pushed(session) and not streaming:
            streaming["at"] = time.monotonic()
            monkeypatch.setenv("GREENWALL_REDIS_URL", sources.settings.redis_url)
            monkeypatch.setenv("GREENWALL_KEY_PREFIX", sources.settings.key_prefix)
            monkeypatch.setenv("GREENWALL_SECRET", SECRET)
            assert main(["revoke", grant.id]) == 0
        return session.props_of(ids.ROOT).get("data-token") == "expired"

    session = drive_live(app, base, f"/screens/{SLUG}", f"?district={MINE}", headers=cookie,
                         until=revoke_while_streaming, timeout=30)
    assert time.monotonic() - streaming["at"] < 10  # the revocation cache is 5 s
    assert "revoked" in capsys.readouterr().err
    wait_until(lambda: call(f"{base}/screens/{SLUG}?district={MINE}", cookie)[0] == 401, 10)
    status, _, body = call(f"{base}/signin?token={token}")
    assert status == 401 and "revoked" in body.decode()
    assert session.response is not None or session.props_of(ids.ROOT)["data-token"] == "expired"
