"""A host on another origin that may not embed greenwall reads why inside its frame, in real
headless Chromium."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from selenium.webdriver.common.by import By

from dashboard.grants import issue
from tests.conftest import free_port, wait_until


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def other_origin(tmp_path):
    """A directory served from a second origin (another port on loopback): (dir, base URL)."""
    port = free_port()
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_a_host_not_allowed_to_embed_reads_why_in_its_frame(dash_duo, web, sources, other_origin):
    folder, host = other_origin
    assert sources.settings.frame_ancestors == "'self'"  # the default: only greenwall itself
    token = issue(sources.settings.signing_secret(), ["waste-sorting"])
    (folder / "host.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>host</title>'
        f'<iframe id="screen" src="{web}/embed/waste-sorting?token={token}" '
        'width="900" height="500"></iframe>', encoding="utf-8")
    driver = dash_duo.driver
    driver.get(f"{host}/host.html")
    driver.switch_to.frame(driver.find_element(By.ID, "screen"))
    try:
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "[data-frame-refused]"),
                   timeout=15)
        text = driver.find_element(By.TAG_NAME, "main").text
        assert host in text and "GREENWALL_FRAME_ANCESTORS" in text
        assert "未获准嵌入" in text and "is not allowed to embed greenwall" in text
        assert driver.find_elements(By.CSS_SELECTOR, "#gw-root, [data-tile]") == []
    finally:
        driver.switch_to.default_content()
