"""Real-browser fixtures: one `streamlit run app.py` per session, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Start the app on a free loopback port and wait for its health check."""
    port = _free_port()
    env = dict(os.environ)
    base = tmp_path_factory.mktemp("e2e")
    env.update(
        DLVIZ_CACHE_DIR=str(base / "cache"),
        DLVIZ_DATA_DIR=os.environ.get("DLVIZ_TEST_DATA_DIR", str(base / "data")),
        DLVIZ_OFFLINE="1",
    )
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(base / "server.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not become healthy:\n" + (base / "server.log").read_text())
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, with software WebGL for 3-D plotly figures."""
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=exe,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-gl=swiftshader",
                "--enable-unsafe-swiftshader",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


_warmed: set[str] = set()


def open_app_page(page, app_url: str, url_path: str, settle: float = 1.0):
    """Open ``/<url_path>``, wait until Streamlit has finished running the script.

    A fresh server serves a deep link from the legacy ``pages/`` discovery until app.py has run
    once, so the first visit of a session goes through the root URL.
    """
    if app_url not in _warmed:
        page.goto(app_url)
        page.wait_for_selector('[data-testid="stSidebarNav"]')
        wait_idle(page)  # until app.py has reached st.navigation (the legacy nav shows earlier)
        _warmed.add(app_url)
    page.goto(f"{app_url}/{url_path}")
    page.wait_for_selector('[data-testid="stApp"]')
    wait_idle(page)
    time.sleep(settle)
    wait_idle(page)
    return page


def wait_idle(page, timeout: float = 120) -> None:
    """Wait until the script run is over (stApp's ``data-test-script-state`` leaves running)."""
    time.sleep(0.3)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const state = app && app.getAttribute('data-test-script-state');
            return state && !['initial', 'running', 'rerunRequested'].includes(state);
        }""",
        timeout=timeout * 1000,
    )


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # Streamlit scrolls inside its own container: grow the viewport to the content first.
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]')
                || document.querySelector('section.main');
            return main ? main.scrollHeight : document.body.scrollHeight;
        }"""
    )
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height))})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path
