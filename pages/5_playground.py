"""Playground: build a small MLP, press Play, and watch it classify a 2-D dataset, live."""

from __future__ import annotations

import streamlit as st

from dlviz.ui.common import page_header, text_sections, try_this
from dlviz.ui.playground.controls import playground_controls
from dlviz.ui.playground.live import get_trainer, show_live, show_toolbar

text = text_sections("playground")
page_header("Playground: watch a network learn, live", text["intro"])

data_cfg, model_cfg, settings = playground_controls()
trainer, data = get_trainer(data_cfg, model_cfg, settings)
show_toolbar(trainer)
show_live(trainer, data)

left, right = st.columns(2, gap="large")
with left:
    st.subheader("How it learns")
    st.markdown(text["how it learns"])
    st.markdown(text[model_cfg.optimizer])
with right:
    try_this(*(line[2:] for line in text["try"].splitlines() if line.startswith("- ")))
    st.markdown(text["beyond"])
