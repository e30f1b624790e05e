"""Streamlit controls and views of the Backprop page (widgets -> BackpropConfig -> views).

Every widget key starts with ``bp_``. The cached computation is ``dlviz.autodiff.walkthrough``;
this module only reads widgets, keeps the step-through slider in range and renders results.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import streamlit as st

from dlviz.autodiff import ExpressionError
from dlviz.autodiff.graph import chain_rule_latex, chain_rule_text, grads_at
from dlviz.autodiff.presets import (
    DEFAULT_EXPRESSION,
    EXPRESSION,
    PRESETS,
    Variable,
    preset_variables,
)
from dlviz.autodiff.walkthrough import (
    BackpropConfig,
    BackpropResult,
    DescentStep,
    descent_step,
    run_backprop,
    step_losses,
)
from dlviz.plots.graph import graph_dot, step_line_figure

PRESET_TITLES = {**{k: p.title for k, p in PRESETS.items()}, EXPRESSION: "Your own expression"}
VALUE_RANGE = 100.0
LRS = [i / 40 for i in range(41)]  # 0 .. 1 for the one-step curve


@st.cache_data(max_entries=64, show_spinner=False)
def cached_backprop(config: BackpropConfig) -> BackpropResult:
    """run_backprop, cached by its (frozen) config."""
    return run_backprop(config)


def variable_key(preset: str, name: str) -> str:
    """The number input's key for one variable of one preset, e.g. bp_v_mlp_221_w11."""
    return f"bp_v_{preset}_{name}"


def _variable_inputs(preset: str, variables: tuple[Variable, ...]) -> tuple[tuple[str, float], ...]:
    """One bounded number input per variable, six to a row."""
    values = []
    per_row = 6
    for start in range(0, len(variables), per_row):
        cols = st.columns(per_row)
        for col, var in zip(cols, variables[start : start + per_row], strict=False):
            value = col.number_input(
                var.name,
                min_value=-VALUE_RANGE,
                max_value=VALUE_RANGE,
                value=var.default,
                step=0.1,
                format="%.3f",
                key=variable_key(preset, var.name),
                help="a parameter (moved by gradient descent)" if var.parameter else "data (fixed)",
            )
            values.append((var.name, float(value)))
    return tuple(values)


def backprop_controls() -> tuple[BackpropConfig, tuple[Variable, ...]] | None:
    """Preset, expression and variable values; None (after an error message) if invalid."""
    preset = st.selectbox(
        "Example",
        list(PRESET_TITLES),
        format_func=PRESET_TITLES.get,
        key="bp_preset",
    )
    expression = ""
    if preset == EXPRESSION:
        expression = st.text_input(
            "Expression (variables are any names; functions: exp, log, tanh, sigmoid, relu)",
            value=DEFAULT_EXPRESSION,
            max_chars=200,
            key="bp_expr",
            help="Numbers, + - * / **, parentheses and exp/log/tanh/sigmoid/relu. "
            "Powers must be by a number (x**2). At most 60 operations.",
        )
        try:
            variables = preset_variables(EXPRESSION, expression)
        except ExpressionError as err:
            st.error(f"Cannot read that expression: {err}.", icon=":material/error:")
            return None
    else:
        variables = preset_variables(preset)
        st.latex(PRESETS[preset].latex)
    values = _variable_inputs(preset, variables)
    return BackpropConfig(preset, values, expression), variables


def mistake_controls(config: BackpropConfig) -> BackpropConfig:
    """Two switches for the classic mistakes; the config with the resulting backward() count."""
    a, b = st.columns(2)
    before = a.toggle(
        "Mistake: read the grads *before* calling backward()",
        key="bp_before",
        help="Every .grad starts at 0 and stays 0 until backward() runs.",
    )
    twice = b.toggle(
        "Mistake: call backward() twice without zero_grad()",
        key="bp_twice",
        help="Gradients accumulate (+=), as in PyTorch: a second call adds them again.",
    )
    return replace(config, backward_calls=0 if before else (2 if twice else 1))


def compute(config: BackpropConfig) -> BackpropResult | None:
    """The cached result, or None after showing what went wrong and what to change."""
    try:
        return cached_backprop(config)
    except ExpressionError as err:
        st.error(f"{err}.", icon=":material/error:")
        return None


def _clamp_step(total: int, signature: tuple) -> None:
    """Jump to the last step when the graph changes; keep the slider inside 0..total."""
    state = st.session_state
    if state.get("bp_signature") != signature or "bp_step" not in state:
        state["bp_signature"] = signature
        state["bp_step"] = total
    state["bp_step"] = min(max(int(state["bp_step"]), 0), total)


def _move(delta: int, total: int) -> None:
    st.session_state["bp_step"] = min(max(st.session_state["bp_step"] + delta, 0), total)


