"""Signed access in a real browser: refused without a grant, live after a sign-in link, and a
district viewer who edits the URL gets a refusal, not another district's data."""

from __future__ import annotations

import pytest

from dashboard.grants import SIGNIN, issue
from tests.browser.conftest import live
from tests.conftest import wait_until
from tests.feeds_helpers import publish

SECRET = "browser-access-secret-0123456789-0123456789"
SLUG = "waste-sorting"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"access": "signed", "secret": SECRET})


def page_text(browser) -> str:
    return browser.execute_script("return document.body ? document.body.innerText : '';")


def test_sign_in_then_live_within_the_grant_only(web, sources, worker, chrome):
    browser = chrome(1920, 1080)
    browser.get(f"{web}/screens/{SLUG}?district=310115")
    assert "401" in page_text(browser) and "greenwall token --signin" in page_text(browser)

    token = issue(SECRET, ["*"], ["310115"], 600, kind=SIGNIN)
    browser.get(f"{web}/signin?token={token}")
    wait_until(lambda: browser.execute_script(
        "return !!document.querySelector('[data-screen-card]')"), timeout=30)
    assert "token=" not in browser.current_url  # the token left the address bar
    assert browser.get_cookie("gw_grant")["httpOnly"] is True

    browser.get(f"{web}/screens/{SLUG}")  # the city is outside: sent to the grant's district
    wait_until(lambda: live(browser), timeout=40)
    assert "district=310115" in browser.current_url
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-B1", category="wet", tonnes="7")
    wait_until(lambda: browser.execute_script(
        "var m = document.querySelector('[data-metric=\"waste.tonnes_today.wet\"]');"
        "return m && m.getAttribute('data-value');") == "7", timeout=20)

    browser.get(f"{web}/screens/{SLUG}?district=310101")
    assert "403" in page_text(browser)
    assert not browser.execute_script("return !!document.querySelector('[data-metric]')")
