"""dlviz entrypoint: page config and the navigation over the pages of ``dlviz.ui.registry``.

``streamlit run app.py`` reads this file twice over. At server start it imports it as a module
to find ``app``, an ``st.App`` whose lifespan starts the warm-up (``dlviz.ui.warmup``: the heavy
imports, in a background thread) before any learner connects. For every learner's script run it
executes it as ``__main__``: page config and navigation. Its imports are light, so Home is served
at once; every other page waits for the warm-up before it runs (``dlviz.ui.registry.run_page``),
and again in its ``page_header`` for a deep link.
"""

from __future__ import annotations

import streamlit as st

from dlviz.ui import warmup

if __name__ == "__main__":  # a learner's script run
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
else:  # server start: the ASGI app `streamlit run` serves
    from dlviz.ui.compat import navigation_only

    navigation_only()  # the pages are app.py's st.navigation, from the first run on (not pages/)
    app = st.App("app.py", lifespan=warmup.lifespan)
