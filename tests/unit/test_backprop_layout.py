"""The layered layout of a computation graph: boxes apart, edges forward, the same every time."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlviz.backprop import build
from dlviz.backprop.examples import EXAMPLES, build_example, example_variables
from dlviz.backprop.graph import trace
from dlviz.backprop.layout import (
    DIRECTIONS,
    OP,
    VALUE,
    Layout,
    Spacing,
    layers,
    layout_graph,
    links,
    op_key,
    value_key,
)
from dlviz.backprop.ordering import crossings, inversions, isotonic, order_layers
from dlviz.expression import ExpressionError, parse_expression
from dlviz.plots.backprop.nodes import node_size
from tests.expression_strategies import formulas

WIDE = "tanh(" + "+".join(f"a*b*{i}" for i in range(1, 12)) + ")"


def graph_of(text: str, values: dict[str, float] | None = None):
    names = ("a", "b", "c", "x", "y", "w")
    out, _ = build(parse_expression(text), values or {n: 0.5 + i for i, n in enumerate(names)})
    out.backward()
    return trace(out)


def example_graph(key: str):
    variables = {v.name: v.default for v in example_variables(key)}
    root = build_example(key, variables)
    root.backward()
    return trace(root)


def laid_out(graph, direction: str = "LR") -> Layout:
    return layout_graph(graph, lambda n, kind: node_size(n, kind, n.grad), direction)


GRAPHS = {
    **{key: example_graph(key) for key in EXAMPLES},
    "a*a": graph_of("a*a"),
    "shared": graph_of("a*b + a*c + exp(a) - 2*a"),
    "wide": graph_of(WIDE),
}


def assert_apart(layout: Layout, gap: float = 1.0) -> None:
    """No two boxes (values and ops) overlap or touch: at least ``gap`` apart in x or in y."""
    for p, q in itertools.combinations(layout.items, 2):
        apart_x = abs(p.x - q.x) >= (p.width + q.width) / 2 + gap
        apart_y = abs(p.y - q.y) >= (p.height + q.height) / 2 + gap
        assert apart_x or apart_y, f"{p.key} and {q.key} overlap"


def assert_edges_flow(layout: Layout, graph) -> None:
    """Every edge goes to a later layer, starts on its source's far side and ends on its target's
    near side, along the flow (right in LR, down in TB)."""
    along = 0 if layout.direction == "LR" else 1
    size = "width" if layout.direction == "LR" else "height"
    layer = layers(graph)
    for route in layout.routes:
        source, target = layout.item(route.source), layout.item(route.target)
        assert layer[route.source] < layer[route.target]
        assert source.layer < target.layer
        start, end = route.points[0][along], route.points[-1][along]
        assert start == pytest.approx((source.x, source.y)[along] + getattr(source, size) / 2)
        assert end == pytest.approx((target.x, target.y)[along] - getattr(target, size) / 2)
        flow = [p[along] for p in route.points]
        assert flow == sorted(flow), f"{route.source} -> {route.target} turns back"


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("name", GRAPHS)
def test_boxes_never_overlap_and_edges_run_forward(name, direction):
    graph = GRAPHS[name]
    layout = laid_out(graph, direction)
    assert_apart(layout)
    assert_edges_flow(layout, graph)
    assert min(p.x - p.width / 2 for p in layout.items) >= -1e-6
    assert min(p.y - p.height / 2 for p in layout.items) >= -1e-6
    assert max(p.x + p.width / 2 for p in layout.items) <= layout.width + 1e-6
    assert max(p.y + p.height / 2 for p in layout.items) <= layout.height + 1e-6


@pytest.mark.parametrize("name", GRAPHS)
def test_every_value_and_op_is_placed_once_and_every_link_routed(name):
    graph = GRAPHS[name]
    layout = laid_out(graph)
    keys = [p.key for p in layout.items]
    expected = [value_key(n.id) for n in graph.nodes] + [op_key(n.id) for n in graph.nodes if n.op]
    assert sorted(keys) == sorted(expected)
    assert {p.kind for p in layout.items} <= {VALUE, OP}
    assert sorted((r.source, r.target) for r in layout.routes) == sorted(links(graph))
    out = layout.item(value_key(graph.root.id))
    assert out.layer == max(p.layer for p in layout.items)  # the output is the last column


def test_links_count_each_operand_so_a_times_a_has_two_visible_edges():
    graph = GRAPHS["a*a"]
    a = next(n for n in graph.nodes if n.label == "a")
    product = graph.root
    assert links(graph).count((value_key(a.id), op_key(product.id))) == 2
    twins = [r for r in laid_out(graph).routes if r.target == op_key(product.id)]
    assert len(twins) == 2 and twins[0].points != twins[1].points  # bowed apart, both visible


def test_a_variable_used_late_sits_next_to_its_use():
    graph = graph_of("exp(exp(exp(a))) + b")
    layer = layers(graph)
    b = next(n for n in graph.nodes if n.label == "b")
    assert layer[value_key(b.id)] == layer[op_key(graph.root.id)] - 1


def test_layers_grow_by_one_along_every_chain():
    graph = graph_of("tanh(a*b + c)")
    layer = layers(graph)
    for n in graph.nodes:
        if n.op:
            assert layer[value_key(n.id)] == layer[op_key(n.id)] + 1
            assert all(layer[value_key(p)] < layer[op_key(n.id)] for p in n.parents)


@pytest.mark.parametrize("name", ["mlp_221", "wide"])
def test_the_layout_is_deterministic_within_and_across_processes(name):
    graph = GRAPHS[name]
    first = asdict(laid_out(graph, "TB"))
    assert asdict(laid_out(graph, "TB")) == first
    code = (
        "import json; from dataclasses import asdict; "
        "from tests.unit.test_backprop_layout import GRAPHS, laid_out; "
        f"print(json.dumps(asdict(laid_out(GRAPHS[{name!r}], 'TB'))))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # another string hashing: another set order
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(out.stdout) == json.loads(json.dumps(first))


def test_wider_spacing_spreads_the_same_order():
    graph = GRAPHS["seed_neuron"]
    tight = laid_out(graph)
    loose = layout_graph(
        graph, lambda n, k: node_size(n, k, n.grad), "LR", Spacing(layer_gap=40, node_gap=30)
    )
    assert loose.width > tight.width and loose.height > tight.height
    assert_apart(loose, gap=29)


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="'LR' or 'TB'"):
        laid_out(GRAPHS["relu_neuron"], "RL")


# --- the two solvers ----------------------------------------------------------------------------


def test_inversions_count_pairs_out_of_order():
    assert inversions([]) == inversions([3]) == inversions([1, 2, 2, 5]) == 0
    assert inversions([2, 1]) == 1 and inversions([3, 2, 1]) == 3
    assert inversions([1, 3, 2, 0]) == 4  # (1,0) (3,2) (3,0) (2,0)


@given(st.lists(st.integers(0, 9), max_size=30))
def test_inversions_agree_with_counting_every_pair(seq):
    brute = sum(1 for i, j in itertools.combinations(range(len(seq)), 2) if seq[i] > seq[j])
    assert inversions(seq) == brute


def test_ordering_removes_a_crossing_it_can():
    # a -> d and b -> c, drawn a, b over c, d: one crossing; swapping c and d removes it
    order = [["a", "b"], ["c", "d"]]
    down = {"a": ["d"], "b": ["c"], "c": [], "d": []}
    up = {"a": [], "b": [], "c": ["b"], "d": ["a"]}
    assert crossings(order, down) == 1
    best = order_layers(order, down, up)
    assert crossings(best, down) == 0 and sorted(map(sorted, best)) == [["a", "b"], ["c", "d"]]


@given(
    st.lists(st.floats(-100, 100), min_size=1, max_size=12),
    st.lists(st.floats(0, 20), min_size=11, max_size=11),
)
def test_isotonic_keeps_the_gaps_and_is_exact_when_the_targets_allow(targets, seps):
    seps = seps[: len(targets) - 1]
    placed = isotonic(targets, seps)
    for i, s in enumerate(seps):
        assert placed[i + 1] - placed[i] >= s - 1e-9
    spread = [sum(seps[:i]) * 3 + i * 100 for i in range(len(targets))]  # already far apart
    assert isotonic(spread, seps) == pytest.approx(spread)


@settings(max_examples=40, deadline=None)
@given(text=formulas(("a", "b", "x"), ("exp", "log", "tanh", "sigmoid", "relu"), leaves=10))
def test_any_formula_lays_out_without_overlaps(text):
    try:
        graph = graph_of(text, {"a": 0.7, "b": 1.3, "x": 2.1})
    except ExpressionError:
        return  # division by zero, overflow, a function outside its domain: no graph to draw
    for direction in DIRECTIONS:
        layout = laid_out(graph, direction)
        assert_apart(layout)
        assert_edges_flow(layout, graph)
