"""Real-browser fixtures: one `streamlit run app.py` per session, driven by Debian's Chromium.

The helpers (server start, Chromium launch, waits on Streamlit's run state, screenshots) live in
``tests.support``, shared with the benchmarks.
"""

from __future__ import annotations

import os

import pytest

from tests.support import launch_chromium, new_page, running_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Start the app on a free loopback port, offline, with its caches in a temp dir."""
    base = tmp_path_factory.mktemp("e2e")
    env = {
        "DLVIZ_CACHE_DIR": str(base / "cache"),
        "DLVIZ_DATA_DIR": os.environ.get("DLVIZ_TEST_DATA_DIR", str(base / "data")),
        "DLVIZ_OFFLINE": "1",
    }
    try:
        with running_app(env, log=base / "server.log") as url:
            yield url
    except RuntimeError as err:
        pytest.fail(f"{err}:\n" + (base / "server.log").read_text())


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, with software WebGL for 3-D plotly figures."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            b = launch_chromium(p)
        except RuntimeError as err:
            pytest.fail(str(err))
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()
