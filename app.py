"""Thin entry point: what a process manager serves (``uvicorn app:server``)."""

from dashboard.app import create_app
from dashboard.logfilter import install_access_log_filter

install_access_log_filter()  # uvicorn's / gunicorn's access log: token=**** in request lines
app = create_app()
server = app.server
