"""Driving a screen's persistent live callback over the real WebSocket, the way the page does.

The client answers the callback's ``get_props`` requests with the URL and root attributes a
page would have, and records everything the server sends, so a test sees exactly what a page
with that URL would receive.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from websockets.sync.client import connect

from dashboard import ids


def live_callback_id(app) -> str:
    """The id Dash gives the persistent live callback (no inputs, no outputs)."""
    return next(key for key, spec in app.callback_map.items()
                if spec.get("websocket") and spec.get("no_output"))


@dataclass
class LiveSession:
    asked: list[tuple[str, str]] = field(default_factory=list)
    set_props: list[tuple[str, dict]] = field(default_factory=list)
    frames: list[list[tuple[str, dict]]] = field(default_factory=list)  # set_props by frame
    response: dict | None = None

    def props_of(self, component_id: str) -> dict:
        merged: dict = {}
        for cid, props in self.set_props:
            if cid == component_id:
                merged.update(props)
        return merged


def drive_live(app, base_url: str, pathname: str, search: str, *, slug: str = "waste-sorting",
               until=lambda session: session.response is not None,
               timeout: float = 15.0, headers: dict[str, str] | None = None) -> LiveSession:
    """Run the live callback as a page at ``pathname + search`` until ``until(session)``;
    ``headers`` (a cookie, say) go with the socket's upgrade request."""
    page = {(ids.LOCATION, "pathname"): pathname, (ids.LOCATION, "search"): search,
            (ids.ROOT, "data-screen"): slug, (ids.CLIENT_STATE, "data"): {}}
    host = urlparse(base_url).netloc
    session = LiveSession()
    with connect(f"ws://{host}/_dash-ws-callback", origin=f"http://{host}",
                 additional_headers=headers) as ws:
        ws.send(json.dumps({
            "type": "callback_request", "requestId": "live-1", "rendererId": "test",
            "payload": {"output": live_callback_id(app), "outputs": [], "inputs": [],
                        "changedPropIds": [], "state": []},
        }))
        deadline = time.monotonic() + timeout
        while not until(session):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"live callback for {pathname}{search}: condition not met "
                                     f"within {timeout}s; received {session}")
            try:
                raw = ws.recv(timeout=left)
            except TimeoutError:
                continue
            messages = json.loads(raw)
            frame: list[tuple[str, dict]] = []
            for message in messages if isinstance(messages, list) else [messages]:
                kind, payload = message.get("type"), message.get("payload") or {}
                if kind == "get_props_request":
                    key = (payload["componentId"], payload["properties"][0])
                    session.asked.append(key)
                    ws.send(json.dumps({
                        "type": "get_props_response", "requestId": message["requestId"],
                        "rendererId": "test", "payload": {key[1]: page.get(key)},
                    }))
                elif kind == "set_props":
                    frame.append((payload["componentId"], payload["props"]))
                elif kind == "callback_response":
                    session.response = payload
            if frame:
                session.frames.append(frame)
                session.set_props.extend(frame)
    return session
