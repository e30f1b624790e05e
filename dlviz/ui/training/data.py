"""Streamlit pieces of the Training page about the data: the dataset picker and its preview.

``dataset_picker()`` loads the chosen dataset; when it is unavailable, the box itself switches to
the built-in Digits and ``show_fallback()`` says which dataset was asked for, why it is missing
and how to add it. ``show_dataset()`` shows sample images, the class balance and the split sizes.
"""

from __future__ import annotations

import time

import plotly.graph_objects as go
import streamlit as st

from dlviz.data import DATASETS, Dataset
from dlviz.display import count
from dlviz.plots.training.data import class_balance_figure, per_class_columns, sample_grid_figure
from dlviz.ui.common import chart
from dlviz.ui.links import BIND
from dlviz.ui.resources import dataset_or_fallback

DATASET_LABELS = {
    "mnist": "MNIST: handwritten digits, 28×28",
    "fashion-mnist": "Fashion-MNIST: clothing, 28×28",
    "cifar10": "CIFAR-10: colour photos, 32×32",
    "digits": "Digits: scikit-learn's 8×8 digits (built in)",
}
RETRY_MISSING_S = 300.0  # a missing dataset is looked for again after five minutes
FALLBACK = "train_fallback"  # session key: why the box was switched to Digits


def dataset_picker() -> tuple[Dataset, str | None]:
    """The dataset selectbox (opens on MNIST) -> ``(dataset, why it was switched to Digits)``.

    The chosen dataset is loaded before the box is drawn, so when it is unavailable the box's
    own value becomes Digits (a widget's state may change until it is drawn in a run): the box
    shows the data in use. Why the chosen one is missing is kept until the learner picks again.
    """
    name = st.session_state.get("train_dataset", DATASETS[0])
    name = name if name in DATASETS else DATASETS[0]
    data, problem = _load_or_fallback(name)
    if data.info.name != name:
        st.session_state["train_dataset"] = data.info.name
        st.session_state[FALLBACK] = problem
    st.selectbox(
        "Dataset", DATASETS, format_func=DATASET_LABELS.get, key="train_dataset", bind=BIND,
        on_change=_forget_fallback,
    )  # fmt: skip
    return data, st.session_state.get(FALLBACK)


def _forget_fallback() -> None:
    """The learner picked a dataset: the reason for the last switch to Digits no longer holds."""
    st.session_state.pop(FALLBACK, None)


def _failed_recently(name: str) -> str | None:
    """Why ``name`` failed to load within the last ``RETRY_MISSING_S`` seconds, else None."""
    known = _recent_failures().get(name)
    if known is not None and time.monotonic() - known[0] < RETRY_MISSING_S:
        return known[1]
    return None


def _load_or_fallback(name: str) -> tuple[Dataset, str | None]:
    """``dataset_or_fallback`` that does not retry a recent failure (maybe a slow download)."""
    known = _failed_recently(name)
    if known is not None:
        return dataset_or_fallback("digits")[0], known
    data, problem = dataset_or_fallback(name)
    if problem:
        _recent_failures()[name] = (time.monotonic(), problem)
    return data, problem


@st.cache_resource
def _recent_failures() -> dict[str, tuple[float, str]]:
    """Datasets that failed to load in this server process: name -> (when, why)."""
    return {}


def show_fallback(problem: str | None) -> None:
    """Say why the chosen dataset is missing, how to add it, and that Digits stands in."""
    if problem:
        st.warning(
            f"{problem}\n\n**Switched to the built-in Digits dataset** so everything on this "
            "page still works; a Digits run takes a few seconds.",
            icon=":material/cloud_off:",
        )


# --- the dataset preview --------------------------------------------------------------------------


@st.cache_resource(max_entries=4, show_spinner=False)
def preview_figures(name: str, _data: Dataset) -> tuple[go.Figure, go.Figure]:
    """The sample grid and the class balance of a dataset (built once per dataset; read-only)."""
    info = _data.info
    per_class = 3
    order = per_class_columns(_data.train_y, per_class, info.num_classes)
    grid = sample_grid_figure(
        _data.train_x[order], _data.train_y[order], info.classes, cols=info.num_classes,
        title=f"{info.label}: {per_class} training images of each class", fit_width=560,
    )  # fmt: skip
    balance = class_balance_figure(
        _data.train_y, _data.test_y, info.classes, title="Images per class"
    )
    return grid, balance


def show_dataset(data: Dataset) -> None:
    """Sample images with labels, class balance, image size and split sizes."""
    info = data.info
    c, h, w = info.shape
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Image size", f"{h}×{w}", help="RGB colour" if c == 3 else "Grayscale, one channel")
    m2.metric("Classes", info.num_classes)
    m3.metric("Training images", count(len(data.train_y)))
    m4.metric("Test images", count(len(data.test_y)))
    grid, balance = preview_figures(info.name, data)
    chart(grid, key="train_samples", config={"displayModeBar": False})
    chart(balance, key="train_balance", config={"displayModeBar": False})
