"""Streamlit views that explore a finished run without retraining it.

Results (summary, epoch scrubber, learning curves, clickable confusion matrix with a gallery,
prediction grid, per-class scores), Compare runs, Inside the model, Draw a digit and Download,
as lazy tabs: only the open tab runs. Every view reads the ``TrainResult`` kept in session state
and the shared cached dataset; the numbers come from dlviz.results and dlviz.inspect, the figures
from dlviz.plots.training.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd
import streamlit as st
import torch

from dlviz.data import Dataset, normalize
from dlviz.drawing import is_blank, prepare_input
from dlviz.inspect import feature_maps, first_layer_weights, parameters_per_layer
from dlviz.models import PRESETS
from dlviz.plots.training import (
    confusion_matrix_figure,
    feature_maps_figure,
    first_layer_weights_figure,
    gallery_figure,
    learning_curves_figure,
    per_class_accuracy_figure,
    pixels_figure,
    prediction_grid_figure,
    probability_bars_figure,
    runs_overlay_figure,
    selected_cell,
)
from dlviz.results import (
    cell_indices,
    classification_report_frame,
    confusion_matrix,
    differing_fields,
    grid_indices,
    history_csv,
    per_class_accuracy,
    run_label,
    state_dict_bytes,
)
from dlviz.training import TrainResult, predict_proba
from dlviz.ui.resources import dataset_or_fallback, get_store
from dlviz.ui.training import DATASET_LABELS, OPTIMIZER_LABELS

TABS = ("Results", "Compare runs", "Inside the model", "Draw a digit", "Download")
NO_BAR = {"displayModeBar": False}
GALLERY_MAX = 40


@st.cache_resource(max_entries=4)
def trained_model(run_id: str, _result: TrainResult, _data: Dataset) -> torch.nn.Module:
    """The run's final weights in a fresh model (eval mode), one per run, shared read-only."""
    return _result.model(_data.info)


def run_id(result: TrainResult) -> str:
    """Identifies one run, stopped runs included (their config key alone would be ambiguous)."""
    return f"{result.config.key()}-{result.status}-{len(result.history)}-{result.created}"


