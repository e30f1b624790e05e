"""dlviz entrypoint: page config and the navigation over the pages of ``dlviz.ui.registry``.

Every page run goes through this file first, so importing ``dlviz.ui.preload`` before any ``st``
call makes every run wait until all the modules the pages share are completely imported: a chart
drawn while another session is still importing pandas for the first time would see it half-made.
"""

from __future__ import annotations

import streamlit as st

import dlviz.ui.preload  # noqa: F401  # before any st.* call: waits until the imports are done
from dlviz.ui.common import PAGE_ICON
from dlviz.ui.registry import navigation
from dlviz.ui.runlog import install as install_run_log

st.set_page_config(
    page_title="dlviz: deep learning, visualised",
    page_icon=PAGE_ICON,  # a bundled SVG (inlined as a data: URL), not a font-server request
    layout="wide",
    initial_sidebar_state="expanded",
)

install_run_log()  # only with DLVIZ_RUN_LOG set: one JSON line per script run (benchmarks)
navigation().run()
