"""The one module that touches Dash internals (Dash 4.4.1), and its start-up self-check.

greenwall needs two things Dash 4.4 has no public call for. Each use below says why, which
upstream discussion it concerns, and when it can go. ``self_check(app)`` runs in
``create_app``: should a Dash upgrade rename what this relies on, the app refuses to start
with the list of what is missing, instead of failing on the first push or page. The pin
``dash==4.4.1`` (requirements/*.lock) keeps the two in step.
"""

from __future__ import annotations

import inspect

import orjson
from dash.backends import _fastapi as fastapi_backend
from fastapi import Request
from fastapi.responses import HTMLResponse


class DashCompatError(RuntimeError):
    """This Dash lacks an internal greenwall relies on, or is configured against it."""


# ---- one frame per push -------------------------------------------------------------------
# A live push changes props of several components at once. Through the public ``set_props``
# Dash serialises and queues every prop on its own (and with ``websocket_batch_delay`` > 0 only
# batches them on a timer, plotly/dash#3783), which at 200 screens cost the web process about
# three times the CPU (docs/benchmarks.md). So the batch frame Dash's own sender writes is put
# on the connection's outbound queue directly. It needs ``websocket_batch_delay=0`` (the frame
# is sent as it is, not merged again). Remove when Dash has a public call that sends several
# components' props as one message (asked for around plotly/dash#3981).
_WS_ATTRIBUTES = ("_outbound_queue", "_renderer_id")


def push_frame(ws, updates: dict[str, dict]) -> None:
    """Send ``{component id: {prop: value}}`` to the page in one WebSocket frame."""
    if ws.is_shutdown:
        return
    frame = orjson.dumps([
        {"type": "set_props", "rendererId": ws._renderer_id,
         "payload": {"componentId": component_id, "props": props}}
        for component_id, props in updates.items()])
    ws._outbound_queue.sync_q.put_nowait(frame.decode())


# ---- Dash's page from a route of ours --------------------------------------------------------
# greenwall answers /screens/<slug> and /embed/<slug> itself (status codes, grants, headers)
# and then serves Dash's index. Dash renders it from the request its catch-all route sets, sets
# the server up on its first own request, and runs its before-request hooks (where Dash Pages
# registers its router script) only on its own routes (the catch-all came with
# plotly/dash#3668; hooks on FastAPI with plotly/dash#3986). Remove when Dash offers a public
# "render the index for this request" on the FastAPI backend.
_BACKEND_FUNCTIONS = ("set_current_request", "reset_current_request")


async def render_index(app, request: Request) -> HTMLResponse:
    """Dash's page for ``request``, served from a route of ours ahead of Dash's catch-all."""
    token = fastapi_backend.set_current_request(request)
    try:
        app._setup_server()
        for hook in app.backend._before_request_funcs:
            if inspect.isawaitable(result := hook()):
                await result
        return HTMLResponse(app.index())
    finally:
        fastapi_backend.reset_current_request(token)


def self_check(app) -> None:
    """Raise ``DashCompatError`` unless every internal used here exists and is set as needed."""
    from dash.backends.ws import DashWebsocketCallback

    missing = [f"dash.backends._fastapi.{name}" for name in _BACKEND_FUNCTIONS
               if not callable(getattr(fastapi_backend, name, None))]
    if not callable(getattr(app, "_setup_server", None)):
        missing.append("Dash._setup_server")
    if not isinstance(getattr(app.backend, "_before_request_funcs", None), list):
        missing.append("backend._before_request_funcs")
    init = inspect.signature(DashWebsocketCallback.__init__).parameters
    source = inspect.getsource(DashWebsocketCallback.__init__)
    missing += [f"DashWebsocketCallback.{name}" for name in _WS_ATTRIBUTES
                if f"self.{name}" not in source]
    if "outbound_queue" not in init:
        missing.append("DashWebsocketCallback(outbound_queue)")
    if missing:
        raise DashCompatError("this Dash lacks what dashboard/dash_compat.py relies on: "
                              + ", ".join(missing))
    delay = getattr(app, "_websocket_batch_delay", None)
    if delay != 0:
        raise DashCompatError(f"websocket_batch_delay must be 0 for one-frame pushes, got {delay!r}")
