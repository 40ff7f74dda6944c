"""The reader's view (``lang=en``, ``fit``) survives every link and navigation of a screen."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from dashboard.i18n import language, t
from layouts.forest_chief import SCREEN
from tests.conftest import wait_until

URL = "/screens/waste-sorting"


def at(dash_duo, path: str, **params: str) -> bool:
    """The browser is at ``path`` with exactly ``params`` and ``lang=en&fit=width`` kept."""
    url = urlsplit(dash_duo.driver.current_url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    return url.path == path and query == {"lang": "en", "fit": "width", **params}


def english(name: str) -> str:
    with language("en"):
        return t(name)


def test_lang_and_view_survive_ranking_map_picker_home_and_index(dash_duo, screen_app):
    dash_duo.start_server(screen_app)
    dash_duo.wait_for_page(dash_duo.server_url + URL + "?lang=en&fit=width")
    dash_duo.wait_for_text_to_equal(".gw-scope-name", english("全市"))

    # A district in the ranking: only the district changes.
    dash_duo.find_element('[data-tile="waste-sorting.ranking"] a[href$="district=310110"]').click()
    wait_until(lambda: at(dash_duo, URL, district="310110"), timeout=10)
    dash_duo.wait_for_text_to_equal(".gw-scope-name", english("杨浦区"))

    # The district in scope on the map: back to the whole city.
    dash_duo.wait_for_element(".gw-district-310110")
    dash_duo.driver.execute_script(
        "var p = document.querySelector('.gw-district-310110'), r = p.getBoundingClientRect();"
        "p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2,"
        " clientY: r.y + r.height / 2}));")
    wait_until(lambda: at(dash_duo, URL), timeout=10)
    dash_duo.wait_for_text_to_equal(".gw-scope-name", english("全市"))

    # The scope picker.
    dash_duo.select_dcc_dropdown("#gw-scope-picker", value=english("浦东新区"))
    wait_until(lambda: at(dash_duo, URL, district="310115"), timeout=10)
    dash_duo.wait_for_text_to_equal(".gw-scope-name", english("浦东新区"))

    # The home link, then a screen's card on the index.
    dash_duo.find_element("a.gw-home").click()
    wait_until(lambda: at(dash_duo, "/"), timeout=10)
    card = dash_duo.wait_for_element('[data-screen-card="forest-chief"] h2 a')
    assert card.text == SCREEN.title_en  # the index is in English
    card.click()
    wait_until(lambda: at(dash_duo, "/screens/forest-chief"), timeout=10)
    dash_duo.wait_for_text_to_equal(".gw-scope-name", english("全市"))
