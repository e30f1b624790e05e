"""Streamlit controls, callbacks and cached views of the Loss page (the page's one ui module).

Every widget is bounded and has a stable ``loss_*`` key so tests can drive it; the logit row comes
from ``dlviz.ui.logits``. The gradient step and the confident mistake are ``on_click`` callbacks
that write new logits into ``st.session_state`` before the inputs are drawn; the step itself and
its loss history are ``dlviz.loss.logit_step``. The ``*_view`` functions pair a result of dlviz.loss
with its dlviz.plots.loss figure behind ``st.cache_resource`` (read-only objects on every hit). The
page header, its texts and the LaTeX come through here too.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dlviz.display import exact, fixed, number, signed
from dlviz.loss import (
    BCE_LATEX,
    CE_LATEX,
    MSE_VS_CE_LATEX,
    SOFTMAX_CE_LATEX,
    CECurve,
    SigmoidComparison,
    SoftmaxCE,
    compare_mse_ce,
    confident_mistake,
    cross_entropy_curve,
    logit_step,
    same_loss,
    softmax_cross_entropy,
)
from dlviz.plots.loss import cross_entropy_figure, mse_vs_ce_figure, softmax_ce_figure
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
    CLASS_NAMES,
    DEFAULT_LOGITS,
    LOGIT_BOUND,
    class_count,
    class_labels,
    current_logits,
    logit_inputs,
    set_logits,
)

TABS = ["The −log p curve", "MSE vs cross-entropy", "Logits → loss → gradient"]
TAB_SETTINGS = {
    TABS[1]: ("loss_y", "loss_z"),
    TABS[2]: ("loss_k", "loss_target", "loss_lr", "loss_logit_"),
}
"""The URL parameters of each tab's widgets (prefixes), for ``lazy_tabs``."""

__all__ = [
    "TABS",
    "TAB_SETTINGS",
    "chart",
    "BCE_LATEX",
    "CE_LATEX",
    "MSE_VS_CE_LATEX",
    "SOFTMAX_CE_LATEX",
    "chain_controls",
    "cross_entropy_controls",
    "cross_entropy_view",
    "logit_inputs",
    "mse_ce_controls",
    "mse_ce_view",
    "page_header",
    "lazy_tabs",
    "phone_order",
    "prose",
    "show_confident_mistake",
    "show_cross_entropy_probe",
    "show_loss",
    "show_mse_ce_probe",
    "softmax_ce_view",
    "step_buttons",
    "text_sections",
    "try_this",
]

PREFIX = "loss"  # widget keys: loss_logit_<i>, loss_history, ...


# --- cached result + figure pairs (read-only: never mutate what these return) ----------------


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


# --- the -log p curve ---------------------------------------------------------------------------


def cross_entropy_controls() -> tuple[float, bool]:
    """The probability p of the true class and whether to draw the y = 0 branch too."""
    p = st.slider(
        "p: probability given to the true class",
        0.001,
        1.0,
        0.2,
        0.001,
        format="%.3f",
        key="loss_p",
        bind=BIND,
        help="Between 0.001 and 1: at p = 0 the loss is infinite.",
    )
    show_y0 = st.toggle("Show the y = 0 branch of binary CE", True, key="loss_show_y0", bind=BIND)
    return p, show_y0


def show_cross_entropy_probe(curve: CECurve) -> None:
    """The loss −log p and its slope dL/dp at the probe, side by side."""
    a, b = st.columns(2)
    a.metric("loss −log p", number(curve.probe_loss, 5), help=f"Exact: {exact(curve.probe_loss)}")
    b.metric("slope dL/dp", number(curve.probe_grad, 5), help="dL/dp = −1/p")


# --- MSE against cross-entropy ------------------------------------------------------------------


def mse_ce_controls() -> tuple[int, float]:
    """The true label y (1 or 0) and the logit z of the sigmoid output."""
    y = st.segmented_control(
        "True label y",
        [1, 0],
        default=1,
        required=True,
        key="loss_y",
        bind=BIND,
        format_func=lambda v: f"y = {v}",
    )
    z = st.slider(
        "Logit z (the model's raw score)",
        -8.0,
        8.0,
        -4.0,
        0.1,
        key="loss_z",
        bind=BIND,
        help="The prediction is p = σ(z).",
    )
    return y, z


