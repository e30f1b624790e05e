"""Experiments for Playground, Convolution, Train a model, Generalization and Loss landscape."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from dlviz import display
from dlviz.calibration import expected_calibration_error, fit_temperature
from dlviz.convolution import ConvSpec, PoolSpec, convolve, output_size, pool
from dlviz.data import load_dataset
from dlviz.generalization.sanity import BUGS, OneBatch
from dlviz.landscape import LandscapeConfig, normalize_filterwise
from dlviz.metrics import accuracy
from dlviz.playground.data import DataConfig, feature_map, make_dataset
from dlviz.playground.model import ModelConfig, build_mlp, cross_entropy, evaluate
from dlviz.questions.outcome import Outcome, experiment
from dlviz.training.models import build_model, count_parameters


@experiment("playground.test_accuracy")
def playground_accuracy(
    dataset: str, hidden: list[int], features: list[str], steps: int = 300, lr: float = 0.03
) -> Outcome:
    """Train the Playground's MLP full-batch with Adam for ``steps`` steps; test accuracy."""
    data = make_dataset(DataConfig(name=dataset))
    cfg = ModelConfig(features=tuple(features), hidden=tuple(hidden), activation="tanh")
    x_train, x_test = (
        feature_map(data.x_train, cfg.features),
        feature_map(data.x_test, cfg.features),
    )
    with torch.random.fork_rng(devices=[]):
        model = build_mlp(len(features), data.n_classes, cfg)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        losses = []
        for _ in range(steps):
            loss = cross_entropy(model(x_train), data.y_train)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    _, acc, _ = evaluate(model, x_test, data.y_test)
    layers = " × ".join(str(h) for h in hidden) or "no hidden layer"
    return Outcome(
        acc,
        f"{layers}, inputs {', '.join(features)}: after {steps} Adam steps the test accuracy is "
        f"**{display.percent(acc)}** (training loss {display.number(losses[-1], 3)}).",
        (tuple(float(k) for k in range(steps)), tuple(losses)),
        "step",
        "training loss",
    )


@experiment("playground.parameters")
def playground_parameters(n_inputs: int, hidden: list[int], classes: int) -> Outcome:
    """Weights and biases of the Playground's MLP."""
    model = build_mlp(n_inputs, classes, ModelConfig(hidden=tuple(hidden)))
    n = sum(p.numel() for p in model.parameters())
    sizes = " → ".join(str(s) for s in (n_inputs, *hidden, classes))
    return Outcome(float(n), f"A {sizes} network has **{n}** weights and biases.")


@experiment("convolution.output_size")
def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> Outcome:
    """The output side of a convolution, checked by running torch's conv2d on a blank image."""
    n = output_size(size, kernel, stride, padding)
    out = F.conv2d(torch.zeros(1, 1, size, size), torch.zeros(1, 1, kernel, kernel),
                   stride=stride, padding=padding)  # fmt: skip
    assert out.shape[-1] == n, (out.shape, n)
    return Outcome(
        float(n),
        f"⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = **{n}**; torch's conv2d gives a "
        f"{n} × {n} output.",
    )


@experiment("convolution.edge_on_flat")
def edge_on_flat(value: float, size: int = 6) -> Outcome:
    """A vertical-edge kernel (-1 0 1 in each row) on an image of one constant value."""
    kernel = torch.tensor([[-1.0, 0.0, 1.0]] * 3)
    result = convolve(torch.full((size, size), float(value)), kernel, spec=ConvSpec(3))
    peak = float(result.output.abs().max())
    return Outcome(
        peak,
        f"Every window sums −{display.number(value)} · 3 + {display.number(value)} · 3: the "
        f"largest |output| is **{display.number(peak)}**.",
    )


@experiment("convolution.pool_gradient")
def pool_gradient(size: int, window: int, stride: int) -> Outcome:
    """How many input pixels max pooling sends a non-zero gradient to (every output sends 1)."""
    image = torch.arange(size * size, dtype=torch.float32).reshape(size, size)
    res = pool(image, PoolSpec("max", window, stride))
    n = int((res.grad != 0).sum())
    return Outcome(
        float(n),
        f"{size} × {size} input, max pooling {window} × {window} stride {stride}: "
        f"**{n}** of {size * size} inputs get a gradient (each window's maximum).",
    )


@experiment("convolution.parameters")
def conv_parameters(in_channels: int, out_channels: int, kernel: int) -> Outcome:
    """Parameters of torch.nn.Conv2d(in, out, kernel): out·in·k² weights + out biases."""
    n = count_parameters(torch.nn.Conv2d(in_channels, out_channels, kernel))
    return Outcome(
        float(n),
        f"{out_channels}·{in_channels}·{kernel}² weights + {out_channels} biases = **{n}**.",
    )


