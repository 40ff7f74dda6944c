"""The processes as an operator starts them: `greenwall run`, and web + worker on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import psutil
import pytest
import redis
from sqlalchemy import create_engine, text

from datasources.platform.keys import Keys
from tests.conftest import free_port, wait_until
from tests.feeds_helpers import publish


def healthz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def greenwall(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dashboard.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out.decode(errors="replace")


def test_run_serves_a_living_screen_and_sigterm_leaves_no_process(tmp_path):
    port = free_port()
    env = {**os.environ, "GREENWALL_DATA_DIR": str(tmp_path), "GREENWALL_PORT": str(port)}
    for name in ("GREENWALL_REDIS_URL", "GREENWALL_DATABASE_URL", "GREENWALL_SIMULATE"):
        env.pop(name, None)
    run = greenwall("run", env=env)
    try:
        report = wait_until(lambda: (h := healthz(port)) and h["feeds"]["waste.weighing"][
            "ingested"] > 0 and h, timeout=90)
        assert report["redis"]["ok"] and report["database"]["ok"]
        assert report["workers"]["alive"] == 1
        family = psutil.Process(run.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in family)
        assert "worker" in names and "web" in names and "simulate" in names
        assert "redis-server" in names or any("redis" in p.name() for p in family)
    finally:
        output = stop(run)
    assert run.returncode == 0, output
    gone, alive = psutil.wait_procs(family, timeout=15)
    assert alive == [], f"left behind: {[p.cmdline() for p in alive]}"


@pytest.fixture
def pg_schema_url(postgres_url):
    """A PostgreSQL URL whose tables live in a schema of this test's own."""
    schema = f"gw_{uuid.uuid4().hex[:10]}"
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'drop schema "{schema}" cascade'))
    engine.dispose()


def test_web_and_worker_as_separate_processes_on_postgres(tmp_path, redis_url, key_prefix,
                                                          pg_schema_url):
    port = free_port()
    env = {**os.environ, "GREENWALL_DATA_DIR": str(tmp_path), "GREENWALL_PORT": str(port),
           "GREENWALL_REDIS_URL": redis_url, "GREENWALL_DATABASE_URL": pg_schema_url,
           "GREENWALL_KEY_PREFIX": key_prefix}
    seed = subprocess.run([sys.executable, "-m", "dashboard.cli", "seed"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert seed.returncode == 0, seed.stderr
    assert "16 districts" in seed.stdout
    processes = [greenwall("worker", env=env), greenwall("worker", env=env),
                 greenwall("web", env=env)]
    try:
        wait_until(lambda: healthz(port), timeout=60)
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        keys = Keys(key_prefix)
        for _ in range(50):
            publish(client, keys, "waste.weighing", district="310115", station="ST-310115-01",
                    vehicle="VH-310115-001", category="recyclable", tonnes="1.5")
        report = wait_until(lambda: (h := healthz(port)) and h["feeds"]["waste.weighing"][
            "ingested"] == 50 and h, timeout=30)
        assert report["database"]["ok"] and report["workers"]["alive"] == 2
        assert report["feeds"]["waste.weighing"]["duplicates"] == 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/screens/waste-sorting") as page:
            assert page.status == 200
    finally:
        outputs = [stop(p) for p in processes]
    # uvicorn re-raises the SIGTERM it handled gracefully, so the web process ends by it.
    assert [p.returncode for p in processes] == [0, 0, -signal.SIGTERM], outputs