def show_mse_ce_probe(cmp: SigmoidComparison) -> None:
    """The prediction p = σ(z) and both losses and gradients at the probe, as a small table."""
    pr = cmp.probe
    st.metric("prediction p = σ(z)", number(float(pr.p[0]), 5))
    st.markdown(
        "| | MSE | CE |\n|---|---:|---:|\n"
        f"| loss | {number(float(pr.mse[0]), 6)} | {number(float(pr.bce[0]), 6)} |\n"
        f"| grad | {number(float(pr.dmse_dz[0]), 6)} | {number(float(pr.dbce_dz[0]), 6)} |"
    )


def show_confident_mistake(cmp: SigmoidComparison, y: int) -> None:
    """A warning when the probe is a confident mistake (|p − y| > 0.9), with the gradient ratio."""
    pr = cmp.probe
    ratio = abs(float(pr.dbce_dz[0])) / max(abs(float(pr.dmse_dz[0])), 1e-300)
    if abs(float(pr.p[0]) - float(y)) > 0.9:
        st.warning(
            f"A confident mistake: p = {fixed(float(pr.p[0]), 4)} but y = {y}. Cross-entropy's "
            f"gradient is {ratio:,.0f}× larger than MSE's, so it corrects the mistake while MSE stalls.",
            icon=":material/warning:",
        )


# --- logits -> loss -> gradient -----------------------------------------------------------------


def chain_controls() -> tuple[int, int, float]:
    """Number of classes, the true class and the learning rate of the step: (k, target, lr)."""
    a, b, c = st.columns([1, 1, 1.3], vertical_alignment="bottom")
    with a:
        k = class_count(PREFIX)
    target = b.selectbox(
        "True class",
        range(k),
        format_func=class_labels(k).__getitem__,
        key="loss_target",
        bind=BIND,
    )
    lr = c.slider("Learning rate for the step", 0.1, 5.0, 1.0, 0.1, key="loss_lr", bind=BIND)
    return k, target, lr


def gradient_step(prefix: str, k: int, target: int, lr: float) -> None:
    """Callback: one step of gradient descent on the logits, z ← z − lr · (p − y); logs the loss."""
    key = f"{prefix}_history"
    history = st.session_state.get(key, [])
    step = logit_step(current_logits(prefix, k), target, lr, history, bound=LOGIT_BOUND)
    set_logits(prefix, step.logits)
    st.session_state[key] = list(step.history)


def step_history(prefix: str, loss: float) -> list[float] | None:
    """Losses of the gradient steps that led to ``loss``; None if the logits were edited since."""
    history = st.session_state.get(f"{prefix}_history", [])
    if len(history) > 1 and same_loss(history[-1], loss):
        return list(history)
    return None


def make_confident_mistake(prefix: str, k: int, target: int) -> None:
    """Callback: logits sure of the wrong class (another class at +5, the true one at −3)."""
    set_logits(prefix, confident_mistake(k, target))


def show_loss(res: SoftmaxCE) -> None:
    """The loss −log p(true class), with the change of the last step and the steps' sparkline."""
    history = step_history(PREFIX, res.loss)  # losses along the last gradient steps
    st.metric(
        f"loss = −log p({CLASS_NAMES[res.target]})",
        number(res.loss, 5),
        delta=f"{signed(number(history[-1] - history[-2], 4))} last step" if history else None,
        delta_color="inverse",
        chart_data=history,
        chart_type="line",
        help=f"Exact: {exact(res.loss)}",
    )


def step_buttons(k: int, target: int, lr: float) -> None:
    """Take one gradient step, make a confident mistake, or reset the logits."""
    st.button(
        "Take one gradient step",
        key="loss_step",
        type="primary",
        width="stretch",
        on_click=gradient_step,
        args=(PREFIX, k, target, lr),
        help="z ← z − lr · (p − y), exactly what SGD does to these logits.",
    )
    st.button(
        "Make a confident mistake",
        key="loss_wrong",
        width="stretch",
        on_click=make_confident_mistake,
        args=(PREFIX, k, target),
    )
    st.button(
        "Reset logits",
        key="loss_reset",
        width="stretch",
        on_click=set_logits,
        args=(PREFIX, DEFAULT_LOGITS),
    )
