"""Keep secrets out of what the processes print.

- :func:`mask_url` hides the password of a service URL (``redis://:****@host:6379/0``,
  ``postgresql+psycopg://user:****@host/db``) for ``greenwall check`` and log lines.
- :class:`RedactTokens` is a logging filter that replaces the value of every ``…token=`` query
  parameter (``/embed/<slug>?token=…``, ``/signin?token=…``, ``/export/…?token=…``) in a record's
  message and arguments with ``****``. uvicorn's access logger passes the request path with its
  query string as an argument, so the filter goes on that logger: :func:`uvicorn_log_config` for
  ``uvicorn.run(log_config=…)`` (it reaches every worker process), or
  :func:`install_access_log_filter` in a process whose logging is already set up (an app factory
  served by ``uvicorn app:server`` or gunicorn).
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

MASK = "****"

# The loggers that write one line per request, with the path and query string in it.
ACCESS_LOGGERS = ("uvicorn.access", "gunicorn.access")

# A query parameter whose name ends in "token", plain (``?token=v``, ``&embed_token=v``) or
# percent-encoded inside another parameter (``next=%2Fembed%2Fx%3Ftoken%3Dv``); the value runs to
# the next separator.
_TOKEN_PARAM = re.compile(
    r"(?i)((?:[?&;]|%3f|%26)[a-z0-9_.\-]*token(?:=|%3d))"
    r"((?:%(?!26|23|3b)[0-9a-f]{2}|[^&;#\s\"'%])+)"
)


def redact_tokens(text: str) -> str:
    """``text`` with the value of every ``…token=`` query parameter replaced by ``****``."""
    if "token" not in text.lower():
        return text
    return _TOKEN_PARAM.sub(lambda m: m.group(1) + MASK, text)


def mask_url(url: str | None) -> str | None:
    """``url`` with its password (if any) replaced by ``****``; anything else unchanged.

    Database URLs go through SQLAlchemy's :func:`~sqlalchemy.engine.make_url` (it knows their
    quirks, such as an ``@`` inside a password); Redis URLs through :mod:`urllib.parse`. A
    ``password=`` query parameter (both accept one) is masked too.
    """
    if not url:
        return url
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    masked = None
    if scheme and not scheme.startswith(("redis", "rediss", "unix", "valkey")):
        masked = _mask_sqlalchemy(url)
    if masked is None:
        masked = _mask_netloc(url)
    return _PASSWORD_PARAM.sub(lambda m: m.group(1) + MASK, masked)


_PASSWORD_PARAM = re.compile(r"(?i)([?&;](?:password|passwd|pass)=)[^&;#]+")


def _mask_sqlalchemy(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # not an SQLAlchemy URL after all: urllib's turn
        return None
    if parsed.password is None:
        return url
    return parsed.render_as_string(hide_password=True).replace(":***@", f":{MASK}@", 1)


def _mask_netloc(url: str) -> str:
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # urllib cannot split it: hide everything between // and @
        return re.sub(r"//[^/]*@", f"//{MASK}@", url, count=1)
    if password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{hostinfo}"))


def redact_text(text: str, *urls: str | None) -> str:
    """``text`` (an error message, say) without the passwords of ``urls`` nor any token."""
    for url in urls:
        if not url:
            continue
        text = text.replace(url, mask_url(url) or "")
        for password in _passwords(url):
            text = text.replace(password, MASK)
    return redact_tokens(text)


def _passwords(url: str) -> set[str]:
    """The password of ``url`` as written and decoded, from its user info or its query."""
    found: set[str] = set()
    try:
        parts = urlsplit(url)
        if parts.password:
            found.add(parts.password)
        for key, value in parse_qsl(parts.query):
            if key.lower() in ("password", "passwd", "pass") and value:
                found.add(value)
    except ValueError:
        pass
    found |= {unquote(p) for p in found}
    return {p for p in found if p}


def _redact(value: Any) -> Any:
    return redact_tokens(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Rewrite a record's message and arguments so no ``…token=`` value is written out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):  # gunicorn's access atoms
            record.args = {key: _redact(value) for key, value in record.args.items()}
        return True


def install_access_log_filter(loggers: Iterable[str] = ACCESS_LOGGERS) -> None:
    """Put :class:`RedactTokens` on the access loggers of this process (once each)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with :class:`RedactTokens` on its access logger.

    Passed as ``uvicorn.run(log_config=…)``, it is applied in every worker process too.
    """
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": f"{__name__}.RedactTokens"}
    access = config["loggers"].setdefault("uvicorn.access", {})
    access["filters"] = [*access.get("filters", []), "redact_tokens"]
    return config
