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
