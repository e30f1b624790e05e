"""The Results tab of a finished run: epoch scrubber, curves, confusion matrix, gallery, scores.

Moving the scrubber shows the model as it was after epoch k; a click on a confusion-matrix cell
opens the gallery of its test images, which stays open while the epoch changes. The numbers come
from ``dlviz.metrics`` and ``dlviz.training.results``, the figures from
``dlviz.plots.training.curves`` and ``dlviz.plots.training.results``, built by ``*_view``
functions behind ``st.cache_resource`` keyed by run and epoch, so a click rebuilds only the
figures it changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dlviz.data import Dataset, DatasetInfo
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
from dlviz.ui.common import chart
from dlviz.ui.links import BIND
from dlviz.ui.training.inspect import run_id

NO_BAR = {"displayModeBar": False}

GALLERY_MAX = 40


def scrubbed_epoch(result: TrainResult) -> int:
    """The epoch slider (1..epochs done); the last epoch when only one finished."""
    n = len(result.history)
    if n <= 1:
        return n
    return st.slider(
        "Epoch: move it to see the model as it was after epoch k",
        1, n, key="train_epoch", bind=BIND,
        help="The confusion matrix, the prediction grid and the scores follow; the curves mark k.",
    )  # fmt: skip


def show_results(result: TrainResult, data: Dataset) -> None:
    """Scrubber, curves, confusion matrix + gallery, prediction grid, per-class scores."""
    if not result.history:
        st.info("No epoch finished, so there is nothing to explore yet.")
        return
    info, run = data.info, run_id(result)
    k = scrubbed_epoch(result)
    chart(curves_view(run, result, k), key="train_curves", config=NO_BAR)
    left, right = st.columns([1, 1], gap="large")
    with left:
        cell = picked_cell(info.num_classes)
        chart(
            confusion_view(run, result, info, k, cell),
            key="train_cm", on_select="rerun", selection_mode="points", config=NO_BAR,
        )  # fmt: skip
    with right:
        show_gallery(cell, run, result, data, k)
    show_prediction_grid(run, result, data, k)
    per_class, report = scores_view(run, result, info, k)
    left, right = st.columns([1, 1], gap="large")
    chart(per_class, key="train_per_class", config=NO_BAR, where=left)
    with right:
        st.markdown("**scikit-learn's classification report**")
        st.dataframe(report.style.format(precision=3), key="train_report", height=300)


# --- cached views: (run id, epoch, ...) -> figures, read-only (never mutate what they return) --


@st.cache_resource(max_entries=16, show_spinner=False)
def curves_view(run: str, _result: TrainResult, k: int) -> go.Figure:
    """The run's learning curves with epoch ``k`` marked."""
    return learning_curves_figure(
        _result.history, epoch=k, epochs=_result.config.epochs, title="Learning curves"
    )


@st.cache_resource(max_entries=32, show_spinner=False)
def confusion_view(
    run: str, _result: TrainResult, _info: DatasetInfo, k: int, cell: tuple[int, int] | None
) -> go.Figure:
    """The confusion matrix after epoch ``k``, the picked ``cell`` framed."""
    cm = confusion_matrix(_result.test_labels, _result.test_preds[k - 1], _info.num_classes)
    return confusion_matrix_figure(
        cm, _info.classes, selected=cell, title=f"Confusion matrix after epoch {k}"
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def scores_view(
    run: str, _result: TrainResult, _info: DatasetInfo, k: int
) -> tuple[go.Figure, pd.DataFrame]:
    """Accuracy per class after epoch ``k`` (a figure) and scikit-learn's classification report."""
    labels, preds = _result.test_labels, _result.test_preds[k - 1]
    cm = confusion_matrix(labels, preds, _info.num_classes)
    figure = per_class_accuracy_figure(
        per_class_accuracy(cm), _info.classes, overall=float(np.trace(cm) / cm.sum()),
        title="Accuracy per class",
    )  # fmt: skip
    return figure, classification_report_frame(labels, preds, _info.classes)


@st.cache_resource(max_entries=32, show_spinner=False)
def gallery_view(
    run: str, _result: TrainResult, _data: Dataset, k: int, cell: tuple[int, int]
) -> tuple[int, go.Figure | None]:
    """How many test images fall in ``cell`` after epoch ``k``, and the first ``GALLERY_MAX``."""
    labels, preds, probs = _result.test_labels, _result.test_preds[k - 1], _result.test_probs[k - 1]
    idx = cell_indices(labels, preds, *cell)
    if len(idx) == 0:
        return 0, None
    shown = idx[:GALLERY_MAX]
    figure = gallery_figure(
        _data.test_x[shown], labels[shown], probs[shown], _data.info.classes, fit_width=470
    )
    return len(idx), figure


@st.cache_resource(max_entries=16, show_spinner=False)
def grid_view(
    run: str, _result: TrainResult, _data: Dataset, k: int, mistakes: bool, count: int
) -> go.Figure | None:
    """``count`` test images after epoch ``k`` (only mistakes if asked); None when there are none."""
    labels, probs = _result.test_labels, _result.test_probs[k - 1]
    preds = np.asarray(probs.float().argmax(1))
    pick = grid_indices(labels, preds, count, mistakes_only=mistakes, seed=0)
    if len(pick) == 0:
        return None
    return prediction_grid_figure(
        _data.test_x[pick], labels[pick], probs[pick], _data.info.classes, cols=10,
        title=f"Test images after epoch {k}: green = right, red = wrong (true→predicted)",
        fit_width=1000,
    )  # fmt: skip


# --- the clicked cell, its gallery and the prediction grid --------------------------------------


def picked_cell(num_classes: int) -> tuple[int, int] | None:
    """The last clicked confusion-matrix cell; it stays picked while the epoch changes."""
    state = st.session_state.get("train_cm") or {}
    clicked = selected_cell(state.get("selection"), num_classes)
    if clicked is not None:
        st.session_state["train_cell"] = clicked
    return st.session_state.get("train_cell")


def show_gallery(
    cell: tuple[int, int] | None, run: str, result: TrainResult, data: Dataset, k: int
) -> None:
    """The test images in the clicked confusion-matrix cell, with their probabilities."""
    classes = data.info.classes
    if cell is None:
        st.markdown("### Click a cell")
        st.caption(
            "Each cell counts test images of one true class (row) given one predicted class "
            "(column). Click any cell, say a red one, to see exactly those images here."
        )
        return
    t, p = cell
    n, figure = gallery_view(run, result, data, k, cell)
    verb = "correctly classified" if t == p else f"predicted **{classes[p]}**"
    st.markdown(f"### True **{classes[t]}**, {verb}: {n} images")
    if figure is None:
        st.caption("No test image landed in this cell at this epoch.")
        return
    chart(figure, key="train_gallery", config=NO_BAR)
    if n > GALLERY_MAX:
        st.caption(f"The first {GALLERY_MAX} of {n}; hover an image for its top 3.")
    else:
        st.caption("The title is the probability of the predicted class; hover for the top 3.")


def show_prediction_grid(run: str, result: TrainResult, data: Dataset, k: int) -> None:
    """Test images with true/predicted labels, right in green and wrong in red."""
    a, b = st.columns([1, 1])
    mistakes = a.toggle("Mistakes only", key="train_mistakes", bind=BIND)
    count = b.select_slider("Images", (20, 30, 50, 100), value=30, key="train_grid_n", bind=BIND)
    figure = grid_view(run, result, data, k, mistakes, count)
    if figure is None:
        st.success("No mistakes on the test set at this epoch.")
        return
    chart(figure, key="train_grid", config=NO_BAR)
