"""Losses: values and gradients against torch.nn.functional and the closed forms."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlviz.loss import (
    binary_cross_entropy,
    compare_mse_ce,
    confident_mistake,
    cross_entropy_curve,
    logit_step,
    sigmoid_losses,
    softmax_cross_entropy,
)

P = torch.tensor([1e-6, 0.01, 0.2, 0.5, 0.9, 0.999999, 1.0], dtype=torch.float64)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_binary_cross_entropy_matches_torch_including_its_clamp(y):
    expected = F.binary_cross_entropy(P, torch.full_like(P, y), reduction="none")
    torch.testing.assert_close(binary_cross_entropy(P, y), expected)
    assert binary_cross_entropy([0.0], 1.0).item() == 100.0  # torch clamps log at -100


def test_cross_entropy_curve_and_probe():
    c = cross_entropy_curve(0.25)
    assert c.p[0] > 0 and c.p[-1] == 1.0
    torch.testing.assert_close(c.loss_y1, -torch.log(c.p))
    torch.testing.assert_close(c.loss_y0[:-1], -torch.log1p(-c.p[:-1]))
    assert c.loss_y1[-1] == 0.0
    assert c.probe_loss == pytest.approx(math.log(4))
    assert c.probe_grad == pytest.approx(-4.0)  # dL/dp = -1/p
    assert torch.all(torch.diff(c.loss_y1) < 0)  # lower p, higher loss


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5])
def test_cross_entropy_curve_rejects_probabilities_outside_the_unit_interval(bad):
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        cross_entropy_curve(bad)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_sigmoid_losses_match_torch_and_closed_form_gradients(y):
    z = torch.linspace(-12, 12, 97, dtype=torch.float64)
    s = sigmoid_losses(z, y)
    p = torch.sigmoid(z)
    target = torch.full_like(z, y)
    torch.testing.assert_close(s.mse, F.mse_loss(p, target, reduction="none"))
    torch.testing.assert_close(s.bce, F.binary_cross_entropy(p, target, reduction="none"))
    torch.testing.assert_close(s.dmse_dz, 2 * (p - y) * p * (1 - p))
    torch.testing.assert_close(s.dbce_dz, p - y)


def test_sigmoid_losses_reject_soft_labels():
    with pytest.raises(ValueError, match="0 or 1"):
        sigmoid_losses([0.0], 0.5)


def test_cross_entropy_keeps_learning_from_a_confident_mistake_where_mse_stalls():
    cmp = compare_mse_ce(probe_z=-6.0, y=1.0)
    probe = cmp.probe
    assert probe.p.item() < 0.01  # the model is confidently wrong
    assert abs(probe.dmse_dz.item()) < 0.01  # MSE barely pushes
    assert abs(probe.dbce_dz.item()) > 0.99  # cross-entropy pushes at almost full strength
    lo, hi = cmp.mistake
    assert lo == -8.0 and hi == pytest.approx(-math.log(9))
    assert torch.sigmoid(torch.tensor(hi)).item() == pytest.approx(0.1)
    cmp0 = compare_mse_ce(probe_z=0.0, y=0.0)
    assert cmp0.mistake[0] == pytest.approx(math.log(9)) and cmp0.mistake[1] == 8.0


def test_sigmoid_losses_are_finite_for_extreme_logits():
    s = sigmoid_losses([-1000.0, 1000.0], 1.0)
    assert torch.isfinite(s.bce).all() and torch.isfinite(s.dbce_dz).all()
    assert s.bce[0].item() == pytest.approx(1000.0)


@pytest.mark.parametrize(
    ("logits", "target"),
    [([2.0, 1.0, 0.1], 0), ([2.0, 1.0, 0.1], 2), ([0.0, 0.0], 1), ([-3.0, 5.0, 0.5, 1.0, 2.0], 3)],
)
def test_softmax_cross_entropy_matches_torch(logits, target):
    res = softmax_cross_entropy(logits, target)
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    ref = F.cross_entropy(z.unsqueeze(0), torch.tensor([target]))
    ref.backward()
    assert res.loss == pytest.approx(ref.item(), rel=1e-12)
    torch.testing.assert_close(res.grad, z.grad)
    torch.testing.assert_close(res.grad, res.probs - res.one_hot)  # the closed form p - y
    assert res.one_hot.tolist() == [1.0 if i == target else 0.0 for i in range(len(logits))]
    assert res.grad.sum().item() == pytest.approx(0.0, abs=1e-12)


def test_softmax_cross_entropy_is_finite_for_huge_logits():
    res = softmax_cross_entropy([1000.0, -1000.0, 0.0], 1)
    assert res.loss == pytest.approx(2000.0)
    assert math.isfinite(res.loss) and torch.isfinite(res.grad).all()
    ref = F.cross_entropy(
        torch.tensor([[1000.0, -1000.0, 0.0]], dtype=torch.float64), torch.tensor([1])
    )
    assert res.loss == pytest.approx(ref.item())


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1000, 1000, allow_nan=False), min_size=2, max_size=8), st.data())
def test_softmax_cross_entropy_property(logits, data):
    target = data.draw(st.integers(0, len(logits) - 1))
    res = softmax_cross_entropy(logits, target)
    ref = F.cross_entropy(torch.tensor([logits], dtype=torch.float64), torch.tensor([target]))
    assert math.isfinite(res.loss) and res.loss >= 0
    assert res.loss == pytest.approx(ref.item(), rel=1e-9, abs=1e-9)
    torch.testing.assert_close(res.grad, res.probs - res.one_hot)


def test_softmax_cross_entropy_rejects_a_missing_class():
    with pytest.raises(ValueError, match="between 0 and 2"):
        softmax_cross_entropy([1.0, 2.0, 3.0], 3)


def test_a_logit_step_is_sgd_on_the_logits_and_keeps_its_history():
    logits, target, lr = [2.0, 1.0, 0.1], 2, 0.5
    z = torch.tensor([logits], dtype=torch.float64, requires_grad=True)
    before = F.cross_entropy(z, torch.tensor([target]))
    before.backward()
    optimizer_step = (z - lr * z.grad).detach()[0].tolist()  # what torch.optim.SGD would do
    first = logit_step(logits, target, lr)
    assert list(first.logits) == pytest.approx(optimizer_step, abs=1e-6)
    assert first.history[0] == pytest.approx(before.item())
    assert first.history[1] < first.history[0]  # the loss falls
    second = logit_step(first.logits, target, lr, first.history)
    assert second.history[:2] == first.history and len(second.history) == 3
    edited = logit_step([0.0, 0.0, 0.0], target, lr, second.history)  # edited by hand since
    assert len(edited.history) == 2 and edited.history[0] == pytest.approx(math.log(3))


def test_a_logit_step_stays_inside_the_bound_and_never_writes_minus_zero():
    step = logit_step([1000.0, -1000.0], 1, 5.0, bound=1000.0)
    assert max(abs(z) for z in step.logits) <= 1000.0
    tiny = logit_step([0.0, 0.0], 0, 1e-9)
    assert all(math.copysign(1, z) == 1 for z in tiny.logits if z == 0)


def test_a_confident_mistake_is_sure_of_the_next_class():
    assert confident_mistake(4, 1) == (0.0, -3.0, 5.0, 0.0)
    assert confident_mistake(3, 2) == (5.0, 0.0, -3.0)  # the next class wraps around
    assert softmax_cross_entropy(confident_mistake(4, 1), 1).loss > 8


# --- figures (structure only) ------------------------------------------------------------------


def test_loss_figures_have_the_promised_traces():
    from dlviz.plots.loss import cross_entropy_figure, mse_vs_ce_figure, softmax_ce_figure

    ce = cross_entropy_figure(cross_entropy_curve(0.3), show_y0=True)
    assert [t.name for t in ce.data][:2] == ["y = 1:  −log p", "y = 0:  −log(1 − p)"]
    assert "dL/dp = -3.333" in ce.data[2].name
    assert len(cross_entropy_figure(cross_entropy_curve(0.3), show_y0=False).data) == 3

    cmp = mse_vs_ce_figure(compare_mse_ce(-5.0, 1.0))
    axes = {(t.legendgroup, t.yaxis) for t in cmp.data if t.legendgroup}
    assert axes == {("MSE", "y"), ("MSE", "y2"), ("CE", "y"), ("CE", "y2")}
    assert any("confident" in a.text for a in cmp.layout.annotations)

    res = softmax_cross_entropy([2.0, 1.0, 0.1], 1)
    bars = softmax_ce_figure(res, ["cat", "dog", "bird"])
    grad = bars.data[2]
    assert grad.yaxis == "y2" and list(grad.y) == pytest.approx(res.grad.tolist())
    assert grad.marker.color[1] != grad.marker.color[0]  # the true class is coloured apart


def test_a_certain_right_answer_has_loss_plus_zero():
    # -log p with p = 1 is -0 in IEEE arithmetic; the page printed "loss = -0" (issue 12)
    res = softmax_cross_entropy([1000.0, -1000.0], 0)
    assert res.loss == 0 and math.copysign(1, res.loss) == 1


def test_the_cross_entropy_probe_at_p_one_has_loss_zero_and_slope_minus_one():
    # at p = 1 the y = 0 term 0 * log(1 - p) made dL/dp = 0 * inf = NaN and the loss -0 (issue 12)
    c = cross_entropy_curve(1.0)
    assert c.probe_loss == 0 and math.copysign(1, c.probe_loss) == 1
    assert c.probe_grad == pytest.approx(-1.0)  # dL/dp = -1/p
    assert torch.isfinite(c.loss_y0[:-1]).all() and c.loss_y0[-1] == 100.0  # torch's clamp
