"""Loss landscape: the loss around a trained model's weights, along a line and over a plane."""

from __future__ import annotations

import streamlit as st

from dlviz.ui import landscape as ui

TEXT = ui.text_sections("loss_landscape")
ui.page_header("Loss landscape", TEXT["intro"])

runs = ui.stored_runs_or_offer()  # nothing trains on opening: an empty cache offers a quick run
if not runs:
    st.stop()
run_key = ui.run_controls(runs)

available = ui.test_images_of(run_key, runs)
cfg, log, compute = ui.landscape_controls(max_images=available)
land = ui.landscape_for(run_key, cfg, runs, compute)  # cached at once; computed only on request
if land is None:
    st.stop()

ui.show_summary(land, ui.dataset_label(run_key, runs), available)
ui.show_charts(run_key, land, log)

ui.explanations(
    TEXT,
    ("What to see", "what to see"),
    ("The maths: a line, a plane, and filter normalization", "the maths"),
    ("How it is computed", "how it is computed"),
)

ui.try_this(
    "Change the **direction seed** and recompute: the contour's details move, the basin around "
    "the red mark stays.",
    "Train a quick **seed-cnn** run and compare its basin with the MLP's at the same half-width.",
    "Set the half-width to 4: far from the trained weights the loss climbs steeply; switch on "
    "**log10(loss)** to see the valley floor again.",
    "Train a model for 1 epoch and for 20 epochs on the **Train a model** page, then compare "
    "their lines: does the longer run end in a deeper, narrower valley?",
)
