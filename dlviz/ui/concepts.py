"""Streamlit controls, callbacks and cached computations for the Activations and Loss pages.

Every widget here is bounded and has a stable page-prefixed key (``act_*``, ``loss_*``) so tests
can drive it. Preset buttons and the gradient step are ``on_click`` callbacks that edit
``st.session_state`` before the widgets are drawn. The maths lives in dlviz.activations and
dlviz.loss, the figures in dlviz.plots; the ``*_view`` functions pair a result with its figure
behind ``st.cache_resource`` (the same read-only objects on every hit), so a slider move rebuilds
only the one figure whose inputs changed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from dlviz.activations import (
    ACTIVATION_NAMES,
    ACTIVATIONS,
    CurveConfig,
    CurveResult,
    SoftmaxResult,
    analyse,
    region_at,
    softmax_analysis,
    softmax_sweep,
)
from dlviz.display import exact, fixed, number
from dlviz.loss import (
    CECurve,
    SigmoidComparison,
    SoftmaxCE,
    compare_mse_ce,
    cross_entropy_curve,
    softmax_cross_entropy,
)
from dlviz.plots.activations import (
    activation_figure,
    compare_figure,
    softmax_bars_figure,
    softmax_jacobian_figure,
    softmax_sweep_figure,
)
from dlviz.plots.loss import cross_entropy_figure, mse_vs_ce_figure, softmax_ce_figure

CLASS_NAMES: tuple[str, ...] = ("cat", "dog", "bird", "frog", "horse", "ship", "truck", "plane")
DEFAULT_LOGITS: tuple[float, ...] = (2.0, 1.0, 0.1, -1.0, 0.5, -2.0, 3.0, 0.0)
LOGIT_BOUND = 1000.0
TEMPERATURES: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
X_RANGE = 8.0


def class_labels(k: int) -> list[str]:
    """Readable class names for k classes."""
    return list(CLASS_NAMES[:k])


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


@st.cache_resource(max_entries=64, show_spinner=False)
def cross_entropy_view(probe_p: float, show_y0: bool) -> tuple[CECurve, go.Figure]:
    """The -log p curve (and the y = 0 branch) with the probe at ``probe_p``."""
    curve = cross_entropy_curve(probe_p)
    return curve, cross_entropy_figure(curve, show_y0)


@st.cache_resource(max_entries=64, show_spinner=False)
def mse_ce_view(probe_z: float, y: float) -> tuple[SigmoidComparison, go.Figure]:
    """MSE against cross-entropy for a sigmoid output, probed at logit ``probe_z``."""
    cmp = compare_mse_ce(probe_z, y)
    return cmp, mse_vs_ce_figure(cmp)


@st.cache_resource(max_entries=64, show_spinner=False)
def softmax_ce_view(logits: tuple[float, ...], target: int) -> tuple[SoftmaxCE, go.Figure]:
    """Softmax cross-entropy of the logits against class ``target``, with its bar figure."""
    res = softmax_cross_entropy(logits, target)
    return res, softmax_ce_figure(res, class_labels(len(logits)))


# --- controls ------------------------------------------------------------------------------


def activation_label(name: str) -> str:
    return ACTIVATIONS[name].label


def curve_controls() -> CurveConfig:
    """Activation picker, its parameter sliders and the probe slider, as a CurveConfig."""
    name = st.selectbox(
        "Activation", ACTIVATION_NAMES, format_func=activation_label, key="act_name"
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


def set_logits(prefix: str, values: Sequence[float]) -> None:
    """Callback: write ``values`` into the logit inputs ``<prefix>_logit_<i>``."""
    for i, v in enumerate(values):
        st.session_state[f"{prefix}_logit_{i}"] = float(v)


def logit_inputs(prefix: str, k: int) -> tuple[float, ...]:
    """A row of k bounded number inputs (keys ``<prefix>_logit_<i>``), one per class."""
    values = []
    for i, col in enumerate(st.columns(k)):
        key = f"{prefix}_logit_{i}"
        if key not in st.session_state:
            st.session_state[key] = DEFAULT_LOGITS[i]
        value = col.number_input(
            f"z · {CLASS_NAMES[i]}",
            -LOGIT_BOUND,
            LOGIT_BOUND,
            step=0.5,
            format="%.3f",
            key=key,
            help=f"Logit of class {CLASS_NAMES[i]!r}, between −1000 and 1000.",
        )
        values.append(float(value))
    return tuple(values)


def temperature_control() -> float:
    """The softmax temperature T on a roughly logarithmic scale."""
    return float(
        st.select_slider(
            "Temperature T",
            TEMPERATURES,
            value=1.0,
            key="act_temp",
            help="Softmax divides the logits by T: small T sharpens, large T flattens.",
        )
    )


def _clip(v: float) -> float:
    return min(max(v, -LOGIT_BOUND), LOGIT_BOUND)


def gradient_step(prefix: str, k: int, target: int, lr: float) -> None:
    """Callback: one step of gradient descent on the logits, z ← z − lr · (p − y); logs the loss."""
    key = f"{prefix}_logit_{{}}"
    logits = [float(st.session_state.get(key.format(i), DEFAULT_LOGITS[i])) for i in range(k)]
    before = softmax_cross_entropy(logits, target)
    stepped = [
        _clip(round(z - lr * g, 6)) + 0.0  # + 0.0: a logit rounded to -0 reads 0 in its input
        for z, g in zip(logits, before.grad.tolist(), strict=True)
    ]
    set_logits(prefix, stepped)
    history = list(st.session_state.get(f"{prefix}_history", []))
    if not history or not math.isclose(history[-1], before.loss, rel_tol=1e-9, abs_tol=1e-12):
        history = [before.loss]  # the logits were edited by hand since the last step
    st.session_state[f"{prefix}_history"] = [*history, softmax_cross_entropy(stepped, target).loss]


def step_history(prefix: str, loss: float) -> list[float] | None:
    """Losses of the gradient steps that led to ``loss``, or None if the logits were edited since."""
    history = st.session_state.get(f"{prefix}_history", [])
    if len(history) > 1 and math.isclose(history[-1], loss, rel_tol=1e-9, abs_tol=1e-12):
        return list(history)
    return None


def confident_mistake(prefix: str, k: int, target: int) -> None:
    """Callback: logits where the model is sure of the wrong class (another class at +5, true −3)."""
    wrong = (target + 1) % k
    set_logits(prefix, [-3.0 if i == target else 5.0 if i == wrong else 0.0 for i in range(k)])
