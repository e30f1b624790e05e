"""Home: what dlviz is, the learning path, and a link to every page."""

import streamlit as st

from dlviz.ui import home as ui

ui.page_header(
    "dlviz: deep learning, one slider at a time", ui.load_text("home_intro"), draws=False
)
ui.learning_path()
st.markdown(ui.load_text("home_outro"))
