"""Browser tests need Debian's Chromium and chromedriver: skipped on a bare machine, fail in CI."""

from __future__ import annotations

import pytest

from tests.conftest import chromium_available, missing


@pytest.fixture(autouse=True)
def _chromium():
    if not chromium_available():
        missing("headless Chromium not installed (apt-get install chromium chromium-driver)")


@pytest.fixture
def screen_app(sources):
    from dashboard.app import create_app

    return create_app(sources.settings, sources)


@pytest.fixture
def chrome():
    """Headless Chromium windows whose viewport is exactly ``width × height`` CSS pixels."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    opened = []

    def open_window(width: int, height: int):
        options = Options()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                     "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--force-device-scale-factor=1",
                     f"--window-size={width},{height}",
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"):
            options.add_argument(flag)
        browser = webdriver.Chrome(options=options)
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        opened.append(browser)
        return browser

    yield open_window
    for browser in opened:
        browser.quit()


def live(browser) -> bool:
    return browser.execute_script(
        "var r = document.getElementById('gw-root');"
        "return !!r && r.getAttribute('data-connection') === 'live';")
