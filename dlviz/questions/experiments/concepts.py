"""Experiments for Activations, Loss, Backpropagation, Gradient descent and Depth and init."""

from __future__ import annotations

import math

import numpy as np

from dlviz import display
from dlviz.activations import CurveConfig, analyse, curve, get_activation, softmax
from dlviz.backprop import gradients
from dlviz.depth import DepthConfig, depth_study
from dlviz.descent import Hyper, run
from dlviz.loss import compare_mse_ce, softmax_cross_entropy
from dlviz.questions.outcome import Outcome, experiment


@experiment("activations.chain_of_slopes")
def chain_of_slopes(name: str, x: float, layers: int) -> Outcome:
    """f'(x)^layers: what a chain of ``layers`` such activations, each at x, lets through."""
    _, df = curve(name, [x])
    slope = float(df[0])
    kept = slope**layers
    ys = tuple(slope**k for k in range(layers + 1))
    label = get_activation(name).label
    return Outcome(
        kept,
        f"{label}′({display.number(x)}) = {display.number(slope)}, so {layers} layers keep "
        f"{display.number(slope)}^{layers} = **{display.number(kept, 3)}** of the gradient.",
        (tuple(float(k) for k in range(layers + 1)), ys),
        "layers passed",
        "fraction of the gradient left",
        log_y=True,
    )


@experiment("activations.max_slope")
def max_slope(name: str) -> Outcome:
    """The largest f'(x) on the Activations page's grid (x from -8 to 8, step 0.01)."""
    result = analyse(CurveConfig(name=name))
    i = int(result.df.argmax())
    peak, at = float(result.df[i]), float(result.x[i])
    return Outcome(
        peak,
        f"The largest slope of {get_activation(name).label} is **{display.number(peak)}**, "
        f"at x = {display.number(round(at, 2) + 0.0)}.",
        (tuple(result.x.tolist()[::20]), tuple(result.df.tolist()[::20])),
        "x",
        "f′(x)",
    )


@experiment("activations.steepest_at")
def steepest_at(names: list[str], x: float) -> Outcome:
    """The activation among ``names`` with the largest |f'(x)| (by autograd)."""
    slopes = {n: float(curve(n, [x])[1][0]) for n in names}
    best = max(slopes, key=lambda n: abs(slopes[n]))
    listed = ", ".join(f"{get_activation(n).label} {display.number(s)}" for n, s in slopes.items())
    return Outcome(best, f"Slopes at x = {display.number(x)}: {listed}.")


@experiment("activations.softmax_probability")
def softmax_probability(logits: list[float], index: int, temperature: float = 1.0) -> Outcome:
    """softmax(logits / T)[index]."""
    p = softmax(logits, temperature)
    shown = ", ".join(display.fixed(float(v), 3) for v in p)
    return Outcome(
        float(p[index]),
        f"softmax gives ({shown}) at T = {display.number(temperature)}: "
        f"p = **{display.fixed(float(p[index]), 3)}** for logit {display.number(logits[index])}.",
    )


@experiment("loss.cross_entropy")
def cross_entropy(logits: list[float], target: int) -> Outcome:
    """L = -log softmax(z)[t] (dlviz.loss.softmax_cross_entropy)."""
    res = softmax_cross_entropy(logits, target)
    return Outcome(
        res.loss,
        f"p(true class) = {display.number(float(res.probs[target]))}, so "
        f"L = −log p = **{display.number(res.loss)}**.",
    )


@experiment("loss.logit_gradient")
def logit_gradient(logits: list[float], target: int, index: int) -> Outcome:
    """dL/dz_index of the softmax cross-entropy, by autograd (equals p_i - y_i)."""
    res = softmax_cross_entropy(logits, target)
    g = [float(v) for v in res.grad]
    shown = ", ".join(display.number(v, 3) for v in g)
    return Outcome(
        g[index],
        f"dL/dz = p − y = ({shown}); for logit {index + 1}: **{display.number(g[index], 4)}**.",
    )


@experiment("loss.larger_gradient")
def larger_gradient(z: float, y: float) -> Outcome:
    """Which loss of p = σ(z) pushes z harder: 'mse' or 'ce' (|dL/dz| by autograd)."""
    probe = compare_mse_ce(z, y).probe
    dmse, dce = abs(float(probe.dmse_dz[0])), abs(float(probe.dbce_dz[0]))
    return Outcome(
        "ce" if dce > dmse else "mse",
        f"At z = {display.number(z)} (p = {display.number(float(probe.p[0]), 3)}): "
        f"|dMSE/dz| = {display.number(dmse, 3)}, |dCE/dz| = {display.number(dce, 3)}.",
    )


