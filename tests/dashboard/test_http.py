"""The HTTP face of a web process: status codes for screen URLs, /healthz and /metrics."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from dashboard.security_headers import parse_policy
from tests.conftest import wait_until
from tests.feeds_helpers import publish


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_screen_as_the_first_request_still_gets_its_assets(web):
    status, body = get(web + "/screens/waste-sorting")
    assert status == 200
    assert "/assets/greenwall.js" in body and "/assets/map.js" in body
    assert "/assets/theme.css" in body


def test_full_screens_may_be_framed_only_by_greenwall_itself(web):
    with urllib.request.urlopen(web + "/screens/waste-sorting", timeout=10) as response:
        policy = parse_policy(response.headers["Content-Security-Policy"])
        assert policy["frame-ancestors"] == "'self'"


def test_index_lists_the_registered_screens(web):
    status, _ = get(web + "/")
    assert status == 200
    status, body = get(web + "/screens/waste-sorting")
    assert status == 200 and "_dash-config" in body


@pytest.mark.parametrize("path, status, words", [
    ("/screens/waste-sorting?district=999999", 404, "unknown district"),
    ("/screens/no-such-screen", 404, "no-such-screen"),
    ("/screens/waste-sorting?fit=zoom", 400, "fit: must be one of"),
])
def test_bad_screen_urls_get_a_clear_status(web, path, status, words):
    got, body = get(web + path)
    assert got == status
    assert words in body


def dash_post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def page_scope(web: str, search: str) -> str:
    """The scope the Dash Pages router draws ``/screens/waste-sorting`` in for ``search``."""
    reply = dash_post(web + "/_dash-update-component", {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname",
                    "value": "/screens/waste-sorting"},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": [],
    })
    text = json.dumps(reply, ensure_ascii=False)
    marker = '"data-scope": "'
    start = text.index(marker) + len(marker)
    return text[start:text.index('"', start)]


def test_a_district_may_be_named_in_the_url_as_feeds_name_it(web):
    name = quote("浦东新区")
    status, _ = get(web + f"/screens/waste-sorting?district={name}&lang=en")
    assert status == 200
    assert page_scope(web, f"?district={name}&lang=en") == "310115"  # as the browser sends it
    assert page_scope(web, "?district=浦东新区") == "310115"
    assert page_scope(web, "?district=310115") == "310115"
    status, body = get(web + f"/export/waste-sorting/tonnes.csv?district={name}")
    assert status == 200
    status, body = get(web + f"/screens/waste-sorting?district={quote('浦东')}")
    assert status == 404 and "unknown district" in body and "exact names" in body


def test_healthz_reports_services_and_feed_lag(web, sources, worker):
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-1", category="wet", tonnes="3")
    publish(sources.redis, sources.keys, "waste.weighing", district="nowhere",
            station="ST-310115-01", vehicle="VH-1", category="wet", tonnes="3")
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].deadlettered == 1)
    status, body = get(web + "/healthz")
    report = json.loads(body)
    assert status == 200
    assert report["redis"]["ok"] and report["database"]["ok"]
    weighing = report["feeds"]["waste.weighing"]
    assert weighing["ingested"] == 1 and weighing["deadlettered"] == 1
    assert weighing["status"] == "live" and weighing["lag_s"] < 60
    assert report["feeds"]["waste.quality"]["status"] == "no-data"
    assert report["workers"]["alive"] >= 1


def test_a_feed_with_its_own_cadence_is_judged_by_it(web, sources, worker):
    from datetime import datetime, timedelta

    from tests.feeds_helpers import SHANGHAI

    quarter_hour_ago = (datetime.now(SHANGHAI) - timedelta(minutes=15)).isoformat()
    publish(sources.redis, sources.keys, "forest.fire_risk", district="310115", level="3",
            ts=quarter_hour_ago)
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-1", category="wet", tonnes="3",
            ts=quarter_hour_ago)
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 1)
    wait_until(lambda: sources.live.feed_stats()["forest.fire_risk"].ingested == 1)
    feeds = json.loads(get(web + "/healthz")[1])["feeds"]
    assert feeds["forest.fire_risk"]["status"] == "live"  # rated every 10 minutes
    assert feeds["waste.weighing"]["status"] == "stale"  # a truck a few seconds apart


def test_metrics_in_prometheus_format(web, sources, worker):
    publish(sources.redis, sources.keys, "waste.weighing", district="310115",
            station="ST-310115-01", vehicle="VH-1", category="dry", tonnes="3")
    wait_until(lambda: sources.live.feed_stats()["waste.weighing"].ingested == 1)
    status, body = get(web + "/metrics")
    assert status == 200
    assert 'greenwall_events_ingested_total{feed="waste.weighing"} 1.0' in body
    assert "greenwall_redis_up 1.0" in body
    assert "greenwall_push_latency_seconds_bucket" in body


def test_an_error_page_in_english_links_back_in_english(web):
    status, body = get(web + "/screens/waste-sorting?district=999999&lang=en")
    assert status == 404
    assert "href='/?lang=en'" in body and "Back to screens" in body
    status, body = get(web + "/screens/no-such-screen?lang=en")
    assert status == 404 and "href='/?lang=en'" in body
