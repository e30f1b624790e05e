"""Slow motion: every number of one example's step equals torch.autograd's and torch.optim's."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlviz.playground.model import ModelConfig, build_mlp, linear_layers
from dlviz.playground.slowmo import model_with, slow_motion


def _autograd_step(model, x, target, regression, lr, l2, l1):
    """Reference: the model in float64, retain_grad on every z, loss.backward(), SGD's step."""
    model = model_with(model, [lin.weight.double() for lin in linear_layers(model)],
                       [lin.bias.double() for lin in linear_layers(model)]).double()  # fmt: skip
    lins = linear_layers(model)
    zs, h = [], x.double()[None]
    for m in model:
        h = m(h)
        if isinstance(m, torch.nn.Linear):
            h.retain_grad()
            zs.append(h)
    if regression:
        loss = F.mse_loss(h[:, 0], torch.tensor([target], dtype=torch.float64))
    else:
        loss = F.cross_entropy(h, torch.tensor([int(target)]))
    penalty = l1 * sum(lin.weight.abs().sum() for lin in lins)
    (loss + penalty).backward(retain_graph=True)
    deltas = [z.grad[0].clone() for z in zs]
    data_grads = torch.autograd.grad(loss, [lin.weight for lin in lins])  # without the penalty
    old = [lin.weight.detach().clone() for lin in lins]
    opt = torch.optim.SGD(
        [{"params": [lin.weight for lin in lins], "weight_decay": l2},
         {"params": [lin.bias for lin in lins], "weight_decay": 0.0}], lr=lr)  # fmt: skip
    opt.step()
    with torch.no_grad():
        for lin, w, g in zip(lins, old, data_grads, strict=True):
            if l1 > 0:
                lin.weight[(lin.weight * w < 0) | ((w == 0) & (g.abs() <= l1))] = 0.0
    return loss.item(), zs, deltas, data_grads, lins, model


CASES = [
    ("tanh", (5, 3), False, 0.0, 0.0),
    ("relu", (4,), False, 1e-2, 0.0),
    ("sigmoid", (3, 3, 2), True, 0.0, 3e-2),
    ("gelu", (), True, 1e-3, 1e-2),
    ("leaky_relu", (6, 4), False, 0.03, 0.01),
]


@pytest.mark.parametrize(("act", "hidden", "regression", "l2", "l1"), CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_every_number_equals_autograd(act, hidden, regression, l2, l1, seed):
    n_out = 1 if regression else 3
    model = build_mlp(3, n_out, ModelConfig(("x1", "x2", "x1^2"), hidden, act, "sgd", seed))
    with torch.no_grad():  # weights at zero: L1's dead zone holds or releases them
        linear_layers(model)[0].weight[0, :2] = 0.0
    g = torch.Generator().manual_seed(seed + 10)
    x = torch.randn(3, generator=g)
    target = float(torch.randn(1, generator=g)) if regression else float(seed % n_out)
    lr = 0.1
    sm = slow_motion(model, x, target, regression=regression, lr=lr, l2=l2, l1=l1)
    loss, zs, deltas, data_grads, lins, after = _autograd_step(
        model, x, target, regression, lr, l2, l1
    )
    assert sm.loss == pytest.approx(loss, rel=1e-10, abs=1e-12)
    for i, z in enumerate(zs):
        np.testing.assert_allclose(sm.pre[i], z.detach()[0].numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(sm.delta[i], deltas[i].numpy(), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(sm.grad_w[i], data_grads[i].numpy(), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(sm.grad_b[i], lins[i].bias.grad.numpy(), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(sm.new_weights[i], lins[i].weight.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(sm.new_biases[i], lins[i].bias.detach().numpy(), atol=1e-12)
    with torch.no_grad():
        out = after(x.double()[None])
    ref_after = (
        float((out[0, 0] - target) ** 2)
        if regression
        else float(F.cross_entropy(out, torch.tensor([int(target)])))
    )
    assert sm.loss_after == pytest.approx(ref_after, rel=1e-10, abs=1e-12)
    probs = (
        torch.softmax(zs[-1].detach()[0], 0).numpy()
        if not regression
        else zs[-1].detach()[0].numpy()
    )
    np.testing.assert_allclose(sm.post[-1], probs, rtol=1e-10, atol=1e-12)


def test_a_small_step_lowers_this_examples_loss():
    model = build_mlp(2, 2, ModelConfig(hidden=(4,)))
    sm = slow_motion(model, torch.tensor([0.5, -1.0]), 1, regression=False, lr=0.05)
    assert sm.loss_after < sm.loss
    assert len(sm.activations) == 3 and sm.activations[0].tolist() == [0.5, -1.0]


def test_the_stages_hold_the_step_and_the_figure_has_a_frame_each():
    from dlviz.playground.stages import node_names, step_stages
    from dlviz.plots.playground.slowmo import change_figure, slow_motion_figure

    model = build_mlp(2, 3, ModelConfig(hidden=(4, 3)))
    sm = slow_motion(model, torch.tensor([0.5, -1.0]), 2, regression=False, lr=0.1, l1=0.01)
    stages = step_stages(sm, ("x1", "x2"), 0.25)
    titles = [s.title for s in stages]
    assert titles == ["Input", "Forward: hidden layer 1", "Forward: hidden layer 2",
                      "Forward: output layer", "Loss", "Backward: output layer",
                      "Backward: hidden layer 2", "Backward: hidden layer 1", "Update"]  # fmt: skip
    assert "25.0% of the plane" in stages[-1].text and "λ₁·sign w" in stages[-1].text
    for row in stages[5].rows:  # each gradient is delta times input
        assert row["∂L/∂parameter = δ·a"] == pytest.approx(
            row["δ of the neuron fed"] * row["input a"], abs=1e-12
        )
    for row in stages[-1].rows:
        assert row["new"] == pytest.approx(row["old"] + row["step"], abs=1e-12)
    assert len(stages[-1].rows) == (2 + 1) * 4 + (4 + 1) * 3 + (3 + 1) * 3  # weights + biases
    loss = stages[4]
    assert any(r["quantity"] == "loss" and r["value"] == sm.loss for r in loss.rows)
    assert stages[2].nodes[3] is None and stages[3].nodes[3] is not None  # one layer at a time
    names = node_names(sm, ("x1", "x2"))
    assert names == [["x₁", "x₂"], ["h1.1", "h1.2", "h1.3", "h1.4"], ["h2.1", "h2.2", "h2.3"],
                     ["class 0", "class 1", "class 2"]]  # fmt: skip
    fig = slow_motion_figure(stages, names, stage=4)
    assert len(fig.frames) == 9 and fig.layout.sliders[0].active == 4
    assert "5/9. Loss" in fig.layout.title.text
    assert fig.layout.updatemenus[0].buttons[0].args[0] is None  # Play: every frame, client side
    axis = np.linspace(-4, 4, 5)
    change = change_figure(axis, np.ones((5, 5)), np.array([0.5, -1.0]), "change of p")
    assert change.data[0].zmin == -change.data[0].zmax
