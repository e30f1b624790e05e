"""A computation graph as plain data, and the backward pass as a list of chain-rule steps.

``trace(root)`` turns a ``Value`` graph into frozen dataclasses (nodes with label, data, grad, op,
parents; edges parent -> child) that can be pickled, cached, compared in tests or drawn by
``dlviz.plots.backprop``. ``backward_steps(graph)`` replays the backward pass one node at a time in
reverse topological order: at each step one node's gradient is complete, and the step records
every chain-rule term that made it, d L/d a = sum over consumers c of d c/d a * d L/d c.
Nothing here draws; nothing here imports torch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from dlviz.backprop.engine import Value
from dlviz.display import number

LEAF, CONSTANT, INTERMEDIATE, OUTPUT = "leaf", "constant", "intermediate", "output"


@dataclass(frozen=True)
class Node:
    """One value in the graph; ``id`` is its position in topological order."""

    id: int
    label: str
    data: float
    grad: float
    op: str  # "" for leaves and constants
    kind: str  # leaf, constant, intermediate or output
    parents: tuple[int, ...]
    local_grads: tuple[float, ...]  # d(this)/d(parent) for each parent
    exponent: float | None = None  # the n of a**n


@dataclass(frozen=True)
class Graph:
    """Nodes in topological order (parents first, the output last) and edges parent -> child."""

    nodes: tuple[Node, ...]
    edges: tuple[tuple[int, int], ...]

    @property
    def root(self) -> Node:
        """The output node (the last one in topological order)."""
        return self.nodes[-1]

    @property
    def operations(self) -> int:
        """How many nodes are operations (not leaves or constants)."""
        return sum(1 for n in self.nodes if n.op)

    def leaves(self) -> list[Node]:
        """The variables (not the constants) the output depends on."""
        return [n for n in self.nodes if n.kind == LEAF]

    def to_dict(self) -> dict:
        """Plain dicts and lists (JSON-ready)."""
        return {"nodes": [asdict(n) for n in self.nodes], "edges": [list(e) for e in self.edges]}


@dataclass(frozen=True)
class Term:
    """One chain-rule term d c/d a * d L/d c, from consumer c of node a."""

    consumer: int
    slot: int  # which parent of c the node a is (a*a has two terms, one per slot)
    symbol: str  # d c/d a written with labels, e.g. "b", "1", "2*a", "1 - c**2"
    local: float  # d c/d a as a number
    upstream: float  # d L/d c


@dataclass(frozen=True)
class Step:
    """The moment node ``node``'s gradient is complete: its value and the terms that summed to it."""

    node: int
    grad: float
    terms: tuple[Term, ...]


def trace(root: Value, output_label: str = "L") -> Graph:
    """The graph below ``root`` as plain data; unnamed intermediate values are labelled t1, t2, ..."""
    order = root.topological_order()
    index = {id(v): i for i, v in enumerate(order)}
    nodes, edges, unnamed = [], [], 0
    for i, v in enumerate(order):
        if v is root and v.parents:
            kind, label = OUTPUT, v.label or output_label
        elif not v.parents:  # a bare variable (or number) as the output is still a leaf: dx/dx = 1
            kind, label = (CONSTANT if v.constant else LEAF), v.label or f"x{i}"
        else:
            kind, label = INTERMEDIATE, v.label
            if not label:
                unnamed += 1
                label = f"t{unnamed}"
        parents = tuple(index[id(p)] for p in v.parents)
        nodes.append(
            Node(i, label, v.data, v.grad, v.op, kind, parents, tuple(v.local_grads), v.exponent)
        )
        edges.extend((p, i) for p in parents)
    return Graph(tuple(nodes), tuple(edges))


