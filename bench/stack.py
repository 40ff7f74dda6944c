"""Standing up the real stack for a benchmark, and taking it down again on exit or error.

Two ways to run the web side:

- in-process (``web_server`` + ``ingest_worker``): uvicorn and a worker in threads of the
  benchmark's own process, as the test fixtures do — quick, and what ``latency_bench.py`` and
  ``soak.py`` use;
- as processes (``greenwall_process``): ``greenwall web`` and ``greenwall worker`` started from
  the installed CLI with the benchmark's settings in their environment, so the web process's
  CPU and memory can be read on their own (``run.py``).

Every context manager here cleans up what it started; Redis keys live under a throw-away
prefix that ``delete_keys`` removes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import redis
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.app import create_app  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from dashboard.sources import Sources  # noqa: E402
from datasources.platform.ingest import IngestWorker, connect, worker_limits  # noqa: E402
from datasources.platform.seed import seed  # noqa: E402
from datasources.platform.snapshot import SnapshotStore  # noqa: E402

GREENWALL = Path(sys.executable).with_name("greenwall")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1920,1080", "--force-device-scale-factor=1",
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost")


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only results."""
    print(message, file=sys.stderr, flush=True)


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    """Poll ``predicate`` until truthy (returned) or raise ``TimeoutError`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shanghai_day(settings: Settings) -> str:
    return datetime.now(settings.tz).date().isoformat()


def seeded_database(directory: Path) -> str:
    """A SQLite snapshot database with the demo master data; its URL."""
    url = f"sqlite:///{directory / 'greenwall.db'}"
    store = SnapshotStore(url)
    try:
        store.create_schema()
        seed(store)
    finally:
        store.close()
    return url


def delete_keys(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
    finally:
        client.close()


@contextlib.contextmanager
def bench_sources(redis_url: str, prefix: str, directory: Path) -> Iterator[Sources]:
    """Settings and sources over a seeded database in ``directory`` and Redis keys under
    ``prefix``, which are deleted on exit."""
    log(f"seeding snapshot database in {directory}")
    settings = Settings(redis_url=redis_url, database_url=seeded_database(directory),
                        data_dir=directory, key_prefix=prefix, simulate=False)
    sources = Sources.from_settings(settings)
    try:
        sources.redis.ping()
        yield sources
    finally:
        sources.redis.close()
        sources.store.close()
        delete_keys(redis_url, prefix)


@contextlib.contextmanager
def ingest_worker(sources: Sources):
    """A real ingest worker consuming the bench's streams in a thread."""
    client = connect(sources.redis_url)
    worker = IngestWorker(client, sources.keys, sources.settings.tz,
                          sources.store.master_lookup(), consumer="bench-worker", block_ms=100,
                          **worker_limits(sources.settings))
    worker.ensure_groups()
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="bench-worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(10)
        client.close()


@contextlib.contextmanager
def web_server(settings: Settings, sources: Sources):
    """The real web app served by uvicorn in a thread; yields its base URL."""
    app = create_app(settings, sources)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app.server, host="127.0.0.1", port=port,
                                           log_level="warning", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, name="bench-uvicorn", daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), 15, "uvicorn start")
        if not server.started:
            raise RuntimeError("uvicorn exited during start-up")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a ``greenwall`` process needs to serve the bench's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENWALL_")}
    env.update({
        "GREENWALL_REDIS_URL": settings.redis_url or "",
        "GREENWALL_DATABASE_URL": settings.resolved_database_url,
        "GREENWALL_DATA_DIR": str(settings.data_dir),
        "GREENWALL_KEY_PREFIX": settings.key_prefix,
        "GREENWALL_SIMULATE": "0",
        "GREENWALL_LOG_LEVEL": "WARNING",
        **extra,
    })
    return env


@contextlib.contextmanager
def greenwall_process(args: list[str], env: dict[str, str],
                      ready: Callable[[], object] | None = None,
                      timeout: float = 60) -> Iterator[subprocess.Popen]:
    """``greenwall <args>`` as a child process, stopped with SIGTERM (then SIGKILL) on exit."""
    process = subprocess.Popen([str(GREENWALL), *args], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        if ready is not None:
            wait_for(lambda: ready() or process.poll() is not None, timeout,
                     f"greenwall {' '.join(args)} start", interval=0.2)
            if process.poll() is not None:
                raise RuntimeError(f"greenwall {' '.join(args)} exited with {process.returncode}")
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def http_ok(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except OSError:
        return False


@contextlib.contextmanager
def web_process(settings: Settings, workers: int = 1,
                **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``greenwall web`` on a free port; yields its base URL and the process."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = process_env(settings, GREENWALL_HOST="127.0.0.1", GREENWALL_PORT=str(port), **env)
    with greenwall_process(["web", "--workers", str(workers)], environment,
                           ready=lambda: http_ok(base_url + "/healthz")) as p:
        yield base_url, p


@contextlib.contextmanager
def browser(window: tuple[int, int] = (1920, 1080), performance_log: bool = False):
    """A headless Chromium (one browser per page, as one wall display runs one)."""
    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    if performance_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(10)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": window[0], "height": window[1], "deviceScaleFactor": 1, "mobile": False})
        yield driver
    finally:
        driver.quit()
