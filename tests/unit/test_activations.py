"""Activations: autograd derivatives against closed forms, flat regions, a stable softmax."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlviz.activations import (
    ACTIVATION_NAMES,
    ACTIVATIONS,
    CurveConfig,
    activation_module,
    analyse,
    curve,
    default_params,
    flat_regions,
    log_softmax,
    region_at,
    softmax,
    softmax_analysis,
    softmax_jacobian,
    softmax_sweep,
)

# Grid that avoids the kink at 0 (where one-sided closed forms disagree by convention).
X = torch.cat([torch.linspace(-9, -0.01, 300), torch.linspace(0.01, 9, 300)]).double()


def phi(x):
    return torch.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)


def big_phi(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))


CLOSED_FORMS = {
    "sigmoid": (
        lambda x, **_: 1 / (1 + torch.exp(-x)),
        lambda x, **_: torch.sigmoid(x) * (1 - torch.sigmoid(x)),
    ),
    "tanh": (lambda x, **_: torch.tanh(x), lambda x, **_: 1 - torch.tanh(x) ** 2),
    "relu": (lambda x, **_: x.clamp(min=0), lambda x, **_: (x > 0).double()),
    "leaky_relu": (
        lambda x, slope=0.01: torch.where(x > 0, x, slope * x),
        lambda x, slope=0.01: torch.where(x > 0, torch.ones_like(x), torch.full_like(x, slope)),
    ),
    "elu": (
        lambda x, alpha=1.0: torch.where(x > 0, x, alpha * (torch.exp(x) - 1)),
        lambda x, alpha=1.0: torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x)),
    ),
    "gelu": (lambda x, **_: x * big_phi(x), lambda x, **_: big_phi(x) + x * phi(x)),
    "silu": (
        lambda x, **_: x / (1 + torch.exp(-x)),
        lambda x, **_: torch.sigmoid(x) * (1 + x * (1 - torch.sigmoid(x))),
    ),
    "softplus": (lambda x, **_: torch.log1p(torch.exp(x)), lambda x, **_: torch.sigmoid(x)),
}

PARAM_CASES = [(n, {}) for n in ACTIVATION_NAMES] + [
    ("leaky_relu", {"slope": 0.0}),
    ("leaky_relu", {"slope": 0.3}),
    ("elu", {"alpha": 0.2}),
    ("elu", {"alpha": 2.5}),
]


def test_every_registered_activation_has_a_closed_form_and_formulas():
    assert set(CLOSED_FORMS) == set(ACTIVATION_NAMES)
    for act in ACTIVATIONS.values():
        assert act.latex and act.derivative_latex and act.label


@pytest.mark.parametrize(("name", "params"), PARAM_CASES)
def test_curve_and_autograd_derivative_match_closed_forms(name, params):
    f, df = curve(name, X, **params)
    f_ref, df_ref = CLOSED_FORMS[name]
    torch.testing.assert_close(f, f_ref(X, **params), rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(df, df_ref(X, **params), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_module_factory_agrees_with_the_curve(name):
    params = default_params(name)
    module = activation_module(name, **params)
    f, _ = curve(name, X, **params)
    torch.testing.assert_close(module(X), f)


def test_activation_module_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown activation"):
        activation_module("swishy")


def test_relu_derivative_at_zero_follows_pytorch_convention():
    _, df = curve("relu", [0.0])
    assert df.item() == 0.0


def test_sigmoid_saturation_regions_start_where_the_derivative_is_one_hundredth():
    s = (1 + math.sqrt(0.96)) / 2  # sigma (1 - sigma) = 0.01
    edge = math.log(s / (1 - s))
    res = analyse(CurveConfig("sigmoid"))
    assert [r.name for r in res.regions] == ["saturation: σ → 0", "saturation: σ → 1"]
    left, right = res.regions
    assert left.start == -8.0 and right.end == 8.0
    assert left.end == pytest.approx(-edge, abs=2e-3)
    assert right.start == pytest.approx(edge, abs=2e-3)


def test_tanh_and_elu_region_edges_match_closed_forms():
    tanh = analyse(CurveConfig("tanh")).regions
    assert tanh[1].start == pytest.approx(math.atanh(math.sqrt(0.99)), abs=2e-3)
    elu = analyse(CurveConfig("elu", (("alpha", 2.0),))).regions
    assert len(elu) == 1 and "ELU" in elu[0].name
    assert elu[0].end == pytest.approx(math.log(0.01 / 2.0), abs=2e-3)


def test_relu_dead_side_and_leaky_relu_recovery():
    relu = analyse(CurveConfig("relu")).regions
    assert len(relu) == 1 and relu[0].name.startswith("dead side")
    assert relu[0].start == -8.0 and relu[0].end == pytest.approx(0.0, abs=0.01)
    assert analyse(CurveConfig("leaky_relu", (("slope", 0.05),))).regions == []
    nearly = analyse(CurveConfig("leaky_relu", (("slope", 0.005),))).regions
    assert len(nearly) == 1 and "nearly dead" in nearly[0].name


@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_gelu_and_silu_have_a_named_turning_point_around_their_minimum(name):
    res = analyse(CurveConfig(name))
    turning = [r for r in res.regions if r.name.startswith("turning point")]
    assert len(turning) == 1
    mid = (turning[0].start + turning[0].end) / 2
    _, df = curve(name, [mid])
    assert abs(df.item()) < 0.01
    assert region_at(res.regions, mid) == turning[0]
    assert region_at(res.regions, 3.0) is None


def test_flat_regions_of_a_fully_flat_and_a_steep_curve():
    x = torch.linspace(-1, 1, 11, dtype=torch.float64)
    assert flat_regions("sigmoid", x, torch.ones_like(x)) == []
    whole = flat_regions("sigmoid", x, torch.zeros_like(x))
    assert len(whole) == 1 and (whole[0].start, whole[0].end) == (-1.0, 1.0)


def test_probe_values_are_exact_not_grid_lookups():
    res = analyse(CurveConfig("tanh", probe=0.123))
    assert res.probe_f == pytest.approx(math.tanh(0.123), abs=1e-12)
    assert res.probe_df == pytest.approx(1 - math.tanh(0.123) ** 2, abs=1e-12)


# --- softmax ---------------------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 3.0, 10.0])
def test_softmax_matches_torch(temperature):
    z = torch.tensor([2.0, -1.0, 0.3, 4.5], dtype=torch.float64)
    torch.testing.assert_close(softmax(z, temperature), torch.softmax(z / temperature, dim=-1))
    torch.testing.assert_close(log_softmax(z, temperature), F.log_softmax(z / temperature, dim=-1))


def test_softmax_stays_finite_for_huge_logits_where_the_naive_formula_fails():
    z = [1000.0, -1000.0, 0.0, 999.0]
    naive = torch.exp(torch.tensor(z, dtype=torch.float64))
    assert not torch.isfinite(naive / naive.sum()).all()  # inf / inf = nan
    res = softmax_analysis(z, temperature=0.05)
    for t in (res.probs, res.log_probs, res.jacobian):
        assert torch.isfinite(t).all()
    assert res.probs.sum().item() == pytest.approx(1.0, abs=1e-12)
    p1 = softmax(z, 1.0)
    assert p1[0].item() == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1000, 1000, allow_nan=False), min_size=2, max_size=8),
    st.floats(0.05, 10.0),
)
def test_softmax_property_sums_to_one_and_is_finite(logits, temperature):
    p = softmax(logits, temperature)
    assert torch.isfinite(p).all()
    assert ((p >= 0) & (p <= 1)).all()
    assert p.sum().item() == pytest.approx(1.0, abs=1e-9)


def test_softmax_rejects_non_positive_temperature():
    with pytest.raises(ValueError, match="temperature"):
        softmax([1.0, 2.0], 0.0)


@pytest.mark.parametrize("temperature", [0.2, 1.0, 4.0])
def test_softmax_jacobian_matches_closed_form(temperature):
    z = [1.0, -0.5, 2.0]
    p = softmax(z, temperature)
    expected = (torch.diag(p) - torch.outer(p, p)) / temperature
    torch.testing.assert_close(softmax_jacobian(z, temperature), expected)
    torch.testing.assert_close(
        softmax_jacobian(z, temperature).sum(dim=0), torch.zeros(3, dtype=torch.float64)
    )


@pytest.mark.parametrize("temperature", [0.5, 2.0])
def test_softmax_sweep_is_a_shifted_sigmoid(temperature):
    z = [0.5, 2.0, -1.0, 1.0]
    sweep = softmax_sweep(z, 2, temperature)
    others = torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64)
    c = temperature * torch.logsumexp(others / temperature, dim=0).item()
    assert sweep.center == pytest.approx(c)
    s = torch.sigmoid((sweep.x - c) / temperature)
    torch.testing.assert_close(sweep.p, s)
    torch.testing.assert_close(sweep.dp, s * (1 - s) / temperature)
    assert sweep.x[0] <= -1.0 <= sweep.x[-1]


def test_softmax_sweep_covers_an_extreme_current_logit():
    sweep = softmax_sweep([1000.0, -1000.0], 0, 1.0)
    assert (
        sweep.x[-1] >= 1000.0 and torch.isfinite(sweep.p).all() and torch.isfinite(sweep.dp).all()
    )


# --- figures (structure only: what a learner is promised to see) -------------------------------


def test_activation_figure_has_curve_derivative_probe_and_named_bands():
    from dlviz.plots.activations import activation_figure

    res = analyse(CurveConfig("tanh", probe=3.5))
    fig = activation_figure(res, "Tanh")
    assert [t.type for t in fig.data] == ["scatter"] * 4
    assert fig.data[1].yaxis == "y2" and "autograd" in fig.data[1].name
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == len(res.regions) == 2
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "saturation: tanh → −1" in texts and "f′(3.50)" in texts
    assert fig.layout.yaxis2.title.text == "f′(x)"
    assert "%{y:.6f}" in fig.data[0].hovertemplate


def test_softmax_figures_show_probabilities_sweep_and_jacobian():
    from dlviz.plots.activations import (
        softmax_bars_figure,
        softmax_jacobian_figure,
        softmax_sweep_figure,
    )

    z = [1000.0, -1000.0, 0.0]
    res = softmax_analysis(z, 0.5)
    bars = softmax_bars_figure(res, ["a", "b", "c"])
    assert bars.data[0].type == "bar" and "Σp = 1.000000" in bars.layout.title.text
    assert "log p" in bars.data[0].hovertemplate
    sweep = softmax_sweep_figure(softmax_sweep(z, 2, 0.5), 0.0, "c", 0.5)
    assert sweep.data[1].yaxis == "y2" and len(sweep.data) == 3
    heat = softmax_jacobian_figure(res, ["a", "b", "c"])
    assert heat.data[0].type == "heatmap" and heat.data[0].zmid == 0


def test_leaky_relu_with_slope_zero_gives_plus_zero_not_minus_zero():
    # -2 * 0 is -0 in IEEE arithmetic; the page printed "f(x) = -0" (issue 12)
    f, df = curve("leaky_relu", [-2.0, -0.5], slope=0.0)
    assert f.tolist() == [0.0, 0.0] and not torch.signbit(f).any()
    assert not torch.signbit(df).any()
    assert not torch.signbit(analyse(CurveConfig("leaky_relu", (("slope", 0.0),))).f).any()


def test_slider_decimals_show_every_reachable_value():
    slope = ACTIVATIONS["leaky_relu"].specs[0]
    assert slope.decimals == 3 and f"%.{slope.decimals}f" % 0.005 == "0.005"
    assert ACTIVATIONS["elu"].specs[0].decimals == 2


def test_jacobian_cell_text_shows_small_non_zero_values():
    from dlviz.plots.activations import softmax_jacobian_figure

    res = softmax_analysis([2.0, 1.0, 0.1, -1.0], 0.3)  # some cells are about ±1e-4
    heat = softmax_jacobian_figure(res, ["a", "b", "c", "d"]).data[0]
    jac = res.jacobian.tolist()
    small = [(i, j) for i, row in enumerate(jac) for j, v in enumerate(row) if 0 < abs(v) < 5e-4]
    assert small, "the example must have cells that round to 0.000"
    for i, j in small:
        text = heat.text[i][j]
        assert text not in {"0.000", "-0.000", "0"}
        assert float(text) == pytest.approx(jac[i][j], rel=0.05)
    assert heat.texttemplate == "%{text}"
