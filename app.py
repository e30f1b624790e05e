"""dlviz entrypoint: page config and navigation over the pages in ``pages/``.

Every page run goes through this file first, so importing ``dlviz.ui.preload`` before any ``st``
call makes every run wait until all the modules the pages share are completely imported: a chart
drawn while another session is still importing pandas for the first time would see it half-made.
"""

from __future__ import annotations

import streamlit as st

import dlviz.ui.preload  # noqa: F401  # before any st.* call: waits until the imports are done
from dlviz.ui.common import PAGE_ICON

st.set_page_config(
    page_title="dlviz: deep learning, visualised",
    page_icon=PAGE_ICON,  # a bundled SVG (inlined as a data: URL), not a font-server request
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = {
    "Start": [
        st.Page(
            "pages/0_home.py", title="Home", icon=":material/home:", url_path="home", default=True
        ),
    ],
    "Concepts": [
        st.Page(
            "pages/1_activations.py",
            title="Activations",
            icon=":material/show_chart:",
            url_path="activations",
        ),
        st.Page(
            "pages/2_loss.py",
            title="Loss: cross-entropy",
            icon=":material/trending_down:",
            url_path="loss",
        ),
        st.Page(
            "pages/3_backprop.py",
            title="Backpropagation",
            icon=":material/account_tree:",
            url_path="backprop",
        ),
        st.Page(
            "pages/4_gradient_descent.py",
            title="Gradient descent",
            icon=":material/landscape:",
            url_path="gradient-descent",
        ),
        st.Page(
            "pages/5_playground.py",
            title="Playground",
            icon=":material/scatter_plot:",
            url_path="playground",
        ),
        st.Page(
            "pages/6_depth_and_init.py",
            title="Depth and initialization",
            icon=":material/stacked_line_chart:",
            url_path="depth-and-init",
        ),
    ],
    "Training": [
        st.Page(
            "pages/7_training.py",
            title="Train a model",
            icon=":material/model_training:",
            url_path="training",
        ),
        st.Page(
            "pages/8_loss_landscape.py",
            title="Loss landscape",
            icon=":material/terrain:",
            url_path="loss-landscape",
        ),
    ],
}

st.navigation(PAGES, position="sidebar").run()
