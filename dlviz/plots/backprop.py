"""Drawing a traced computation graph: a DOT string for ``st.graphviz_chart``, and a plotly figure.

``graph_dot`` lays the graph out left to right: value nodes (label, data, grad) with small op nodes
between them, the fill colour showing the gradient's sign (vermilion +, blue -) and size (deeper =
larger |grad|), grey for nodes the backward pass has not reached yet, the current node outlined.
``step_line_figure`` plots the loss after one gradient step against the learning rate. Neither
computes anything about the graph; that is ``dlviz.backprop.graph``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from dlviz.backprop.graph import CONSTANT, OUTPUT, Graph, Node
from dlviz.display import number
from dlviz.plots.style import BAD, GOOD, PALETTE, mix_white, styled

POSITIVE = "#E4572E"  # vermilion: grad > 0 (increasing this value increases the output)
NEGATIVE = "#2E86DE"  # blue: grad < 0
UNREACHED = "#EEF0F3"
HIGHLIGHT = PALETTE[0]
OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−x"}


def grad_color(grad: float, scale: float) -> str:
    """Fill for a gradient: sign picks the hue, sqrt(|grad| / scale) the depth (white at 0)."""
    if scale <= 0 or grad == 0 or not math.isfinite(grad):
        return "#FFFFFF"
    t = 0.12 + 0.68 * math.sqrt(min(abs(grad) / scale, 1.0))
    return mix_white(POSITIVE if grad > 0 else NEGATIVE, t)


def _fmt(x: float) -> str:
    """4 significant digits; float noise such as 5.6e-17 (from 0.6 - 0.4 - 0.2) shows as 0."""
    return "0" if abs(x) < 1e-12 else number(x, 4)


def _escape(text: str) -> str:
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _op_label(op: str) -> str:
    if op in OP_SYMBOLS:
        return OP_SYMBOLS[op]
    if op.startswith("**"):
        return "x" + op.replace("(", "").replace(")", "")[:8].replace("**", "^")
    return op


def graph_dot(
    graph: Graph,
    grads: Mapping[int, float] | None = None,
    current: int | None = None,
    rankdir: str = "LR",
) -> str:
    """DOT source of ``graph``; ``grads`` (node id -> grad) are the ones shown, None = all known.

    ``rankdir`` "LR" (left to right, the default) or "TB" (top to bottom, for long graphs).
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', not {rankdir!r}")
    shown = {n.id: n.grad for n in graph.nodes} if grads is None else dict(grads)
    # The output's own gradient is always 1: leave it out so the colours show the rest.
    inner = [abs(g) for i, g in shown.items() if i != graph.root.id and math.isfinite(g)]
    scale = max(inner, default=1.0) or 1.0
    root = graph.root.label
    lines = [
        "digraph backprop {",
        f'  graph [rankdir={rankdir}, bgcolor="transparent", nodesep=0.1, ranksep=0.18, '
        'fontname="Helvetica"];',
        '  node [fontname="Helvetica", fontsize=10, color="#5B6170", height=0.3];',
        '  edge [color="#9AA0AE", arrowsize=0.55];',
    ]
    feeds_current = set()
    if current is not None:
        feeds_current = {n.id for n in graph.nodes if current in n.parents}
    for n in graph.nodes:
        lines.append("  " + _value_node(n, shown, scale, current, root, rankdir == "TB"))
        if not n.op:
            continue
        op_attrs = (
            'shape=circle, style=filled, fillcolor="#F4F4FB", fontsize=9, margin=0, '
            "width=0.28, height=0.28"
        )
        if n.id in feeds_current:
            op_attrs += f', color="{HIGHLIGHT}", penwidth=2'
        lines.append(f'  op{n.id} [{op_attrs}, label="{_escape(_op_label(n.op))}"];')
        for p in n.parents:
            hot = p == current
            style = f' [color="{HIGHLIGHT}", penwidth=2.2]' if hot else ""
            lines.append(f"  v{p} -> op{n.id}{style};")
        lines.append(f"  op{n.id} -> v{n.id};")
    lines.append("}")
    return "\n".join(lines)


def _value_node(
    n: Node,
    shown: Mapping[int, float],
    scale: float,
    current: int | None,
    root: str,
    flip: bool = False,
) -> str:
    """One value node: a record 'label | data | grad' (stacked), filled by its gradient."""
    if n.kind == CONSTANT:
        return (
            f'v{n.id} [shape=plaintext, fontcolor="#6B7280", label="{_escape(n.label)}", '
            f'tooltip="constant {_fmt(n.data)}"];'
        )
    known = n.id in shown
    grad = shown.get(n.id, math.nan)
    fill = grad_color(grad, scale) if known else UNREACHED
    grad_text = f"grad {_fmt(grad)}" if known else "grad ?"
    label = f"{_escape(n.label)} | data {_fmt(n.data)} | {grad_text}"
    if flip:  # in a top-to-bottom layout a record lays its fields side by side unless braced
        label = "{" + label + "}"
    tooltip = f"{n.label} = {_fmt(n.data)}; d{root}/d{n.label} = " + (
        _fmt(grad) if known else "not computed yet"
    )
    attrs = [
        "shape=record",
        'style="rounded,filled"',
        f'fillcolor="{fill}"',
        f'label="{label}"',
        f'tooltip="{_escape(tooltip)}"',
    ]
    if n.kind == OUTPUT:
        attrs.append("peripheries=2")
    if n.id == current:
        attrs += [f'color="{HIGHLIGHT}"', "penwidth=3.2"]
    elif not known:
        attrs.append('fontcolor="#8A8F9C"')
    return f"v{n.id} [{', '.join(attrs)}];"


def step_line_figure(
    lrs: Sequence[float], losses: Sequence[float], lr: float, before: float, after: float
) -> go.Figure:
    """The output after one step theta - lr * grad, against lr; the chosen lr marked."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(lrs),
            y=[None if not math.isfinite(v) else v for v in losses],
            mode="lines",
            name="after one step",
            line={"color": PALETTE[0], "width": 2.5},
            hovertemplate="lr %{x:.3g}<br>after %{y:.5g}<extra></extra>",
        )
    )
    fig.add_hline(
        y=before,
        line={"dash": "dot", "color": "#7F8C8D"},
        annotation_text="before the step",
        annotation_position="top left",
    )
    if math.isfinite(after):
        fig.add_trace(
            go.Scatter(
                x=[lr],
                y=[after],
                mode="markers",
                name="your learning rate",
                marker={"size": 12, "color": GOOD if after <= before else BAD},
                hovertemplate="lr %{x:.3g}<br>after %{y:.5g}<extra></extra>",
            )
        )
    fig.update_xaxes(title="learning rate")
    fig.update_yaxes(title="output after one step")
    return styled(fig, height=330)  # the section heading names it; the legend takes the top
