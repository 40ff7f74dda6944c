"""Pages from the registry: the index and one page per screen (Dash Pages, no pages folder)."""

from __future__ import annotations

import logging
from functools import partial

import dash
from dash import dcc, html

from dashboard import ids
from dashboard.payloads import PayloadCache
from dashboard.query import BadQuery, parse_query
from dashboard.registry import screens
from layouts.index import build_index
from layouts.shell import build_error, build_screen

log = logging.getLogger(__name__)


def screen_page(cache: PayloadCache, slug: str, **query: str) -> html.Div:
    """A screen built at the current data version, with the digests the live push starts from."""
    from dashboard.registry import get_screen

    spec = get_screen(slug)
    try:
        parsed = parse_query({k: [v] for k, v in query.items()})
    except BadQuery as exc:
        return build_error(exc.status, str(exc))
    try:
        payload = cache.get(slug, parsed.district_code)
    except Exception:  # Redis or the database is down: say so, and retry by itself
        log.exception("building %s failed", slug)
        return build_error(503, "实时数据源暂不可用，页面将自动重试。Data source unavailable.")
    return html.Div([
        build_screen(spec, payload.tiles, payload.version, parsed),
        dcc.Store(id=ids.CLIENT_STATE, data=payload.digests),
    ])


def register_pages(cache: PayloadCache) -> None:
    dash.register_page("index", path="/", title="greenwall", name="大屏目录",
                       layout=lambda **_: build_index(screens()))
    for spec in screens():
        dash.register_page(
            f"screen_{spec.slug}", path=f"/screens/{spec.slug}", title=f"{spec.title} · greenwall",
            name=spec.title, layout=partial(screen_page, cache, spec.slug),
        )
