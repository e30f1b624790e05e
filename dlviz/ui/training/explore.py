"""The explorer of a finished run on the Training page: its summary and the lazy tabs.

Results (``dlviz.ui.training.results``), Compare runs (``compare``), Inside the model, Draw a
digit and Download (``inspect``) are tabs of which only the open one runs. Every view reads the
``TrainResult`` kept in session state and the shared cached dataset; nothing here retrains.
"""

from __future__ import annotations

import streamlit as st

from dlviz.display import count, fixed, number, percent
from dlviz.optimizers import LABELS
from dlviz.training import TrainResult
from dlviz.training.models import PRESETS
from dlviz.ui.resources import dataset_or_fallback
from dlviz.ui.training.compare import show_compare
from dlviz.ui.training.data import DATASET_LABELS
from dlviz.ui.training.form import PRECISION_WORDS
from dlviz.ui.training.inspect import show_downloads, show_draw, show_inside
from dlviz.ui.training.results import show_results

TABS = ("Results", "Compare runs", "Inside the model", "Draw a digit", "Download")


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


DEVICE_WORDS = {"cpu": "the CPU", "cuda": "a CUDA GPU", "mps": "Apple's MPS"}
"""Where a finished run trained (``TrainResult.device``), in words."""


def run_caption(result: TrainResult) -> str:
    """'Digits · seed-mlp · Adam lr 0.002 · batch 32 · all training images · seed 0 · fp32 on
    the CPU'."""
    cfg = result.config
    images = count(cfg.train_subset) if cfg.train_subset else "all"
    return (
        f"{DATASET_LABELS[cfg.dataset].split(':')[0]} · {cfg.model_name()} · "
        f"{LABELS[cfg.optimizer]} lr {number(cfg.lr)} · batch {cfg.batch_size} · "
        f"{images} training images · seed {cfg.seed} · {result.precision} on "
        f"{DEVICE_WORDS.get(result.device, result.device)}"
        + (" · from the cache" if result.cached else "")
    )
