"""Streamlit controls and the step-through of the Backprop page (widgets -> BackpropConfig -> views).

Every widget key starts with ``bp_``. The cached computation is ``dlviz.backprop.walkthrough``;
this module only reads widgets, keeps the step-through slider in range and renders the graph (its
DOT text cached per step in ``graph_view``). The check table and the one-step view below it are in
``dlviz.ui.backprop.results``.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dlviz.backprop.examples import (
    DEFAULT_EXPRESSION,
    EXAMPLES,
    EXPRESSION,
    Variable,
    example_variables,
)
from dlviz.backprop.graph import chain_rule_latex, chain_rule_text, grads_at
from dlviz.backprop.walkthrough import (
    BackpropConfig,
    BackpropResult,
    NothingToDifferentiate,
    run_backprop,
)
from dlviz.display import escape_markdown
from dlviz.expression import ExpressionError
from dlviz.plots.backprop import graph_dot

EXAMPLE_TITLES = {**{k: e.title for k, e in EXAMPLES.items()}, EXPRESSION: "Your own expression"}
VALUE_RANGE = 100.0


@st.cache_data(max_entries=64, show_spinner=False)
def cached_backprop(config: BackpropConfig) -> BackpropResult:
    """run_backprop, cached by its (frozen) config."""
    return run_backprop(config)


@st.cache_resource(max_entries=64, show_spinner=False)
def graph_view(_result: BackpropResult, config: BackpropConfig, k: int, rankdir: str) -> str:
    """The graph as DOT after k backward steps (0: forward pass only), keyed by ``config``."""
    steps = list(_result.steps)
    current = steps[k - 1].node if k > 0 else None
    return graph_dot(_result.graph, grads_at(steps, k - 1), current, rankdir=rankdir)


def variable_key(example: str, name: str) -> str:
    """The number input's key for one variable of one example, e.g. bp_v_mlp_221_w11."""
    return f"bp_v_{example}_{name}"


def _variable_inputs(
    example: str, variables: tuple[Variable, ...]
) -> tuple[tuple[str, float], ...]:
    """One bounded number input per variable, six to a row."""
    values = []
    per_row = 6
    for start in range(0, len(variables), per_row):
        cols = st.columns(per_row)
        for col, var in zip(cols, variables[start : start + per_row], strict=False):
            value = col.number_input(
                escape_markdown(var.name),
                min_value=-VALUE_RANGE,
                max_value=VALUE_RANGE,
                value=var.default,
                step=0.1,
                format="%.3f",
                key=variable_key(example, var.name),
                help="a parameter (moved by gradient descent)" if var.parameter else "data (fixed)",
            )
            values.append((var.name, float(value)))
    return tuple(values)


def backprop_controls() -> tuple[BackpropConfig, tuple[Variable, ...]] | None:
    """Example, expression and variable values; None (after an error message) if invalid."""
    example = st.selectbox(
        "Example",
        list(EXAMPLE_TITLES),
        format_func=EXAMPLE_TITLES.get,
        key="bp_preset",
    )
    expression = ""
    if example == EXPRESSION:
        expression = st.text_input(
            "Expression (variables are any names; functions: exp, log, tanh, sigmoid, relu)",
            value=DEFAULT_EXPRESSION,
            max_chars=200,
            key="bp_expr",
            help="Numbers, + - * / **, parentheses and exp/log/tanh/sigmoid/relu. "
            "Powers must be by a number (x**2). At most 60 operations.",
        )
        try:
            variables = example_variables(EXPRESSION, expression)
        except ExpressionError as err:
            show_expression_error(err, "Cannot read that expression: ")
            return None
    else:
        variables = example_variables(example)
        st.latex(EXAMPLES[example].latex)
    values = _variable_inputs(example, variables)
    return BackpropConfig(example, values, expression), variables


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


def show_expression_error(err: ExpressionError, prefix: str = "") -> None:
    """The evaluator's message for a bad expression, escaped so ``x**2`` prints as typed."""
    st.error(prefix + escape_markdown(f"{err}."), icon=":material/error:")


def compute(config: BackpropConfig) -> BackpropResult | None:
    """The cached result, or None after showing what went wrong and what to change."""
    try:
        return cached_backprop(config)
    except NothingToDifferentiate as err:
        st.warning(escape_markdown(f"{err}."), icon=":material/function:")
    except ExpressionError as err:
        show_expression_error(err)
    return None


def _clamp_step(total: int, signature: tuple) -> None:
    """Jump to the last step when the graph changes; keep the slider inside 0..total."""
    state = st.session_state
    if state.get("bp_signature") != signature or "bp_step" not in state:
        state["bp_signature"] = signature
        state["bp_step"] = total
    state["bp_step"] = min(max(int(state["bp_step"]), 0), total)


def _move(delta: int, total: int) -> None:
    """Callback of Prev / Next: one step back or forward, inside 0..total."""
    st.session_state["bp_step"] = min(max(st.session_state["bp_step"] + delta, 0), total)


@st.fragment
def show_step_through(result: BackpropResult, config: BackpropConfig) -> None:
    """Prev / slider / Next over the backward pass, the graph at that step and its chain rule.

    A fragment: stepping reruns only this part of the page, not the checks and the figure below.
    """
    total = len(result.steps)
    _clamp_step(total, (config.example, config.expression))  # new numbers keep the step
    k, rankdir = _step_controls(total)
    _show_graph(graph_view(result, config, k, rankdir), result.graph.root.label)
    _show_step(result, k)


def _step_controls(total: int) -> tuple[int, str]:
    """Prev and Next buttons, the step slider and the layout switch: (step k, rankdir)."""
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
    return k, rankdir or "LR"


def _show_graph(dot: str, root: str) -> None:
    """The graph in a fresh mount on every rerun, and the caption saying how to read it."""
    # d3-graphviz updates a mounted graph far more slowly than it draws a fresh one (seconds for
    # a 60-op graph), so every rerun draws into the other of two slots: a new mount each time.
    slots = [st.empty(), st.empty()]
    flip = st.session_state["bp_flip"] = 1 - st.session_state.get("bp_flip", 0)
    slots[1 - flip].empty()
    slots[flip].graphviz_chart(dot, width="content")
    st.caption(
        "Boxes: name | value | gradient d"
        f"{root}/d(name). Vermilion = positive gradient, blue = negative, deeper = "
        "larger; grey = not reached yet; the outlined box is the current step. Circles are the "
        "operations; plain numbers are constants."
    )


def _show_step(result: BackpropResult, k: int) -> None:
    """What step k did: the forward-pass note at 0, else the node's chain rule with numbers."""
    graph, steps = result.graph, result.steps
    if k == 0:
        st.info(
            "Forward pass done: every value is known, no gradient yet. Press **Next** to start "
            f"the backward pass with d{graph.root.label}/d{graph.root.label} = 1.",
            icon=":material/arrow_forward:",
        )
        return
    step = steps[k - 1]
    node = graph.nodes[step.node]
    st.markdown(f"**Step {k} of {len(steps)}: the gradient of `{node.label}` is complete.**")
    st.latex(chain_rule_latex(graph, step))
    st.caption(chain_rule_text(graph, step))