@experiment("training.parameters")
def training_parameters(preset: str, shape: list[int], classes: int = 10) -> Outcome:
    """Trainable parameters of a Train-a-model preset built for images of ``shape``."""
    n = count_parameters(build_model(preset, tuple(shape), classes))
    return Outcome(float(n), f"The {preset} model has **{n:,}** trainable parameters.")


@experiment("training.initial_loss")
def initial_loss(preset: str, classes: int = 10, seed: int = 0) -> Outcome:
    """Mean cross-entropy of an untrained model on 256 random Digits-shaped inputs."""
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(preset, (1, 8, 8), classes).eval()
    x = torch.randn(256, 1, 8, 8, generator=g)
    y = torch.randint(0, classes, (256,), generator=g)
    with torch.inference_mode():
        loss = float(F.cross_entropy(model(x), y))
    return Outcome(
        loss,
        f"Untrained, the loss is **{display.number(loss, 3)}**; ln {classes} = "
        f"{display.number(math.log(classes), 3)} is the loss of a uniform guess.",
    )


@experiment("training.constant_guess")
def constant_guess(dataset: str) -> Outcome:
    """Test accuracy of always answering the training set's most common class."""
    data = load_dataset(dataset)
    common = int(torch.bincount(data.train_y).argmax())
    acc = accuracy(data.test_y, torch.full_like(data.test_y, common))
    return Outcome(
        acc,
        f"Always answering {common} is right on **{display.percent(acc)}** of the "
        f"{len(data.test_y)} test images of {data.info.label}.",
    )


@experiment("generalization.one_batch")
def one_batch(bug: str, steps: int = 60) -> Outcome:
    """The overfit-one-batch check on Digits with one planted bug: the shape of its loss curve."""
    curve = OneBatch(steps=steps, bugs=(bug,)).run(load_dataset("digits")).curves[0]
    losses = curve.losses
    chance = math.log(10)
    if not all(math.isfinite(v) for v in losses) or losses[-1] > losses[0]:
        shape = "grow"
    elif losses[-1] < 0.05:
        shape = "to-zero"
    elif losses[-1] > 0.7 * chance:
        shape = "chance"
    else:
        shape = "stalls"
    return Outcome(
        shape,
        f"{BUGS[bug]}: the loss goes from {display.number(losses[0], 3)} to "
        f"**{display.number(losses[-1], 3)}** in {steps} steps (chance: ln 10 = "
        f"{display.number(chance, 3)}). {curve.diagnosis}",
        (tuple(float(k) for k in range(len(losses))), losses),
        "step",
        "loss on the batch",
    )


def _overconfident(n: int, right: int, confidence: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Two-class probabilities at ``confidence`` for the top class, right on ``right`` of ``n``."""
    probs = torch.tensor([[confidence, 1 - confidence]] * n, dtype=torch.float64)
    labels = torch.tensor([0] * right + [1] * (n - right))
    return probs, labels


@experiment("generalization.ece")
def ece(n: int, right: int, confidence: float) -> Outcome:
    """Expected calibration error of a model always ``confidence`` sure, right on ``right``/n."""
    probs, labels = _overconfident(n, right, confidence)
    value = expected_calibration_error(probs, labels)
    return Outcome(
        value,
        f"Confidence {display.percent(confidence)}, accuracy {display.percent(right / n)}: "
        f"ECE = **{display.fixed(value, 3)}**.",
    )


@experiment("generalization.temperature")
def temperature(n: int, right: int, confidence: float) -> Outcome:
    """The fitted temperature of the same overconfident model: 'above' or 'below' 1."""
    probs, labels = _overconfident(n, right, confidence)
    t = fit_temperature(probs.log(), labels)
    return Outcome(
        "above" if t > 1 else "below",
        f"Temperature scaling fits T = **{display.number(t, 3)}**: dividing the logits by it "
        f"brings the confidence down to {display.percent(right / n)}.",
    )


@experiment("landscape.filter_norm")
def filter_norm(direction_norm: float, weight_norm: float, part: str = "weight") -> Outcome:
    """Norm of one filter of a direction after filter-wise normalization (biases: zeroed)."""
    shape = (1, 4) if part == "weight" else (4,)
    d = torch.full(shape, direction_norm / 2.0)  # 4 entries: norm = direction_norm
    w = torch.full(shape, weight_norm / 2.0)
    out = normalize_filterwise({"p": d}, {"p": w})["p"]
    n = float(out.norm())
    return Outcome(
        n,
        f"A {part} direction of norm {display.number(direction_norm)} next to weights of norm "
        f"{display.number(weight_norm)}: after normalization its norm is **{display.number(n)}**.",
    )


@experiment("landscape.points")
def landscape_points(resolution: int, line_points: int) -> Outcome:
    """Forward passes (each over every test image) one landscape costs."""
    n = LandscapeConfig(resolution=resolution, line_points=line_points).points
    return Outcome(
        float(n),
        f"{resolution}² plane points + {line_points} line points + the trained weights = "
        f"**{n}** evaluations, each a forward pass over the test images.",
    )
