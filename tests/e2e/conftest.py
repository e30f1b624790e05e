"""Real-browser fixtures: one `streamlit run app.py` per session, driven by Debian's Chromium.

The helpers (server start, Chromium launch, waits on Streamlit's run state, screenshots) live in
``tests.support``, shared with the benchmarks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import launch_chromium, new_page, offline_env, running_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory):
    """This session's server folder: caches, server.log and runs.jsonl (the run log)."""
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def run_log(e2e_dir):
    """The server's DLVIZ_RUN_LOG: one JSON line per script run."""
    return Path(offline_env(e2e_dir)["DLVIZ_RUN_LOG"])


@pytest.fixture(scope="session")
def app_url(e2e_dir, run_log):
    """Start the app on a free loopback port, offline, with its caches in a temp dir."""
    base = e2e_dir
    try:
        with running_app(offline_env(base), log=base / "server.log") as url:
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
