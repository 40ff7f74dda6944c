"""Pages from the registry: the index, and per screen a page and its embed page (Dash Pages)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qs

import dash
from dash import dcc, html
from dash.exceptions import MissingCallbackContextException

from dashboard import ids, theme
from dashboard.build import BUILD_ID
from dashboard.embed import page_attributes
from dashboard.grants import Refused, authorize, current
from dashboard.i18n import language
from dashboard.payloads import PayloadCache
from dashboard.query import LANGS, BadQuery, ScreenQuery, parse_query
from dashboard.registry import ScreenSpec, screens
from layouts.index import build_index
from layouts.shell import build_error, build_screen

log = logging.getLogger(__name__)


def screen_page(cache: PayloadCache, slug: str, query: dict[str, str]) -> html.Div:
    """A screen built at the current data version, with the digests the live push starts from."""
    from dashboard.registry import get_screen

    spec = get_screen(slug)
    try:
        parsed = parse_query({k: [v] for k, v in query.items()})
        current().check(slug, parsed.district_code)
    except BadQuery as exc:
        return build_error(exc.status, str(exc))
    except Refused as exc:  # this layout is a Dash callback anyone can POST: check it here too
        return build_error(exc.status, exc.reason)
    return _built(cache, spec, parsed)


def embed_page(cache: PayloadCache, slug: str, query: dict[str, str]) -> html.Div:
    """The screen without chrome for an iframe, when the URL's token covers it.

    ``/embed/<slug>`` has already refused a bad token with its status; this checks again
    because Dash's page callback can be called without that route.
    """
    from dashboard.registry import get_screen

    spec = get_screen(slug)
    settings = cache.sources.settings
    try:
        parsed = parse_query({k: [v] for k, v in query.items()})
        current().check(slug, parsed.district_code)
        grant = authorize(settings.signing_keys(), parsed.token, slug, parsed.district_code,
                          max_ttl_s=settings.max_grant_ttl_s)
    except BadQuery as exc:
        return build_error(exc.status, str(exc))
    except Refused as exc:
        return build_error(exc.status, exc.reason)
    return _built(cache, spec, parsed, chromeless=True,
                  root_attrs=page_attributes(grant, settings.frame_ancestors))


def _built(cache: PayloadCache, spec: ScreenSpec, parsed: ScreenQuery, **options) -> html.Div:
    try:
        payload = cache.get(spec.slug, parsed.district_code)
    except Exception:  # Redis or the database is down: say so, and retry by itself
        log.exception("building %s failed", spec.slug)
        return build_error(503, "实时数据源暂不可用，页面将自动重试。Data source unavailable.")
    with language(parsed.lang):
        screen = build_screen(spec, payload.tiles, payload.version, parsed, BUILD_ID, **options)
    polling = cache.sources.settings.push_mode == "poll"
    return html.Div([screen, dcc.Store(id=ids.CLIENT_STATE, data=payload.digests),
                     dcc.Interval(id=ids.POLL, interval=theme.POLL_INTERVAL_MS) if polling else None])


def index_page(lang: str = "zh", **_: str) -> html.Div:
    seen = current()
    with language(lang if lang in LANGS else "zh"):
        return build_index([s for s in screens() if seen.allows_screen(s.slug)], seen.allows)


def _title(spec: ScreenSpec) -> Callable[..., str]:
    """The page's <title> in the language of its URL. Dash Pages calls a title function with
    the path alone, inside its routing callback, whose input is the page's query string."""

    def title(**_: str) -> str:
        try:
            search = dash.callback_context.inputs.get("_pages_location.search") or ""
        except MissingCallbackContextException:  # the first HTML, before routing: the default
            search = ""
        lang = parse_qs(search.lstrip("?")).get("lang", ["zh"])[-1]
        return f"{spec.title_en if lang == 'en' else spec.title} · greenwall"

    return title


def _layout(page, cache: PayloadCache, slug: str):
    """A Dash Pages layout function: Pages passes the query as keyword arguments, and any name
    (``slug``, ``cache``, …) may come in, so they are gathered whole."""
    return lambda **query: page(cache, slug, query)


def register_pages(cache: PayloadCache) -> None:
    dash.register_page("index", path="/", title="greenwall", name="大屏目录",
                       layout=index_page)
    for spec in screens():
        dash.register_page(
            f"screen_{spec.slug}", path=f"/screens/{spec.slug}", title=_title(spec),
            name=spec.title, layout=_layout(screen_page, cache, spec.slug),
        )
        dash.register_page(
            f"embed_{spec.slug}", path=f"/embed/{spec.slug}", title=_title(spec),
            name=spec.title, layout=_layout(embed_page, cache, spec.slug),
        )
