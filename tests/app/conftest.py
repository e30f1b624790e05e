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


def open_page(page: str, timeout: float = 60) -> AppTest:
    """Run app.py, switch to ``pages/<page>`` and return the AppTest after the first run."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.message for e in at.exception]
    return at
