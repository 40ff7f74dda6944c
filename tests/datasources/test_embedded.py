"""The embedded Redis: a unix-socket server other processes use, gone without a trace on stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from datasources.platform.embedded import EmbeddedRedis
from datasources.platform.ingest import connect

ROOT = Path(__file__).resolve().parents[2]


def gone(pid: int) -> bool:
    """True once the process has exited (a zombie waiting for a reaper counts as gone)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def servers_in(directory: Path) -> list[int]:
    """Pids of live redis-servers running in ``directory`` (their data dir)."""
    found = []
    for process in psutil.process_iter(["name", "cwd"]):
        if process.info["name"] == "redis-server" and process.info["cwd"] == str(directory):
            if not gone(process.pid):
                found.append(process.pid)
    return found


def wait_until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


def test_other_processes_connect_through_the_unix_url(tmp_path):
    with EmbeddedRedis(tmp_path / "redis.db") as server:
        assert server.url == f"unix://{tmp_path / 'redis.sock'}"
        subprocess.run(
            [sys.executable, "-c", "import sys, redis; redis.Redis.from_url(sys.argv[1]).set('who', 'child')",
             server.url],
            check=True, timeout=30,
        )
        client = connect(server.url)
        assert client.get("who") == "child"
        client.close()


def test_stop_ends_the_server_and_keeps_its_files_in_the_data_dir(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis.db")
    client = connect(server.start())
    client.set("kept", "yes")
    other = connect(server.url)  # a second client must not keep the server alive
    other.ping()
    pid = server.pid
    assert servers_in(tmp_path) == [pid]

    server.stop()

    assert gone(pid)
    assert servers_in(tmp_path) == []
    assert subprocess.run(["pgrep", "-f", f"unixsocket:{tmp_path}"], capture_output=True).returncode == 1
    assert {p.name for p in tmp_path.iterdir()} == {"redis.db", "redis.conf", "redis.log"}
    server.stop()  # stopping twice is harmless
    client.close()
    other.close()

    with EmbeddedRedis(tmp_path / "redis.db") as again:
        client = connect(again.url)
        assert client.get("kept") == "yes"
        client.close()


def test_a_data_dir_too_deep_for_a_socket_path_still_works(tmp_path):
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 4)
    with EmbeddedRedis(deep / "redis.db") as server:
        socket_dir = Path(server.url.removeprefix("unix://")).parent
        assert len(server.url) < 110 and socket_dir != deep
        client = connect(server.url)
        assert client.ping()
        client.close()
    assert not socket_dir.exists()
    assert (deep / "redis.db").exists()


def test_a_server_left_by_an_earlier_run_is_ended_on_start(tmp_path):
    earlier = EmbeddedRedis(tmp_path / "redis.db")
    earlier.start()
    earlier_pid = earlier.pid

    with EmbeddedRedis(tmp_path / "redis.db") as server:
        assert gone(earlier_pid)
        assert servers_in(tmp_path) == [server.pid]
    earlier.stop()


def test_the_server_does_not_outlive_an_owner_killed_with_sigkill(tmp_path):
    owner = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from datasources.platform.embedded import EmbeddedRedis\n"
         "server = EmbeddedRedis(Path(sys.argv[1])); server.start(); print(server.pid, flush=True)\n"
         "sys.stdin.read()",
         str(tmp_path / "redis.db")],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        server_pid = int(owner.stdout.readline())
        assert not gone(server_pid)
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    wait_until(lambda: gone(server_pid), "the orphaned redis-server to exit")
