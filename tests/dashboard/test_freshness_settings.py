"""Per-feed freshness as settings (``GREENWALL_FRESHNESS``) and quiet hours
(``GREENWALL_QUIET_HOURS``): parsed and checked at start, read by ``/healthz`` and put on the
tiles, so a night without patrols is "quiet", not "degraded"."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from dashboard.cli import main
from dashboard.ops import health
from dashboard.registry import get_screen
from dashboard.settings import ConfigError, Settings
from dashboard.sources import Sources
from datasources.platform.feeds import configure_freshness, feed_freshness
from datasources.platform.ingest import IngestWorker, connect
from datasources.platform.master import StaticMaster
from layouts.kinds import TileData
from layouts.kinds._common import frame

GRID = "PG-310115-001"
NIGHT = {"forest.patrol": "22:00-06:00", "forest.incident": "22:00-06:00"}


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


@pytest.fixture(autouse=True)
def unconfigured():
    """Every test leaves the process's feed freshness as the defaults found it."""
    yield
    configure_freshness(Settings())


# ---- parsing and checking ------------------------------------------------------------------


def test_freshness_and_quiet_hours_read_as_json_or_toml():
    settings = Settings(freshness='{"forest.patrol": [1800, 21600]}',
                        quiet_hours='"forest.patrol" = "22:00-06:00"\n'
                                    '"forest.incident" = "12:00-13:30,23:00-05:00"')
    assert settings.freshness_by_feed == {"forest.patrol": (1800, 21600)}
    assert str(settings.quiet_hours_by_feed["forest.patrol"]) == "22:00-06:00"
    assert str(settings.quiet_hours_by_feed["forest.incident"]) == "12:00-13:30,23:00-05:00"
    configure_freshness(settings)
    patrol = feed_freshness("forest.patrol")
    assert (patrol.live_s, patrol.delayed_s, str(patrol.quiet)) == (1800, 21600, "22:00-06:00")
    assert feed_freshness("forest.fire_risk").quiet is None


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("freshness", '{"forest.patrol": [600, 60]}', "need 0 < live_s ≤ delayed_s, got [600, 60]"),
    ("freshness", '{"forest.patrol": [0, 60]}', "need 0 < live_s ≤ delayed_s"),
    ("freshness", '{"forest.patrol": 600}', "expected [live_s, delayed_s]"),
    ("freshness", '{"forest.patrol": [600, "1h"]}', "expected [live_s, delayed_s]"),
    ("freshness", "forest.patrol: 600", "neither a JSON object nor TOML"),
    ("quiet_hours", '{"forest.patrol": "22:00"}', "expected HH:MM-HH:MM windows"),
    ("quiet_hours", '{"forest.patrol": "22:00-25:00"}', "'25:00' is not a time of day HH:MM"),
    ("quiet_hours", '{"forest.patrol": "06:00-06:00"}', "an end other than its start"),
    ("quiet_hours", '{"forest.patrol": 22}', 'expected "HH:MM-HH:MM"'),
])
def test_bad_values_are_refused_saying_what_is_wrong(setting, value, says):
    with pytest.raises(ValidationError) as refused:
        Settings(**{setting: value})
    assert f"GREENWALL_{setting.upper()}" in str(refused.value)
    assert says in str(refused.value)


def test_an_unknown_feed_is_a_config_error_listing_the_known_ones():
    settings = Settings(quiet_hours='{"forest.patrols": "22:00-06:00"}')
    with pytest.raises(ConfigError) as refused:
        configure_freshness(settings, ["forest.patrol", "waste.weighing"])
    assert str(refused.value) == ("GREENWALL_QUIET_HOURS names unknown feed 'forest.patrols'; "
                                  "the feeds are: forest.patrol, waste.weighing")


