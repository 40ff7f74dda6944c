"""``docs/adding-a-screen.md``, followed to the letter: its code blocks are written, as the files
their first lines name, to a temporary directory that is added to the ``datasources``,
``layouts`` and ``callbacks`` packages; the domain is enabled by settings alone
(the default ``domains`` and ``demo``); a real ingest worker counts its feed in real Redis; and the
real app serves the screen, its index card, its English, its export and its live push. The
checkout is left as it was: a screen on new feeds needs no shared module."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import dash
import pytest

from dashboard import ids
from dashboard.grants import issue
from dashboard.settings import Settings
from tests.conftest import wait_until
from tests.dashboard.test_access import dash_post, pages_request
from tests.feeds_helpers import SHANGHAI, publish
from tests.live_client import drive_live

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DOMAINS = Settings.model_fields["domains"].default
"""The domains enabled by default; the newcomer's demo is enabled beside them."""
GUIDE = ROOT / "docs" / "adding-a-screen.md"
BLOCK = re.compile(r"```python\n(# (\S+\.py)\n.*?)```", re.S)
SLUG, FEED = "demo-litter", "demo.litter"
NEW_MODULES = ("datasources.demo", "layouts.demo_litter", "callbacks.demo_litter")
PUDONG, HUANGPU = "310115", "310101"


def guide_files() -> dict[str, str]:
    """The files the guide says to write: ``{path: code}``, in its order."""
    return {path: code for code, path in BLOCK.findall(GUIDE.read_text(encoding="utf-8"))}


def git_status() -> str | None:
    """``git status`` of the checkout: changed and untracked files (``None`` outside a git
    checkout)."""
    try:
        return subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=all"],
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def _registries() -> list[dict]:
    from datasources.platform import effects, feeds, master

    return [feeds.FEEDS, effects.EFFECTS, effects.EVENTS_KEPT_S, effects.ENTITY_STATE,
            master.ENTITY_KINDS]


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory):
    """The guide's files beside the real packages for this module's tests; afterwards every
    trace of them goes (modules, registrations, tables, pages) and the screens are found again."""
    import callbacks
    import datasources
    import layouts
    from dashboard.discovery import discover
    from datasources.platform.schema import Base

    before = git_status()
    root = tmp_path_factory.mktemp("newcomer")
    files = guide_files()
    for path, code in files.items():
        assert not (ROOT / path).exists(), f"{path} exists in the checkout: pick another name"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(code, encoding="utf-8")
    packages = {"datasources": datasources, "layouts": layouts, "callbacks": callbacks}
    kept = [dict(registry) for registry in _registries()]
    for name, package in packages.items():
        package.__path__.append(str(root / name))
    importlib.invalidate_caches()
    try:
        yield {"files": files, "git_status": before}
    finally:
        for name, package in packages.items():
            package.__path__.remove(str(root / name))
        for module in [m for m in sys.modules if m.startswith(NEW_MODULES)]:
            del sys.modules[module]
        for registry, old in zip(_registries(), kept, strict=True):
            registry.clear()
            registry.update(old)
        for table in [t for t in Base.metadata.sorted_tables if t.name.startswith("demo_")]:
            Base.metadata.remove(table)
        for page in (f"screen_{SLUG}", f"embed_{SLUG}"):
            dash.page_registry.pop(page, None)
        discover()


@pytest.fixture
def settings(newcomer, tmp_path, key_prefix, seeded_db_url, redis_url):
    """The demo domain enabled by settings, on a copy of the session's seeded database that
    gains the demo tables and sites as ``greenwall run`` would seed them on start."""
    from sqlalchemy.engine import make_url

    from dashboard.settings import Settings
    from datasources.platform.domain import load_domains
    from datasources.platform.seed import needs_seed, seed
    from datasources.platform.snapshot import SnapshotStore

    database = tmp_path / "greenwall.db"
    shutil.copy(make_url(seeded_db_url).database, database)
    settings = Settings(redis_url=redis_url, database_url=f"sqlite:///{database}",
                        data_dir=tmp_path, key_prefix=key_prefix, simulate=False,
                        domains=f"{DEFAULT_DOMAINS},demo")
    store = SnapshotStore(settings.resolved_database_url, domains=load_domains(settings.domains))
    try:
        assert needs_seed(store)
        summary = seed(store)
        assert summary.litter_sites == 16 and summary.stations == 0, summary
        assert not needs_seed(store)
    finally:
        store.close()
    return settings


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def metrics_in(reply) -> dict[str, str]:
    """``data-metric`` → ``data-value`` of every number in a Dash reply."""
    found: dict[str, str] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            if "data-metric" in node:
                found[node["data-metric"]] = node.get("data-value", "")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reply)
    return found


def page(base: str, search: str = "") -> dict:
    """The screen as the Dash Pages router gives it to a browser at ``search``."""
    return dash_post(base, pages_request(f"/screens/{SLUG}", search), {})


