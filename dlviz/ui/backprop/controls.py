"""Streamlit controls and the step-through of the Backprop page (widgets -> BackpropConfig -> views).

Every widget key starts with ``bp_``. The cached computation is ``dlviz.backprop.walkthrough``;
this module only reads widgets and draws the graph: one plotly figure per graph and layout
(``graph_view``) whose frames are the backward-pass steps, so stepping (its Prev / Next buttons,
slider and Play) happens in the browser without a rerun. The check table and the one-step view
below it are in ``dlviz.ui.backprop.results``.
"""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from dlviz.backprop.examples import (
    DEFAULT_EXPRESSION,
    EXAMPLES,
    EXPRESSION,
    Variable,
    example_variables,
)
from dlviz.backprop.graph import chain_rule_latex
from dlviz.backprop.walkthrough import (
    BackpropConfig,
    BackpropResult,
    NothingToDifferentiate,
    run_backprop,
)
from dlviz.display import escape_markdown
from dlviz.expression import ExpressionError
from dlviz.plots.backprop import graph_figure
from dlviz.ui.common import chart
from dlviz.ui.links import BIND

EXAMPLE_TITLES = {**{k: e.title for k, e in EXAMPLES.items()}, EXPRESSION: "Your own expression"}
VALUE_RANGE = 100.0


@st.cache_data(max_entries=64, show_spinner=False)
def cached_backprop(config: BackpropConfig) -> BackpropResult:
    """run_backprop, cached by its (frozen) config."""
    return run_backprop(config)


@st.cache_resource(max_entries=32, show_spinner=False)
def graph_view(
    _result: BackpropResult, config: BackpropConfig, direction: str, dark: bool
) -> go.Figure:
    """The graph laid out along ``direction``, one frame per backward step, in the colours of a
    ``dark`` or light page; keyed by ``config``."""
    return graph_figure(_result.graph, _result.steps, direction, dark)


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
                bind=BIND,
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
        bind=BIND,
    )
    expression = ""
    if example == EXPRESSION:
        expression = st.text_input(
            "Expression (variables are any names; functions: exp, log, tanh, sigmoid, relu)",
            value=DEFAULT_EXPRESSION,
            max_chars=200,
            key="bp_expr",
            bind=BIND,
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
        bind=BIND,
        help="Every .grad starts at 0 and stays 0 until backward() runs.",
    )
    twice = b.toggle(
        "Mistake: call backward() twice without zero_grad()",
        key="bp_twice",
        bind=BIND,
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


LAYOUTS = {"LR": "→ wide", "TB": "↓ tall"}


@st.fragment
def show_step_through(result: BackpropResult, config: BackpropConfig) -> None:
    """The graph with its step controls, how to read it, and every step's chain rule in LaTeX.

    A fragment: switching the layout reruns only this part of the page. Stepping reruns nothing.
    """
    hint, layout = st.columns([5, 1.3], vertical_alignment="bottom")
    direction = layout.segmented_control(
        "Layout",
        list(LAYOUTS),
        default="LR",
        required=True,
        format_func=LAYOUTS.get,
        key="bp_layout",
        bind=BIND,
        help="Left to right (wide) or top to bottom (tall): tall fits long graphs, such as "
        "the MLP or a long expression, at a readable size.",
    )
    hint.caption(
        "Step through the backward pass with **◀ Prev** / **Next ▶**, the step slider or "
        "**▶ Play** in the figure. Step 0 is the forward pass only. Drag to move a big graph; "
        "double-click to get back, and again to see all of it; hover over a box for its numbers."
    )
    dark = st.context.theme.type == "dark"  # None in tests and before the browser says: light
    figure = graph_view(result, config, direction or "LR", dark)
    chart(figure, key="bp_graph", width="content", config=GRAPH_CONFIG)
    root = result.graph.root.label
    st.caption(
        f"Boxes: name, value, gradient d{root}/d(name). Vermilion = positive gradient, blue = "
        "negative, deeper = larger; grey = not reached yet; the outlined box is the current "
        "step, and the outlined operations and edges are where its gradient came back from. "
        "Pills are the operations; plain numbers are constants; the double border is the output."
    )
    with st.expander("Every step's chain rule as a formula"):
        st.markdown(steps_markdown(result))


GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def steps_markdown(result: BackpropResult) -> str:
    """Each step of the backward pass with its chain rule in LaTeX, as one Markdown text."""
    graph, steps = result.graph, result.steps
    parts = []
    for k, step in enumerate(steps, start=1):
        label = escape_markdown(graph.nodes[step.node].label)
        parts.append(
            f"**Step {k}** of {len(steps)}: the gradient of {label}\n\n"
            f"$$\n{chain_rule_latex(graph, step)}\n$$"
        )
    return "\n\n".join(parts)
