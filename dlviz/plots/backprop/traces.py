"""The traces of the computation-graph figure and the text of each step.

The value boxes and operation pills are bars (plotly shrinks their text to fit when the figure is
drawn small and grows it back when zoomed in), the edges polylines with an arrowhead, all placed
by ``dlviz.backprop.layout``. ``traces`` draws everything at one step; ``step_parts`` is only
what a step changes (the frames of ``dlviz.plots.backprop.figure`` carry it: fills, gradient
texts, the current box's outline, the ops and edges its gradient came back through).
How much of a big graph is shown, and where, is ``dlviz.plots.backprop.view``; how each box looks is ``dlviz.plots.backprop.nodes``, in the colours of ``colors``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

from dlviz.backprop.graph import CONSTANT, Graph, Node, Step, chain_rule_text
from dlviz.backprop.layout import Layout, Placed, op_key, value_key
from dlviz.plots.backprop.colors import Colors
from dlviz.plots.backprop.nodes import (
    FONT_SIZE,
    Look,
    boxes,
    fmt,
    html,
    op_label,
    ops,
)
from dlviz.plots.style import FONT

CONTROLS = 62  # px above the plot for the step buttons and the slider
TEXT_LINE = 18  # px per line of the step's text
WRAP = 118  # characters per line of the step's text
OP_RADIUS, VALUE_RADIUS = 11, 7  # px: pills and rounded boxes
# The traces, in drawing order; STEPPED are those a frame changes (see ``step_parts``).
EDGES, ARROWS, HOT, HOT_ARROWS, RING, VALUES, OPS, CONSTANTS, CURRENT, FEEDING = range(10)
STEPPED = [HOT, HOT_ARROWS, VALUES, CURRENT, FEEDING]
STEP = {
    "frame": {"duration": 0, "redraw": True},
    "mode": "immediate",
    "transition": {"duration": 0},
}


def _polylines(layout: Layout, pairs: set[tuple[str, str]] | None = None) -> dict:
    """Edges (all, or those in ``pairs``) as one trace's x and y, None between edges. A trunk
    shared by several edges (one source, the same bends) is drawn once."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    drawn: set[tuple] = set()
    for route in layout.routes:
        if pairs is not None and (route.source, route.target) not in pairs:
            continue
        points = [(round(x, 1), round(y, 1)) for x, y in route.points]
        start = 0
        while start < len(points) - 2 and (points[start], points[start + 1]) in drawn:
            start += 1
        drawn.update(zip(points, points[1:], strict=False))
        xs += [x for x, _ in points[start:]] + [None]
        ys += [y for _, y in points[start:]] + [None]
    return {"x": xs, "y": ys}


def _arrowheads(
    layout: Layout,
    pairs: set[tuple[str, str]] | None = None,
    length: float = 8.0,
    width: float = 6.0,
) -> dict:
    """A filled triangle at the end of every edge (or those in ``pairs``), along its last
    segment, as one polygon trace.

    Drawing them all as one filled path (instead of a marker per edge) keeps a step's redraw
    short: plotly redraws every element on each frame, and a marker is one element each.
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    for route in layout.routes:
        if pairs is not None and (route.source, route.target) not in pairs:
            continue
        (x0, y0), (x1, y1) = route.points[-2], route.points[-1]
        norm = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / norm, (y1 - y0) / norm
        bx, by = x1 - length * ux, y1 - length * uy
        for x, y in ((x1, y1), (bx - width / 2 * uy, by + width / 2 * ux)):
            xs.append(round(x, 1))
            ys.append(round(y, 1))
        xs += [round(bx + width / 2 * uy, 1), None]
        ys += [round(by - width / 2 * ux, 1), None]
    return {"x": xs, "y": ys}


def _bars(items: Sequence[Placed], grow: float = 0.0, **style) -> dict:
    """Boxes (``grow`` px larger) as a horizontal bar trace: each bar spans its box's x and is as
    thick as its height; text inside, shrunk to fit."""
    return {
        "type": "bar",
        "orientation": "h",
        "base": [round(p.x - (p.width + grow) / 2, 1) for p in items],
        "x": [round(p.width + grow, 1) for p in items],
        "y": [round(p.y, 1) for p in items],
        "width": [round(p.height + grow, 1) for p in items],
        "textposition": "inside",
        "insidetextanchor": "middle",
        "textangle": 0,
        "constraintext": "inside",
        "showlegend": False,
        "hoverinfo": "skip",
        **style,
    }


def _edges(color: str, width: float) -> dict:
    """The look of an edge trace (its points come from ``_polylines``)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "line": {"color": color, "width": width},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _heads(color: str) -> dict:
    """The look of an arrowhead trace (its triangles come from ``_arrowheads``)."""
    return {**_edges(color, 0), "fill": "toself", "fillcolor": color}


def _outline(color: str, width: float, radius: int) -> dict:
    """Empty boxes drawn over others, their outline only (where: a frame says)."""
    line = {"color": color, "width": width}
    return _bars([], marker={"color": "rgba(0,0,0,0)", "line": line, "cornerradius": radius})


