"""AppTest helpers: clear Streamlit caches between tests and open a page by its file."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def finish_jobs(*apps: AppTest, timeout: float = 240) -> None:
    """Wait until the server's job queue has nothing waiting or running, then rerun each page:
    AppTest does not tick ``st.fragment(run_every=...)``, so this is the poll that finds the
    finished job."""
    from dlviz.ui.jobs import get_executor

    assert get_executor().wait(timeout), "the job queue did not empty in time"
    for at in apps:
        at.run(timeout=timeout)
        assert not at.exception, [e.message for e in at.exception]


def open_page(page: str, timeout: float = 60) -> AppTest:
    """Run app.py, switch to ``pages/<page>`` and return the AppTest after the first run."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Open the tab ``label`` of the lazy tabs ``key`` (``dlviz.ui.common.lazy_tabs``: only the
    open tab's body runs, so its widgets and charts exist only then) and run the page."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


PLAYGROUND = "5_playground.py"


def trainer(at: AppTest):
    """The Playground session's trainer (``dlviz.playground.session.Trainer``)."""
    return at.session_state["pg_trainer"]


@pytest.fixture
def playground():
    """The Playground page, opened; its trainer's thread is stopped afterwards."""
    at = open_page(PLAYGROUND, timeout=120)
    yield at
    if "pg_trainer" in at.session_state:
        trainer(at).stop()
