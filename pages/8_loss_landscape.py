"""Loss landscape: the loss around a trained model's weights, along a line and over a plane."""

from __future__ import annotations

import streamlit as st

from dlviz.plots.landscape import (
    landscape_contour_figure,
    landscape_line_figure,
    landscape_surface_figure,
)
from dlviz.ui.common import page_header, text_sections, try_this
from dlviz.ui.landscape import (
    QUICK_MODELS,
    landscape_controls,
    landscape_for,
    run_picker,
    stored_runs,
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

cfg, log = landscape_controls(max_images=2000)
land = landscape_for(run_key, cfg)
if land is None:
    st.stop()

m1, m2, m3, m4 = st.columns(4)
m1.metric("Test loss, trained weights", f"{land.trained_loss:.4f}")
m2.metric("Test accuracy, trained weights", f"{land.trained_acc:.1%}")
m3.metric("Loss at the initial weights", f"{land.initial_loss:.3f}")
m4.metric("Lowest loss on the plane", f"{land.lowest_loss:.4f}")
st.caption(
    f"{cfg.resolution}×{cfg.resolution} plane and {cfg.line_points}-point line on {land.images} "
    f"test images, directions seed {cfg.seed}; computed in {land.seconds:.1f} s (cached since)."
)
if land.nonfinite:
    st.warning(
        f"{land.nonfinite} weight settings gave an infinite or undefined loss; they are gaps in the "
        "charts. A smaller plane half-width stays where the loss is finite."
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
