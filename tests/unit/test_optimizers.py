"""dlviz.optimizers: one table and one factory give exactly the torch.optim objects pages need."""

from __future__ import annotations

import pytest
import torch

from dlviz.optimizers import HYPERPARAMS, LABELS, OPTIMIZERS, make_optimizer, torch_arguments


def _params():
    return [torch.zeros(3, requires_grad=True)]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_is_its_torch_class_with_torchs_defaults(name):
    opt = make_optimizer(name, _params(), lr=0.1)
    info = OPTIMIZERS[name]
    assert type(opt) is info.cls
    assert opt.defaults["lr"] == 0.1
    for key, value in info.defaults.items():
        torch_key = {"beta2": "alpha" if name == "rmsprop" else "betas", "beta1": "betas"}.get(
            key, key
        )
        got = opt.defaults[torch_key]
        if torch_key == "betas":
            got = got[0] if key == "beta1" else got[1]
        assert got == pytest.approx(value), (name, key)
    assert set(info.uses) <= set(HYPERPARAMS)
    assert LABELS[name] == info.label


def test_momentum_methods_default_to_0_9_and_nesterov_needs_momentum():
    assert make_optimizer("momentum", _params(), lr=0.1).defaults["momentum"] == 0.9
    assert make_optimizer("nesterov", _params(), lr=0.1).defaults["nesterov"] is True
    off = make_optimizer("nesterov", _params(), lr=0.1, momentum=0.0).defaults
    assert off["nesterov"] is False and off["momentum"] == 0.0


def test_hyperparameters_map_to_torch_names_and_unused_ones_are_ignored():
    assert torch_arguments("adam", lr=0.1, beta1=0.5, beta2=0.9, momentum=0.3) == {
        "lr": 0.1,
        "betas": (0.5, 0.9),
    }
    assert torch_arguments("rmsprop", lr=0.1, beta2=0.9, momentum=0.5, eps=1e-4) == {
        "lr": 0.1,
        "eps": 1e-4,
        "alpha": 0.9,
        "momentum": 0.5,
    }
    assert torch_arguments("sgd", lr=0.1, eps=1e-3, weight_decay=None) == {"lr": 0.1}
    with pytest.raises(TypeError, match="unknown hyperparameters: gamma"):
        torch_arguments("sgd", lr=0.1, gamma=1.0)
    with pytest.raises(ValueError, match="unknown optimizer .lbfgs.; choose one of sgd"):
        make_optimizer("lbfgs", _params(), lr=0.1)


def test_fused_where_torch_has_it_foreach_otherwise_and_parameter_groups():
    groups = [
        {"params": [torch.zeros(2, requires_grad=True)], "weight_decay": 0.1},
        {"params": [torch.zeros(2, requires_grad=True)], "weight_decay": 0.0},
    ]
    adam = make_optimizer("adam", groups, lr=0.01, fused=True, foreach=True)
    assert adam.defaults["fused"] is True
    assert [g["weight_decay"] for g in adam.param_groups] == [0.1, 0.0]
    rms = make_optimizer("rmsprop", _params(), lr=0.01, fused=True, foreach=True)
    assert rms.defaults["foreach"] is True


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_steps_match_a_hand_built_torch_optimizer(name):
    """Same trajectory as constructing torch.optim directly with the mapped arguments."""
    a, b = (
        torch.tensor([1.0, -2.0], requires_grad=True),
        torch.tensor([1.0, -2.0], requires_grad=True),
    )
    ours = make_optimizer(name, [a], lr=0.05, momentum=0.5, beta1=0.8, beta2=0.95, eps=1e-6)
    theirs = OPTIMIZERS[name].cls(
        [b], **torch_arguments(name, lr=0.05, momentum=0.5, beta1=0.8, beta2=0.95, eps=1e-6)
    )
    for _ in range(5):
        for p, opt in ((a, ours), (b, theirs)):
            opt.zero_grad()
            (p**2).sum().backward()
            opt.step()
    torch.testing.assert_close(a, b)