def _deep(*parts: dict) -> dict:
    """The dicts merged, nested dicts merged too (a trace's per-step part with its fixed style)."""
    out: dict = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = _deep(out[key], value)
            else:
                out[key] = value
    return out


def traces(graph: Graph, layout: Layout, look: Look, colors: Colors) -> list[dict]:
    """Every trace of the figure (in the order of EDGES ... FEEDING), drawn at step ``look``."""
    root = graph.root
    values = [layout.item(value_key(n.id)) for n in boxes(graph)]
    constants = [n for n in graph.nodes if n.kind == CONSTANT]
    # The output is drawn with a double border: a slightly larger box behind it.
    ring = [layout.item(value_key(root.id))] if root.op else []
    fixed = [
        {**_edges(colors.edge, 1.0), **_polylines(layout)},
        {**_heads(colors.edge), **_arrowheads(layout)},
        _edges(colors.highlight, 2.2),
        _heads(colors.highlight),
        _bars(
            ring,
            7,
            marker={
                "color": colors.paper,
                "line": {"color": colors.outline, "width": 1},
                "cornerradius": 10,
            },
        ),
        _bars(
            values,
            customdata=[
                [html(n.label), html(fmt(n.data)), html(f"∂{root.label}/∂{n.label}")]
                for n in boxes(graph)
            ],
            texttemplate="<b>%{customdata[0]}</b><br>data %{customdata[1]}<br>grad %{text}",
            hovertemplate="%{customdata[0]} = %{customdata[1]}<br>%{customdata[2]} = %{text}"
            "<extra></extra>",
            textfont={"size": FONT_SIZE, "family": FONT},
            marker={"line": {"color": colors.outline, "width": 1}, "cornerradius": VALUE_RADIUS},
        ),
        _bars(
            [layout.item(op_key(n.id)) for n in ops(graph)],
            text=[html(op_label(n.op)) for n in ops(graph)],
            textfont={"size": FONT_SIZE - 1, "color": colors.ink, "family": FONT},
            marker={
                "color": colors.op_fill,
                "line": {"color": colors.outline, "width": 1},
                "cornerradius": OP_RADIUS,
            },
            hovertext=[_op_hover(graph, n) for n in ops(graph)],
            hoverinfo="text",
        ),
        _bars(
            [layout.item(value_key(n.id)) for n in constants],
            text=[html(fmt(n.data)) for n in constants],
            textfont={"size": FONT_SIZE, "color": colors.constant, "family": FONT},
            marker={"color": "rgba(0,0,0,0)"},
            hovertext=[f"constant {html(fmt(n.data))}" for n in constants],
            hoverinfo="text",
        ),
        _outline(colors.highlight, 3.2, VALUE_RADIUS),
        _outline(colors.highlight, 2.0, OP_RADIUS),
    ]
    for index, part in zip(STEPPED, step_parts(layout, look), strict=True):
        fixed[index] = _deep(fixed[index], part)
    return fixed


def step_parts(layout: Layout, look: Look) -> list[dict]:
    """What a step changes, for the traces STEPPED: the edges its gradient came back along, the
    boxes' fills and gradients, the current box's outline and the ops it came back through."""
    current = [] if look.current is None else [layout.item(value_key(look.current))]
    hot = {(value_key(look.current), op_key(c)) for c in look.feeding}
    # Each part names its trace type: plotly.js merges a frame into the trace without it, but
    # plotly.py reads a frame's untyped trace as a scatter and refuses the bars' properties.
    return [
        {"type": "scatter", **_polylines(layout, hot)},
        {"type": "scatter", **_arrowheads(layout, hot, 10.0, 8.0)},
        {
            "type": "bar",
            "text": list(look.grad),
            "textfont": {"color": list(look.ink)},
            "marker": {"color": list(look.fill)},
        },
        _geometry(current),
        _geometry([layout.item(op_key(c)) for c in look.feeding]),
    ]


def _geometry(items: Sequence[Placed]) -> dict:
    """Only where the bars are (for a frame that moves an outline)."""
    bars = _bars(items)
    return {key: bars[key] for key in ("type", "base", "x", "y", "width")}


def _op_hover(graph: Graph, node: Node) -> str:
    """E.g. '×: t1 from w11, x1'."""
    inputs = ", ".join(graph.nodes[p].label for p in node.parents)
    return html(f"{op_label(node.op)}: {node.label} from {inputs}")


def step_text(graph: Graph, steps: Sequence[Step], k: int) -> str:
    """What step k did, for the figure: the forward-pass note at 0, else the node's chain rule."""
    root = graph.root.label
    if k == 0:
        lines = [
            "<b>Step 0: forward pass done.</b> Every value is known, no gradient yet.",
            f"Press Next ▶ to start the backward pass with ∂{root}/∂{root} = 1.",
        ]
        return "<br>".join(html(line) if i else line for i, line in enumerate(lines))
    step = steps[k - 1]
    head = f"Step {k} of {len(steps)}: the gradient of {graph.nodes[step.node].label} is complete."
    rule = chain_rule_text(graph, step, d="∂", times="·")
    body = textwrap.wrap(rule, WRAP, break_on_hyphens=False, subsequent_indent="      ")
    return "<br>".join([f"<b>{html(head)}</b>", *(html(line) for line in body)])