def test_the_cli_refuses_to_start_on_unknown_feeds_or_bad_values(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GREENWALL_FRESHNESS", '{"belt.sensor": [60, 600]}')
    assert main(["--data-dir", str(tmp_path), "check"]) == 2
    assert "GREENWALL_FRESHNESS names unknown feed 'belt.sensor'; the feeds are: " \
           "belt.device, belt.inspection, belt.project, forest.fire_risk" \
           in capsys.readouterr().err
    monkeypatch.setenv("GREENWALL_FRESHNESS", '{"forest.patrol": [600, 60]}')
    assert main(["--data-dir", str(tmp_path), "check"]) == 2
    assert "GREENWALL_FRESHNESS['forest.patrol']: need 0 < live_s ≤ delayed_s" \
           in capsys.readouterr().err


# ---- the tiles carry the server's limits ---------------------------------------------------


def test_tiles_carry_their_feeds_limits_and_quiet_hours():
    configure_freshness(Settings(freshness='{"forest.fire_risk": [300, 900]}',
                                 quiet_hours='{"forest.patrol": "22:00-06:00"}'))
    screen = get_screen("forest-chief")
    by_feed = {}
    for tile in screen.tiles:
        props = frame(screen, tile, TileData(None), 1, body=None).to_plotly_json()["props"]
        by_feed[tile.feed] = (props["data-live-after"], props["data-stale-after"],
                              props["data-quiet-hours"])
    assert by_feed["forest.patrol"] == ("1800", "21600", "22:00-06:00")
    assert by_feed["forest.fire_risk"] == ("300", "900", "")


# ---- /healthz at night and by day ----------------------------------------------------------


def forest_sources(redis_url, seeded_db_url, key_prefix, tmp_path, **options) -> Sources:
    settings = Settings(redis_url=redis_url, database_url=seeded_db_url, data_dir=tmp_path,
                        key_prefix=key_prefix, simulate=False, domains="forest", **options)
    sources = Sources.from_settings(settings)
    configure_freshness(settings, [f for d in sources.domains for f in d.feeds])
    return sources


def feed_the_evening(sources: Sources) -> None:
    """The last patrol and case step at 21:40, a fire-danger rating at 23:29; a worker
    whose clock says 23:30 counts them."""
    worker = IngestWorker(connect(sources.redis_url), sources.keys, sources.settings.tz,
                          StaticMaster(patrol_grids={GRID: "310115"}, rangers=["RG-1"]),
                          "night-test", block_ms=0, domains=sources.domains,
                          now_ms=lambda: ms("2026-11-29T23:30:00+08:00"))
    worker.ensure_groups()
    place = {"grid": GRID, "lat": "31.2", "lon": "121.6"}
    sources.redis.xadd(sources.keys.feed("forest.patrol"), {
        "ranger": "RG-1", "kind": "finish", "ts": "2026-11-29T21:40:00+08:00", **place})
    sources.redis.xadd(sources.keys.feed("forest.incident"), {
        "incident": "AJ-N1", "scenario": "fire", "stage": "reported",
        "ts": "2026-11-29T21:40:00+08:00", **place})
    sources.redis.xadd(sources.keys.feed("forest.fire_risk"), {
        "district": "310115", "level": "2", "ts": "2026-11-29T23:29:00+08:00"})
    while worker.process_once():
        pass
    worker.heartbeat()
    worker.client.close()


def statuses(report: dict) -> dict[str, str]:
    return {feed: status["status"] for feed, status in report["feeds"].items()}


def test_healthz_is_ok_at_night_while_patrols_rest(redis_url, seeded_db_url, key_prefix,
                                                   tmp_path):
    sources = forest_sources(redis_url, seeded_db_url, key_prefix, tmp_path,
                             quiet_hours=str(NIGHT).replace("'", '"'))
    feed_the_evening(sources)

    code, report = health(sources, now_ms=ms("2026-11-29T23:30:00+08:00"))
    assert code == 200
    assert statuses(report) == {"forest.patrol": "quiet", "forest.incident": "quiet",
                                "forest.fire_risk": "live"}
    assert report["status"] == "ok"
    assert report["feeds"]["forest.patrol"]["lag_s"] == 110 * 60  # the lag stays the truth

    # At 06:10 the patrols have their 30 live minutes to start again…
    _, report = health(sources, now_ms=ms("2026-11-30T06:10:00+08:00"))
    assert statuses(report)["forest.patrol"] == "live"
    # …and a day without any is stale, however quiet the night was.
    _, report = health(sources, now_ms=ms("2026-11-30T13:00:00+08:00"))
    assert statuses(report)["forest.patrol"] == "stale"
    assert report["status"] == "degraded"


def test_patrols_rest_at_night_by_default(redis_url, seeded_db_url, key_prefix, tmp_path):
    sources = forest_sources(redis_url, seeded_db_url, key_prefix, tmp_path)
    feed_the_evening(sources)
    _, report = health(sources, now_ms=ms("2026-11-29T23:30:00+08:00"))
    assert statuses(report)["forest.patrol"] == "quiet"
    assert report["status"] == "ok"


def test_without_quiet_hours_the_same_night_is_degraded(redis_url, seeded_db_url, key_prefix,
                                                        tmp_path):
    sources = forest_sources(redis_url, seeded_db_url, key_prefix, tmp_path,
                             quiet_hours='{"forest.patrol": "", "forest.incident": ""}')
    feed_the_evening(sources)
    _, report = health(sources, now_ms=ms("2026-11-29T23:30:00+08:00"))
    assert statuses(report)["forest.patrol"] == "delayed"
    assert report["status"] == "degraded"


def test_freshness_set_per_feed_replaces_the_feeds_own(redis_url, seeded_db_url, key_prefix,
                                                       tmp_path):
    sources = forest_sources(redis_url, seeded_db_url, key_prefix, tmp_path,
                             freshness='{"forest.patrol": [7200, 36000], '
                                       '"forest.incident": [60, 600]}',
                             quiet_hours='{"forest.incident": ""}')
    feed_the_evening(sources)
    _, report = health(sources, now_ms=ms("2026-11-29T23:30:00+08:00"))
    assert statuses(report)["forest.patrol"] == "live"  # 110 min ≤ 2 h
    assert statuses(report)["forest.incident"] == "stale"  # 110 min > 10 min
