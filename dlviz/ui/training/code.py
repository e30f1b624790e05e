""" "Show the code" on the Training page: the run on screen as a PyTorch script, and its weights.

With a run on screen, the expander shows that run's script, a download of its weights (the
``.pt`` state_dict dlviz trained) and the script that rebuilds the model and loads them. Before
any run, it shows the script of the form's settings (its defaults, or the last Train's).
"""

from __future__ import annotations

import re
from functools import partial

import streamlit as st

from dlviz.data import Dataset
from dlviz.export import rebuild_script, training_script
from dlviz.export.training import resolved_precision
from dlviz.training import TrainConfig, TrainResult
from dlviz.training.models import ModelSpec
from dlviz.training.results import state_dict_bytes
from dlviz.ui.export import code_box, script_files, show_script
from dlviz.ui.training.form import CUSTOM, config_from_form, form_defaults
from dlviz.ui.training.inspect import run_id


def form_config(model: str, data: Dataset) -> TrainConfig:
    """The config the form holds now (its widgets' committed values), else its defaults."""
    try:
        return config_from_form(_custom_spec(model) if model in CUSTOM else model, data)
    except (KeyError, TypeError, ValueError):
        return form_defaults(model, data)


def _custom_spec(model: str) -> ModelSpec:
    """The custom network the form's layer widgets describe (their defaults where unset)."""
    s, cnn = st.session_state, model == "custom-cnn"
    n_hidden, width = int(s.get("train_layers", 1 if cnn else 2)), int(s.get("train_width", 128))
    hidden = tuple(max(16, width // 2**i) for i in range(n_hidden))
    act, dropout, bn = s.get("train_act", "relu"), s.get("train_dropout", 0.0), s.get("train_bn")
    if not cnn:
        return ModelSpec("mlp", hidden, act, float(dropout), bool(bn))
    first, blocks = int(s.get("train_channels", 16)), int(s.get("train_conv_blocks", 2))
    channels = tuple(min(64, first * 2**i) for i in range(blocks))
    return ModelSpec("cnn", hidden, act, float(dropout), bool(bn), channels)


@st.cache_resource(max_entries=4, show_spinner=False)
def weights_file(run: str, _result: TrainResult) -> bytes:
    """The run's final weights as a ``.pt`` state_dict (``torch.save``)."""
    return state_dict_bytes(_result.final_state)


def weights_name(cfg: TrainConfig) -> str:
    """The .pt file's name: the same as the Download tab's weights."""
    stem = f"dlviz-{cfg.dataset}-{cfg.model_name()}-seed{cfg.seed}"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem) + ".pt"


def show_code(result: TrainResult | None, model: str, data: Dataset) -> None:
    """The expander: the script of the run on screen (or of the form), the weights and their
    loader (written only while it is open)."""
    box = code_box("train_code")
    if box is None:
        return
    cfg = result.config if result is not None else form_config(model, data)
    precision = result.precision if result is not None else resolved_precision(cfg)
    files = script_files(partial(training_script, cfg, precision), ("training", cfg, precision))
    if result is None:
        note = "It trains the form's settings; press Train to see the same numbers here."
    else:
        note = f"It trains the run below ({precision}, {cfg.epochs} epochs)."
        if result.status == "stopped":
            note += f" This run was stopped after {result.epochs_done}: set EPOCHS to match."
        note += " On another CPU or thread count the last digits can differ (bfloat16 and float "
        note += "sums depend on them): the accuracy stays within a point."
    show_script(box, "train_code", files, note)
    if result is not None:
        _show_weights(box, result)


def _show_weights(box, result: TrainResult) -> None:
    """The .pt download and the script that loads it."""
    cfg = result.config
    weights = weights_name(cfg)
    loader = script_files(
        partial(rebuild_script, cfg, weights, result.precision),
        ("weights", cfg, result.precision, weights),
    )
    with box:
        st.markdown("**The trained weights**")
        which = f"epoch {result.best_epoch}" if result.best_epoch else "the last epoch"
        st.caption(
            f"A PyTorch state_dict of the model after {which}. The script below rebuilds the "
            "model, loads it and scores the test set: the weights work outside dlviz."
        )
        a, b, c, _ = st.columns([1, 1, 1, 1])
        a.download_button(
            "Download weights .pt", weights_file(run_id(result), result), weights,
            "application/octet-stream", key="train_code_pt", on_click="ignore",
            icon=":material/download:", width="stretch",
        )  # fmt: skip
        b.download_button(
            "Download loader .py", loader[1], f"{loader[0]}.py", "text/x-python",
            key="train_code_load_py", on_click="ignore", icon=":material/download:",
            width="stretch",
        )  # fmt: skip
        c.download_button(
            "Download loader .ipynb", loader[2], f"{loader[0]}.ipynb",
            "application/x-ipynb+json", key="train_code_load_ipynb", on_click="ignore",
            icon=":material/download:", width="stretch",
        )  # fmt: skip
        st.code(loader[1], language="python", line_numbers=True, height=320)
