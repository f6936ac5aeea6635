"""The page in a real browser: `claimwatch serve --demo`, then headless Chromium (Debian's package,
driven by Playwright; never a downloaded browser). `make test-browser` installs both; elsewhere
the test skips and says why.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CLAIMWATCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = os.environ.get("CLAIMWATCH_SCREENSHOT")  # where to save the page (docs/page.png)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test-browser` installs Debian's chromium package")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed: `make test-browser` installs it")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served():
    """`claimwatch serve --demo` on a free loopback port; its base URL once it listens."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimwatch.cli", "serve", "--demo", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        lines = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "claimwatch API and page on" in line:
                yield f"http://127.0.0.1:{port}"
                break
        else:
            pytest.fail("serve --demo did not start:\n" + "".join(lines))
        if not any("claimwatch API and page on" in x for x in lines):
            pytest.fail("serve --demo ended:\n" + "".join(lines))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_watch_shows_markers_and_timeline_and_the_cluster_view_lists_outlets(browser, served):
    page = browser.new_page(viewport={"width": 1280, "height": 820})
    external = []
    page.on("request", lambda r: None if r.url.startswith(served) else external.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served + "/")
    page.wait_for_selector("#countries path")  # the vendored outlines, drawn
    assert page.locator("#countries path").count() > 150
    page.select_option("#watch-select", "pokrovsk-front")
    page.wait_for_selector("#timeline li")
    entries = page.locator("#timeline li")
    assert entries.count() >= 3
    assert re.search(r"— (said|claimed|reported|denied)\b", entries.first.inner_text())
    assert page.locator("#timeline mark").count() >= 1  # the place marked in the content
    markers = page.locator("#markers .marker")
    assert markers.count() >= 1
    assert "Pokrovsk" in page.locator("#markers").text_content()
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=False)
    # the cluster view, reached from a claim: the outlets that carried it
    page.locator("#timeline li a.cluster-link").first.click()
    page.wait_for_selector("#cluster-outlets li.outlet")
    assert page.url.split("#", 1)[1].startswith("/clusters/")
    outlets = page.locator("#cluster-outlets li.outlet strong").all_inner_texts()
    assert outlets and all("(fictional)" in o for o in outlets)
    # an alert's link opens the same view directly
    cluster_id = page.url.rsplit("/", 1)[1]
    page.goto(f"{served}/#/clusters/{cluster_id}")
    page.reload()
    page.wait_for_selector("#cluster-outlets li.outlet")
    assert page.locator("#cluster-id").inner_text() == cluster_id
    assert errors == [] and external == [], (errors, external)
    page.close()
