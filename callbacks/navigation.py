"""Navigation: scope changes from the district picker and the map reload the page in that scope."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State

from dashboard import ids


def register_navigation(app) -> None:
    """Scope changes are whole-page navigations, so the live connection restarts in scope."""
    app.clientside_callback(
        ClientsideFunction(namespace="greenwall", function_name="scopeFromPicker"),
        Output(ids.NAVIGATE, "href", allow_duplicate=True),
        Input(ids.SCOPE_PICKER, "value"),
        State(ids.ROOT, "data-district"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="greenwall", function_name="scopeFromMap"),
        Output(ids.NAVIGATE, "href", allow_duplicate=True),
        Input(ids.MAP_DISTRICTS, "clickData"),
        State(ids.ROOT, "data-district"),
        prevent_initial_call=True,
    )
