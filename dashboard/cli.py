"""The ``greenwall`` command: run everything, or one part (web, worker, simulator), seed, check."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from pydantic import ValidationError

from dashboard.cli_grants import add_grant_commands, cmd_token
from dashboard.settings import ConfigError, Settings, load_settings, secret_fingerprint

log = logging.getLogger("greenwall")


def _logging(settings: Settings, role: str) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format=f"%(asctime)s {role}[%(process)d] %(levelname)s %(name)s: %(message)s",
    )


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _redis_url(settings: Settings) -> tuple[str, object | None]:
    """The Redis URL to use, starting the embedded server if no one else has."""
    if settings.redis_url:
        return settings.redis_url, None
    import redis

    from datasources.platform.embedded import EmbeddedRedis

    embedded = EmbeddedRedis(settings.embedded_redis_path)
    try:  # `greenwall run` (or another process) already serves it: share, don't restart it
        redis.Redis.from_url(embedded.url, socket_connect_timeout=1).ping()
        return embedded.url, None
    except (redis.RedisError, OSError):
        return embedded.start(), embedded


def _store(settings: Settings):
    from datasources.platform.domain import load_domains
    from datasources.platform.snapshot import SnapshotStore

    store = SnapshotStore(settings.resolved_database_url, domains=load_domains(settings.domains))
    store.create_schema()
    return store


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    from datasources.platform.seed import seed

    summary = seed(_store(settings))
    print(summary)
    return 0


def cmd_snapshot_load(settings: Settings, args: argparse.Namespace) -> int:
    """Load ``<table>.csv`` files (docs/snapshots.md) into the snapshot database, all or none."""
    from dashboard.logfilter import mask_url
    from datasources.platform.schema import SnapshotLoadError

    store = _store(settings)
    try:
        counts = store.load_csv_dir(Path(args.directory), progress=sys.stderr.isatty())
    except SnapshotLoadError as exc:  # names file, line and column; nothing was loaded
        print(f"greenwall snapshot load: {exc} (nothing loaded; docs/snapshots.md)",
              file=sys.stderr)
        return 2
    loaded = ", ".join(f"{table} {rows}" for table, rows in counts.items()) or "no <table>.csv"
    print(f"loaded into {mask_url(settings.resolved_database_url)}: {loaded}")
    return 0


def cmd_wall_load(settings: Settings, args: argparse.Namespace) -> int:
    from dashboard.discovery import discover
    from datasources.platform.walls import WallError, load_wall_file

    try:
        name = load_wall_file(_store(settings), Path(args.file), set(discover()))
    except WallError as exc:
        print(f"greenwall wall load: {exc}", file=sys.stderr)
        return 2
    from dashboard.logfilter import mask_url

    print(f"wall {name!r} loaded into {mask_url(settings.resolved_database_url)}: "
          f"open /walls/{name}?display=<n> on each display")
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from datasources.platform.ingest import IngestWorker, connect, worker_limits
    from datasources.platform.keys import Keys

    url, embedded = _redis_url(settings)
    stop = _stop_on_signals()
    store = _store(settings)
    consumer = args.name or f"{socket.gethostname()}-{os.getpid()}"
    worker = IngestWorker(connect(url), Keys(settings.key_prefix), settings.tz,
                          store.master_lookup(), consumer, **worker_limits(settings),
                          domains=store.domains)
    log.info("worker %s consuming from %s", consumer, url.split("@")[-1])
    try:
        worker.run(stop)
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    from datasources.platform.ingest import connect
    from datasources.platform.keys import Keys
    from datasources.platform.publisher import Simulator

    url, embedded = _redis_url(settings)
    stop = _stop_on_signals()
    store = _store(settings)
    if store.is_empty():
        log.error("the snapshot database is empty: run `greenwall seed` first")
        return 2
    if args.crowd:
        return _crowd_drill(settings, args, url, embedded, stop, store)
    simulator = Simulator(connect(url), Keys(settings.key_prefix), store, settings.tz,
                          speed=args.speed, bad_ratio=args.bad_ratio)
    try:
        if not args.no_backfill:
            simulator.backfill()
        simulator.run(stop)
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def _crowd_drill(settings: Settings, args: argparse.Namespace, url: str, embedded, stop,
                 store) -> int:
    """``simulate --crowd PARK``: a crowd of the park's capacity comes in, stays and leaves
    (``datasources.park.simulator.CrowdDrill``), beside whatever else publishes; then exit."""
    from datetime import datetime

    from datasources.platform.ingest import connect
    from datasources.platform.keys import Keys
    from datasources.platform.publisher import Simulator

    if "park" not in {d.name for d in store.domains}:
        log.error("--crowd drills a key park: enable the park domain (GREENWALL_DOMAINS)")
        return 2
    from datasources.park.simulator import crowd_drill

    now = datetime.now(settings.tz)
    try:
        drill = crowd_drill(store, args.crowd, now, args.crowd_minutes)
    except ValueError as error:
        log.error("%s", error)
        return 2
    ends = datetime.fromtimestamp(drill.end_ms / 1000, settings.tz)
    print(f"crowd drill at {args.crowd}: {drill.park.capacity:,} people in over "
          f"{args.crowd_minutes} min, staying {args.crowd_minutes} min, out over "
          f"{args.crowd_minutes} min; ends {ends:%H:%M}", file=sys.stderr)
    timer = threading.Timer((drill.end_ms - now.timestamp() * 1000) / 1000 + 2, stop.set)
    timer.daemon = True
    timer.start()
    simulator = Simulator(connect(url), Keys(settings.key_prefix), drill, settings.tz,
                          speed=args.speed)
    try:
        simulator.run(stop)
    finally:
        timer.cancel()
        if embedded is not None:
            embedded.stop()
    return 0


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from dashboard.logfilter import uvicorn_log_config

    url, embedded = _redis_url(settings)
    os.environ["GREENWALL_REDIS_URL"] = url
    _store(settings)
    settings.signing_secret()  # generated here once, not raced by several web workers
    _check_access(settings)
    _check_feed_settings(settings)
    try:
        uvicorn.run("dashboard.app:create_server", factory=True, host=settings.host,
                    port=settings.port, workers=args.workers, log_level="warning",
                    ws="websockets-sansio", ws_per_message_deflate=settings.ws_compression,
                    timeout_graceful_shutdown=3,
                    # The peer address stays the peer's: greenwall decides itself which proxies
                    # it believes (GREENWALL_TRUSTED_PROXIES, dashboard/access.py).
                    proxy_headers=False,
                    log_config=uvicorn_log_config())  # tokens in URLs stay out of the access log
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Say what this process can and cannot reach."""
    import redis
    from sqlalchemy import create_engine, text

    from dashboard.logfilter import mask_url, redact_text

    _check_feed_settings(settings)
    ok = True
    # Printed URLs and errors never carry a password (a terminal's scrollback, a pasted ticket).
    target = mask_url(settings.redis_url) or f"embedded ({settings.embedded_redis_path})"
    if settings.redis_url:
        try:
            redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2).ping()
            print(f"redis     ok       {target}")
        except (redis.RedisError, ValueError, OSError) as exc:
            ok = False
            print(f"redis     FAILED   {target}: {redact_text(str(exc), settings.redis_url)}")
    else:
        print(f"redis     embedded {target} (started by `greenwall run`)")
    db_url = settings.resolved_database_url
    try:
        with create_engine(db_url).connect() as conn:
            conn.execute(text("select 1"))
        print(f"database  ok       {mask_url(db_url)}")
    except Exception as exc:
        ok = False
        reason = redact_text((str(exc).splitlines() or [type(exc).__name__])[0], db_url)
        print(f"database  FAILED   {mask_url(db_url)}: {reason}")
    print(f"web       will listen on http://{settings.host}:{settings.port}")
    print(f"simulator {'on' if settings.simulate_enabled else 'off'}")
    return 0 if ok else 1


