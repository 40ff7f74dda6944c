"""Protocol-level screens: asyncio clients that speak exactly what a screen page speaks.

- ``push``: Dash's WebSocket callback protocol against ``/_dash-ws-callback`` — the client
  starts the persistent live callback and answers its ``get_props`` requests with the URL and
  root attributes a page would have (as ``tests/live_client.py`` does), then receives
  ``set_props`` frames;
- ``poll``: the ``dcc.Interval`` request a poll-mode page POSTs to
  ``/_dash-update-component`` every second, with the page's digests, applying the returned
  ``Patch`` and side updates as Dash's renderer does.

Each client starts from the digests of the page as it would have been built (``digests``), so
it receives only what changes afterwards. Clients record when the watched metric's value
arrived (epoch ms) and, when asked, the bytes of every message by component.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx
from websockets.asyncio.client import connect

from dashboard import ids


@dataclass
class ClientRecord:
    """What one protocol client saw."""

    seen: list[dict] = field(default_factory=list)  # {"value", "t"} of the watched metric
    messages: list[tuple[float, str, int]] = field(default_factory=list)  # (t_ms, component, bytes)
    frames: list[tuple[float, int]] = field(default_factory=list)  # (t_ms, bytes on the wire)
    errors: int = 0
    requests: int = 0  # poll requests answered (a lagging poller makes fewer than one a second)


def live_callback_id(base_url: str) -> str:
    """The id of the persistent live callback, from the server's ``/_dash-dependencies``."""
    deps = httpx.get(base_url + "/_dash-dependencies", timeout=10).json()
    return next(d["output"] for d in deps if d.get("websocket") and not d.get("inputs"))


def _compact(message: object) -> int:
    return len(json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode())


async def push_client(base_url: str, callback_id: str, path: str, search: str, slug: str,
                      digests: dict, metric_id: str, record: ClientRecord, stop: asyncio.Event,
                      measure_bytes: bool = False) -> None:
    """One screen over the WebSocket until ``stop``."""
    page = {(ids.LOCATION, "pathname"): path, (ids.LOCATION, "search"): search,
            (ids.ROOT, "data-screen"): slug, (ids.CLIENT_STATE, "data"): digests}
    host = urlparse(base_url).netloc
    async with connect(f"ws://{host}/_dash-ws-callback", origin=f"http://{host}",
                       max_size=None, ping_interval=None) as ws:
        await ws.send(json.dumps({
            "type": "callback_request", "requestId": "live-1", "rendererId": "bench",
            "payload": {"output": callback_id, "outputs": [], "inputs": [],
                        "changedPropIds": [], "state": []},
        }))
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            now = time.time() * 1000
            messages = json.loads(raw)
            if measure_bytes:
                record.frames.append((now, len(raw.encode()) if isinstance(raw, str) else len(raw)))
            for message in messages if isinstance(messages, list) else [messages]:
                kind, payload = message.get("type"), message.get("payload") or {}
                if kind == "get_props_request":
                    key = (payload["componentId"], payload["properties"][0])
                    await ws.send(json.dumps({
                        "type": "get_props_response", "requestId": message["requestId"],
                        "rendererId": "bench", "payload": {key[1]: page.get(key)},
                    }))
                elif kind == "set_props":
                    component, props = payload["componentId"], payload["props"]
                    if measure_bytes:
                        record.messages.append((now, str(component), _compact(message)))
                    if component == metric_id and "data-value" in props:
                        record.seen.append({"value": props["data-value"], "t": now})


