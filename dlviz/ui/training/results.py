"""The Results tab of a finished run: epoch scrubber, curves, confusion matrix, gallery, scores.

Moving the scrubber shows the model as it was after epoch k; a click on a confusion-matrix cell
opens the gallery of its test images, which stays open while the epoch changes. The numbers come
from ``dlviz.metrics`` and ``dlviz.training.results``, the figures from
``dlviz.plots.training.curves`` and ``dlviz.plots.training.results``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dlviz.data import Dataset
from dlviz.metrics import confusion_matrix, per_class_accuracy
from dlviz.plots.training.curves import learning_curves_figure
from dlviz.plots.training.results import (
    confusion_matrix_figure,
    gallery_figure,
    per_class_accuracy_figure,
    prediction_grid_figure,
    selected_cell,
)
from dlviz.training import TrainResult
from dlviz.training.results import cell_indices, classification_report_frame, grid_indices

NO_BAR = {"displayModeBar": False}

GALLERY_MAX = 40


def scrubbed_epoch(result: TrainResult) -> int:
    """The epoch slider (1..epochs done); the last epoch when only one finished."""
    n = len(result.history)
    if n <= 1:
        return n
    return st.slider(
        "Epoch: move it to see the model as it was after epoch k",
        1, n, key="train_epoch",
        help="The confusion matrix, the prediction grid and the scores follow; the curves mark k.",
    )  # fmt: skip


def show_results(result: TrainResult, data: Dataset) -> None:
    """Scrubber, curves, confusion matrix + gallery, prediction grid, per-class scores."""
    if not result.history:
        st.info("No epoch finished, so there is nothing to explore yet.")
        return
    info = data.info
    k = scrubbed_epoch(result)
    st.plotly_chart(
        learning_curves_figure(result.history, epoch=k, epochs=result.config.epochs,
                               title="Learning curves"),
        key="train_curves", config=NO_BAR,
    )  # fmt: skip
    labels = result.test_labels
    preds, probs = result.test_preds[k - 1], result.test_probs[k - 1]
    cm = confusion_matrix(labels, preds, info.num_classes)
    left, right = st.columns([1, 1], gap="large")
    with left:
        cell = picked_cell(len(cm))
        st.plotly_chart(
            confusion_matrix_figure(cm, info.classes, selected=cell,
                                    title=f"Confusion matrix after epoch {k}"),
            key="train_cm", on_select="rerun", selection_mode="points", config=NO_BAR,
        )  # fmt: skip
    with right:
        show_gallery(cell, data, labels, preds, probs)
    show_prediction_grid(data, labels, probs, k)
    acc = per_class_accuracy(cm)
    left, right = st.columns([1, 1], gap="large")
    left.plotly_chart(
        per_class_accuracy_figure(acc, info.classes, overall=float(np.trace(cm) / cm.sum()),
                                  title="Accuracy per class"),
        key="train_per_class", config=NO_BAR,
    )  # fmt: skip
    with right:
        report = classification_report_frame(labels, preds, info.classes)
        st.markdown("**scikit-learn's classification report**")
        st.dataframe(report.style.format(precision=3), key="train_report", height=300)


def picked_cell(num_classes: int) -> tuple[int, int] | None:
    """The last clicked confusion-matrix cell; it stays picked while the epoch changes."""
    state = st.session_state.get("train_cm") or {}
    clicked = selected_cell(state.get("selection"), num_classes)
    if clicked is not None:
        st.session_state["train_cell"] = clicked
    return st.session_state.get("train_cell")


def show_gallery(cell, data: Dataset, labels, preds, probs) -> None:
    """The test images in the clicked confusion-matrix cell, with their probabilities."""
    classes = data.info.classes
    if cell is None:
        st.markdown("##### Click a cell")
        st.caption(
            "Each cell counts test images of one true class (row) given one predicted class "
            "(column). Click any cell, say a red one, to see exactly those images here."
        )
        return
    t, p = cell
    idx = cell_indices(labels, preds, t, p)
    verb = "correctly classified" if t == p else f"predicted **{classes[p]}**"
    st.markdown(f"##### True **{classes[t]}**, {verb}: {len(idx)} images")
    if len(idx) == 0:
        st.caption("No test image landed in this cell at this epoch.")
        return
    shown = idx[:GALLERY_MAX]
    st.plotly_chart(
        gallery_figure(data.test_x[shown], labels[shown], probs[shown], classes, fit_width=470),
        key="train_gallery", config=NO_BAR,
    )  # fmt: skip
    if len(idx) > GALLERY_MAX:
        st.caption(f"The first {GALLERY_MAX} of {len(idx)}; hover an image for its top 3.")
    else:
        st.caption("The title is the probability of the predicted class; hover for the top 3.")


def show_prediction_grid(data: Dataset, labels, probs, k: int) -> None:
    """Test images with true/predicted labels, right in green and wrong in red."""
    a, b = st.columns([1, 1])
    mistakes = a.toggle("Mistakes only", key="train_mistakes")
    count = b.select_slider("Images", (20, 30, 50, 100), value=30, key="train_grid_n")
    preds = np.asarray(probs.float().argmax(1))
    pick = grid_indices(labels, preds, count, mistakes_only=mistakes, seed=0)
    if len(pick) == 0:
        st.success("No mistakes on the test set at this epoch.")
        return
    st.plotly_chart(
        prediction_grid_figure(
            data.test_x[pick], labels[pick], probs[pick], data.info.classes, cols=10,
            title=f"Test images after epoch {k}: green = right, red = wrong (true→predicted)",
            fit_width=1000,
        ),
        key="train_grid", config=NO_BAR,
    )  # fmt: skip
