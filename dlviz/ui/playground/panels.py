"""The Playground's small read-outs: the metrics row and the network diagram's caption.

Classification shows accuracies, regression R² and RMSE; the caption says what the diagram's
squares, lines and colours mean and names the weights that are exactly zero (what L1 does).
"""

from __future__ import annotations

import math

import streamlit as st

from dlviz.display import count, fixed, number, percent
from dlviz.playground.snapshot import Snapshot, zero_weights


def show_metrics(snap: Snapshot) -> None:
    """Epoch, losses and accuracy (regression: R² and RMSE) and the learning rate, in a row."""
    h = snap.history
    with st.container(key="pg_epoch", horizontal=True):
        st.metric("Epoch", count(snap.epoch))
        st.metric("Train loss", fixed(h["train_loss"][-1]))
        st.metric("Test loss", fixed(h["test_loss"][-1]))
        if snap.regression:
            st.metric("Test R²", fixed(h["test_acc"][-1], 3))
            st.metric("Test RMSE", fixed(math.sqrt(h["test_loss"][-1])))
        else:
            st.metric("Train accuracy", percent(h["train_acc"][-1]))
            st.metric("Test accuracy", percent(h["test_acc"][-1]))
        st.metric("Learning rate", number(snap.lr))


def network_caption(snap: Snapshot, features: tuple[str, ...]) -> None:
    """What the diagram's squares, lines and colours mean, and which weights are exactly zero."""
    out = (
        "the output map is the predicted value"
        if snap.regression
        else "softmax outputs show each class's probability"
    )
    st.caption(
        "Each square is what that neuron outputs over the whole plane (blue above zero, orange "
        f"below, each map scaled to its own range; {out}). Lines are weights: blue positive, "
        "orange negative, thicker = larger; dotted grey = exactly zero. The small square on a "
        "node's corner is its bias."
    )
    zeros = zero_weights(snap, features)
    if zeros:
        total = sum(w.size for w in snap.weights)
        names = ", ".join(zeros[:12]) + (", …" if len(zeros) > 12 else "")
        st.caption(f"**{count(len(zeros))} of {count(total)} weights are exactly 0:** {names}")
