"""The Depth-and-initialization page's ui: controls, the cached study and figures, the alerts.

``pages/6_depth_and_init.py`` imports only this module (``from dlviz.ui import depth as ui``) and
calls it top to bottom: ``preset_buttons`` and ``depth_controls`` read the widgets into a
``DepthConfig`` (keys ``depth_*``), ``depth_view`` returns the study with its two figures behind
``st.cache_resource`` (the same read-only objects on every hit, so a rerun with the same settings
rebuilds nothing), and ``show_input_warning``, ``show_headline``, ``show_verdicts`` and
``show_setup`` draw the rest. The study is ``dlviz.depth``'s, its words ``dlviz.depth.report``'s,
its figures ``dlviz.plots.depth``'s; the header, text sections and try-this box come from
``dlviz.ui.common``.
"""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st
import torch

from dlviz.activations import ACTIVATION_NAMES, ACTIVATIONS
from dlviz.depth import (
    INIT_LATEX,
    INITS,
    MAX_DEPTH,
    MIN_DEPTH,
    DepthConfig,
    DepthStudy,
    depth_study,
    image_batch,
)
from dlviz.depth.report import diagnose, headline
from dlviz.display import escape_markdown
from dlviz.plots.depth import depth_profile_figure, ridgeline_figure
from dlviz.ui.common import chart, explanations, page_header, text_sections, try_this
from dlviz.ui.links import BIND
from dlviz.ui.resources import dataset_or_fallback

__all__ = [
    "chart",
    "depth_controls",
    "depth_view",
    "explanations",
    "page_header",
    "preset_buttons",
    "show_headline",
    "show_input_warning",
    "show_setup",
    "show_verdicts",
    "text_sections",
    "try_this",
]

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
    """Callback: put one story's settings into the widgets."""
    for field, value in PRESETS[name].items():
        st.session_state[f"depth_{field}"] = value


def _defaults() -> None:
    """The widgets' starting values, set once per session (the presets edit them later)."""
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
    depth = c1.slider("Depth (hidden layers)", MIN_DEPTH, MAX_DEPTH, key="depth_depth", bind=BIND)
    width = c1.select_slider("Width (units per layer)", WIDTHS, key="depth_width", bind=BIND)
    activation = c2.selectbox(
        "Activation",
        ACTIVATION_NAMES,
        key="depth_activation",
        bind=BIND,
        format_func=lambda n: ACTIVATIONS[n].label,
    )
    init = c2.selectbox(
        "Initialization", tuple(INITS), key="depth_init", bind=BIND, format_func=INITS.get
    )
    sigma = c3.select_slider(
        "σ of normal(0, σ)",
        SIGMAS,
        key="depth_sigma",
        bind=BIND,
        disabled=init != "normal",
        help="Only used by the normal(0, σ) initialization.",
    )
    batch_norm = c3.toggle("Batch norm after each Linear", key="depth_batch_norm", bind=BIND)
    inputs = c4.selectbox(
        "Inputs", tuple(INPUTS), key="depth_inputs", bind=BIND, format_func=INPUTS.get
    )
    compare = c4.toggle(
        "Compare all initializations",
        key="depth_compare",
        bind=BIND,
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
def _image_batch(
    name: str, batch_size: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor, str, str | None]:
    """``(x, y, used_name, message)``: a seeded random batch of normalized test images."""
    data, message = dataset_or_fallback(name)
    x, y = image_batch(data.test_x, data.test_y, data.info, batch_size, seed)
    return x, y, data.info.name, message


def input_batch(
    name: str, cfg: DepthConfig
) -> tuple[torch.Tensor | None, torch.Tensor | None, str, str | None]:
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
    x, y, used, _ = input_batch(source, cfg)
    return depth_study(cfg, x, y, input_source=used)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_comparison(cfg: DepthConfig, source: str) -> dict[str, DepthStudy]:
    """The same network and batch under every initialization scheme."""
    return {INITS[name]: cached_study(replace(cfg, init=name), source) for name in INITS}


@st.cache_resource(max_entries=32, show_spinner=False)
def depth_view(
    cfg: DepthConfig, source: str, compare: bool
) -> tuple[DepthStudy, go.Figure, go.Figure]:
    """The study with its depth profile (every scheme when ``compare``) and its ridgeline.

    Read-only: the same objects come back on every hit, so never mutate them.
    """
    study = cached_study(cfg, source)
    label = INITS[cfg.init]
    studies = cached_comparison(cfg, source) if compare else {label: study}
    return study, depth_profile_figure(studies, label), ridgeline_figure(study)


def show_input_warning(cfg: DepthConfig, source: str) -> None:
    """Say so when the chosen images could not be used (random inputs or a fallback instead)."""
    *_, message = input_batch(source, cfg)
    if message:
        st.warning(message)


def show_setup(cfg: DepthConfig, study: DepthStudy) -> None:
    """The caption under the figures: network, inputs, batch and the initialization's formula."""
    st.caption(
        f"{cfg.depth} hidden layers of {cfg.width} units, inputs: {INPUTS[study.input_source]}, "
        f"batch of {cfg.batch_size}. Initialization: ${INIT_LATEX[cfg.init]}$"
        + ("" if cfg.init == "default" else ", biases 0.")
    )


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
