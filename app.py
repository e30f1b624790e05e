"""dlviz entrypoint: page config and the navigation over the pages of ``dlviz.ui.registry``.

Its imports are light, so Home is served at once; the warm-up (``dlviz.ui.warmup``: the heavy
imports, in a background thread) starts right after Home's first run, and every other page waits
for it before it runs (``dlviz.ui.registry.run_page``), and again in its ``page_header`` for a
deep link that a fresh server runs without app.py.
"""

from __future__ import annotations

import streamlit as st

from dlviz.ui.common import PAGE_ICON
from dlviz.ui.registry import run_page
from dlviz.ui.runlog import install as install_run_log

st.set_page_config(
    page_title="dlviz: deep learning, visualised",
    page_icon=PAGE_ICON,  # a bundled SVG (inlined as a data: URL), not a font-server request
    layout="wide",
    initial_sidebar_state="auto",  # open on a wide screen, closed on a phone (it would cover it)
)

install_run_log()  # only with DLVIZ_RUN_LOG set: one JSON line per script run (benchmarks)
run_page()
