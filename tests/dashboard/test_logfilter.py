"""Secrets stay out of what greenwall prints: passwords in ``greenwall check``, tokens in access logs."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading

import pytest
import uvicorn

from dashboard import cli
from dashboard.logfilter import mask_url, redact_text, redact_tokens
from tests.conftest import free_port, wait_until

PASSWORD = "Hunter2-s3cret"


@pytest.mark.parametrize(("url", "masked"), [
    (f"redis://:{PASSWORD}@10.1.2.3:6379/0", "redis://:****@10.1.2.3:6379/0"),
    (f"rediss://gw:{PASSWORD}@cache.internal:6380/1?ssl_cert_reqs=none",
     "rediss://gw:****@cache.internal:6380/1?ssl_cert_reqs=none"),
    (f"redis://cache:6379/0?password={PASSWORD}&db=2", "redis://cache:6379/0?password=****&db=2"),
    (f"unix://:{PASSWORD}@/run/redis.sock?db=0", "unix://:****@/run/redis.sock?db=0"),
    (f"postgresql+psycopg://gw:{PASSWORD}@db.internal:5432/greenwall",
     "postgresql+psycopg://gw:****@db.internal:5432/greenwall"),
    ("postgresql+psycopg://gw:p%40ss@db/greenwall", "postgresql+psycopg://gw:****@db/greenwall"),
    ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
     "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("sqlite:////var/lib/greenwall/greenwall.db", "sqlite:////var/lib/greenwall/greenwall.db"),
])
def test_mask_url_hides_only_the_password(url, masked):
    assert mask_url(url) == masked


def test_redact_text_hides_a_password_an_error_repeats():
    url = f"postgresql+psycopg://gw:{PASSWORD}@db/greenwall"
    text = redact_text(f"cannot reach {url}: password {PASSWORD} rejected", url)
    assert PASSWORD not in text
    assert "postgresql+psycopg://gw:****@db/greenwall" in text


@pytest.mark.parametrize(("line", "expected"), [
    ("/embed/waste-sorting?token=abc.DEF_1-2", "/embed/waste-sorting?token=****"),
    ("/signin?token=abc&next=/screens/x", "/signin?token=****&next=/screens/x"),
    ("/export/a/b.csv?district=310101&token=zz", "/export/a/b.csv?district=310101&token=****"),
    ("/signin?next=%2Fembed%2Fx%3Ftoken%3Dabc%26d%3D1", "/signin?next=%2Fembed%2Fx%3Ftoken%3D****%26d%3D1"),
    ("/screens/x?TOKEN=abc", "/screens/x?TOKEN=****"),
    ("/tokens/x?tokenize=1", "/tokens/x?tokenize=1"),
])
def test_redact_tokens(line, expected):
    assert redact_tokens(line) == expected


def test_check_prints_no_password(tmp_path):
    """``greenwall check`` against unreachable services with passwords in their URLs."""
    closed = free_port()  # nothing listens there: both checks fail, and say so without the password
    env = {**os.environ,
           "GREENWALL_REDIS_URL": f"redis://:{PASSWORD}@127.0.0.1:{closed}/0",
           "GREENWALL_DATABASE_URL": f"postgresql+psycopg://gw:{PASSWORD}@127.0.0.1:{closed}/gw",
           "GREENWALL_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "dashboard.cli", "check"], env=env,
                          capture_output=True, text=True, timeout=60)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert PASSWORD not in out
    assert f"redis     FAILED   redis://:****@127.0.0.1:{closed}/0" in done.stdout
    assert f"database  FAILED   postgresql+psycopg://gw:****@127.0.0.1:{closed}/gw" in done.stdout


def test_check_ok_lines(capsys, tmp_path, redis_url):
    """The success lines print the URLs too (through the same masking; these have no password)."""
    from dashboard.settings import Settings

    db = f"sqlite:///{tmp_path / 'x.db'}"
    settings = Settings(redis_url=redis_url, database_url=db, data_dir=tmp_path, simulate=False)
    assert cli.cmd_check(settings, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert f"redis     ok       {redis_url}" in out
    assert f"database  ok       {db}" in out


@pytest.fixture
def web_run_kwargs(monkeypatch, settings):
    """The keyword arguments ``greenwall web`` starts uvicorn with (uvicorn.run intercepted)."""
    seen: dict = {}
    monkeypatch.setenv("GREENWALL_REDIS_URL", settings.redis_url)  # cmd_web sets it; restored after
    monkeypatch.setattr(cli, "_redis_url", lambda s: (s.redis_url, None))
    monkeypatch.setattr(cli, "_store", lambda s: None)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, app=app))
    assert cli.cmd_web(settings, argparse.Namespace(workers=1)) == 0
    assert seen["app"] == "dashboard.app:create_server"
    return seen


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_access_log_of_the_real_server_carries_no_token(web_run_kwargs, sources, capfd):
    """The real app under a real uvicorn, configured as ``greenwall web`` configures it but with
    the access log on: requests with tokens in their query leave ``token=****`` in the log."""
    import httpx

    from dashboard.app import create_app

    app = create_app(sources.settings, sources)
    port = free_port()
    config = uvicorn.Config(app.server, host="127.0.0.1", port=port, log_level="info",
                            ws=web_run_kwargs["ws"], log_config=web_run_kwargs["log_config"])
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    capture = Capture()
    try:
        wait_until(lambda: server.started, timeout=15)
        logging.getLogger("uvicorn.access").addHandler(capture)
        secrets = [f"tok{i}{PASSWORD}" for i in range(4)]
        paths = [f"/embed/waste-sorting?token={secrets[0]}",
                 f"/signin?token={secrets[1]}",
                 f"/export/waste-sorting/ranking.csv?district=310101&token={secrets[2]}",
                 f"/signin?next=%2Fembed%2Fwaste-sorting%3Ftoken%3D{secrets[3]}"]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for path in paths:
                client.get(path)
        wait_until(lambda: len(capture.records) >= len(paths), timeout=10)
    finally:
        logging.getLogger("uvicorn.access").removeHandler(capture)
        server.should_exit = True
        thread.join(10)

    lines = [record.getMessage() for record in capture.records]
    printed = capfd.readouterr()
    for secret in secrets:
        assert not any(secret in line for line in lines), lines
        assert secret not in printed.out + printed.err
    requested = [record.args[2] for record in capture.records]  # uvicorn: (client, method, path, …)
    assert "/embed/waste-sorting?token=****" in requested
    assert "/signin?token=****" in requested
    assert "/export/waste-sorting/ranking.csv?district=310101&token=****" in requested
    assert "/signin?next=%2Fembed%2Fwaste-sorting%3Ftoken%3D****" in requested
    assert "GET /embed/waste-sorting?token=**** HTTP/1.1" in printed.out  # uvicorn's own handler