def local_symbol(graph: Graph, consumer: Node, slot: int) -> str:
    """d c/d a for parent number ``slot`` of ``consumer`` c, written with the graph's labels."""
    a = graph.nodes[consumer.parents[slot]].label
    c = consumer.label
    other = graph.nodes[consumer.parents[1 - slot]].label if len(consumer.parents) == 2 else ""
    op = consumer.op
    if op == "+":
        return "1"
    if op == "-":
        return "1" if slot == 0 else "-1"
    if op == "*":
        return other
    if op == "/":
        return f"1/{other}" if slot == 0 else f"-{other}/{a}**2"
    if op == "neg":
        return "-1"
    if op == "exp":
        return c
    if op == "log":
        return f"1/{a}"
    if op == "tanh":
        return f"1 - {c}**2"
    if op == "sigmoid":
        return f"{c}*(1 - {c})"
    if op == "relu":
        return f"[{a} > 0]"
    if op.startswith("**") and consumer.exponent is not None:
        n = consumer.exponent
        if n - 1 == 1:
            return f"{number(n, 6)}*{a}"
        if n - 1 == 0:
            return number(n, 6)
        return f"{number(n, 6)}*{a}**{_num(n - 1)}"
    return f"d{c}/d{a}"


def backward_steps(graph: Graph) -> list[Step]:
    """The backward pass one node at a time (output first, constants skipped), from the graph alone."""
    nodes = graph.nodes
    consumers: dict[int, list[tuple[int, int]]] = {n.id: [] for n in nodes}
    for node in nodes:
        for slot, parent in enumerate(node.parents):
            consumers[parent].append((node.id, slot))
    flow: dict[int, float] = {}
    steps = []
    for node in reversed(nodes):  # reverse topological order: every consumer comes first
        if node is graph.root:
            flow[node.id] = 1.0
            steps.append(Step(node.id, 1.0, ()))
            continue
        terms = []
        for c, slot in consumers[node.id]:
            consumer = nodes[c]
            term_local = consumer.local_grads[slot]
            terms.append(Term(c, slot, local_symbol(graph, consumer, slot), term_local, flow[c]))
        flow[node.id] = sum(t.local * t.upstream for t in terms)
        if node.kind != CONSTANT:
            steps.append(Step(node.id, flow[node.id], tuple(terms)))
    return steps


def grads_at(steps: list[Step], k: int) -> dict[int, float]:
    """The gradients known after step k (0-based); k = -1 means the backward pass has not started."""
    return {s.node: s.grad for s in steps[: k + 1]}


def _num(x: float) -> str:
    """A number for chain-rule text: 4 significant digits, negatives in parentheses, no -0."""
    s = number(x, 4)
    return f"({s})" if x < 0 else s


def chain_rule_text(graph: Graph, step: Step, d: str = "d", times: str = "*") -> str:
    """E.g. 'dL/da = dc/da * dL/dc = b * 1.5 = 1.5 * 1.5 = 2.25'; ``d="∂", times="·"`` writes
    '∂L/∂a = ∂c/∂a · ∂L/∂c = b · 1.5 = ...' (for text that cannot show LaTeX)."""
    root = graph.root.label
    a = graph.nodes[step.node].label
    if not step.terms:
        return f"{d}{root}/{d}{a} = 1 (the backward pass starts here)"
    partials = " + ".join(
        f"{d}{root}/{d}{a} (direct)"
        if t.consumer == graph.root.id
        else f"{d}{graph.nodes[t.consumer].label}/{d}{a} {times} "
        f"{d}{root}/{d}{graph.nodes[t.consumer].label}"
        for t in step.terms
    )
    symbolic = " + ".join(f"{_group(t.symbol)} {times} {_num(t.upstream)}" for t in step.terms)
    numeric = " + ".join(f"{_num(t.local)} {times} {_num(t.upstream)}" for t in step.terms)
    return _equation(f"{d}{root}/{d}{a}", partials, symbolic, numeric, number(step.grad, 4))


def _equation(lhs: str, partials: str, symbolic: str, numeric: str, result: str) -> str:
    """lhs = partials = symbols = numbers = result; the numbers once if they read as the symbols."""
    middle = [symbolic] if numeric == symbolic else [symbolic, numeric]
    return " = ".join([lhs, partials, *middle, result])


