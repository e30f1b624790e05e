"""Streamlit controls, cached computations and alerts of the Depth-and-initialization page."""

from __future__ import annotations

import streamlit as st

from dlviz.activations import ACTIVATION_NAMES, ACTIVATIONS
from dlviz.depth import INITS, MAX_DEPTH, MIN_DEPTH, DepthConfig, DepthStudy
from dlviz.depth.report import diagnose, headline
from dlviz.display import escape_markdown

INPUTS: dict[str, str] = {
    "random": "Random numbers x ~ N(0, 1)",
    "digits": "Digits images (8×8)",
    "mnist": "MNIST images (28×28)",
    "fashion-mnist": "Fashion-MNIST images (28×28)",
}
WIDTHS = (16, 32, 64, 128, 256, 512)
SIGMAS = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)

PRESETS: dict[str, dict] = {
    "Sigmoid, default init": {"activation": "sigmoid", "init": "default", "batch_norm": False},
    "Tanh, default init": {"activation": "tanh", "init": "default", "batch_norm": False},
    "ReLU, uniform(0, 1)": {"activation": "relu", "init": "uniform", "batch_norm": False},
    "ReLU, Kaiming": {"activation": "relu", "init": "kaiming", "batch_norm": False},
    "Sigmoid + batch norm": {"activation": "sigmoid", "init": "default", "batch_norm": True},
}
"""One-click set-ups of the four stories the page tells."""

DEFAULTS = {
    "depth": 20,
    "width": 128,
    "activation": "tanh",
    "init": "default",
    "sigma": 0.05,
    "batch_norm": False,
    "inputs": "random",
    "compare": False,
}


def _apply_preset(name: str) -> None:
    for field, value in PRESETS[name].items():
        st.session_state[f"depth_{field}"] = value


def _defaults() -> None:
    for field, value in DEFAULTS.items():
        st.session_state.setdefault(f"depth_{field}", value)


def preset_buttons() -> None:
    """A row of buttons that set the widgets to one of the page's stories."""
    _defaults()
    cols = st.columns(len(PRESETS))
    for i, (col, name) in enumerate(zip(cols, PRESETS, strict=False)):
        col.button(
            name, key=f"depth_preset_{i}", on_click=_apply_preset, args=(name,), width="stretch"
        )


def depth_controls() -> tuple[DepthConfig, str, bool]:
    """Widgets -> (DepthConfig, input source name, compare-all-inits flag)."""
    _defaults()
    c1, c2, c3, c4 = st.columns(4)
    depth = c1.slider("Depth (hidden layers)", MIN_DEPTH, MAX_DEPTH, key="depth_depth")
    width = c1.select_slider("Width (units per layer)", WIDTHS, key="depth_width")
    activation = c2.selectbox(
        "Activation",
        ACTIVATION_NAMES,
        key="depth_activation",
        format_func=lambda n: ACTIVATIONS[n].label,
    )
    init = c2.selectbox("Initialization", tuple(INITS), key="depth_init", format_func=INITS.get)
    sigma = c3.select_slider(
        "σ of normal(0, σ)",
        SIGMAS,
        key="depth_sigma",
        disabled=init != "normal",
        help="Only used by the normal(0, σ) initialization.",
    )
    batch_norm = c3.toggle("Batch norm after each Linear", key="depth_batch_norm")
    inputs = c4.selectbox("Inputs", tuple(INPUTS), key="depth_inputs", format_func=INPUTS.get)
    compare = c4.toggle(
        "Compare all initializations",
        key="depth_compare",
        help="Also draw the other schemes (dotted) for the same network and batch.",
    )
    cfg = DepthConfig(
        depth=depth,
        width=width,
        activation=activation,
        init=init,
        sigma=sigma,
        batch_norm=batch_norm,
    )
    return cfg, inputs, compare


@st.cache_data(max_entries=8, show_spinner=False)
def _image_batch(name: str, batch_size: int, seed: int):
    """``(x, y, used_name, message)``: a seeded random batch of normalized test images."""
    from dlviz.depth import image_batch
    from dlviz.ui.resources import dataset_or_fallback

    data, message = dataset_or_fallback(name)
    x, y = image_batch(data.test_x, data.test_y, data.info, batch_size, seed)
    return x, y, data.info.name, message


def input_batch(name: str, cfg: DepthConfig):
    """``(x, y, source, message)``; random inputs give ``(None, None, "random", None)``."""
    if name == "random":
        return None, None, "random", None
    try:
        return _image_batch(name, cfg.batch_size, cfg.seed)
    except Exception as err:  # noqa: BLE001 - any data problem falls back to random inputs
        why = escape_markdown(str(err))
        return None, None, "random", f"Could not load {INPUTS[name]} ({why}); using random inputs."


@st.cache_data(max_entries=64, show_spinner=False)
def cached_study(cfg: DepthConfig, source: str) -> DepthStudy:
    """``depth_study`` on random inputs or a batch of the named dataset (cached per config)."""
    from dlviz.depth import depth_study

    x, y, used, _ = input_batch(source, cfg)
    return depth_study(cfg, x, y, input_source=used)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_comparison(cfg: DepthConfig, source: str) -> dict[str, DepthStudy]:
    """The same network and batch under every initialization scheme."""
    from dataclasses import replace

    return {INITS[name]: cached_study(replace(cfg, init=name), source) for name in INITS}


ALERTS = {"ok": st.success, "warning": st.warning, "problem": st.error}
"""How each severity of dlviz.depth.report is shown."""


def show_headline(study: DepthStudy) -> None:
    """The four headline metrics of a study in a row."""
    for col, metric in zip(st.columns(4), headline(study), strict=True):
        col.metric(metric.label, metric.value, help=metric.help or None)


def show_verdicts(study: DepthStudy) -> None:
    """Each plain-words verdict as a success, warning or error box."""
    for verdict in diagnose(study):
        ALERTS[verdict.severity](verdict.sentence)
