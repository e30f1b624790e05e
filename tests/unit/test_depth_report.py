"""Depth study in words and pictures: where the signal left float32's range, never nan or a crash.

The settings of issue 12 that crashed the page (a ZeroDivisionError when the gradient ratio
underflowed to 0, a torch.histc error when activations overflowed) are checked one by one at the
page's own batch size: the headline reads in words, the verdicts name the layer, and the charts
mark what a log axis cannot draw.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch

from dlviz.data import dataset_info
from dlviz.depth import DepthConfig, depth_study, image_batch, shared_edges
from dlviz.depth.report import SEVERITIES, VANISHED, diagnose, headline
from dlviz.plots.depth import depth_profile_figure, gap_note, ridgeline_figure
from tests.app.depth_checks import page_problems, raw

VANISHING = [("sigmoid", "default", 128, 50), ("tanh", "uniform", 16, 20)]
OVERFLOWING = [(name, "uniform", 128, 50) for name in ("leaky_relu", "elu", "gelu", "silu")]


def study_of(activation: str, init: str, width: int, depth: int):
    return depth_study(DepthConfig(depth=depth, width=width, activation=activation, init=init))


def _values(study) -> list[str]:
    return [m.value for m in headline(study)]


@pytest.mark.parametrize("setting", VANISHING, ids=str)
def test_an_underflowed_gradient_reads_vanished_not_a_division_by_zero(setting):
    study = study_of(*setting)  # raised ZeroDivisionError in 1 / grad_ratio
    k = study.grad_vanished_layer
    assert k is not None and study.layers[k - 1].grad_norm == 0 and study.grad_ratio == 0
    assert all(layer.grad_norm > 0 for layer in study.layers[k:])
    assert _values(study)[2] == VANISHED == "vanished (below 1.2e-38)"
    words = " ".join(v.sentence for v in diagnose(study))
    assert "exactly 0" in words and (f"layers 1 to {k}" in words or "layer 1 gets" in words)
    assert not any(raw(text) for text in _values(study) + [words])
    assert page_problems(study) == []


@pytest.mark.parametrize("setting", OVERFLOWING, ids=str)
def test_overflowed_activations_read_exploded_at_their_layer_not_a_histc_error(setting):
    study = study_of(*setting)  # raised "torch.histc: range of [-nan, -nan] is not finite"
    k = study.overflow_layer
    assert k is not None and study.layers[k - 1].nonfinite > 0
    assert all(layer.nonfinite == 0 for layer in study.layers[: k - 1])
    assert all(math.isfinite(e) for e in study.edges)
    loss, std, ratio, flat = _values(study)  # the std metric printed a raw "nan"
    assert loss == std == ratio == f"exploded (overflow at layer {k})"
    verdicts = diagnose(study)
    assert verdicts[0].severity == "problem" and f"at layer {k}." in verdicts[0].sentence
    assert flat.endswith("%")
    assert page_problems(study) == []


def test_histogram_edges_stay_finite_near_float32s_largest_value():
    h = torch.tensor([[-3.0e38, 3.3e38, 1.0]])
    edges = shared_edges([h], bins=41)
    assert torch.isfinite(edges).all() and edges.dtype == torch.float64


@pytest.mark.parametrize("setting", VANISHING + OVERFLOWING[:1], ids=str)
def test_profile_marks_every_layer_it_cannot_draw(setting):
    study = study_of(*setting)
    fig = depth_profile_figure({"main": study}, "main")
    shapes = fig.layout.shapes
    for trace in fig.data:
        xref = trace.xaxis  # "x" (activation std) or "x2" (gradient norm)
        assert trace.y is not None
        for layer, y in zip(trace.x, trace.y, strict=True):
            if y is None:
                assert any(s.xref == xref and s.x0 < layer < s.x1 for s in shapes), (xref, layer)
            else:
                assert math.isfinite(y) and y > 0
    labels = " ".join(a.text for a in fig.layout.annotations)
    assert "gradient 0 (below 1.2e-38)" in labels or "overflow to inf / NaN" in labels


def test_ridgeline_names_overflowed_rows_and_hovers_print_words():
    study = study_of(*OVERFLOWING[0])
    fig = ridgeline_figure(study)
    assert any(t.endswith("· overflow") for t in fig.layout.yaxis.ticktext)
    for trace in fig.data:
        assert all(math.isfinite(y) for y in trace.y)
        texts = [trace.hovertemplate, *(c for row in trace.customdata for c in row)]
        assert not any(raw(t) for t in texts), texts


def test_compared_schemes_say_where_their_curves_stop():
    cfg = DepthConfig(depth=20, width=16, activation="tanh")
    studies = {name: depth_study(replace(cfg, init=name)) for name in ("default", "uniform")}
    assert gap_note(studies["uniform"]).startswith("gradient 0 up to layer")
    fig = depth_profile_figure(studies, "default")
    names = {t.name for t in fig.data}
    assert any(n.startswith("uniform (gradient 0 up to layer") for n in names)


def test_a_stable_network_reads_numbers_and_ok():
    study = study_of("relu", "kaiming", 128, 30)
    loss, std, ratio, flat = _values(study)
    assert float(loss) == pytest.approx(study.loss, rel=1e-2)
    assert ratio.endswith("×") and float(ratio[:-1]) == pytest.approx(study.grad_ratio, rel=0.05)
    assert [v.severity for v in diagnose(study)] == ["ok"]


def test_diagnose_is_plain_data_with_dlviz_severities():
    for setting in (*VANISHING, *OVERFLOWING[:1], ("relu", "kaiming", 64, 10)):
        for verdict in diagnose(study_of(*setting)):
            assert verdict.severity in SEVERITIES and isinstance(verdict.sentence, str)


def test_image_batch_is_seeded_normalized_and_flat():
    info = dataset_info("digits")
    images = torch.randint(0, 256, (50, 1, 8, 8), dtype=torch.uint8)
    labels = torch.arange(50) % 10
    x, y = image_batch(images, labels, info, 16, seed=3)
    x2, y2 = image_batch(images, labels, info, 16, seed=3)
    assert x.shape == (16, 64) and x.dtype == torch.float32
    assert torch.equal(x, x2) and torch.equal(y, y2)
    idx = torch.randperm(50, generator=torch.Generator().manual_seed(3))[:16]
    expected = (images[idx].float() / 255 - info.mean[0]) / info.std[0]
    torch.testing.assert_close(x, expected.flatten(1))
    assert torch.equal(y, labels[idx])
