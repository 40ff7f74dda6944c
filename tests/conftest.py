"""Shared fixtures: real Redis and databases, isolated per test by a unique key prefix.

Services come from ``GREENWALL_TEST_REDIS_URL`` / ``GREENWALL_TEST_DATABASE_URL`` when set,
else the machine's usual ones (Redis on 127.0.0.1:6379, PostgreSQL ``test`` on 5432).
A test whose service is missing is skipped with the reason, unless
``GREENWALL_REQUIRE_SERVICES=1`` (set by ``.ci/run``), in which case it fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import redis

REQUIRE = os.environ.get("GREENWALL_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("GREENWALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_URL = os.environ.get(
    "GREENWALL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED = Path(__file__).resolve().parents[2] / "shared"


def missing(reason: str) -> None:
    """Skip on a bare machine; fail where services are required (CI)."""
    if REQUIRE:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def pytest_sessionstart(session):
    """The screens, found before collection as a process finds them at start: test modules
    read specs at import (``dashboard.discovery``)."""
    from dashboard.discovery import discover

    discover()


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        missing(f"Redis at {REDIS_URL} unreachable: {exc}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def key_prefix(redis_url: str):
    """A fresh key prefix for one test; its keys are deleted afterwards."""
    prefix = f"gwtest:{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture
def redis_client(redis_url: str):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any driver or connection error means "not here"
        missing(f"PostgreSQL at {PG_URL} unreachable: {exc}")
    finally:
        engine.dispose()
    return PG_URL


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The reference data beside the checkout (tests only; the product never reads it)."""
    path = SHARED / "data"
    if not path.exists():
        pytest.skip(f"reference data not found at {path}")
    return path


def chromium_available() -> bool:
    return bool(shutil.which("chromedriver")) and Path("/usr/bin/chromium").exists()


@pytest.fixture(scope="session")
def seeded_db_url(tmp_path_factory) -> str:
    """A SQLite snapshot database with the demo master data, seeded once per run."""
    from datasources.platform.seed import seed
    from datasources.platform.snapshot import SnapshotStore

    url = f"sqlite:///{tmp_path_factory.mktemp('snapshot') / 'greenwall.db'}"
    store = SnapshotStore(url)
    store.create_schema()
    seed(store)
    store.close()
    return url


@pytest.fixture
def settings(tmp_path, key_prefix, seeded_db_url, redis_url):
    from dashboard.settings import Settings

    return Settings(redis_url=redis_url, database_url=seeded_db_url, data_dir=tmp_path,
                    key_prefix=key_prefix, simulate=False)


@pytest.fixture
def sources(settings):
    from dashboard.sources import Sources

    return Sources.from_settings(settings)


@pytest.fixture
def worker(sources):
    """A real ingest worker consuming this test's streams (of the domains ``sources`` enables)
    in a thread."""
    import threading

    from datasources.platform.ingest import IngestWorker, connect

    stop = threading.Event()
    ingest = IngestWorker(connect(sources.redis_url), sources.keys, sources.settings.tz,
                          sources.store.master_lookup(), consumer="test-worker", block_ms=100,
                          domains=sources.domains)
    ingest.ensure_groups()
    thread = threading.Thread(target=ingest.run, args=(stop,), daemon=True)
    thread.start()
    yield ingest
    stop.set()
    thread.join(10)


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns a truthy value (returned) or fail after ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {predicate}")
        time.sleep(interval)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(sources):
    """The real app served by uvicorn in a thread: (app, base URL)."""
    import threading

    import uvicorn

    from dashboard.app import create_app

    app = create_app(sources.settings, sources)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app.server, host="127.0.0.1", port=port,
                                           log_level="warning", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=15)
    yield app, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def web(served) -> str:
    """The base URL of the real app (see ``served``)."""
    return served[1]


def pytest_setup_options():
    """Headless Chromium from Debian for dash_duo (see testing.md)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1920,1080",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"):
        options.add_argument(flag)
    return options
