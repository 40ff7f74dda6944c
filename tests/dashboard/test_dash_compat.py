"""The start-up self-check of the Dash internals greenwall relies on (dashboard/dash_compat.py)."""

from __future__ import annotations

import pytest

from dashboard import dash_compat
from dashboard.dash_compat import DashCompatError


def test_this_dash_has_every_internal_and_the_app_is_set_for_one_frame_pushes(sources):
    from dashboard.app import create_app

    app = create_app(sources.settings, sources)  # runs the self-check
    app._websocket_batch_delay = 0.005
    with pytest.raises(DashCompatError, match="websocket_batch_delay must be 0"):
        dash_compat.self_check(app)


def test_a_dash_without_the_internals_is_refused_with_what_is_missing(sources, monkeypatch):
    from dashboard.app import create_app

    app = create_app(sources.settings, sources)
    monkeypatch.delattr(dash_compat.fastapi_backend, "set_current_request")
    monkeypatch.setattr(app.backend, "_before_request_funcs", None)
    with pytest.raises(DashCompatError) as refused:
        dash_compat.self_check(app)
    assert "set_current_request" in str(refused.value)
    assert "_before_request_funcs" in str(refused.value)