def test_the_guide_names_only_new_files():
    files = guide_files()
    assert list(files) == [
        "datasources/demo/feeds.py", "datasources/demo/effects.py", "datasources/demo/reader.py",
        "datasources/demo/schema.py", "datasources/demo/store.py", "datasources/demo/seed.py",
        "datasources/demo/simulator.py", "datasources/demo/__init__.py",
        "layouts/demo_litter.py", "callbacks/demo_litter.py"]


def test_a_screen_on_new_feeds_touches_no_shared_module(newcomer, sources, worker, served):
    app, base = served
    assert [d.name for d in sources.domains] == [*DEFAULT_DOMAINS.split(","), "demo"]

    # Feed it: three pickups, one at a site master data does not know, and one bad message.
    publish(sources.redis, sources.keys, FEED, district=PUDONG, site=f"LS-{PUDONG}", bags="3")
    publish(sources.redis, sources.keys, FEED, district="浦东新区", site=f"LS-{PUDONG}", bags="4")
    publish(sources.redis, sources.keys, FEED, district=HUANGPU, site="LS-NOT-REGISTERED", bags=2)
    publish(sources.redis, sources.keys, FEED, district=PUDONG, site=f"LS-{PUDONG}", bags="0")
    wait_until(lambda: (s := sources.live.feed_stats()[FEED]).ingested == 3 and s.deadlettered == 1)
    letters = sources.redis.xrange(sources.keys.deadletter)
    assert [(f["feed"], f["reason"]) for _, f in letters] == [
        (FEED, "bags: must be a whole number 1–100, got '0'")]
    assert sources.demo.unregistered("litter_site") == {"LS-NOT-REGISTERED"}
    health = json.loads(get(f"{base}/healthz")[1])["feeds"][FEED]
    assert health["ingested"] == 3 and health["deadlettered"] == 1 and health["status"] == "live"
    assert f'greenwall_events_ingested_total{{feed="{FEED}"}} 3.0' in get(f"{base}/metrics")[1].decode()

    # Served: the page, its variants, the index card, its embed page.
    for search in ("", f"?district={PUDONG}", "?lang=en", "?kiosk=1", "?wall=2x1&tile=2",
                   "?layout=tablet", f"?rotate=30&screens={SLUG},waste-sorting"):
        status, body = get(f"{base}/screens/{SLUG}{search}")
        assert status == 200 and b"_dash-config" in body, search
    token = issue(sources.settings.signing_secret(), [SLUG], [PUDONG])
    assert get(f"{base}/embed/{SLUG}?district={PUDONG}&token={token}")[0] == 200
    assert get(f"{base}/embed/{SLUG}?district={HUANGPU}&token={token}")[0] == 403
    assert get(f"{base}/screens/{SLUG}?district=999999")[0] == 404
    index = json.dumps(dash_post(base, pages_request("/", ""), {}), ensure_ascii=False)
    assert f"/screens/{SLUG}" in index and "捡拾垃圾实时" in index

    # The counted numbers, city-wide and in a district, as the page carries them.
    city = metrics_in(page(base))
    assert city["demo.bags_today"] == "9" and city["demo.sites"] == "16"
    assert city[f"demo.bags_today.{PUDONG}"] == "7" and city[f"demo.bags_today.{HUANGPU}"] == "2"
    assert city["demo.bags_per_site"] == "0.5625"
    assert metrics_in(page(base, f"?district={PUDONG}"))["demo.bags_today"] == "7"

    # English from the screen's LABELS; Chinese stays the default.
    english = json.dumps(page(base, "?lang=en"), ensure_ascii=False)
    for label in ("Bags picked up", "Registered sites", "Per site (16 sites)", "bags",
                  "Litter picking, live", "Bags by district", "Pudong"):
        assert label in english, label
    assert "捡拾袋数" not in english and "每点平均" not in english
    assert "每点平均（16 个点）" in json.dumps(page(base), ensure_ascii=False)

    # CSV export of each tile.
    status, body = get(f"{base}/export/{SLUG}/bags.csv")
    assert status == 200
    rows = [line.split(",") for line in body.decode("utf-8-sig").splitlines()]
    assert ["捡拾袋数", "demo.bags_today", "捡拾袋数", "9", "9", "袋"] in rows
    status, body = get(f"{base}/export/{SLUG}/ranking.csv?district={PUDONG}")
    assert status == 200
    assert body.decode("utf-8-sig").splitlines()[1].startswith(f"1,{PUDONG},浦东新区,7,")

    # The live push: a pickup wakes the screen and brings the new number.
    bags = ids.metric("demo.bags_today")
    sent: list[bool] = []

    def picked(session) -> bool:
        if session.frames and not sent:
            publish(sources.redis, sources.keys, FEED, district=HUANGPU, site=f"LS-{HUANGPU}",
                    bags="5")
            sent.append(True)
        return any(cid == bags and props.get("data-value") == "14"
                   for frame in session.frames[1:] for cid, props in frame)

    drive_live(app, base, f"/screens/{SLUG}", "", slug=SLUG, until=picked)

    # The tests that iterate the registry cover the new screen as they are.
    from dashboard.registry import get_screen
    from tests.dashboard import test_export, test_i18n, test_registry
    from tests.layouts import test_kinds

    test_registry.test_tiles_fit_the_grid_without_overlap(get_screen(SLUG))
    test_kinds.test_every_screen_uses_known_kinds()
    test_kinds.test_first_render_carries_what_an_update_sends(sources)
    test_i18n.test_every_screen_in_english_even_with_empty_feeds(sources, SLUG)
    test_i18n.test_every_screen_template_fills_in_both_languages()
    test_export.test_every_tile_of_every_screen_exports_a_rectangular_table(sources)

    # And nothing in the checkout changed: no file the guide names, no new entry in `git status`
    # (entries may only go, should someone commit meanwhile).
    assert not any((ROOT / path).exists() for path in newcomer["files"])
    if newcomer["git_status"] is not None:
        assert set(git_status().splitlines()) <= set(newcomer["git_status"].splitlines())


