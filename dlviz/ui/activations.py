"""Streamlit controls and cached views of the Activations page (the page's one ui module).

Every widget is bounded and has a stable ``act_*`` key so tests can drive it; the softmax tab's
logit row comes from ``dlviz.ui.logits``. The maths lives in dlviz.activations, the figures in
dlviz.plots.activations; the ``*_view`` functions pair a result with its figure behind
``st.cache_resource`` (the same read-only objects on every hit), so a slider move rebuilds only the
one figure whose inputs changed. The page header, its texts and the LaTeX come through here too.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dlviz.activations import (
    ACTIVATION_NAMES,
    ACTIVATIONS,
    SOFTMAX_JACOBIAN_LATEX,
    SOFTMAX_LATEX,
    SOFTMAX_LSE_LATEX,
    CurveConfig,
    CurveResult,
    SoftmaxResult,
    analyse,
    region_at,
    softmax_analysis,
    softmax_sweep,
)
from dlviz.display import exact, fixed, number
from dlviz.plots.activations import (
    activation_figure,
    compare_figure,
    softmax_bars_figure,
    softmax_jacobian_figure,
    softmax_sweep_figure,
)
from dlviz.ui.common import (
    chart,
    lazy_tabs,
    page_header,
    phone_order,
    prose,
    text_sections,
    try_this,
)
from dlviz.ui.links import BIND
from dlviz.ui.logits import (
    DEFAULT_LOGITS,
    class_count,
    class_labels,
    logit_inputs,
    set_logits,
)

TABS = ["One activation", "Compare", "Softmax"]
TAB_SETTINGS = {
    "Compare": ("act_compare",),
    "Softmax": ("act_temp", "act_k", "act_sweep", "act_logit_"),
}
"""The URL parameters of each tab's widgets (prefixes), for ``lazy_tabs``."""

__all__ = [
    "TABS",
    "TAB_SETTINGS",
    "chart",
    "SOFTMAX_JACOBIAN_LATEX",
    "SOFTMAX_LATEX",
    "SOFTMAX_LSE_LATEX",
    "activation_view",
    "compare_controls",
    "compare_view",
    "curve_controls",
    "logit_inputs",
    "page_header",
    "lazy_tabs",
    "phone_order",
    "prose",
    "show_formulas",
    "show_probe",
    "softmax_controls",
    "softmax_view",
    "text_sections",
    "try_this",
]

TEMPERATURES: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
X_RANGE = 8.0
EXTREME_LOGITS: tuple[float, ...] = (1000.0, -1000.0, 0.0, 999.0, -5.0, 3.0, 1.0, 0.0)
COMPARE_DEFAULT = ["sigmoid", "tanh", "relu", "gelu"]
DERIVATIVE = "f′(x)"


# --- cached result + figure pairs (read-only: never mutate what these return) ----------------


@st.cache_resource(max_entries=64, show_spinner=False)
def activation_view(config: CurveConfig) -> tuple[CurveResult, go.Figure]:
    """The analysed curve and its figure for one activation config."""
    result = analyse(config)
    return result, activation_figure(result, ACTIVATIONS[config.name].label)


@st.cache_resource(max_entries=32, show_spinner=False)
def compare_view(names: tuple[str, ...], derivative: bool) -> go.Figure:
    """Overlay of the named activations (PyTorch default parameters), or of their derivatives."""
    results = [analyse(CurveConfig(n)) for n in names]
    curves = [
        (ACTIVATIONS[n].label, r.x, r.df if derivative else r.f)
        for n, r in zip(names, results, strict=True)
    ]
    return compare_figure(curves, derivative)


@st.cache_resource(max_entries=64, show_spinner=False)
def softmax_view(
    logits: tuple[float, ...], temperature: float, index: int
) -> tuple[SoftmaxResult, go.Figure, go.Figure, go.Figure]:
    """Softmax result with its bars, the sweep of logit ``index`` and the Jacobian heatmap."""
    labels = class_labels(len(logits))
    res = softmax_analysis(logits, temperature)
    sweep = softmax_sweep(logits, index, temperature)
    return (
        res,
        softmax_bars_figure(res, labels),
        softmax_sweep_figure(sweep, logits[index], labels[index], temperature),
        softmax_jacobian_figure(res, labels),
    )


# --- one activation ----------------------------------------------------------------------------


def activation_label(name: str) -> str:
    """The learner-facing name of an activation (``leaky_relu`` -> Leaky ReLU)."""
    return ACTIVATIONS[name].label


