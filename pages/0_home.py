"""Home: what dlviz is, the learning path with the learner's progress, and a link to every page."""

import streamlit as st

from dlviz.ui import home as ui

ui.page_header(
    "dlviz: deep learning, one slider at a time", ui.load_text("home_intro"), draws=False
)
ui.learning_path()
ui.progress_panel()
st.markdown(ui.load_text("home_outro"))