def _group(symbol: str) -> str:
    """Parentheses around a symbol that would misread after a sign or inside a product."""
    return f"({symbol})" if " " in symbol or symbol.startswith("-") else symbol


_INDEXED = re.compile(r"([A-Za-z]+)_?(\d+)")


def latex_label(label: str) -> str:
    """A label as LaTeX: w11 -> w_{11}, other names upright."""
    m = _INDEXED.fullmatch(label)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if re.fullmatch(r"[A-Za-z]", label):
        return label
    return r"\mathrm{" + label.replace("_", r"\_") + "}"


def _latex_symbol(graph: Graph, consumer: Node, slot: int) -> str:
    """The local derivative d c/d a in LaTeX."""
    a = latex_label(graph.nodes[consumer.parents[slot]].label)
    c = latex_label(consumer.label)
    other = (
        latex_label(graph.nodes[consumer.parents[1 - slot]].label)
        if len(consumer.parents) == 2
        else ""
    )
    forms: Mapping[str, str] = {
        "+": "1",
        "-": "1" if slot == 0 else "-1",
        "*": other,
        "/": rf"\frac{{1}}{{{other}}}" if slot == 0 else rf"-\frac{{{other}}}{{{a}^2}}",
        "neg": "-1",
        "exp": c,
        "log": rf"\frac{{1}}{{{a}}}",
        "tanh": rf"(1 - {c}^2)",
        "sigmoid": rf"{c}\,(1 - {c})",
        "relu": rf"\mathbb{{1}}[{a} > 0]",
    }
    if consumer.op in forms:
        return forms[consumer.op]
    n = consumer.exponent or 0.0
    if n - 1 == 0:
        return number(n, 6)
    power = "" if n - 1 == 1 else f"^{{{number(n - 1, 6)}}}"
    return f"{number(n, 6)}\\,{a}{power}"


def _latex_group(symbol: str) -> str:
    """Parentheses around a negative symbol inside a product."""
    return f"({symbol})" if symbol.startswith("-") else symbol


def _latex_num(x: float, parens: bool = True) -> str:
    """A number for LaTeX: 4 significant digits, 1e-05 as 1 x 10^{-5}, negatives in parentheses."""
    s = number(x, 4)
    if not math.isfinite(x):
        return rf"\text{{{s}}}"
    if "e" in s:
        mantissa, exp = s.split("e")
        s = rf"{mantissa}\times 10^{{{int(exp)}}}"
    return f"({s})" if x < 0 and parens else s


def chain_rule_latex(graph: Graph, step: Step) -> str:
    """The step's chain rule in LaTeX, symbols first, then the numbers filled in."""
    root = latex_label(graph.root.label)
    a = latex_label(graph.nodes[step.node].label)

    def d(num: str, den: str) -> str:
        """The partial derivative d num / d den as a LaTeX fraction."""
        return rf"\frac{{\partial {num}}}{{\partial {den}}}"

    if not step.terms:
        return rf"{d(root, root)} = 1"
    partials = " + ".join(
        rf"\left.{d(root, a)}\right|_{{\text{{direct}}}}"
        if t.consumer == graph.root.id
        else rf"{d(latex_label(graph.nodes[t.consumer].label), a)}\,"
        rf"{d(root, latex_label(graph.nodes[t.consumer].label))}"
        for t in step.terms
    )
    symbolic = " + ".join(
        rf"{_latex_group(_latex_symbol(graph, graph.nodes[t.consumer], t.slot))} \cdot "
        rf"{_latex_num(t.upstream)}"
        for t in step.terms
    )
    numeric = " + ".join(
        rf"{_latex_num(t.local)} \cdot {_latex_num(t.upstream)}" for t in step.terms
    )
    return _equation(d(root, a), partials, symbolic, numeric, _latex_num(step.grad, parens=False))