def test_the_simulator_plans_the_new_feed(newcomer, sources):
    from datasources.platform.feeds import FeedValidationError, parse_event
    from datasources.platform.publisher import Simulator

    simulator = Simulator(sources.redis, sources.keys, sources.store, sources.settings.tz,
                          bad_ratio=1.0)
    assert "demo" in simulator.plans
    now = datetime.now(SHANGHAI)
    events = [e for e in simulator.events_between(now - timedelta(hours=1), now) if e.feed == FEED]
    good, bad = events[0::2], events[1::2]
    assert len(good) == len(bad) == 6
    sites = {s.id for s in sources.store.demo.litter_sites()}
    for event in good:
        assert parse_event(FEED, event.fields, "0-0").site in sites
    for event in bad:
        with pytest.raises(FeedValidationError):
            parse_event(FEED, event.fields, "0-0")
    again = Simulator(sources.redis, sources.keys, sources.store, sources.settings.tz)
    assert [e.fields for e in again.events_between(now - timedelta(hours=1), now)
            if e.feed == FEED] == [e.fields for e in good]


def test_start_up_refuses_the_screen_without_its_domain(newcomer):
    from dashboard.discovery import ScreenError, discover
    from datasources.platform.domain import UnknownDomain, feeds_of, load_domains

    with pytest.raises(ScreenError, match=r"screen 'demo-litter': feed 'demo.litter' is "
                                          r"offered by no enabled domain \(GREENWALL_DOMAINS\)"):
        discover(known_feeds=feeds_of(load_domains(DEFAULT_DOMAINS)))
    with pytest.raises(UnknownDomain, match="unknown domain 'litter' in GREENWALL_DOMAINS: "
                                            "no package datasources.litter"):
        load_domains("waste,litter")


def test_a_domain_without_master_data(newcomer, tmp_path):
    """The guide's last paragraph on ``DOMAIN``: no tables, nothing to seed or simulate."""
    from datasources.platform.domain import Domain
    from datasources.platform.master import MasterPart
    from datasources.platform.publisher import Simulator
    from datasources.platform.seed import needs_seed, seed
    from datasources.platform.snapshot import SnapshotStore

    class NoReads:
        def __init__(self, sessions, engine, schema):
            pass

        def is_empty(self) -> bool:
            return False

    demo = importlib.import_module("datasources.demo")
    LitterPickup, litter_effects = demo.feeds.LitterPickup, demo.effects.litter_effects
    bare = Domain(name="bare", feeds={FEED: LitterPickup}, effects={FEED: litter_effects},
                  entity_kinds=("litter_site",), reader=lambda *args: None, tables=(),
                  reads=NoReads, master=lambda reads: MasterPart(), seed=lambda *args: None,
                  simulation=lambda store: None)
    store = SnapshotStore(f"sqlite:///{tmp_path / 'bare.db'}", domains=[bare])
    try:
        seed(store)
        assert not needs_seed(store)
        assert not store.master_lookup().is_registered("litter_site", "LS-310115")
        assert Simulator(None, None, store, SHANGHAI).plans == {}
    finally:
        store.close()


def test_master_data_without_a_database_knows_the_new_kind(newcomer):
    from datasources.platform.master import StaticMaster, UnknownEntityKind

    master = StaticMaster(ids={"litter_site": ["LS-310115"]})
    assert master.is_registered("litter_site", "LS-310115")
    assert not master.is_registered("litter_site", "LS-310101")
    with pytest.raises(UnknownEntityKind):
        StaticMaster(ids={"litter_bin": ["B-1"]})