def curve_controls() -> CurveConfig:
    """Activation picker, its parameter sliders and the probe slider, as a CurveConfig."""
    name = st.selectbox(
        "Activation", ACTIVATION_NAMES, format_func=activation_label, key="act_name", bind=BIND
    )
    params = []
    for spec in ACTIVATIONS[name].specs:
        value = st.slider(
            spec.label,
            spec.min,
            spec.max,
            spec.default,
            spec.step,
            format=f"%.{spec.decimals}f",  # the real value: 0.005 must not read 0.01
            key=f"act_{spec.name}",
            bind=BIND,
            help=spec.help,
        )
        params.append((spec.name, float(value)))
    probe = st.slider(
        "Probe x",
        -X_RANGE,
        X_RANGE,
        1.0,
        0.05,
        key="act_x",
        bind=BIND,
        help="Marks f(x) and f′(x) on the plot and prints both values.",
    )
    return CurveConfig(name, tuple(params), float(probe), -X_RANGE, X_RANGE)


def show_probe(result: CurveResult) -> None:
    """The probe's f(x) and f′(x), and a verdict: flat region or not, and what ten layers keep."""
    st.metric("f(x)", number(result.probe_f, 6), help=f"Exact: {exact(result.probe_f)}")
    st.metric(
        "f′(x) from autograd", number(result.probe_df, 6), help=f"Exact: {exact(result.probe_df)}"
    )
    region = region_at(result.regions, result.probe_x)
    x, d = fixed(result.probe_x, 2), number(result.probe_df, 3)
    ten = (
        f"Ten layers with inputs here keep |f′|¹⁰ = {number(abs(result.probe_df) ** 10, 3)} "
        "of the gradient."
    )
    if region is not None:
        st.warning(
            f"x = {x} lies in the **{region.name}** region: f′(x) = {d}, so almost no "
            f"gradient flows back through this neuron. {ten}",
            icon=":material/trending_flat:",
        )
    else:
        st.success(
            f"At x = {x} the gradient passes through scaled by f′(x) = {d}. {ten}",
            icon=":material/trending_up:",
        )


def show_formulas(name: str) -> None:
    """The activation's formula and its derivative's, in LaTeX."""
    st.latex(ACTIVATIONS[name].latex)
    st.latex(ACTIVATIONS[name].derivative_latex)


# --- compare ------------------------------------------------------------------------------------


def compare_controls() -> tuple[tuple[str, ...], bool]:
    """The activations to overlay and whether to show their derivatives instead of f."""
    chosen = st.pills(
        "Activations to overlay",
        ACTIVATION_NAMES,
        selection_mode="multi",
        default=COMPARE_DEFAULT,
        format_func=activation_label,
        key="act_compare",
        bind=BIND,
        wrap=True,  # in a column Streamlit keeps pills on one scrolling row: a chosen one hid
    )
    view = st.segmented_control(
        "Show",
        ["f(x)", DERIVATIVE],
        default="f(x)",
        required=True,
        key="act_compare_view",
        bind=BIND,
    )
    return tuple(chosen), view == DERIVATIVE


# --- softmax ------------------------------------------------------------------------------------


def temperature_control() -> float:
    """The softmax temperature T on a roughly logarithmic scale."""
    return float(
        st.select_slider(
            "Temperature T",
            TEMPERATURES,
            value=1.0,
            key="act_temp",
            bind=BIND,
            help="Softmax divides the logits by T: small T sharpens, large T flattens.",
        )
    )


def softmax_controls() -> tuple[int, float, int]:
    """Classes, temperature, the swept logit and the two logit buttons: (k, T, swept index)."""
    a, b, c, d = st.columns([1, 1.3, 1, 1], vertical_alignment="bottom", gap="medium")
    with a:
        k = class_count("act")
    with b:
        temperature = temperature_control()
    labels = class_labels(k)
    index = c.selectbox(
        "Sweep the logit of", range(k), format_func=labels.__getitem__, key="act_sweep", bind=BIND
    )
    d.button(
        "Try logits 1000 and −1000",
        key="act_extreme",
        on_click=set_logits,
        width="stretch",
        args=("act", EXTREME_LOGITS),
    )
    d.button(
        "Reset logits",
        key="act_reset",
        on_click=set_logits,
        width="stretch",
        args=("act", DEFAULT_LOGITS),
    )
    return k, temperature, index
