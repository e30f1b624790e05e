"""Loss landscape maths on tiny models: centre = trained loss, filter norms kept, fast path exact."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlviz.landscape import (
    Evaluator,
    LandscapeConfig,
    LandscapeStore,
    line_coords,
    loss_landscape,
    normalize_filterwise,
    plane_coords,
    random_direction,
)


def tiny_cnn(batch_norm: bool = False) -> nn.Sequential:
    torch.manual_seed(0)
    layers = [nn.Conv2d(1, 4, 3, padding=1), nn.MaxPool2d(2), nn.ReLU()]
    if batch_norm:
        layers.insert(1, nn.BatchNorm2d(4))
    layers += [nn.Flatten(), nn.Linear(4 * 4 * 4, 16), nn.ReLU(), nn.Linear(16, 3)]
    return nn.Sequential(*layers)


def tiny_mlp() -> nn.Sequential:
    torch.manual_seed(1)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 12), nn.Tanh(), nn.Linear(12, 3))


def images(n: int = 60) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(2)
    return torch.randn(n, 1, 8, 8, generator=g), torch.randint(0, 3, (n,), generator=g)


def trained_pair(model: nn.Module, x, y, steps: int = 30):
    """(initial state, final state) after a few SGD steps; the model is left at the final one."""
    initial = copy.deepcopy(model.state_dict())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()
    return initial, copy.deepcopy(model.state_dict())


def direct_loss(model: nn.Module, state, x, y) -> float:
    m = copy.deepcopy(model)
    m.load_state_dict(state)
    with torch.no_grad():
        return float(F.cross_entropy(m.eval()(x), y))


SMALL = LandscapeConfig(resolution=5, line_points=9, test_images=60, span=0.5)


@pytest.mark.parametrize("make", [tiny_cnn, tiny_mlp, lambda: tiny_cnn(batch_norm=True)])
def test_centre_of_the_plane_equals_the_trained_models_loss(make):
    model = make()
    x, y = images()
    initial, final = trained_pair(model, x, y)
    land = loss_landscape(model, initial, final, x, y, SMALL)
    expected = direct_loss(model, final, x, y)
    assert land.centre_loss == pytest.approx(expected, rel=1e-5)
    assert land.trained_loss == pytest.approx(expected, rel=1e-5)
    assert land.plane_loss.shape == (5, 5)
    # the trained weights sit lower than the average of the plane's corners
    corners = land.plane_loss[[0, 0, -1, -1], [0, -1, 0, -1]]
    assert land.centre_loss < float(corners.mean())


def test_the_line_runs_from_the_initial_to_the_trained_weights():
    model = tiny_cnn()
    x, y = images()
    initial, final = trained_pair(model, x, y)
    land = loss_landscape(model, initial, final, x, y, SMALL)
    t = land.line_t.tolist()
    assert t[0] == pytest.approx(-0.25) and t[-1] == pytest.approx(1.25)
    assert land.line_loss[t.index(0.0)] == pytest.approx(
        direct_loss(model, initial, x, y), rel=1e-5
    )
    assert land.line_loss[t.index(1.0)] == pytest.approx(direct_loss(model, final, x, y), rel=1e-5)
    # a point between: theta = theta_0 + t (theta_1 - theta_0)
    k = 3
    mixed = {n: initial[n] + t[k] * (final[n] - initial[n]) for n in final}
    assert land.line_loss[k] == pytest.approx(direct_loss(model, mixed, x, y), rel=1e-5)


def test_filterwise_normalization_keeps_each_filters_norm():
    model = tiny_cnn(batch_norm=True)
    weights = {n: p.detach() for n, p in model.named_parameters()}
    d = random_direction(weights, seed=7)
    assert set(d) == set(weights)
    for name, w in weights.items():
        if w.dim() <= 1:
            assert torch.count_nonzero(d[name]) == 0, name  # biases and BN: zero direction
            continue
        for i in range(w.shape[0]):  # each conv output channel / each Linear row
            assert float(d[name][i].norm()) == pytest.approx(float(w[i].norm()), rel=1e-5)
        assert not torch.allclose(d[name], w)  # a random direction, not the weights themselves


def test_normalize_filterwise_on_a_known_tensor():
    w = {"w": torch.tensor([[3.0, 4.0], [0.0, 2.0]])}
    d = normalize_filterwise({"w": torch.tensor([[1.0, 0.0], [1.0, 1.0]])}, w)
    assert torch.allclose(d["w"], torch.tensor([[5.0, 0.0], [2**0.5, 2**0.5]]))


def test_plane_point_matches_a_direct_evaluation():
    model = tiny_mlp()
    x, y = images()
    initial, final = trained_pair(model, x, y)
    cfg = LandscapeConfig(resolution=5, span=1.0, line_points=5, test_images=60, seed=3)
    land = loss_landscape(model, initial, final, x, y, cfg)
    params = {n: final[n] for n, _ in model.named_parameters()}
    d1, d2 = random_direction(params, 7), random_direction(params, 8)  # seed * 2 + 1, + 2
    a, b = float(land.coords[4]), float(land.coords[1])  # column 4, row 1
    moved = dict(final)
    for n in params:
        moved[n] = final[n] + a * d1[n] + b * d2[n]
    assert float(land.plane_loss[1, 4]) == pytest.approx(direct_loss(model, moved, x, y), rel=1e-5)


@pytest.mark.parametrize(
    ("layers", "pool", "shape"),
    [
        (
            [
                nn.Conv2d(2, 5, 3, stride=2, padding=1),
                nn.ReLU(),
                nn.Conv2d(5, 6, 3),
                nn.MaxPool2d(2),
            ],
            1,
            (2, 9, 9),
        ),
        ([nn.Conv2d(1, 4, 3, padding=1), nn.MaxPool2d(2), nn.ReLU()], 2, (1, 9, 9)),  # odd: floor
        ([nn.Conv2d(3, 4, 2, bias=False), nn.MaxPool2d(3), nn.ReLU()], 3, (3, 10, 10)),
        ([nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.MaxPool2d(2)], 1, (1, 8, 8)),
        ([nn.Conv2d(1, 4, 3), nn.MaxPool2d(2, stride=1)], 1, (1, 8, 8)),  # overlapping: no fusion
    ],
)
def test_the_unfolded_first_conv_is_exact_and_the_model_is_untouched(layers, pool, shape):
    torch.manual_seed(4)
    model = nn.Sequential(*layers, nn.Flatten(), nn.LazyLinear(4))
    x = torch.randn(33, *shape)
    y = torch.randint(0, 4, (33,))
    model(x)  # materialize the lazy layer
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
    fast = Evaluator(model, x, y, chunk=10)
    assert fast.head is not None and fast.head.pool == pool
    before = copy.deepcopy(model.state_dict())
    loss, acc = fast(model.state_dict())
    with torch.no_grad():
        logits = model.eval()(x)
    assert loss == pytest.approx(float(F.cross_entropy(logits, y)), rel=1e-5)
    assert acc == pytest.approx(float((logits.argmax(1) == y).float().mean()))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert not any(m._forward_hooks for m in model.modules())


def test_non_finite_losses_are_kept_not_raised():
    model = tiny_mlp()
    x, y = images()
    initial, final = trained_pair(model, x, y, steps=2)
    huge = {k: v * 1e30 for k, v in final.items()}
    land = loss_landscape(model, initial, huge, x, y, LandscapeConfig(resolution=5, span=1e9))
    assert land.nonfinite > 0


def test_coordinates_contain_exact_anchors():
    cfg = LandscapeConfig(resolution=7, line_points=12, line_margin=0.3)
    assert 0.0 in line_coords(cfg).tolist() and 1.0 in line_coords(cfg).tolist()
    c = plane_coords(cfg)
    assert c[3] == 0 and c[0] == -1 and c[-1] == 1


@pytest.mark.parametrize(
    "kwargs",
    [{"resolution": 4}, {"resolution": 53}, {"span": 0}, {"test_images": 0}, {"line_points": 2}],
)
def test_bad_settings_raise_clear_errors(kwargs):
    with pytest.raises(ValueError):
        LandscapeConfig(**kwargs)


@pytest.fixture(scope="module")
def s3():
    from tests.s3 import s3_server

    with s3_server() as endpoint:
        yield endpoint


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_store_round_trip_and_corrupt_files(tmp_path, backend, request):
    model = tiny_mlp()
    x, y = images()
    initial, final = trained_pair(model, x, y, steps=3)
    land = loss_landscape(model, initial, final, x, y, SMALL)
    if backend == "s3":
        from tests.s3 import fresh_prefix

        request.getfixturevalue("s3")
        store = LandscapeStore(fresh_prefix() + "/landscapes")
    else:
        store = LandscapeStore(tmp_path / "landscapes")
    assert store.get("run-a", SMALL) is None
    store.put("run-a", land)
    back = store.get("run-a", SMALL)
    assert back is not None and back.config == SMALL
    assert torch.equal(back.plane_loss, land.plane_loss) and back.trained_loss == land.trained_loss
    assert store.get("run-b", SMALL) is None
    assert store.get("run-a", LandscapeConfig(resolution=7)) is None
    store.folder.write(store.name("run-a", SMALL), b"not a torch file")
    assert store.get("run-a", SMALL) is None


def test_progress_reaches_the_total():
    model = tiny_mlp()
    x, y = images()
    initial, final = trained_pair(model, x, y, steps=1)
    seen = []
    loss_landscape(model, initial, final, x, y, SMALL, progress=lambda d, n: seen.append((d, n)))
    total = SMALL.resolution**2 + SMALL.line_points + 1
    assert SMALL.points == total
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
