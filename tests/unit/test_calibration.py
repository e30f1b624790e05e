"""Calibration against direct computations: ECE by explicit loops over bins, temperature scaling
against a fine grid search and torch's own optimiser, and a stored run's calibration."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from dlviz.calibration import (
    expected_calibration_error,
    fit_temperature,
    mean_nll,
    reliability,
    softmax,
)


def direct_ece(probs: torch.Tensor, labels: torch.Tensor, n_bins: int) -> float:
    """ECE written out: a Python loop over the bins (lo, hi] (0 goes in the first)."""
    conf, pred = probs.max(1)
    total = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        inside = [i for i in range(len(conf))
                  if (lo < conf[i] <= hi) or (b == 0 and conf[i] == 0)]  # fmt: skip
        if not inside:
            continue
        acc = sum(int(pred[i] == labels[i]) for i in inside) / len(inside)
        mean_conf = sum(float(conf[i]) for i in inside) / len(inside)
        total += len(inside) / len(conf) * abs(acc - mean_conf)
    return total


@pytest.mark.parametrize("n_bins", [1, 5, 15])
def test_ece_equals_the_direct_loop_over_bins(n_bins):
    g = torch.Generator().manual_seed(n_bins)
    logits = torch.randn(500, 10, generator=g, dtype=torch.float64) * 3
    probs = torch.softmax(logits, 1)
    labels = torch.randint(0, 10, (500,), generator=g)
    ece = expected_calibration_error(probs, labels, n_bins)
    assert ece == pytest.approx(direct_ece(probs, labels, n_bins), abs=1e-12)
    rel = reliability(probs, labels, n_bins)
    assert rel.total == 500 and len(rel.edges) == n_bins + 1


def test_ece_of_a_perfect_and_of_a_confidently_wrong_model():
    labels = torch.tensor([0, 1, 2, 3])
    one_hot = F.one_hot(labels, 4).double()
    assert expected_calibration_error(one_hot, labels) == 0.0
    assert expected_calibration_error(one_hot, (labels + 1) % 4) == pytest.approx(1.0)
    # bin edges: a confidence of exactly 0.2 with 5 bins belongs to the first bin (0, 0.2]
    rel = reliability(torch.full((1, 5), 0.2, dtype=torch.float64), torch.tensor([0]), 5)
    assert rel.counts[0] == 1


def test_fitted_temperature_minimises_the_cross_entropy():
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 10, (2000,), generator=g)
    clean = torch.randn(2000, 10, generator=g, dtype=torch.float64)
    clean[torch.arange(2000), labels] += 2.0
    overconfident = clean * 3.0
    t = fit_temperature(overconfident, labels)
    grid = torch.linspace(0.5, 8.0, 1501, dtype=torch.float64)
    losses = torch.stack([F.cross_entropy(overconfident / s, labels) for s in grid])
    best = grid[losses.argmin()].item()
    assert t == pytest.approx(best, abs=6e-3)
    assert t > 1  # the scaled-up logits were overconfident
    # torch's own optimiser on log T agrees
    log_t = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.5, max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(overconfident / log_t.exp(), labels)
        loss.backward()
        return loss

    opt.step(closure)
    assert t == pytest.approx(math.exp(log_t.item()), rel=1e-4)
    assert mean_nll(overconfident, labels, t) <= mean_nll(overconfident, labels, 1.0)


def test_temperature_keeps_the_predictions():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(100, 5, generator=g)
    assert torch.equal(softmax(logits, 3.7).argmax(1), softmax(logits).argmax(1))


def test_a_stored_runs_calibration_fits_on_validation_and_keeps_accuracy():
    from dlviz.data import load_dataset
    from dlviz.generalization import Setup, baseline_config
    from dlviz.generalization.trust import calibrate, true_class_loss
    from dlviz.training import train

    digits = load_dataset("digits")
    run = train(baseline_config(Setup("digits", 200, 64, 10)), digits)
    cal = calibrate(run, digits)
    assert cal.val_images == 287 and cal.temperature > 0
    assert cal.nll_after <= cal.nll_before + 1e-9  # T = 1 is one of the candidates
    assert cal.accuracy == pytest.approx(run.history[-1].test_acc, abs=1e-6)
    assert cal.before.ece == pytest.approx(expected_calibration_error(cal.probs, cal.labels))
    p, loss = true_class_loss(cal.probs, cal.labels)
    assert torch.allclose(loss, -torch.log(p.clamp_min(1e-12)))
