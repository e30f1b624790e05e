"""The training loop on tiny synthetic data: it learns, is deterministic, stops, diverges safely."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import dlviz.training.loop as loop
from dlviz.training import (
    OPTIMIZER_CHOICES,
    Progress,
    TrainConfig,
    evaluate,
    optimizer_for,
    predict_proba,
    split_indices,
    train,
)
from dlviz.training.models import ModelSpec, build_model

TINY_MLP = ModelSpec(kind="mlp", hidden=(32,))
TINY_CNN = ModelSpec(kind="cnn", channels=(8,), hidden=(16,))


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def cfg(**kw) -> TrainConfig:
    base = dict(dataset="digits", model=TINY_MLP, epochs=3, batch_size=32, lr=1e-2)
    return TrainConfig(**{**base, **kw})


@pytest.mark.parametrize("model", [TINY_MLP, TINY_CNN], ids=["mlp", "cnn"])
def test_tiny_model_learns(data, model):
    result = train(cfg(model=model), data)
    h = result.history
    assert result.status == "completed" and len(h) == 3
    assert h[-1].train_loss < h[0].train_loss
    assert h[-1].test_acc > 0.8  # chance is 0.1
    assert h[-1].val_acc > 0.8
    assert result.samples_per_second > 0 and result.train_seconds > 0
    assert result.parameters == sum(
        p.numel() for p in build_model(model, (1, 8, 8), 10).parameters()
    )


def test_result_holds_per_epoch_predictions_and_weights(data):
    result = train(cfg(epochs=2), data)
    assert len(result.test_preds) == len(result.test_probs) == 2
    assert torch.equal(result.test_labels, data.test_y)
    for stats, preds, probs in zip(
        result.history, result.test_preds, result.test_probs, strict=True
    ):
        assert preds.dtype == torch.int64 and preds.shape == (100,)
        assert probs.dtype == torch.float16 and probs.shape == (100, 10)
        torch.testing.assert_close(probs.float().sum(1), torch.ones(100), atol=5e-3, rtol=0)
        assert (preds == data.test_y).float().mean().item() == pytest.approx(stats.test_acc)
    model = result.model(data.info)
    probs = predict_proba(model, data.test_x, data.info)
    assert torch.equal(probs.argmax(1), result.test_preds[-1])
    initial = result.model(data.info, weights="initial")
    assert not torch.equal(initial.fc1.weight, model.fc1.weight)
    assert all(t.is_contiguous() for t in result.final_state.values())


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_training_is_deterministic_for_a_seed_and_leaves_global_rng_alone(data, precision):
    rng = torch.get_rng_state()
    a = train(cfg(model=TINY_CNN, epochs=2, precision=precision), data)
    assert a.precision == precision
    assert torch.equal(torch.get_rng_state(), rng)
    b = train(cfg(model=TINY_CNN, epochs=2, precision=precision), data)
    assert [s.train_loss for s in a.history] == [s.train_loss for s in b.history]
    for k in a.final_state:
        assert torch.equal(a.final_state[k], b.final_state[k]), k
    c = train(cfg(model=TINY_CNN, epochs=2, seed=1, precision=precision), data)
    assert not torch.equal(a.final_state["conv1.weight"], c.final_state["conv1.weight"])


def test_callbacks_get_progress_and_can_stop_mid_epoch(data):
    events: list[Progress] = []

    def stop_at_fifth_step_event(p: Progress) -> bool:
        events.append(p)
        return p.kind == "step" and p.epoch == 2 and p.step >= 5

    result = train(cfg(epochs=5), data, [stop_at_fifth_step_event])
    assert result.status == "stopped" and "epoch 2" in result.message
    assert len(result.history) == 2  # epoch 1 and the partial epoch 2 are both usable
    assert len(result.test_preds) == 2
    assert events[0].kind == "step" and events[0].steps_per_epoch == math.ceil(360 / 32)
    assert any(e.kind == "epoch" and e.epoch == 1 and len(e.history) == 1 for e in events)
    assert all(0 <= e.fraction <= 1 for e in events)


def test_callback_can_stop_after_an_epoch(data):
    result = train(cfg(epochs=4), data, [lambda p: p.kind == "epoch"])
    assert result.status == "stopped" and len(result.history) == 1


def test_divergence_stops_with_status_and_keeps_finite_weights(data):
    result = train(cfg(optimizer="sgd", lr=1e12, epochs=3), data)
    assert result.status == "diverged"
    epoch, step = result.diverged_at
    assert epoch >= 1 and step >= 1
    assert f"epoch {epoch}, step {step}" in result.message
    assert all(torch.isfinite(t).all() for t in result.final_state.values())
    assert len(result.test_preds) == len(result.history) == epoch - 1
    result.model(data.info)  # still loadable


def test_a_finite_loss_above_the_run_s_limit_is_diverged_and_the_finished_epochs_stay(data):
    """AdamW keeps a far too large step's loss finite; ``diverge_above`` still stops the run."""
    free = train(cfg(optimizer="adamw", lr=5.0, epochs=2), data)
    assert free.status == "completed"  # no limit: millions of loss, never NaN
    assert max(h.train_loss for h in free.history) > 100
    limited = train(cfg(optimizer="adamw", lr=5.0, epochs=2, diverge_above=46.0), data)
    assert limited.status == "diverged"
    assert "above this run's divergence limit of 46" in limited.message
    assert all(torch.isfinite(t).all() for t in limited.final_state.values())
    calm = train(cfg(epochs=2, diverge_above=46.0), data)
    assert calm.status == "completed" and len(calm.history) == 2
    assert calm.config.key() != cfg(epochs=2).key()  # a limit is part of the run's key
    assert TrainConfig(diverge_above=None).key() == TrainConfig().key()