def _check_feed_settings(settings: Settings) -> None:
    """Refuse to start on freshness settings naming feeds this install does not run."""
    from datasources.platform.domain import load_domains
    from datasources.platform.feeds import configure_freshness

    configure_freshness(settings, [f for d in load_domains(settings.domains) for f in d.feeds])


def _check_access(settings: Settings) -> None:
    """Refuse to start on an access setup the web process would refuse (``ConfigError``)."""
    from dashboard.access import Gatekeeper

    gate = Gatekeeper(settings)
    log.info("access: %s%s", gate.mode, " (anyone who reaches the port)" if gate.mode == "open"
             else "")


def cmd_revoke(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke grants by id, on every web process that shares this Redis (within seconds)."""
    import time

    from datasources.platform.ingest import connect
    from datasources.platform.keys import Keys

    url, embedded = _redis_url(settings)
    try:
        client = connect(url)
        until = int(time.time()) + settings.max_grant_ttl_s  # no grant outlives the cap
        key = Keys(settings.key_prefix).revoked_grants
        for grant_id in args.grant_id:
            client.hset(key, grant_id, until)
            print(f"revoked {grant_id}", file=sys.stderr)
        # Forget revocations whose grants have expired anyway.
        now = time.time()
        stale = [k for k, v in client.hgetall(key).items() if float(v) <= now]
        if stale:
            client.hdel(key, *stale)
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def _ensure_consumer_group(settings: Settings, url: str, store) -> None:
    """Create the consumer group before anything publishes, so capped streams keep every entry."""
    from datasources.platform.ingest import IngestWorker, connect
    from datasources.platform.keys import Keys

    IngestWorker(connect(url), Keys(settings.key_prefix), settings.tz, store.master_lookup(),
                 consumer="run", domains=store.domains).ensure_groups()


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Everything on one machine: Redis (embedded unless configured), worker, simulator, web."""
    stop = _stop_on_signals()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.signing_secret()  # generated here once, before the web processes read it
    _check_access(settings)
    _check_feed_settings(settings)
    url, embedded = _redis_url(settings)
    store = _store(settings)
    from datasources.platform.seed import needs_seed, seed

    if needs_seed(store):

        log.info("seeding the demo master data the database lacks")
        log.info("%s", seed(store))
    _ensure_consumer_group(settings, url, store)
    env = {**os.environ, "GREENWALL_REDIS_URL": url,
           "GREENWALL_DATA_DIR": str(settings.data_dir.resolve())}
    roles = ["worker", "web"] + (["simulate"] if settings.simulate_enabled else [])
    children: dict[str, subprocess.Popen] = {}

    def spawn(role: str) -> None:
        children[role] = subprocess.Popen([sys.executable, "-m", "dashboard.cli", role], env=env)

    for role in roles:
        spawn(role)
    log.info("greenwall is up on http://%s:%s (Ctrl-C stops everything)",
             settings.host, settings.port)
    restarts = dict.fromkeys(roles, 0)
    try:
        while not stop.wait(0.5):
            for role, child in list(children.items()):
                if child.poll() is not None:
                    restarts[role] += 1
                    log.warning("%s exited with %s; restarting (%d)", role, child.returncode,
                                restarts[role])
                    time.sleep(min(restarts[role], 5))
                    spawn(role)
    finally:
        log.info("stopping %s", ", ".join(children))
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if embedded is not None:
            embedded.stop()
        log.info("stopped")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="greenwall", description=__doc__)
    parser.add_argument("--data-dir", metavar="DIR",
                        help="the data dir (embedded Redis, SQLite, secret); overrides "
                             "GREENWALL_DATA_DIR: give the server's to sign or load for it")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="services, worker, simulator and web (what `make run` starts)")
    web = sub.add_parser("web", help="the web server (uvicorn)")
    web.add_argument("--workers", type=int, default=1, help="web processes")
    worker = sub.add_parser("worker", help="the ingest worker (one consumer of the group)")
    worker.add_argument("--name", help="consumer name (default host-pid)")
    sim = sub.add_parser("simulate", help="publish realistic feeds")
    sim.add_argument("--speed", type=float, default=1.0, help="time acceleration")
    sim.add_argument("--bad-ratio", type=float, default=0.0, help="share of malformed messages")
    sim.add_argument("--no-backfill", action="store_true", help="skip today's history")
    sim.add_argument("--crowd", metavar="PARK",
                     help="drill: drive key park PARK (its id, e.g. PK-GUCUN) into the crowding "
                          "alert and back, then exit (publishes only the drill)")
    sim.add_argument("--crowd-minutes", type=int, default=15,
                     help="minutes the drill's crowd takes to come in (as long to stay and to leave)")
    sub.add_parser("seed", help="demo master data and history into an empty database")
    snap = sub.add_parser("snapshot", help="snapshot data")
    snap_sub = snap.add_subparsers(dest="snapshot_command", required=True)
    load = snap_sub.add_parser("load", help="load <table>.csv files from a directory")
    load.add_argument("directory")
    sub.add_parser("check", help="say what can and cannot be reached")
    add_grant_commands(sub)
    wall = sub.add_parser("wall", help="named video walls")
    wall_sub = wall.add_subparsers(dest="wall_command", required=True)
    wall_load = wall_sub.add_parser("load", help="load (or replace) a wall from a TOML file")
    wall_load.add_argument("file")
    return parser


