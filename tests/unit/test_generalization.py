"""The generalization library: augmentation against torchvision, the nested split and shuffled
labels, training images scored in eval mode, experiments from the same initial weights, random-
label memorisation, the one-batch check and the learning-rate range test."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F
from torchvision.transforms.v2 import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from dlviz.data import load_dataset, normalize, synthetic_dataset
from dlviz.generalization import (
    Remedies,
    Setup,
    SweepSetup,
    baseline_config,
    curves_of,
    gap_at,
    kept_epoch,
    random_label_runs,
    remedy_runs,
    sweep_runs,
)
from dlviz.generalization.sanity import OneBatch, RangeTest, diagnose, range_curve, smooth
from dlviz.training import TrainConfig, evaluate, split_indices, train
from dlviz.training.augment import SHIFT, Draw, apply, augment_batch, augmented_samples, draw
from dlviz.training.loop import training_labels

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


# --- augmentation -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [8, 28])
def test_augmentation_matches_torchvision_affine_and_flip_pixel_for_pixel(size):
    g = torch.Generator().manual_seed(size)
    x = torch.randint(0, 256, (12, 1, size, size), dtype=torch.uint8, generator=g)
    angle = torch.rand(12, generator=g) * 20 - 10
    dx = torch.randint(-3, 4, (12,), generator=g).float()
    dy = torch.randint(-3, 4, (12,), generator=g).float()
    flip = torch.rand(12, generator=g) < 0.5
    ours = apply(x, Draw(angle, dx, dy, flip))
    reference = torch.stack([
        TF.affine(
            TF.horizontal_flip(img) if f else img, angle=float(a), translate=[float(u), float(v)],
            scale=1.0, shear=[0.0, 0.0], interpolation=InterpolationMode.BILINEAR,
        )
        for img, a, u, v, f in zip(x, angle, dx, dy, flip, strict=True)
    ])  # fmt: skip
    assert ours.dtype == torch.uint8 and torch.equal(ours, reference)


def test_draws_are_whole_pixel_shifts_small_angles_and_flips_only_when_asked():
    torch.manual_seed(0)
    d = draw("shift-rotate", 2000, 28, 28)
    assert torch.equal(d.dx, d.dx.round()) and d.dx.abs().max() <= SHIFT * 28
    assert d.angle.abs().max() <= 10 and d.angle.abs().max() > 9  # the whole range is used
    assert not d.flip.any()
    assert draw("shift", 100, 8, 8).angle.abs().max() == 0
    assert 0.4 < draw("shift-rotate-flip", 2000, 8, 8).flip.float().mean() < 0.6
    x = torch.zeros(3, 1, 8, 8, dtype=torch.uint8)
    assert augment_batch(x, "none") is x


def test_augmented_samples_are_seeded_and_leave_the_global_generator_alone(digits):
    images = digits.train_x[:3]
    state = torch.get_rng_state()
    a = augmented_samples(images, "shift-rotate", 5, seed=1)
    assert torch.equal(torch.get_rng_state(), state)
    assert a.shape == (3, 5, 1, 8, 8)
    assert torch.equal(a, augmented_samples(images, "shift-rotate", 5, seed=1))
    assert not torch.equal(a[:, 0], a[:, 1])  # each copy its own draw


# --- the split, shuffled labels, eval-mode training scores -------------------------------------


def test_nested_split_keeps_the_validation_images_and_nests_the_training_sets():
    small_tr, small_va = split_indices(1000, 50, 0.2, seed=3, nested=True)
    big_tr, big_va = split_indices(1000, 400, 0.2, seed=3, nested=True)
    all_tr, all_va = split_indices(1000, None, 0.2, seed=3, nested=True)
    assert torch.equal(small_va, big_va) and torch.equal(big_va, all_va) and len(all_va) == 200
    assert len(small_tr) == 50 and len(big_tr) == 400 and len(all_tr) == 800
    assert set(small_tr.tolist()) <= set(big_tr.tolist()) <= set(all_tr.tolist())
    assert not set(all_tr.tolist()) & set(all_va.tolist())


def test_shuffled_labels_permute_only_the_training_images_labels():
    labels = torch.arange(100) % 10
    train_idx = torch.arange(0, 80)
    out = training_labels(labels, train_idx, seed=0)
    assert torch.equal(out[80:], labels[80:])  # validation keeps its true labels
    assert torch.equal(out[:80].bincount(), labels[:80].bincount())  # same class counts
    assert (out[:80] != labels[:80]).float().mean() > 0.7  # most links broken


def test_new_config_fields_keep_old_keys_at_their_defaults_and_are_checked():
    cfg = TrainConfig()
    import hashlib
    import json

    from dlviz import __version__

    old = {k: v for k, v in cfg.to_dict().items()
           if k not in ("augment", "shuffle_labels", "nested_split", "eval_train",
                        "diverge_above")}  # fmt: skip
    payload = json.dumps({"config": old, "version": __version__}, sort_keys=True)
    assert cfg.key() == hashlib.sha256(payload.encode()).hexdigest()
    changes = ({"augment": "shift"}, {"shuffle_labels": True}, {"eval_train": True},
               {"diverge_above": 46.0})  # fmt: skip
    for change in changes:
        assert replace(cfg, **change).key() != cfg.key()
    with pytest.raises(ValueError, match="augmentation"):
        TrainConfig(augment="mirror")
    with pytest.raises(ValueError, match="shuffle_labels"):
        TrainConfig(shuffle_labels=1)
    assert TrainConfig.from_dict(replace(cfg, augment="shift").to_dict()).augment == "shift"


def test_training_images_are_scored_in_eval_mode_like_evaluate_does():
    data = synthetic_dataset("digits", n_train=300, n_test=60)
    cfg = baseline_config(Setup("digits", 120, 32, 2, 2e-3, 32))
    cfg = replace(cfg, model=replace(cfg.model, dropout=0.5))
    result = train(cfg, data)
    train_idx, _ = split_indices(300, 120, cfg.val_fraction, cfg.seed, nested=True)
    loss, acc, _ = evaluate(result.model(data.info), data.train_x[train_idx],
                            data.train_y[train_idx], data.info)  # fmt: skip
    last = result.history[-1]
    assert last.fit_loss == pytest.approx(loss, rel=1e-5) and last.fit_acc == pytest.approx(acc)
    plain = train(replace(cfg, eval_train=False, epochs=1), data)
    assert plain.history[0].fit_loss is None


# --- experiments ------------------------------------------------------------------------------


def test_every_remedy_run_starts_from_the_same_initial_weights():
    data = synthetic_dataset("digits", n_train=400, n_test=50)
    setup = Setup("digits", 60, 32, 1, 2e-3, 16)
    remedies = Remedies(dropout=0.5, weight_decay=0.1, patience=2, augment="shift", more_data=200)
    runs = remedy_runs(setup, remedies)
    assert [n for n, _ in runs][0] == "No remedy" and runs[-1][0] == "All together"
    assert len(runs) == 7
    together = runs[-1][1]
    assert (together.model.dropout, together.weight_decay, together.patience, together.augment,
            together.train_subset) == (0.5, 0.1, 2, "shift", 200)  # fmt: skip
    first = train(runs[0][1], data).initial_state
    for _, cfg in runs[1:]:
        state = train(cfg, data).initial_state
        assert all(torch.equal(first[k], state[k]) for k in first)
    assert remedy_runs(setup, Remedies()) == [("No remedy", baseline_config(setup))]


def test_gap_and_kept_epoch_of_an_early_stopped_run():
    data = synthetic_dataset("digits", n_train=300, n_test=50, noise=0.9)
    cfg = replace(baseline_config(Setup("digits", 40, 64, 20, 1e-2, 8)), patience=1)
    run = curves_of("es", train(cfg, data))
    assert run.status == "early-stopped" and kept_epoch(run) == run.best_epoch
    g = gap_at(run.history, kept_epoch(run))
    e = run.history[run.best_epoch - 1]
    assert g.accuracy_gap == pytest.approx(e.fit_acc - e.val_acc)
    assert g.loss_gap == pytest.approx(e.val_loss - e.fit_loss)
    assert gap_at(()) is None


def test_sweep_runs_cover_the_grid_row_by_row():
    runs = sweep_runs(SweepSetup(widths=(16, 64), sizes=(50, 100, 200)))
    assert [(c.model.hidden[0], c.train_subset) for _, c in runs] == [
        (16, 50), (16, 100), (16, 200), (64, 50), (64, 100), (64, 200)
    ]  # fmt: skip


def test_random_labels_are_memorised_while_validation_stays_at_chance(digits):
    true, shuffled = (cfg for _, cfg in random_label_runs(Setup("digits", 200, 512, 20, 2e-3, 16)))
    noise = train(shuffled, digits).history[-1]
    assert noise.fit_acc > 0.95  # the network memorises random labels
    assert noise.val_acc < 0.3  # and has learned nothing that carries over
    real = train(true, digits).history[-1]
    assert real.val_acc > 0.85


# --- sanity checks ----------------------------------------------------------------------------


def test_one_batch_the_correct_loop_reaches_zero_and_the_bugs_do_not(digits):
    result = OneBatch("digits").run(digits)
    curves = {c.bug: c for c in result.curves}
    assert result.chance_loss == pytest.approx(math.log(10))
    assert curves["none"].losses[-1] < 0.05 and "about 0" in curves["none"].diagnosis
    assert min(curves["shuffled-labels"].losses) > 0.5 * math.log(10)
    assert "near chance" in curves["shuffled-labels"].diagnosis
    assert curves["unnormalised"].losses[0] > 3 * math.log(10)
    assert "normalisation" in curves["unnormalised"].diagnosis
    assert curves["lr-100x"].losses[-1] > 0.05 and curves["no-zero-grad"].losses[-1] > 0.05
    # the first loss of every loop but the unnormalised one is the same model on the same batch
    assert curves["none"].losses[0] == curves["lr-100x"].losses[0]


def test_one_batch_loss_is_cross_entropy_on_the_batch(digits):
    probe = OneBatch("digits", steps=1, bugs=("none",))
    curve = probe.run(digits).curves[0]
    g = torch.Generator().manual_seed(0)
    idx = torch.randperm(len(digits.train_y), generator=g)[:32]
    torch.manual_seed(0)
    from dlviz.generalization import model_spec
    from dlviz.training.models import build_model

    model = build_model(model_spec(128), digits.info.shape, 10)
    expected = F.cross_entropy(model(normalize(digits.train_x[idx], digits.info)),
                               digits.train_y[idx])  # fmt: skip
    assert curve.losses[0] == pytest.approx(expected.item(), rel=1e-6)


def test_diagnose_names_divergence_and_jumps():
    assert "NaN" in diagnose([2.3, 5.0, float("nan")], math.log(10))
    jumpy = [2.3, 1.0, 0.2] + [0.3, 1.2] * 6
    assert "jumps" in diagnose(jumpy, math.log(10))


def test_range_test_schedule_is_exponential_from_min_to_max():
    rates = RangeTest(lr_min=1e-5, lr_max=10.0, steps=121).rates()
    assert rates[0].item() == pytest.approx(1e-5) and rates[-1].item() == pytest.approx(10.0)
    ratios = rates[1:] / rates[:-1]
    assert torch.allclose(ratios, torch.full_like(ratios, 10 ** (6 / 120)))


def test_smoothing_is_the_bias_corrected_moving_average():
    xs = [3.0, 2.0, 1.0, 4.0]
    m, expected = 0.0, []
    for t, x in enumerate(xs, 1):
        m = 0.8 * m + 0.2 * x
        expected.append(m / (1 - 0.8**t))
    assert smooth(xs, 0.8) == pytest.approx(expected)
    assert smooth([1.0, float("inf"), 2.0], 0.8) == [1.0]


def test_range_curve_marks_the_steepest_fall_and_the_minimum():
    lrs = [10 ** (-5 + 0.1 * i) for i in range(60)]
    # flat, a steep fall around 1e-3, a minimum near 1e-2, then a blow-up
    losses = [2.3 - 2.0 / (1 + math.exp(-(math.log10(r) + 3) * 4)) + max(0, math.log10(r) + 2) ** 2
              for r in lrs]  # fmt: skip
    curve = range_curve(lrs, losses, beta=0.0)
    assert 1e-4 < curve.steepest < 1e-2
    assert curve.minimum == pytest.approx(lrs[losses.index(min(losses))])
    assert curve.suggested[0] <= curve.suggested[1]


def test_range_test_on_digits_finds_a_sensible_range(digits):
    curve = RangeTest("digits").run(digits)
    assert len(curve.lrs) < 120  # it stopped once the loss blew up
    assert 1e-4 < curve.steepest < 0.1 and curve.minimum > curve.steepest


# --- transfer -----------------------------------------------------------------------------------


def test_transfer_modes_start_from_the_source_and_freeze_what_they_should(digits):
    from dlviz.generalization.transfer import TransferStudy, upsample

    big = upsample(digits.train_x[:5])
    assert big.shape == (5, 1, 28, 28) and big.dtype == torch.uint8
    fashion = synthetic_dataset("fashion-mnist", n_train=300, n_test=50)
    study = TransferStudy(sizes=(20, 40), steps=5)
    source = train(replace(study.source_config(), train_subset=None, epochs=1), fashion)
    scratch, frozen, tuned = (study._model(source, m) for m in ("scratch", "frozen", "fine-tune"))
    conv = "conv1.weight"
    assert torch.equal(frozen.state_dict()[conv], source.final_state[conv])
    assert torch.equal(tuned.state_dict()[conv], source.final_state[conv])
    assert not torch.equal(scratch.state_dict()[conv], source.final_state[conv])
    assert torch.equal(scratch.state_dict()["out.weight"], tuned.state_dict()["out.weight"])
    trainable = {n for n, p in frozen.named_parameters() if p.requires_grad}
    assert trainable == {"out.weight", "out.bias"}
    before = {k: v.clone() for k, v in frozen.state_dict().items()}
    study._fit(frozen, upsample(digits.train_x[:20]), digits.train_y[:20])
    after = frozen.state_dict()
    assert torch.equal(before[conv], after[conv])  # frozen features stay
    assert not torch.equal(before["out.weight"], after["out.weight"])  # the new head learns
    result = study.run(source, digits)
    assert result.sizes == (20, 40) and set(result.accuracy) == {"scratch", "frozen", "fine-tune"}
    assert all(len(a) == 2 and all(0 <= v <= 1 for v in a) for a in result.accuracy.values())


def test_transfer_results_merge_into_one_sorted_curve_per_source():
    from dlviz.generalization.transfer import TransferResult, mode_label

    def result(sizes, base, source="fashion-mnist"):
        acc = {m: tuple(base + i / 100 for i in range(len(sizes))) for m in MODES_}
        return TransferResult(tuple(sizes), acc, 0.85, 360, source)

    MODES_ = ("scratch", "frozen", "fine-tune")
    a, b = result((50, 200), 0.5), result((10, 50), 0.7)
    merged = a.merged(b)
    assert merged.sizes == (10, 50, 200)
    assert merged.accuracy["scratch"] == (0.7, 0.71, 0.5 + 0.01)  # b wins at 50
    assert merged.at(200) == {"scratch": 0.51, "frozen": 0.51, "fine-tune": 0.51}
    assert merged.at(20) is None
    other = result((20,), 0.9, "mnist")
    assert a.merged(other) is other  # another source replaces the curve
    assert mode_label("frozen", "mnist") == "Frozen MNIST features"
    assert mode_label("fine-tune", "fashion-mnist") == "Fine-tuned from Fashion-MNIST"
    assert mode_label("scratch", "mnist") == "From scratch"
