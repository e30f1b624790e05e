"""The computation-graph figure: one box per value, a frame per backward step, torch's numbers."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dlviz.backprop.check import torch_gradients
from dlviz.backprop.examples import EXAMPLES, EXPRESSION, example_variables
from dlviz.backprop.graph import CONSTANT, backward_steps, grads_at
from dlviz.backprop.walkthrough import BackpropConfig, run_backprop
from dlviz.plots.backprop import DARK, LIGHT, graph_figure
from dlviz.plots.backprop.nodes import boxes, fmt, ops
from dlviz.plots.backprop.traces import (
    CONSTANTS,
    CURRENT,
    FEEDING,
    HOT,
    OPS,
    STEPPED,
    VALUES,
)
from dlviz.plots.backprop.view import FIGURE_WIDTH, FIT_SCALE, WINDOW_SCALE

BIG = "tanh(" + "+".join(f"a*b*{i}" for i in range(1, 20)) + ")"


def result_of(example: str, expression: str = "", **values: float):
    if example == EXPRESSION:
        names = [v.name for v in example_variables(EXPRESSION, expression)]
        pairs = tuple((n, values.get(n, 0.5 + 0.25 * i)) for i, n in enumerate(names))
    else:
        pairs = tuple((v.name, values.get(v.name, v.default)) for v in example_variables(example))
    return run_backprop(BackpropConfig(example, pairs, expression))


def spec_of(fig: go.Figure) -> dict:
    """The figure as the browser gets it (``st.plotly_chart`` writes the same JSON)."""
    return json.loads(pio.to_json(fig, validate=False))


def frame_trace(spec: dict, k: int, index: int) -> dict:
    """Trace ``index`` as frame k sets it (a frame lists only the STEPPED traces)."""
    frame = spec["frames"][k]
    return frame["data"][frame["traces"].index(index)]


def centres(trace: dict) -> list[tuple[float, float]]:
    """The centre of each bar of a box trace (base + length / 2, y)."""
    return [(b + w / 2, y) for b, w, y in zip(trace["base"], trace["x"], trace["y"], strict=True)]


@pytest.fixture(scope="module")
def mlp():
    result = result_of("mlp_221")
    return result, spec_of(graph_figure(result.graph, result.steps))


def test_one_box_per_value_one_pill_per_op_one_label_per_constant(mlp):
    result, spec = mlp
    graph = result.graph
    values, pills, constants = (spec["data"][i] for i in (VALUES, OPS, CONSTANTS))
    assert [c[0] for c in values["customdata"]] == [n.label for n in boxes(graph)]
    assert [c[1] for c in values["customdata"]] == [fmt(n.data) for n in boxes(graph)]
    root = graph.root.label
    assert [c[2] for c in values["customdata"]] == [f"∂{root}/∂{n.label}" for n in boxes(graph)]
    assert len(values["base"]) == len(values["y"]) == len(result.steps)  # a step per box
    assert len(pills["base"]) == len(pills["text"]) == graph.operations == len(ops(graph))
    assert len(constants["base"]) == sum(n.kind == CONSTANT for n in graph.nodes)
    assert len(set(centres(values))) == len(values["y"])  # no two boxes in one place


def test_a_frame_per_step_and_the_figure_opens_at_the_last(mlp):
    result, spec = mlp
    total = len(result.steps)
    frames, layout = spec["frames"], spec["layout"]
    assert [f["name"] for f in frames] == [str(k) for k in range(total + 1)]
    assert all(f["traces"] == STEPPED for f in frames)
    slider = layout["sliders"][0]
    assert slider["active"] == total and len(slider["steps"]) == total + 1
    assert [s["args"][0] for s in slider["steps"]] == [[str(k)] for k in range(total + 1)]
    assert f"Step {total} of {total}" in layout["annotations"][0]["text"]
    assert spec["data"][VALUES]["text"] == frame_trace(spec, total, VALUES)["text"]
    prev, nxt = layout["updatemenus"][0]["buttons"]
    assert (prev["args"][0], nxt["args"][0]) == ([str(total - 1)], [str(total)])
    assert [b["label"] for b in layout["updatemenus"][1]["buttons"]] == ["▶ Play", "❚❚"]


def test_each_frame_shows_exactly_the_gradients_known_at_that_step(mlp):
    result, spec = mlp
    graph, steps = result.graph, list(result.steps)
    for k in range(len(steps) + 1):
        values = frame_trace(spec, k, VALUES)
        known = grads_at(steps, k - 1)
        texts = values["text"]
        assert texts == [fmt(known[n.id]) if n.id in known else "?" for n in boxes(graph)]
        assert texts.count("?") == len(steps) - k
        fills = values["marker"]["color"]
        assert [f == LIGHT.unreached for f in fills] == [t == "?" for t in texts]
        prev, nxt = spec["frames"][k]["layout"]["updatemenus"][0]["buttons"]
        assert prev["args"][0] == [str(max(k - 1, 0))]
        assert nxt["args"][0] == [str(min(k + 1, len(steps)))]


def test_the_current_step_is_outlined_with_the_ops_and_edges_it_came_back_through(mlp):
    result, spec = mlp
    graph, steps = result.graph, result.steps
    positions = dict(zip((n.id for n in boxes(graph)), centres(spec["data"][VALUES]), strict=True))
    pills = dict(zip((n.id for n in ops(graph)), centres(spec["data"][OPS]), strict=True))
    assert frame_trace(spec, 0, CURRENT)["base"] == [] and frame_trace(spec, 0, HOT)["x"] == []
    assert "forward pass done" in spec["frames"][0]["layout"]["annotations"][0]["text"]
    for k, step in enumerate(steps, start=1):
        assert centres(frame_trace(spec, k, CURRENT)) == [positions[step.node]]
        users = [n.id for n in ops(graph) if step.node in n.parents]
        assert sorted(centres(frame_trace(spec, k, FEEDING))) == sorted(pills[u] for u in users)
        hot = [x for x in frame_trace(spec, k, HOT)["x"] if x is None]
        assert len(hot) == len(users)  # one highlighted edge per op that used this value
        label = graph.nodes[step.node].label
        text = spec["frames"][k]["layout"]["annotations"][0]["text"]
        assert f"Step {k} of {len(steps)}: the gradient of {label}" in text


@pytest.mark.parametrize(
    ("example", "expression"),
    [*((key, "") for key in EXAMPLES), (EXPRESSION, "a*a + log(b)/c - relu(a*c)")],
)
def test_the_last_frame_shows_the_values_and_torch_autograd_gradients(example, expression):
    result = result_of(example, expression)
    graph = result.graph
    values = spec_of(graph_figure(graph, result.steps))["data"][VALUES]
    reference = torch_gradients(graph)  # float64 autograd over the same graph
    grads = dict(zip((c[0] for c in values["customdata"]), values["text"], strict=True))
    data = {c[0]: c[1] for c in values["customdata"]}
    for leaf in graph.leaves():
        assert float(grads[leaf.label]) == pytest.approx(reference[leaf.id], rel=1e-3, abs=1e-9)
        assert grads[leaf.label] == fmt(reference[leaf.id])
        assert data[leaf.label] == fmt(leaf.data)
    assert grads[graph.root.label] == "1"


def test_a_small_graph_is_drawn_whole_at_full_size_and_a_big_one_follows_the_step():
    small = result_of("relu_neuron")
    spec = spec_of(graph_figure(small.graph, small.steps))
    assert all("xaxis" not in f["layout"] for f in spec["frames"])
    big = result_of(EXPRESSION, BIG)
    spec = spec_of(graph_figure(big.graph, big.steps))
    ranges = {tuple(f["layout"]["xaxis"]["range"]) for f in spec["frames"]}
    assert len(ranges) > 1  # the window moves along with the backward pass
    layout = spec["layout"]
    x0, x1 = layout["xaxis"]["range"]
    scale = (FIGURE_WIDTH - layout["margin"]["l"] - layout["margin"]["r"]) / (x1 - x0)
    assert scale == pytest.approx(WINDOW_SCALE) and scale > FIT_SCALE


def test_top_to_bottom_puts_the_output_at_the_bottom(mlp):
    result, wide = mlp
    tall = spec_of(graph_figure(result.graph, result.steps, "TB"))
    for spec, axis in ((wide, 0), (tall, 1)):
        points = centres(spec["data"][VALUES])
        out = points[-1]  # the output is the last box (topological order)
        assert out[axis] == max(p[axis] for p in points)


def test_dark_figures_keep_the_layout_and_use_light_ink(mlp):
    result, light = mlp
    dark = spec_of(graph_figure(result.graph, result.steps, dark=True))
    total = len(result.steps)
    assert dark["data"][VALUES]["base"] == light["data"][VALUES]["base"]
    assert set(frame_trace(dark, 0, VALUES)["textfont"]["color"]) == {DARK.muted}
    assert set(frame_trace(dark, total, VALUES)["textfont"]["color"]) == {DARK.ink}
    assert dark["layout"]["annotations"][0]["font"]["color"] == DARK.ink != LIGHT.ink
    assert dark["layout"]["paper_bgcolor"] == light["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"
    fills = frame_trace(dark, total, VALUES)["marker"]["color"]
    assert all(sum(int(f[i : i + 2], 16) for i in (1, 3, 5)) < 3 * 235 for f in fills)


def test_the_figure_is_valid_plotly_and_writes_no_minus_zero_or_nan():
    result = result_of(EXPRESSION, "x*-0.0 + log(y)")
    spec = spec_of(graph_figure(result.graph, result.steps))
    go.Figure(spec)  # raises on any property plotly does not know (the figure skips validation)
    for frame in spec["frames"]:
        texts = frame["data"][STEPPED.index(VALUES)]["text"]
        assert not {"-0", "nan", "inf", "n/a"} & set(texts)


def test_steps_come_from_the_replayed_pass_not_the_engine_grads():
    # backward() twice doubles the engine's grads; the walk-through replays one correct pass
    values = (("x", 2.0), ("w", 0.75), ("b", -0.5))
    twice = run_backprop(BackpropConfig("relu_neuron", values, "", 2))
    spec = spec_of(graph_figure(twice.graph, twice.steps))
    once = backward_steps(twice.graph)
    final = grads_at(once, len(once) - 1)
    assert spec["data"][VALUES]["text"] == [fmt(final[n.id]) for n in boxes(twice.graph)]
    assert any(n.grad != final[n.id] for n in boxes(twice.graph))