@st.fragment
def show_step_through(result: BackpropResult, config: BackpropConfig) -> None:
    """Prev / slider / Next over the backward pass, the graph at that step and its chain rule.

    A fragment: stepping reruns only this part of the page, not the checks and the figure below.
    """
    graph, steps = result.graph, result.steps
    total = len(steps)
    _clamp_step(total, (config.preset, config.expression))  # new numbers keep the step
    prev, mid, nxt, layout = st.columns([1, 6, 1, 1.8], vertical_alignment="bottom")
    at = st.session_state["bp_step"]
    prev.button(
        "◀ Prev", key="bp_prev", on_click=_move, args=(-1, total), width="stretch", disabled=at <= 0
    )
    nxt.button(
        "Next ▶",
        key="bp_next",
        on_click=_move,
        args=(1, total),
        width="stretch",
        disabled=at >= total,
    )
    k = mid.slider(
        "Backward-pass step (0 = forward pass only)",
        min_value=0,
        max_value=total,
        key="bp_step",
    )
    rankdir = layout.segmented_control(
        "Layout",
        ["LR", "TB"],
        default="LR",
        required=True,
        format_func={"LR": "→ wide", "TB": "↓ tall"}.get,
        key="bp_layout",
        help="Left to right (wide) or top to bottom (tall): tall fits long graphs, such as "
        "the MLP or a long expression, at a readable size.",
    )
    current = steps[k - 1].node if k > 0 else None
    dot = graph_dot(graph, grads_at(list(steps), k - 1), current, rankdir=rankdir or "LR")
    # d3-graphviz updates a mounted graph far more slowly than it draws a fresh one (seconds for
    # a 60-op graph), so every rerun draws into the other of two slots: a new mount each time.
    slots = [st.empty(), st.empty()]
    flip = st.session_state["bp_flip"] = 1 - st.session_state.get("bp_flip", 0)
    slots[1 - flip].empty()
    slots[flip].graphviz_chart(dot, width="content")
    st.caption(
        "Boxes: name | value | gradient d"
        f"{graph.root.label}/d(name). Vermilion = positive gradient, blue = negative, deeper = "
        "larger; grey = not reached yet; the outlined box is the current step. Circles are the "
        "operations; plain numbers are constants."
    )
    if current is None:
        st.info(
            "Forward pass done: every value is known, no gradient yet. Press **Next** to start "
            f"the backward pass with d{graph.root.label}/d{graph.root.label} = 1.",
            icon=":material/arrow_forward:",
        )
        return
    step = steps[k - 1]
    node = graph.nodes[step.node]
    st.markdown(f"**Step {k} of {total}: the gradient of `{node.label}` is complete.**")
    st.latex(chain_rule_latex(graph, step))
    st.caption(chain_rule_text(graph, step))


def _table_height(rows: int) -> int:
    """Pixels for a dataframe showing every row without an inner scrollbar."""
    return 38 + 35 * rows


def show_checks(result: BackpropResult, config: BackpropConfig) -> None:
    """The check table: engine, torch float64 and finite-difference gradients with abs errors."""
    order = [name for name, _ in config.values]
    rows = sorted(result.checks, key=lambda r: order.index(r.name) if r.name in order else 0)
    frame = pd.DataFrame(
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
    bad = "background-color: rgba(214, 39, 40, 0.18); color: #8B1A1A"
    styler = frame.style.format(
        {c: "{:.8g}" for c in frame.columns[1:5]} | {c: "{:.1e}" for c in frame.columns[5:]}
    ).map(lambda v: bad if v > 1e-6 else "", subset=list(frame.columns[5:]))
    st.dataframe(styler, hide_index=True, key="bp_checks", height=_table_height(len(rows)))
    worst = max((r.error_torch for r in rows), default=0.0)
    worst_fd = max((r.error_finite_difference for r in rows), default=0.0)
    if config.backward_calls == 1:
        st.success(
            f"The engine agrees with torch.autograd to {worst:.1e} (float64 rounding) and with "
            f"finite differences to {worst_fd:.1e} (the difference quotient's own error).",
            icon=":material/check_circle:",
        )
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
        "Parameters to update", names, default=defaults, key=f"bp_gd_params_{config.preset}"
    )
    lr = b.slider("Learning rate", 0.0, 1.0, 0.1, 0.025, key="bp_lr")
    if not chosen:
        st.info("Choose at least one parameter to take a step.")
        return None
    step = descent_step(graph, tuple(chosen), lr)
    losses = step_losses(graph, tuple(chosen), LRS)
    left, right = st.columns([1, 1.4], gap="large")
    with left:
        c1, c2 = st.columns(2)
        label = graph.root.label
        c1.metric(f"{label} before", f"{step.before:.4g}")
        delta = step.after - step.before if math.isfinite(step.after) else None
        c2.metric(
            f"{label} after",
            f"{step.after:.4g}" if math.isfinite(step.after) else "undefined",
            delta=None if delta is None else f"{delta:+.4g}",
            delta_color="inverse",
        )
        moves = pd.DataFrame(step.moves, columns=["parameter", "before", "grad", "after"])
        st.dataframe(moves, hide_index=True, key="bp_moves", height=_table_height(len(moves)))
    with right:
        figure = step_line_figure(LRS, losses, lr, step.before, step.after)
        st.plotly_chart(figure, key="bp_step_chart")
    return step
