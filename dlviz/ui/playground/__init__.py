"""The Playground page's Streamlit side: the one module ``pages/5_playground.py`` imports.

It re-exports, in the order the page calls them, the shared page furniture, the widgets
(``dlviz.ui.playground.controls``: three configs) and the live part (``dlviz.ui.playground.live``:
the session's trainer, its toolbar, the polled figures), and draws the notes under them. The
training itself is ``dlviz.playground``; the figures are ``dlviz.plots.playground``.
"""

from __future__ import annotations

import streamlit as st

from dlviz.playground.data import DataConfig
from dlviz.playground.session import Trainer
from dlviz.ui.common import page_header, text_sections, try_this
from dlviz.ui.playground.code import show_code
from dlviz.ui.playground.controls import playground_controls
from dlviz.ui.playground.hands_on import show_slow_motion, show_weight_editor
from dlviz.ui.playground.live import get_trainer, pause_when_hidden, show_live, show_toolbar
from dlviz.ui.playground.own_data import upload_panel

__all__ = [
    "get_trainer",
    "page_header",
    "pause_when_hidden",
    "playground_controls",
    "show_code",
    "show_hands_on",
    "show_live",
    "show_notes",
    "show_toolbar",
    "text_sections",
    "try_this",
]


def show_hands_on(trainer: Trainer, data_cfg: DataConfig) -> None:
    """Slow motion, the weight editor and the CSV upload, as three tabs under the figures."""
    slow, edit, upload = st.tabs(
        ["One step in slow motion", "Edit a weight or bias", "Your own data (CSV)"], key="pg_tabs"
    )
    with slow:
        show_slow_motion(trainer)
    with edit:
        show_weight_editor(trainer)
    with upload:
        upload_panel(data_cfg)


def show_notes(text: dict[str, str], optimizer: str) -> None:
    """How it learns (with the chosen optimizer's paragraph) beside What to try and Beyond."""
    left, right = st.columns(2, gap="large")
    with left:
        st.header("How it learns")
        st.markdown(text["how it learns"])
        st.markdown(text[optimizer])
    with right:
        try_this(*(line[2:] for line in text["try"].splitlines() if line.startswith("- ")))
        st.markdown(text["beyond"])
