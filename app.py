"""Thin entry point: what a process manager serves (``uvicorn app:server``)."""

from dashboard.app import create_app

app = create_app()
server = app.server