async def poll_client(client: httpx.AsyncClient, path: str, search: str, digests: dict,
                      metric_id: str, record: ClientRecord, stop: asyncio.Event,
                      interval_s: float = 1.0, measure_bytes: bool = False) -> None:
    """One poll-mode screen: the interval callback every ``interval_s`` until ``stop``."""
    digests = dict(digests)
    root = {"data-heartbeat": "", "data-source": "ok"}
    ticks = 0
    await asyncio.sleep(random.uniform(0, interval_s))  # pages load at different moments
    next_tick = time.monotonic()
    while not stop.is_set():
        ticks += 1
        body = {
            "output": f"{ids.CLIENT_STATE}.data",
            "outputs": {"id": ids.CLIENT_STATE, "property": "data"},
            "inputs": [{"id": ids.POLL, "property": "n_intervals", "value": ticks}],
            "changedPropIds": [f"{ids.POLL}.n_intervals"],
            "state": [
                {"id": ids.LOCATION, "property": "pathname", "value": path},
                {"id": ids.LOCATION, "property": "search", "value": search},
                {"id": ids.CLIENT_STATE, "property": "data", "value": digests},
                {"id": ids.ROOT, "property": "data-heartbeat", "value": root["data-heartbeat"]},
                {"id": ids.ROOT, "property": "data-source", "value": root["data-source"]},
            ],
        }
        try:
            response = await client.post("/_dash-update-component", json=body)
            record.requests += 1
            now = time.time() * 1000
            if measure_bytes:
                record.frames.append((now, response.num_bytes_downloaded))
            if response.status_code == 200:
                reply = response.json()
                patch = reply.get("response", {}).get(ids.CLIENT_STATE, {}).get("data") or {}
                for op in patch.get("operations", []):
                    if op["operation"] == "Assign":
                        digests[op["location"][0]] = op["params"]["value"]
                for component, props in (reply.get("sideUpdate") or {}).items():
                    if measure_bytes:
                        record.messages.append((now, component, _compact({component: props})))
                    if component == ids.ROOT:
                        root.update({k: v for k, v in props.items() if k in root})
                    elif component == metric_id and "data-value" in props:
                        record.seen.append({"value": props["data-value"], "t": now})
            elif response.status_code != 204:
                record.errors += 1
        except httpx.HTTPError:
            record.errors += 1
        next_tick += interval_s
        await asyncio.sleep(max(0.0, next_tick - time.monotonic()))


class Fleet:
    """Protocol clients on an event loop in a background thread; add some, stop them all."""

    def __init__(self, base_url: str, mode: str, path: str, slug: str, digests: dict,
                 metric_id: str, search: str = ""):
        self.base_url, self.mode, self.path, self.slug = base_url, mode, path, slug
        self.search, self.digests, self.metric_id = search, digests, metric_id
        self.records: list[ClientRecord] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bench-fleet",
                                        daemon=True)
        self._thread.start()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Future] = []
        self._http: httpx.AsyncClient | None = None
        self._callback_id = live_callback_id(base_url) if mode == "push" else ""

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def add(self, count: int, measure_bytes: int = 0) -> None:
        """Open ``count`` more screens; the first ``measure_bytes`` of them record bytes."""
        async def start():
            if self.mode == "poll" and self._http is None:
                self._http = httpx.AsyncClient(
                    base_url=self.base_url, timeout=30,
                    limits=httpx.Limits(max_connections=None, max_keepalive_connections=None))
            for n in range(count):
                record = ClientRecord()
                self.records.append(record)
                if self.mode == "push":
                    coroutine = push_client(self.base_url, self._callback_id, self.path, self.search,
                                            self.slug, self.digests, self.metric_id, record,
                                            self._stop, measure_bytes=n < measure_bytes)
                else:
                    coroutine = poll_client(self._http, self.path, self.search, self.digests,
                                            self.metric_id, record, self._stop,
                                            measure_bytes=n < measure_bytes)
                self._tasks.append(asyncio.ensure_future(coroutine))
                await asyncio.sleep(0.005)  # spread the connects a little, as real pages do
        self._run(start())

    def take_seen(self) -> list[list[dict]]:
        """Every client's observations so far (cleared)."""
        async def take():
            taken = [record.seen for record in self.records]
            for record in self.records:
                record.seen = []
            return taken
        return self._run(take())

    def take_requests(self) -> int:
        """Poll requests answered, all clients, since the last call."""
        async def take():
            total = sum(record.requests for record in self.records)
            for record in self.records:
                record.requests = 0
            return total
        return self._run(take())

    @property
    def failed(self) -> int:
        return sum(1 for task in self._tasks if task.done() and task.exception() is not None)

    def close(self) -> None:
        async def stop():
            self._stop.set()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if self._http is not None:
                await self._http.aclose()
        try:
            self._run(stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


class WireMeter:
    """A TCP relay in front of the server that counts the bytes the server sends: what a
    screen receives on the wire, after permessage-deflate or gzip and with every header."""

    def __init__(self, base_url: str):
        target = urlparse(base_url)
        self._target = (target.hostname, target.port)
        self.down = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bench-meter",
                                        daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._relay, "127.0.0.1", 0), self._loop).result()
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _pipe(self, reader, writer, count: bool) -> None:
        try:
            while data := await reader.read(65536):
                if count:
                    self.down += len(data)
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _relay(self, client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self._target)
        self._writers += [client_writer, server_writer]
        await asyncio.gather(self._pipe(client_reader, server_writer, False),
                             self._pipe(server_reader, client_writer, True))

    def close(self) -> None:
        async def shut():
            self._server.close()
            for writer in self._writers:
                writer.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
