"""Screenshots of the running app for the README: every screen at 1920×1080 and on a portrait and
a landscape tablet, in Chinese and English (``-en``).

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8050] [--out docs/img]
        [--screens ring-belt,park-flow]

Needs Debian's chromium and chromium-driver. Waits until each screen's live connection is up
and its tiles carry data, so the pictures show what a duty officer sees.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options

from dashboard.discovery import discover

SIZES = {"1920x1080": (1920, 1080), "tablet-1024": (1024, 1366), "tablet-1366": (1366, 1024)}
LANGS = ("zh", "en")


def driver(width: int, height: int) -> webdriver.Chrome:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--window-size={width},{height}",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options)
    # The window size includes browser chrome even headless; pin the viewport itself.
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    return browser


def wait_live(browser: webdriver.Chrome, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    script = ("var r = document.getElementById('gw-root');"
              "return r && r.getAttribute('data-connection') === 'live';")
    while not browser.execute_script(script):
        if time.monotonic() > deadline:
            raise TimeoutError("screen did not connect")
        time.sleep(0.2)
    time.sleep(1.5)  # let the map and charts finish their transitions for the picture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8050")
    parser.add_argument("--out", default="docs/img")
    parser.add_argument("--query", default="", help="extra query, e.g. district=310115")
    parser.add_argument("--screens", default="", help="only these slugs, comma-separated")
    args = parser.parse_args()
    only = {s for s in args.screens.split(",") if s}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in SIZES.items():
        browser = driver(width, height)
        try:
            for spec in (screen.spec for screen in discover().values()
                         if not only or screen.spec.slug in only):
                for lang in LANGS:
                    query = "&".join(q for q in (args.query, f"lang={lang}" * (lang != "zh")) if q)
                    url = f"{args.base}/screens/{spec.slug}" + (f"?{query}" if query else "")
                    browser.get(url)
                    wait_live(browser)
                    path = out / f"{spec.slug}-{name}{'' if lang == 'zh' else '-' + lang}.png"
                    browser.save_screenshot(str(path))
                    print(path)
        finally:
            browser.quit()


if __name__ == "__main__":
    main()
