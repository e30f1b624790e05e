"""Depth and initialization: vanishing and exploding signals in a deep MLP, layer by layer."""

from __future__ import annotations

import streamlit as st

from dlviz.depth import INIT_LATEX, INITS
from dlviz.plots.depth import depth_profile_figure, ridgeline_figure
from dlviz.ui.common import page_header, text_sections, try_this
from dlviz.ui.depth import (
    INPUTS,
    cached_comparison,
    cached_study,
    depth_controls,
    input_batch,
    preset_buttons,
    show_headline,
    show_verdicts,
)

TEXT = text_sections("depth_and_init")
page_header("Depth and initialization", TEXT["intro"])

st.caption("One click sets up each story:")
preset_buttons()
cfg, inputs, compare = depth_controls()
*_, message = input_batch(inputs, cfg)
if message:
    st.warning(message)

study = cached_study(cfg, inputs)
label = INITS[cfg.init]
studies = cached_comparison(cfg, inputs) if compare else {label: study}

show_headline(study)  # loss, last std, gradient ratio, flat units (dlviz.depth.report)
show_verdicts(study)  # overflow / vanishing / saturation / stable, in words

st.plotly_chart(depth_profile_figure(studies, label), width="stretch", key="depth_profile")
st.plotly_chart(ridgeline_figure(study), width="stretch", key="depth_ridgeline")
st.caption(
    f"{cfg.depth} hidden layers of {cfg.width} units, inputs: {INPUTS[study.input_source]}, "
    f"batch of {cfg.batch_size}. Initialization: ${INIT_LATEX[cfg.init]}$"
    + ("" if cfg.init == "default" else ", biases 0.")
)

with st.expander("What to see", expanded=True):
    st.markdown(TEXT["what to see"])
with st.expander("The maths: why depth multiplies"):
    st.markdown(TEXT["the maths"])
with st.expander("Reading the charts"):
    st.markdown(TEXT["reading the charts"])

try_this(
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
