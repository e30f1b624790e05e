"""Below the Backprop page's graph: the gradient-check table and one gradient-descent step.

``show_checks`` writes the engine's, torch's and the finite-difference gradients as text through
``dlviz.display`` (so an undefined finite difference reads "n/a" and -0.0 reads 0) and highlights
errors above ``CHECK_TOLERANCE``; ``show_descent`` takes one step on chosen parameters (the step
and its figure cached in ``descent_view``).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dlviz.backprop.examples import Variable
from dlviz.backprop.walkthrough import (
    BackpropConfig,
    BackpropResult,
    DescentStep,
    descent_step,
    step_losses,
)
from dlviz.display import number, signed
from dlviz.plots.backprop import step_line_figure
from dlviz.ui.common import chart
from dlviz.ui.links import BIND

CHECK_TOLERANCE = 1e-6  # an |error| above this is highlighted in the check table
LRS = [i / 40 for i in range(41)]  # 0 .. 1 for the one-step curve


@st.cache_resource(max_entries=64, show_spinner=False)
def descent_view(
    _result: BackpropResult, config: BackpropConfig, names: tuple[str, ...], lr: float
) -> tuple[DescentStep, go.Figure]:
    """One step on ``names`` at ``lr`` and the output against every lr, keyed by ``config``."""
    graph = _result.graph
    step = descent_step(graph, names, lr)
    losses = step_losses(graph, names, LRS)
    return step, step_line_figure(LRS, losses, lr, step.before, step.after)


def _table_height(rows: int) -> int:
    """Pixels for a dataframe showing every row without an inner scrollbar."""
    return 38 + 35 * rows


def check_frames(result: BackpropResult, config: BackpropConfig) -> tuple[pd.DataFrame, ...]:
    """The check table twice: as numbers (for the highlighting) and as the text shown."""
    order = [name for name, _ in config.values]
    rows = sorted(result.checks, key=lambda r: order.index(r.name) if r.name in order else 0)
    numbers = pd.DataFrame(
        {
            "variable": [r.name for r in rows],
            "value": [r.value for r in rows],
            "engine grad": [r.engine for r in rows],
            "torch.autograd (float64)": [r.torch for r in rows],
            "finite difference": [r.finite_difference for r in rows],
            "|engine − torch|": [r.error_torch for r in rows],
            "|engine − FD|": [r.error_finite_difference for r in rows],
        }
    )
    text = numbers.copy()
    for i, column in enumerate(numbers.columns[1:], start=1):
        digits = 8 if i < 5 else 2  # values and gradients in full, errors as orders of magnitude
        text[column] = [number(v, digits) for v in numbers[column]]
    return numbers, text


def show_checks(result: BackpropResult, config: BackpropConfig) -> None:
    """The check table: engine, torch float64 and finite-difference gradients with abs errors."""
    numbers, text = check_frames(result, config)
    # a translucent warm background (light or dark page alike) and a ✗ before the number
    bad = "background-color: rgba(194, 65, 12, 0.22)"
    errors = list(numbers.columns[5:])
    for col in errors:
        text[col] = [
            f"✗ {t}" if v > CHECK_TOLERANCE else t
            for t, v in zip(text[col], numbers[col], strict=True)
        ]
    styler = text.style.apply(
        lambda col: ["" if not v > CHECK_TOLERANCE else bad for v in numbers[col.name]],
        subset=errors,
    )
    st.dataframe(styler, hide_index=True, key="bp_checks", height=_table_height(len(text)))
    worst = max(numbers["|engine − torch|"], default=0.0)
    fd = [v for v in numbers["|engine − FD|"] if math.isfinite(v)]
    agreement = f"The engine agrees with torch.autograd to {number(worst, 2)} (float64 rounding)"
    if fd:
        agreement += (
            f" and with finite differences to {number(max(fd), 2)} (the difference quotient's "
            "own error)"
        )
    if len(fd) < len(numbers):
        agreement += (
            "; a finite difference reads n/a where nudging the input leaves the function's "
            "domain (log of a negative number, division by zero)"
        )
    if config.backward_calls == 1:
        st.success(agreement + ".", icon=":material/check_circle:")
    elif config.backward_calls == 0:
        st.error(
            "Every engine grad reads 0: backward() has not run yet, so nothing has been "
            "accumulated into .grad. Read gradients only after loss.backward().",
            icon=":material/error:",
        )
    else:
        st.error(
            "Every engine grad is exactly twice torch's: backward() adds (+=) into .grad, and "
            "nothing reset it between the two calls. Call zero_grad() before each backward().",
            icon=":material/error:",
        )


def show_descent(
    result: BackpropResult, config: BackpropConfig, variables: tuple[Variable, ...]
) -> DescentStep | None:
    """Pick parameters and a learning rate; show one step theta - lr * grad and the output."""
    graph = result.graph
    names = [v.name for v in variables]
    defaults = [v.name for v in variables if v.parameter]
    a, b = st.columns([2, 1])
    chosen = a.multiselect(
        "Parameters to update",
        names,
        default=defaults,
        key=f"bp_gd_params_{config.example}",
        bind=BIND,
    )
    lr = b.slider("Learning rate", 0.0, 1.0, 0.1, 0.025, key="bp_lr", bind=BIND)
    if not chosen:
        st.info("Choose at least one parameter to take a step.")
        return None
    step, figure = descent_view(result, config, tuple(chosen), lr)
    left, right = st.columns([1, 1.4], gap="large")
    with left:
        c1, c2 = st.columns(2)
        label = graph.root.label
        c1.metric(f"{label} before", number(step.before))
        delta = step.after - step.before
        c2.metric(
            f"{label} after",
            number(step.after, nan="undefined"),
            delta=signed(number(delta)) if math.isfinite(delta) else None,
            delta_color="inverse",
        )
        moves = pd.DataFrame(
            [(name, *(number(v, 6) for v in values)) for name, *values in step.moves],
            columns=["parameter", "before", "grad", "after"],
        )
        st.dataframe(moves, hide_index=True, key="bp_moves", height=_table_height(len(moves)))
    with right:
        chart(figure, key="bp_step_chart")
    return step
