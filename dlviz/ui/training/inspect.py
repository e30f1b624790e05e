"""Inside a trained model, from the page: parameters, first-layer weights, feature maps, drawing.

The "Inside the model", "Draw a digit" and "Download" tabs of the Training page. The model is
rebuilt once per run from its stored weights (``st.cache_resource``, read-only); the numbers come
from ``dlviz.training.inspect`` and ``dlviz.training.drawing``, the figures from
``dlviz.plots.training.inspect``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st
import torch

from dlviz.data import Dataset, normalize
from dlviz.display import count, percent
from dlviz.plots.training.inspect import (
    feature_maps_figure,
    first_layer_weights_figure,
    pixels_figure,
    probability_bars_figure,
)
from dlviz.training import TrainResult, predict_proba
from dlviz.training.drawing import PictureError, decode_picture, is_blank, prepare_input
from dlviz.training.inspect import feature_maps, first_layer_weights, parameters_per_layer
from dlviz.training.results import history_csv, state_dict_bytes
from dlviz.ui.common import chart
from dlviz.ui.links import BIND

NO_BAR = {"displayModeBar": False}


@st.cache_resource(max_entries=4)
def trained_model(run_id: str, _result: TrainResult, _data: Dataset) -> torch.nn.Module:
    """The run's final weights in a fresh model (eval mode), one per run, shared read-only."""
    return _result.model(_data.info)


def run_id(result: TrainResult) -> str:
    """Identifies one run, stopped runs included (their config key alone would be ambiguous)."""
    return f"{result.config.key()}-{result.status}-{len(result.history)}-{result.created}"


def show_inside(result: TrainResult, data: Dataset) -> None:
    """Parameters per layer, first-layer weights as images, feature maps of one test image."""
    info = data.info
    model = trained_model(run_id(result), result, data)
    rows = parameters_per_layer(model)
    left, right = st.columns([1, 1.3], gap="large")
    with left:
        st.markdown(f"**Parameters per layer** ({count(sum(r.parameters for r in rows))} in all)")
        st.dataframe(
            pd.DataFrame([r.__dict__ for r in rows]), hide_index=True, key="train_params",
            column_config={"parameters": st.column_config.NumberColumn(format="localized")},
        )  # fmt: skip
    with right:
        weights = first_layer_weights(model, info.shape)
        if weights is not None:
            conv = weights.shape[-1] != info.shape[-1]
            what = "filters" if conv else "units: the input pattern each one responds to"
            chart(
                first_layer_weights_figure(weights, title=f"First layer {what}", fit_width=560),
                key="train_weights", config=NO_BAR,
            )  # fmt: skip
            st.caption("Blue = positive weight (this pixel pushes the unit up), red = negative.")
    show_feature_maps(model, data)


def show_feature_maps(model: torch.nn.Module, data: Dataset) -> None:
    """What each conv layer makes of one chosen test image."""
    info = data.info
    left, right = st.columns([1, 3])
    i = left.number_input(
        "Test image (index)", 0, len(data.test_y) - 1, 0, key="train_fm_index", bind=BIND
    )
    stages = feature_maps(model, normalize(data.test_x[i : i + 1], info))
    with left:
        chart(
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
            "Layer",
            range(len(stages)),
            format_func=names.__getitem__,
            key="train_fm_layer",
            bind=BIND,
        )
        chart(
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
        chart(
            pixels_figure(x[0], title=f"What the model sees ({info.shape[1]}×{info.shape[2]})"),
            key="train_draw_input", config=NO_BAR,
        )  # fmt: skip
        st.metric(
            "Prediction",
            info.classes[top],
            f"{percent(float(probs[top]))} sure",
            delta_color="off",
            delta_arrow="off",
        )
    chart(
        probability_bars_figure(probs, info.classes, title="Probability of each class"),
        key="train_draw_probs", config=NO_BAR, where=right
    )  # fmt: skip


def _picture(canvas, upload) -> np.ndarray | None:
    """The uploaded picture if any, else the canvas drawing, as an array (None when neither).

    An upload that cannot be used (too large, damaged, not a PNG or JPEG) shows why, in words.
    """
    if upload is not None:
        try:
            return decode_picture(upload.getvalue())
        except PictureError as err:
            st.error(str(err), icon=":material/image_not_supported:")
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
        f"import torch\nfrom dlviz.training.models import {imports}\n\n"
        f"model = build_model({cfg.model!r}, {data.info.shape}, {data.info.num_classes})\n"
        f'model.load_state_dict(torch.load("{stem}.pt"))\nmodel.eval()',
        language="python",
    )
