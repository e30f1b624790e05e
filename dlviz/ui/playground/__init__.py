"""The Playground page's Streamlit side: the one module ``pages/5_playground.py`` imports.

It re-exports, in the order the page calls them, the shared page furniture, the widgets
(``dlviz.ui.playground.controls``: three configs) and the live part (``dlviz.ui.playground.live``:
the session's trainer, its toolbar, the polled figures), and draws the notes under them. The
training itself is ``dlviz.playground``; the figures are ``dlviz.plots.playground``.
"""

from __future__ import annotations

import streamlit as st

from dlviz.ui.common import page_header, text_sections, try_this
from dlviz.ui.playground.code import show_code
from dlviz.ui.playground.controls import playground_controls
from dlviz.ui.playground.live import get_trainer, pause_when_hidden, show_live, show_toolbar

__all__ = [
    "get_trainer",
    "page_header",
    "pause_when_hidden",
    "playground_controls",
    "show_code",
    "show_live",
    "show_notes",
    "show_toolbar",
    "text_sections",
    "try_this",
]


def show_notes(text: dict[str, str], optimizer: str) -> None:
    """How it learns (with the chosen optimizer's paragraph) beside What to try and Beyond."""
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("How it learns")
        st.markdown(text["how it learns"])
        st.markdown(text[optimizer])
    with right:
        try_this(*(line[2:] for line in text["try"].splitlines() if line.startswith("- ")))
        st.markdown(text["beyond"])
