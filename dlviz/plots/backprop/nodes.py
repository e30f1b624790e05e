"""What each box of the computation graph says and how it looks after k backward steps.

A value box reads ``name / data / grad`` and is filled by its gradient: the sign picks the hue
(vermilion +, blue -), sqrt(|grad| / largest |grad| known so far) the depth (``colors``); grey
while the backward pass has not reached it; the current step's box outlined. An operation is a
small pill with its symbol, outlined while it passes the current gradient back; a constant is a
plain grey number. ``node_size`` gives every box the size its text needs (for
``dlviz.backprop.layout``), ``look_at`` what changes at a step (for the figure's frames). Nothing
here computes gradients.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dlviz.backprop.graph import CONSTANT, Graph, Node, Step, grads_at
from dlviz.backprop.layout import VALUE
from dlviz.display import number
from dlviz.plots.backprop.colors import LIGHT, Colors, grad_color

OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−x"}

FONT_SIZE = 12  # the largest text in a box; plotly shrinks it to fit when the box is drawn small
CHAR = 0.62 * FONT_SIZE  # average advance of one character
LINE = 1.25 * FONT_SIZE
OP_HEIGHT = 24.0


def fmt(x: float) -> str:
    """4 significant digits; float noise such as 5.6e-17 (from 0.6 - 0.4 - 0.2) shows as 0."""
    return "0" if abs(x) < 1e-12 else number(x, 4)


def html(text: str) -> str:
    """Text for plotly, which reads a subset of HTML: no tag may start inside a label."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def op_label(op: str) -> str:
    """The symbol drawn in an operation's pill: ×, +, relu, x^2 ..."""
    if op in OP_SYMBOLS:
        return OP_SYMBOLS[op]
    if op.startswith("**"):
        return "x" + op.replace("(", "").replace(")", "")[:8].replace("**", "^")
    return op


def grad_text(grad: float | None) -> str:
    """The gradient as a box shows it: '?' while the backward pass has not reached the box."""
    return "?" if grad is None else fmt(grad)


def node_size(node: Node, kind: str, grad: float = 0.0) -> tuple[float, float]:
    """(width, height) in pixels at full size: room for the longest line the box will show once
    its gradient ``grad`` is known (name, 'data ...', 'grad ...')."""
    if kind != VALUE:
        return max(OP_HEIGHT + 2, CHAR * len(op_label(node.op)) + 14), OP_HEIGHT
    if node.kind == CONSTANT:
        return CHAR * len(fmt(node.data)) + 8, LINE + 4
    lines = (node.label, f"data {fmt(node.data)}", f"grad {grad_text(grad)}")
    return max(56.0, CHAR * max(map(len, lines)) + 16), 3 * LINE + 9


@dataclass(frozen=True)
class Look:
    """What changes with the step, one entry per box (``boxes``): for one plotly frame."""

    fill: tuple[str, ...]
    grad: tuple[str, ...]  # the gradient as shown: '?' or the number
    ink: tuple[str, ...]  # text colour: muted while not reached
    current: int | None  # the node whose gradient this step completed (None at step 0)
    feeding: tuple[int, ...]  # the ops that use ``current``: its gradient came back through them


def boxes(graph: Graph) -> list[Node]:
    """The nodes drawn as boxes: every value except the constants, in topological order."""
    return [n for n in graph.nodes if n.kind != CONSTANT]


def ops(graph: Graph) -> list[Node]:
    """The nodes made by an operation (one pill each), in topological order."""
    return [n for n in graph.nodes if n.op]


def look_at(graph: Graph, steps: Sequence[Step], k: int, colors: Colors = LIGHT) -> Look:
    """The drawing after k backward steps (0: forward pass only, len(steps): all known)."""
    known: Mapping[int, float] = grads_at(list(steps), k - 1)
    current = steps[k - 1].node if k > 0 else None
    # The output's own gradient is always 1: leave it out so the colours show the rest.
    inner = [abs(g) for i, g in known.items() if i != graph.root.id and math.isfinite(g)]
    scale = max(inner, default=1.0) or 1.0
    shown = [(n, known.get(n.id)) for n in boxes(graph)]
    return Look(
        fill=tuple(
            colors.unreached if g is None else grad_color(g, scale, colors) for _, g in shown
        ),
        grad=tuple(grad_text(g) for _, g in shown),
        ink=tuple(colors.muted if g is None and n.id != current else colors.ink for n, g in shown),
        current=current,
        feeding=tuple(n.id for n in ops(graph) if current is not None and current in n.parents),
    )
