"""Depth and initialization: vanishing and exploding signals in a deep MLP, layer by layer."""

from __future__ import annotations

import streamlit as st

from dlviz.ui import depth as ui

TEXT = ui.text_sections("depth_and_init")
ui.page_header("Depth and initialization", TEXT["intro"])

st.caption("One click sets up each story:")
ui.preset_buttons()
cfg, inputs, compare = ui.depth_controls()  # widgets -> DepthConfig, input source, compare flag
ui.show_input_warning(cfg, inputs)

study, profile, ridgeline = ui.depth_view(cfg, inputs, compare)  # dlviz.depth.depth_study, cached

ui.show_headline(study)  # loss, last std, gradient ratio, flat units (dlviz.depth.report)
ui.show_verdicts(study)  # overflow / vanishing / saturation / stable, in words

ui.chart(profile, width="stretch", key="depth_profile")
ui.chart(ridgeline, width="stretch", key="depth_ridgeline")
ui.show_setup(cfg, study)  # depth, width, inputs, batch and the initialization's formula

ui.explanations(
    TEXT,
    ("What to see", "what to see"),
    ("The maths: why depth multiplies", "the maths"),
    ("Reading the charts", "reading the charts"),
)

ui.try_this(
    "Press **Tanh, default init**, then drag the depth from 5 to 50: watch the right-hand line "
    "tilt further and the first/last ratio fall by orders of magnitude.",
    "Press **ReLU, uniform(0, 1)**: activations explode and overflow. Switch the activation to "
    "tanh: now they saturate at ±1 instead (look at the ridgeline and the flat units).",
    "Press **ReLU, Kaiming** and drag the depth to 50: the lines stay flat. Switch to sigmoid: "
    "Kaiming's factor 2 is made for ReLU, not for a slope of 1/4.",
    "Choose normal(0, σ) with tanh and sweep σ from 0.01 to 1: too small vanishes, too big "
    "saturates; near 1/√width (about 0.09 at width 128) the signal survives.",
    "Turn on **batch norm** with any of the broken set-ups above and see what it repairs.",
)