@experiment("backprop.gradient")
def backprop_gradient(expression: str, values: dict[str, float], variable: str) -> Outcome:
    """d(expression)/d(variable) by dlviz's reverse-mode engine."""
    out, grads = gradients(expression, dict(values))
    return Outcome(
        grads[variable],
        f"f = {display.number(out)}; backprop gives ∂f/∂{variable} = "
        f"**{display.number(grads[variable])}**.",
    )


@experiment("backprop.largest_gradient")
def largest_gradient(expression: str, values: dict[str, float]) -> Outcome:
    """The variable with the largest |gradient|."""
    _, grads = gradients(expression, dict(values))
    best = max(grads, key=lambda v: abs(grads[v]))
    listed = ", ".join(f"∂f/∂{v} = {display.number(g)}" for v, g in sorted(grads.items()))
    return Outcome(best, f"Backprop gives {listed}.")


def _behaviour(positions: np.ndarray, losses: np.ndarray, diverged: bool) -> str:
    """'diverge' (the loss grows), 'oscillate' (steps keep reversing) or 'converge'."""
    if diverged or not np.isfinite(losses).all() or losses[-1] > losses[0]:
        return "diverge"
    steps = np.diff(positions, axis=0)
    turns = (steps[1:] * steps[:-1]).sum(axis=1) < 0
    return "oscillate" if turns[len(turns) // 2 :].mean() > 0.5 else "converge"


@experiment("descent.quadratic")
def quadratic(
    lr: float, kappa: float, optimizer: str = "sgd", momentum: float | None = None, steps: int = 40
) -> Outcome:
    """torch.optim on f = (u² + κ v²)/2 (top curvature L = κ) from (-2, 1.5): how the path goes,
    and the weight x on the way (the minimum is at 0)."""
    path = run("quadratic", optimizer, (-2.0, 1.5), steps, Hyper(lr=lr, momentum=momentum),
               kappa=kappa)  # fmt: skip
    n = path.last + 1
    losses = path.losses[:n]
    verdict = _behaviour(path.positions[:n], losses, path.diverged)
    words = {"diverge": "diverges", "oscillate": "zigzags towards the minimum",
             "converge": "slides smoothly to the minimum"}  # fmt: skip
    xs = path.positions[:n, 0]
    return Outcome(
        verdict,
        f"lr·L = {display.number(lr * kappa, 3)}: the loss goes from {display.number(losses[0])} "
        f"to {display.number(losses[-1])} in {n - 1} steps; the path {words[verdict]}.",
        (tuple(float(k) for k in range(n)), tuple(float(v) + 0.0 for v in xs)),
        "step",
        "weight x (minimum at 0)",
    )


@experiment("descent.largest_stable_lr")
def largest_stable_lr(kappa: float, grid_step: float = 0.02, steps: int = 100) -> Outcome:
    """The largest lr on a grid for which plain SGD on the quadratic shrinks the loss 10⁴-fold."""
    best = 0.0
    for k in range(1, int(round(1.5 / grid_step)) + 1):
        lr = round(k * grid_step, 10)
        path = run("quadratic", "sgd", (-2.0, 1.5), steps, Hyper(lr=lr), kappa=kappa)
        if not path.diverged and path.losses[-1] < 1e-4 * path.losses[0]:
            best = lr
    return Outcome(
        best,
        f"On a grid of steps of {display.number(grid_step)}, plain gradient descent converges up "
        f"to lr = **{display.number(best)}**; 2/L = {display.number(2 / kappa)} is the edge.",
    )


@experiment("depth.ratio")
def depth_ratio(activation: str, init: str, depth: int, measure: str) -> Outcome:
    """depth_study of an untrained MLP: last/first activation std ('std') or first/last gradient
    norm ('grad')."""
    study = depth_study(DepthConfig(depth=depth, activation=activation, init=init))
    if measure == "std":
        value, ys = study.std_ratio, [layer.std for layer in study.layers]
        words, y_title = "activation std, last layer / first", "activation std"
    else:
        value, ys = study.grad_ratio, [layer.grad_norm for layer in study.layers]
        words, y_title = "weight-gradient norm, first layer / last", "‖∂L/∂W‖"
    value = 0.0 if math.isnan(value) else value
    return Outcome(
        value,
        f"{depth} {get_activation(activation).label} layers, {init} init: {words} = "
        f"**{display.number(value, 3)}**.",
        (tuple(float(i + 1) for i in range(depth)), tuple(float(y) for y in ys)),
        "layer",
        y_title,
        log_y=True,
    )
