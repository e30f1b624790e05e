"""Generalization: watch a model memorise, fix it, and run the checks practitioners trust."""

from __future__ import annotations

import streamlit as st

from dlviz.ui import generalization as ui

TEXT = ui.text_sections("generalization")
ui.page_header("Generalization", TEXT["intro"])

data = ui.dataset_picker()
overfit, sweep, checks, trust, transfer = st.tabs(
    [
        "Overfitting and its remedies",
        "Capacity × data",
        "Sanity checks",
        "Can you trust it?",
        "Transfer learning",
    ]
)
with overfit:
    ui.overfitting_section(data)
    ui.explanations(
        TEXT,
        ("What the gap is", "the gap"),
        ("How each remedy works", "remedies"),
    )
with sweep:
    ui.prose(TEXT["sweep"])
    ui.sweep_section(data)
with checks:
    st.header("Overfit one batch first")
    ui.prose(TEXT["one batch"])
    ui.one_batch_section(data)
    st.header("Random labels")
    ui.prose(TEXT["random labels"])
    ui.random_labels_section(data)
    st.header("Learning-rate range test")
    ui.prose(TEXT["range test"])
    ui.range_test_section(data)
with trust:
    ui.prose(TEXT["calibration"])
    ui.trust_section()
with transfer:
    ui.prose(TEXT["transfer"])
    ui.transfer_section()

ui.try_this(
    "Train with 50 training images, then switch on **More data** (1,150): which closes the gap "
    "more, more data or any of the other remedies?",
    "Switch on **Early stopping** with patience 2: the dashed line is where it stopped, the star "
    "the weights it kept.",
    "Set the width to 16 and train again: a small model has a smaller gap, and a lower ceiling.",
    "In **Sanity checks**, run random labels: the network memorises noise to ~100 % on its "
    "training images while validation stays at chance.",
    "Run the **Capacity × data** sweep and read a row from left to right: the same model, the gap "
    "shrinking as the data grows.",
    "Set the learning rate to 1 and train: the loss blows up in the first epoch, and the run "
    "stops as diverged and says where.",
    "In **Transfer learning**, run 10 labelled images, then 1,000: where do the three starts meet?",
)
