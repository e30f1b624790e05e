"""Loss landscape: the loss around a trained model's weights, along a line and over a plane."""

from __future__ import annotations

import streamlit as st

from dlviz.display import count
from dlviz.plots.landscape import (
    landscape_contour_figure,
    landscape_line_figure,
    landscape_surface_figure,
)
from dlviz.ui.common import page_header, text_sections, try_this
from dlviz.ui.landscape import (
    QUICK_MODELS,
    dataset_label,
    landscape_controls,
    landscape_for,
    run_picker,
    show_summary,
    stored_runs,
    test_images_of,
    train_quick_run,
)

TEXT = text_sections("loss_landscape")
page_header("Loss landscape", TEXT["intro"])

runs = stored_runs()
if not runs:
    note = st.empty()
    note.info(
        "The training cache is empty, so this page first trains a small MLP on the built-in "
        "Digits dataset (a few seconds)."
    )
    if train_quick_run("seed-mlp") is None:
        st.stop()
    note.caption(
        "The training cache was empty, so a quick Digits MLP was trained for you. Models you train "
        "on the **Train a model** page appear in this list too."
    )
    runs = stored_runs()
    if not runs:
        st.error("The run could not be stored in the training cache (see the warning above).")
        st.stop()

pick, quick = st.columns([3, 1], vertical_alignment="bottom")
with pick:
    run_key = run_picker(runs)
with quick:
    model = st.selectbox("Quick Digits run", tuple(QUICK_MODELS), key="land_quick_model")
    if st.button("Train it", key="land_train", width="stretch"):
        new_key = train_quick_run(model)
        if new_key:
            st.session_state["land_new_run"] = new_key
            st.rerun()

available = test_images_of(run_key, runs)
cfg, log = landscape_controls(max_images=available)
land = landscape_for(run_key, cfg)
if land is None:
    st.stop()

show_summary(land, dataset_label(run_key, runs), available)
if land.nonfinite:
    st.warning(
        f"{count(land.nonfinite)} weight settings gave an infinite or undefined loss; they are "
        "gaps in the charts. A smaller plane half-width stays where the loss is finite."
    )

st.plotly_chart(landscape_line_figure(land), width="stretch", key="land_line")
left, right = st.columns(2)
left.plotly_chart(landscape_contour_figure(land, log=log), width="stretch", key="land_contour")
right.plotly_chart(landscape_surface_figure(land, log=log), width="stretch", key="land_surface")

with st.expander("What to see", expanded=True):
    st.markdown(TEXT["what to see"])
with st.expander("The maths: a line, a plane, and filter normalization"):
    st.markdown(TEXT["the maths"])
with st.expander("How it is computed"):
    st.markdown(TEXT["how it is computed"])

try_this(
    "Change the **direction seed** and recompute: the contour's details move, the basin around "
    "the red mark stays.",
    "Train a quick **seed-cnn** run and compare its basin with the MLP's at the same half-width.",
    "Set the half-width to 4: far from the trained weights the loss climbs steeply; switch on "
    "**log10(loss)** to see the valley floor again.",
    "Train a model for 1 epoch and for 20 epochs on the **Train a model** page, then compare "
    "their lines: does the longer run end in a deeper, narrower valley?",
)