COMMANDS = {
    "run": cmd_run, "web": cmd_web, "worker": cmd_worker, "simulate": cmd_simulate,
    "seed": cmd_seed, "snapshot": cmd_snapshot_load, "check": cmd_check, "wall": cmd_wall_load,
    "token": cmd_token, "revoke": cmd_revoke,
}


# Commands that sign or verify grants, and whether they may generate the secret: only the
# server does; a token signed with a secret made elsewhere is refused by it.
SIGNING_COMMANDS = {"run": True, "web": True, "token": False}


def _say_where(settings: Settings, command: str) -> None:
    """One stderr line naming the data dir, database and (signing commands) secret in use, so a
    command run against another data dir than the server's says so."""
    from dashboard.logfilter import mask_url

    where = [f"data dir {settings.data_dir.resolve()}",
             f"database {mask_url(settings.resolved_database_url)}"]
    if command in SIGNING_COMMANDS:
        secret = settings.signing_secret(create=SIGNING_COMMANDS[command])
        where.append(f"secret {secret_fingerprint(secret)} (from {settings.secret_origin})")
    print(f"greenwall {command}: " + " · ".join(where), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir:
        # In the environment, not only in these settings: `run`'s children and web workers read it.
        os.environ["GREENWALL_DATA_DIR"] = str(Path(args.data_dir).resolve())
    try:
        settings = load_settings()
    except ValidationError as exc:  # a GREENWALL_* value that cannot be used: say which, no trace
        for problem in exc.errors(include_url=False):
            where = "GREENWALL_" + "_".join(str(p) for p in problem["loc"]).upper()
            message = problem["msg"].removeprefix("Value error, ")
            if not message.startswith(where):
                message = f"{where}: {message}"
            print(f"greenwall {args.command}: {message}", file=sys.stderr)
        return 2
    _logging(settings, args.command)
    try:
        _say_where(settings, args.command)
        return COMMANDS[args.command](settings, args)
    except ConfigError as exc:
        print(f"greenwall {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
