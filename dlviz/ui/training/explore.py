"""Streamlit views that explore a finished run without retraining it.

Results (summary, epoch scrubber, learning curves, clickable confusion matrix with a gallery,
prediction grid, per-class scores), Compare runs, Inside the model, Draw a digit and Download,
as lazy tabs: only the open tab runs. Every view reads the ``TrainResult`` kept in session state
and the shared cached dataset; the numbers come from dlviz.training.results and dlviz.training.inspect, the figures
from dlviz.plots.training.figures.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st

from dlviz.data import Dataset
from dlviz.display import count, fixed, number, percent
from dlviz.metrics import confusion_matrix, per_class_accuracy
from dlviz.optimizers import LABELS
from dlviz.plots.training.figures import (
    confusion_matrix_figure,
    gallery_figure,
    learning_curves_figure,
    per_class_accuracy_figure,
    prediction_grid_figure,
    runs_overlay_figure,
    selected_cell,
)
from dlviz.training import TrainResult
from dlviz.training.models import PRESETS
from dlviz.training.results import (
    cell_indices,
    classification_report_frame,
    differing_fields,
    grid_indices,
    run_label,
)
from dlviz.ui.resources import dataset_or_fallback, get_store
from dlviz.ui.training.data import DATASET_LABELS
from dlviz.ui.training.form import PRECISION_WORDS
from dlviz.ui.training.inspect import show_downloads, show_draw, show_inside
from dlviz.ui.training.run import show_cache_problem

TABS = ("Results", "Compare runs", "Inside the model", "Draw a digit", "Download")
NO_BAR = {"displayModeBar": False}
GALLERY_MAX = 40


def show_explorer(result: TrainResult) -> None:
    """Everything about one run, in lazy tabs."""
    data, problem = dataset_or_fallback(result.config.dataset)
    if problem or data.info.name != result.config.dataset:
        st.info(f"The data of this run is not available any more: {problem or 'unknown'}")
        return
    _reset_when_fresh(result)
    show_summary(result)
    tabs = st.tabs(TABS, key="train_tab", on_change="rerun")
    views = (show_results, show_compare, show_inside, show_draw, show_downloads)
    for tab, view in zip(tabs, views, strict=True):
        if tab.open is not False:  # None in environments without tab state: render everything
            with tab:
                view(result, data)


def _reset_when_fresh(result: TrainResult) -> None:
    """A new run moves the scrubber to its last epoch and clears the confusion-matrix pick."""
    if st.session_state.pop("train_fresh", False) or st.session_state.get("train_epoch", 0) > len(
        result.history
    ):
        st.session_state["train_epoch"] = max(1, len(result.history))
        st.session_state.pop("train_cm", None)
        st.session_state.pop("train_cell", None)


def show_summary(result: TrainResult) -> None:
    """Test accuracy (beside the notebook's, for a preset), time, speed and size."""
    cfg = result.config
    cols = st.columns(5)
    cols[0].metric("Test accuracy", percent(result.test_acc, 2) if result.history else "–")
    preset = PRESETS.get(cfg.model) if isinstance(cfg.model, str) else None
    if preset and preset.reported_accuracy and preset.reported_dataset == cfg.dataset:
        delta = result.test_acc - preset.reported_accuracy
        cols[1].metric(
            "Notebook reported", percent(preset.reported_accuracy, 2),
            f"{'+' if delta > 0 else ''}{percent(delta, 2)} for you" if result.history else None,
            help=f"The seed notebook's recipe: {preset.recipe}",
        )  # fmt: skip
    elif preset and preset.reported_accuracy:
        short = DATASET_LABELS[preset.reported_dataset].split(":")[0]
        cols[1].metric(
            f"Notebook, on {short}", percent(preset.reported_accuracy, 2),
            help=f"On {DATASET_LABELS[preset.reported_dataset]}, not on this dataset.",
        )  # fmt: skip
    else:
        cols[1].metric("Epochs", f"{count(len(result.history))} / {count(cfg.epochs)}")
    cols[2].metric("Training time", f"{fixed(result.train_seconds, 1)} s")
    cols[3].metric(
        "Images per second", count(result.samples_per_second),
        help=f"Training images per second of optimisation steps, in {PRECISION_WORDS[result.precision]}.",
    )  # fmt: skip
    cols[4].metric("Parameters", count(result.parameters))
    st.caption(run_caption(result))


def run_caption(result: TrainResult) -> str:
    """'Digits · seed-mlp · Adam lr 0.002 · batch 32 · all training images · seed 0 · fp32'."""
    cfg = result.config
    images = count(cfg.train_subset) if cfg.train_subset else "all"
    return (
        f"{DATASET_LABELS[cfg.dataset].split(':')[0]} · {cfg.model_name()} · "
        f"{LABELS[cfg.optimizer]} lr {number(cfg.lr)} · batch {cfg.batch_size} · "
        f"{images} training images · seed {cfg.seed} · {result.precision}"
        + (" · from the cache" if result.cached else "")
    )


# --- Results --------------------------------------------------------------------------------------


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


# --- Compare runs -----------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def stored_history(key: str, created: float) -> list | None:
    """A stored run's history (small), read once per run."""
    result = get_store().load(key)
    return None if result is None else list(result.history)


def runs_frame(summaries) -> pd.DataFrame:
    """The stored runs as a table of display strings (dlviz.display), newest first."""
    now = time.time()
    rows = []
    for s in summaries:
        c = s.config
        rows.append({
            "finished": _ago(now - s.created), "dataset": c.dataset, "model": c.model_name(),
            "optimizer": c.optimizer, "lr": number(c.lr), "batch": count(c.batch_size),
            "epochs": f"{s.epochs_done}/{c.epochs}",
            "images": count(c.train_subset) if c.train_subset else "all",
            "seed": str(c.seed), "status": s.status, "test accuracy": percent(s.test_acc, 2),
            "seconds": fixed(s.train_seconds, 1),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _ago(seconds: float) -> str:
    if seconds < 90:
        return "just now"
    if seconds < 5400:
        return f"{count(seconds / 60)} min ago"
    if seconds < 129600:
        return f"{count(seconds / 3600)} h ago"
    return f"{count(seconds / 86400)} days ago"


def show_compare(result: TrainResult, data: Dataset) -> None:
    """Every cached run as a table; pick several to overlay their curves."""
    summaries = get_store().runs()
    if not summaries:
        if get_store().last_error:
            show_cache_problem(get_store().last_error)
        else:
            st.info("No run is stored yet. Train one, change one setting, train again, compare.")
        return
    st.dataframe(
        runs_frame(summaries), hide_index=True, key="train_runs_table",
    )  # fmt: skip
    by_key = {s.key: s for s in summaries}
    same = [s.key for s in summaries if s.config.dataset == result.config.dataset]
    picked = st.multiselect(
        "Runs to overlay", list(by_key), default=same[:3], max_selections=8,
        format_func=lambda k: f"{by_key[k].config.model_name()} · {by_key[k].config.optimizer} "
        f"lr {number(by_key[k].config.lr)} · seed {by_key[k].config.seed} · "
        f"{percent(by_key[k].test_acc)}",
        key="train_compare",
    )  # fmt: skip
    if not picked:
        return
    configs = [by_key[k].config for k in picked]
    names = [n for n in differing_fields(configs) if n != "dataset"] or ["model"]
    histories = {}
    for key in picked:
        history = stored_history(key, by_key[key].created)
        if history:
            label = run_label(by_key[key].config, names)
            histories[label if label not in histories else f"{label} ({key[:6]})"] = history
    st.plotly_chart(
        runs_overlay_figure(histories, title="Validation (solid) and training (dotted) curves"),
        key="train_overlay", config=NO_BAR,
    )  # fmt: skip
    st.caption(
        "Runs with the same seed start from the same initial weights and see the batches in the "
        "same order, so when only one setting differs, the gap between curves is that setting's "
        "effect."
    )