def test_a_run_records_its_device_and_returns_everything_on_the_cpu(data):
    result = train(cfg(epochs=1), data, device="cpu")
    assert result.device == "cpu"
    assert all(t.device.type == "cpu" for t in result.final_state.values())
    assert result.test_probs[0].device.type == "cpu"
    with pytest.raises(ValueError, match="Unknown device"):
        train(cfg(epochs=1), data, device="tpu")


def test_early_stopping_keeps_the_best_validation_weights(data, monkeypatch):
    real = loop.evaluate
    val_losses = iter([1.0, 0.5, 0.7, 0.9, 1.1, 1.3])

    def fake_evaluate(model, x, y, info, batch_size=1000, precision="fp32"):
        loss, acc, probs = real(model, x, y, info, batch_size, precision)
        return (next(val_losses) if len(y) == 40 else loss), acc, probs

    monkeypatch.setattr(loop, "evaluate", fake_evaluate)
    result = train(cfg(epochs=6, patience=2), data)
    assert result.status == "early-stopped"
    assert len(result.history) == 4 and result.best_epoch == 2
    assert "epoch 2" in result.message


def test_nan_loss_from_bad_data_is_diverged_not_a_crash(data, monkeypatch):
    monkeypatch.setattr(loop.F, "cross_entropy", lambda *a, **k: torch.tensor(float("nan")))
    result = train(cfg(), data)
    assert result.status == "diverged" and result.diverged_at == (1, 1)
    assert result.history == [] and result.final_state.keys() == result.initial_state.keys()


@pytest.mark.parametrize("name", OPTIMIZER_CHOICES)
def test_every_optimizer_trains(data, name):
    lr = {"sgd": 0.1, "momentum": 0.05}.get(name, 1e-2)
    result = train(cfg(optimizer=name, lr=lr, epochs=2), data)
    assert result.status == "completed"
    assert result.history[-1].train_loss < result.history[0].train_loss * 1.05


def test_fused_optimizers_where_torch_has_them():
    params = list(torch.nn.Linear(3, 2).parameters())
    assert optimizer_for(cfg(optimizer="adam"), params).defaults.get("fused") is True
    assert optimizer_for(cfg(optimizer="momentum"), params).defaults["momentum"] == 0.9
    assert optimizer_for(cfg(optimizer="sgd"), params).defaults["momentum"] == 0.0


def test_evaluate_matches_torch_cross_entropy(data):
    model = build_model(TINY_CNN, (1, 8, 8), 10)
    model.train()
    loss, acc, probs = evaluate(model, data.test_x, data.test_y, data.info, batch_size=7)
    assert model.training  # mode restored
    model.eval()
    with torch.no_grad():
        from dlviz.data import normalize

        logits = model(normalize(data.test_x, data.info))
    assert loss == pytest.approx(F.cross_entropy(logits, data.test_y).item(), rel=1e-5)
    assert acc == pytest.approx((logits.argmax(1) == data.test_y).float().mean().item())
    torch.testing.assert_close(probs, logits.softmax(1))


def test_split_indices_are_disjoint_seeded_subsets():
    tr, va = split_indices(1000, 200, 0.1, seed=3)
    assert len(tr) == 180 and len(va) == 20
    assert not set(tr.tolist()) & set(va.tolist())
    tr2, _ = split_indices(1000, 200, 0.1, seed=3)
    assert torch.equal(tr, tr2)
    tr3, va3 = split_indices(10, None, 0.0, seed=0)
    assert len(tr3) == 10 and len(va3) == 0


def test_subset_and_no_validation(data):
    result = train(cfg(train_subset=100, val_fraction=0.0, epochs=1), data)
    assert math.isnan(result.history[0].val_loss)
    assert result.samples_per_second > 0


def test_batch_norm_model_survives_a_last_batch_of_one(data):
    spec = ModelSpec(kind="cnn", channels=(4,), hidden=(8,), batch_norm=True)
    result = train(
        cfg(model=spec, train_subset=67, val_fraction=0.0, batch_size=33, epochs=1), data
    )
    assert result.status == "completed"


def test_bf16_run_keeps_float32_weights_and_learns_like_fp32(data):
    """Mixed precision: bf16 forward passes, float32 master weights, loss and optimizer state."""
    fp32 = train(cfg(model=TINY_CNN, precision="fp32"), data)
    bf16 = train(cfg(model=TINY_CNN, precision="bf16"), data)
    assert (fp32.precision, bf16.precision) == ("fp32", "bf16")
    assert all(v.dtype == torch.float32 for v in bf16.final_state.values() if v.is_floating_point())
    assert bf16.history[-1].test_acc > 0.8  # chance is 0.1
    assert abs(bf16.history[-1].test_acc - fp32.history[-1].test_acc) < 0.1
    # the same initial weights and batches: the first epoch's loss differs only by rounding
    assert bf16.history[0].train_loss == pytest.approx(fp32.history[0].train_loss, rel=0.05)
    assert not torch.equal(bf16.final_state["conv1.weight"], fp32.final_state["conv1.weight"])


def test_evaluate_in_bf16_is_close_to_fp32(data):
    model = build_model(TINY_CNN, (1, 8, 8), 10).eval()
    loss32, acc32, p32 = evaluate(model, data.test_x, data.test_y, data.info)
    loss16, _, p16 = evaluate(model, data.test_x, data.test_y, data.info, precision="bf16")
    assert p16.dtype == torch.float32
    torch.testing.assert_close(p16, p32, atol=0.02, rtol=0)
    assert loss16 == pytest.approx(loss32, rel=0.02)