def show_explorer(result: TrainResult) -> None:
    """Everything about one run, in lazy tabs."""
    data, problem = dataset_or_fallback(result.config.dataset)
    if problem or data.info.name != result.config.dataset:
        st.info(f"The data of this run is not available any more: {problem}")
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
    cols[0].metric("Test accuracy", f"{result.test_acc:.2%}" if result.history else "–")
    preset = PRESETS.get(cfg.model) if isinstance(cfg.model, str) else None
    if preset and preset.reported_accuracy and preset.reported_dataset == cfg.dataset:
        delta = result.test_acc - preset.reported_accuracy
        cols[1].metric(
            "Notebook reported", f"{preset.reported_accuracy:.2%}", f"{delta:+.2%} for you",
            help=f"The seed notebook's recipe: {preset.recipe}",
        )  # fmt: skip
    elif preset and preset.reported_accuracy:
        short = DATASET_LABELS[preset.reported_dataset].split(":")[0]
        cols[1].metric(
            f"Notebook, on {short}", f"{preset.reported_accuracy:.2%}",
            help=f"On {DATASET_LABELS[preset.reported_dataset]}, not on this dataset.",
        )  # fmt: skip
    else:
        cols[1].metric("Epochs", f"{len(result.history)} / {cfg.epochs}")
    cols[2].metric("Training time", f"{result.train_seconds:.1f} s")
    cols[3].metric("Images per second", f"{result.samples_per_second:,.0f}")
    cols[4].metric("Parameters", f"{result.parameters:,}")
    st.caption(
        f"{DATASET_LABELS[cfg.dataset].split(':')[0]} · {cfg.model_name()} · "
        f"{OPTIMIZER_LABELS[cfg.optimizer]} lr {cfg.lr:g} · batch "
        f"{cfg.batch_size} · {cfg.train_subset or 'all'} training images · seed {cfg.seed}"
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
    """The stored runs as a table, newest first."""
    now = time.time()
    rows = []
    for s in summaries:
        c = s.config
        rows.append({
            "finished": _ago(now - s.created), "dataset": c.dataset, "model": c.model_name(),
            "optimizer": c.optimizer, "lr": c.lr, "batch": c.batch_size,
            "epochs": f"{s.epochs_done}/{c.epochs}", "images": c.train_subset or "all",
            "seed": c.seed, "status": s.status, "test accuracy": s.test_acc,
            "seconds": f"{s.train_seconds:.1f}",
        })  # fmt: skip
    return pd.DataFrame(rows)


def _ago(seconds: float) -> str:
    if seconds < 90:
        return "just now"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 129600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def show_compare(result: TrainResult, data: Dataset) -> None:
    """Every cached run as a table; pick several to overlay their curves."""
    summaries = get_store().runs()
    if not summaries:
        st.info("No run is stored yet. Train one, change one setting, train again, then compare.")
        return
    st.dataframe(
        runs_frame(summaries).style.format({"test accuracy": "{:.2%}", "lr": "{:g}"}),
        hide_index=True, key="train_runs_table",
    )  # fmt: skip
    by_key = {s.key: s for s in summaries}
    same = [s.key for s in summaries if s.config.dataset == result.config.dataset]
    picked = st.multiselect(
        "Runs to overlay", list(by_key), default=same[:3], max_selections=8,
        format_func=lambda k: f"{by_key[k].config.model_name()} · {by_key[k].config.optimizer} "
        f"lr {by_key[k].config.lr:g} · seed {by_key[k].config.seed} · "
        f"{by_key[k].test_acc:.1%}",
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


# --- Inside the model -------------------------------------------------------------------------


def show_inside(result: TrainResult, data: Dataset) -> None:
    """Parameters per layer, first-layer weights as images, feature maps of one test image."""
    info = data.info
    model = trained_model(run_id(result), result, data)
    rows = parameters_per_layer(model)
    left, right = st.columns([1, 1.3], gap="large")
    with left:
        st.markdown(f"**Parameters per layer** ({sum(r.parameters for r in rows):,} in all)")
        st.dataframe(
            pd.DataFrame([r.__dict__ for r in rows]), hide_index=True, key="train_params",
            column_config={"parameters": st.column_config.NumberColumn(format="localized")},
        )  # fmt: skip
    with right:
        weights = first_layer_weights(model, info.shape)
        if weights is not None:
            conv = weights.shape[-1] != info.shape[-1]
            what = "filters" if conv else "units: the input pattern each one responds to"
            st.plotly_chart(
                first_layer_weights_figure(weights, title=f"First layer {what}", fit_width=560),
                key="train_weights", config=NO_BAR,
            )  # fmt: skip
            st.caption("Blue = positive weight (this pixel pushes the unit up), red = negative.")
    show_feature_maps(model, data)


def show_feature_maps(model: torch.nn.Module, data: Dataset) -> None:
    """What each conv layer makes of one chosen test image."""
    info = data.info
    left, right = st.columns([1, 3])
    i = left.number_input("Test image (index)", 0, len(data.test_y) - 1, 0, key="train_fm_index")
    stages = feature_maps(model, normalize(data.test_x[i : i + 1], info))
    with left:
        st.plotly_chart(
            pixels_figure(data.test_x[i].float().mean(0), title=f"Input: {info.classes[data.test_y[i]]}"),
            key="train_fm_input", config=NO_BAR,
        )  # fmt: skip
    with right:
        if not stages:
            st.info(
                "An MLP flattens the image at once, so it has no feature maps: its first-layer "
                "units above are the whole story. Train a CNN to see feature maps."
            )
            return
        names = [
            f"{s.name} ({s.kind}, {s.maps.shape[0]}×{s.maps.shape[1]}×{s.maps.shape[2]})"
            for s in stages
        ]
        j = st.selectbox(
            "Layer", range(len(stages)), format_func=names.__getitem__, key="train_fm_layer"
        )
        st.plotly_chart(
            feature_maps_figure(
                stages[j].maps, title=f"Feature maps after {names[j]}", fit_width=740
            ),
            key="train_fm", config=NO_BAR,
        )  # fmt: skip


# --- Draw a digit -----------------------------------------------------------------------------


def show_draw(result: TrainResult, data: Dataset) -> None:
    """Draw (or upload) a digit, see it preprocessed like the training data, and the prediction."""
    info = data.info
    if info.name not in ("mnist", "digits"):
        st.info("Drawing works with models trained on MNIST or Digits; train one of those.")
        return
    from streamlit_drawable_canvas import st_canvas

    left, mid, right = st.columns([1.25, 0.8, 1.3], gap="medium")
    with left:
        st.markdown("**Draw a digit** (white on black, like the training images)")
        canvas = st_canvas(
            stroke_width=22, stroke_color="#FFFFFF", background_color="#000000",
            height=280, width=280, drawing_mode="freedraw", return_image_data=True,
            key="train_canvas",
        )  # fmt: skip
        upload = st.file_uploader("…or upload a picture of one", type=["png", "jpg", "jpeg"],
                                  key="train_upload")  # fmt: skip
    image = _picture(canvas, upload)
    if is_blank(image):
        mid.info("Draw a digit on the black square (or upload a picture) to see the prediction.")
        return
    x = torch.from_numpy(prepare_input(image, info.shape))
    probs = predict_proba(trained_model(run_id(result), result, data), x[None], info)[0]
    top = int(probs.argmax())
    with mid:
        st.plotly_chart(
            pixels_figure(x[0], title=f"What the model sees ({info.shape[1]}×{info.shape[2]})"),
            key="train_draw_input", config=NO_BAR,
        )  # fmt: skip
        st.metric(
            "Prediction",
            info.classes[top],
            f"{float(probs[top]):.1%} sure",
            delta_color="off",
            delta_arrow="off",
        )
    right.plotly_chart(
        probability_bars_figure(probs, info.classes, title="Probability of each class"),
        key="train_draw_probs", config=NO_BAR,
    )  # fmt: skip


def _picture(canvas, upload) -> np.ndarray | None:
    """The uploaded picture if any, else the canvas drawing, as an array (None when neither)."""
    if upload is not None:
        from PIL import Image, UnidentifiedImageError

        try:
            return np.asarray(Image.open(upload).convert("RGB"))
        except (UnidentifiedImageError, OSError):
            st.error("That file is not an image I can read; try a PNG or JPEG.")
            return None
    try:
        return canvas.image_data
    except (RuntimeError, ValueError):
        return None


# --- Download ---------------------------------------------------------------------------------


def show_downloads(result: TrainResult, data: Dataset) -> None:
    """The trained weights (.pt state_dict) and the history (CSV), with the code to load them."""
    cfg = result.config
    stem = re.sub(
        r"[^A-Za-z0-9._-]+", "_", f"dlviz-{cfg.dataset}-{cfg.model_name()}-seed{cfg.seed}"
    )
    a, b = st.columns(2)
    a.download_button(
        "Weights (.pt state_dict)", state_dict_bytes(result.final_state), f"{stem}.pt",
        mime="application/octet-stream", key="train_dl_weights", on_click="ignore",
        icon=":material/download:",
    )  # fmt: skip
    b.download_button(
        "History (.csv)", history_csv(result.history), f"{stem}.csv", mime="text/csv",
        key="train_dl_history", on_click="ignore", icon=":material/table:",
    )  # fmt: skip
    imports = "ModelSpec, build_model" if not isinstance(cfg.model, str) else "build_model"
    st.markdown("Load the weights again in Python:")
    st.code(
        f"import torch\nfrom dlviz.models import {imports}\n\n"
        f"model = build_model({cfg.model!r}, {data.info.shape}, {data.info.num_classes})\n"
        f'model.load_state_dict(torch.load("{stem}.pt"))\nmodel.eval()',
        language="python",
    )
