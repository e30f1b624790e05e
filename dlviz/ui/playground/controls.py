"""The Playground's widgets: data, network and training controls, read into three configs.

Every widget keeps its value for the whole browser session (``persist_state="session"``), so a
visit to another page leaves the run and its settings as they were. Options are module constants
so tests can walk the same widget space the learner can.
"""

from __future__ import annotations

import math

import streamlit as st

from dlviz.activations import ACTIVATION_NAMES, ACTIVATIONS
from dlviz.display import number
from dlviz.playground.data import (
    ALL_DATASETS,
    CLASS_RANGE,
    DATASETS,
    FEATURE_NAMES,
    FEATURES,
    REGRESSION_DATASETS,
    DataConfig,
)
from dlviz.playground.model import OPTIMIZER_LABELS, ModelConfig, TrainSettings
from dlviz.ui.links import BIND

KEEP = "session"  # widgets keep their values across page switches, so the run is still there
LR_OPTIONS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_OPTIONS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
L2_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)
L1_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)
SPEED_OPTIONS = (1, 2, 5, 10, 20, 50, 0)  # epochs per second; 0 = as fast as possible


def nearest_option(value: float, options: tuple[float, ...]) -> float:
    """The option closest to ``value`` on a log scale."""
    return min(options, key=lambda o: abs(math.log(o) - math.log(value)))


def _data_controls() -> DataConfig:
    st.markdown("**Data**")
    name = st.selectbox(
        "Dataset",
        list(ALL_DATASETS),
        format_func=ALL_DATASETS.get,
        key="pg_dataset",
        bind=BIND,
        persist_state=KEEP,
    )
    lo, hi = CLASS_RANGE.get(name, (1, 1))
    if name in REGRESSION_DATASETS:
        k = 1
        st.caption("Regression: the network predicts a number, t(x₁, x₂), from each point.")
    elif hi > lo:
        k = st.slider(
            "Classes",
            lo,
            hi,
            3 if hi >= 3 else lo,
            key=f"pg_classes_{name}",
            bind=BIND,
            persist_state=KEEP,
        )
    else:
        k = lo
        st.caption(f"{DATASETS[name]} always has {lo} classes; blobs and the spiral have more.")
    noise = st.slider("Noise", 0.0, 0.5, 0.2, 0.05, key="pg_noise", bind=BIND, persist_state=KEEP)
    n = st.slider(
        "Points (train + test)", 100, 1000, 500, 50, key="pg_points", bind=BIND, persist_state=KEEP
    )
    test = st.slider(
        "Test share",
        0.1,
        0.5,
        0.3,
        0.05,
        key="pg_test",
        bind=BIND,
        persist_state=KEEP,
        format="%.2f",
    )
    seed = st.number_input(
        "Data seed", 0, 9999, 0, key="pg_data_seed", bind=BIND, persist_state=KEEP
    )
    return DataConfig(name, int(k), int(n), float(noise), float(test), int(seed))


def _network_controls() -> ModelConfig:
    st.markdown("**Network**")
    feats = st.pills(
        "Input features",
        FEATURE_NAMES,
        selection_mode="multi",
        default=["x1", "x2"],
        format_func=lambda f: FEATURES[f][0],
        key="pg_features",
        bind=BIND,
        persist_state=KEEP,
        wrap=True,  # every feature in view (in a column Streamlit would scroll one row)
    )
    if not feats:
        st.warning("Pick at least one input feature; using x₁ and x₂ meanwhile.")
        feats = ["x1", "x2"]
    features = tuple(f for f in FEATURE_NAMES if f in feats)
    layers = st.slider("Hidden layers", 0, 6, 2, key="pg_layers", bind=BIND, persist_state=KEEP)
    width = st.slider(
        "Neurons per hidden layer",
        1,
        8,
        6,
        key="pg_neurons",
        bind=BIND,
        persist_state=KEEP,
        disabled=layers == 0,
    )
    act = st.selectbox(
        "Activation",
        ACTIVATION_NAMES,
        index=ACTIVATION_NAMES.index("tanh"),
        format_func=lambda a: ACTIVATIONS[a].label,
        key="pg_act",
        bind=BIND,
        persist_state=KEEP,
    )
    seed = st.number_input(
        "Weight seed",
        0,
        9999,
        0,
        key="pg_init_seed",
        bind=BIND,
        persist_state=KEEP,
        help="Same seed, same initial weights and batch order: fair comparisons.",
    )
    return ModelConfig(features, (int(width),) * int(layers), act, "adam", int(seed))


def _training_controls() -> tuple[str, TrainSettings]:
    st.markdown("**Training** (changes apply while it runs)")
    opt = st.selectbox(
        "Optimizer",
        list(OPTIMIZER_LABELS),
        index=2,
        format_func=OPTIMIZER_LABELS.get,
        key="pg_opt",
        bind=BIND,
        persist_state=KEEP,
        help="Changing the optimizer restarts from the initial weights.",
    )
    lr = st.select_slider(
        "Learning rate",
        LR_OPTIONS,
        value=0.03,
        key="pg_lr",
        bind=BIND,
        persist_state=KEEP,
        format_func=number,
    )
    batch = st.select_slider(
        "Batch size", BATCH_OPTIONS, value=16, key="pg_batch", bind=BIND, persist_state=KEEP
    )
    l2 = st.select_slider(
        "L2 strength λ",
        L2_OPTIONS,
        value=0.0,
        key="pg_l2",
        bind=BIND,
        persist_state=KEEP,
        format_func=number,
    )
    l1 = st.select_slider(
        "L1 strength λ₁",
        L1_OPTIONS,
        value=0.0,
        key="pg_l1",
        bind=BIND,
        persist_state=KEEP,
        format_func=number,
        help="Adds λ₁·Σ|w|: it pushes weights to exactly zero (drawn dotted in the network).",
    )
    speed = st.select_slider(
        "Speed (epochs per second)",
        SPEED_OPTIONS,
        value=20,
        key="pg_speed",
        bind=BIND,
        persist_state=KEEP,
        format_func=lambda v: "max" if v == 0 else str(v),
    )
    return opt, TrainSettings(float(lr), int(batch), float(l2), float(speed), float(l1))


def playground_controls() -> tuple[DataConfig, ModelConfig, TrainSettings]:
    """Data, network and training widgets in three columns; returns the three configs."""
    cols = st.columns([1, 1.25, 1.1], gap="medium")
    with cols[0].container(border=True):
        data_cfg = _data_controls()
    with cols[1].container(border=True):
        model_cfg = _network_controls()
    with cols[2].container(border=True):
        opt, settings = _training_controls()
    return data_cfg, ModelConfig(**{**model_cfg.__dict__, "optimizer": opt}), settings
