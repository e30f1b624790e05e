"""The Playground's model: a learner-built MLP, its loss, and one-epoch training.

The MLP maps the chosen input features to one logit per class (classification: mean softmax
cross-entropy) or to one linear output (regression: mean squared error); the same builder and
trainer serve both. Optional L2 and L1 penalties act on the weights (never the biases); with L1,
a weight whose step crosses zero stops at exactly zero, as in TensorFlow Playground, and a weight
at zero stays there while its data gradient is no stronger than the L1 pull (where zero is the
penalised loss's best value for it), so L1 really prunes.
Initial weights come from a private ``torch.Generator`` seeded by the config, so the same seed
always gives the same network and the same batch order. No threads and no drawing here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from dlviz.activations import ACTIVATIONS, activation_module
from dlviz.optimizers import LABELS, make_optimizer
from dlviz.playground.threads import single_thread_math

OPTIMIZER_CHOICES: tuple[str, ...] = ("sgd", "momentum", "adam", "rmsprop")
"""The optimizers the Playground offers (dlviz.optimizers has their torch classes and labels)."""
OPTIMIZER_LABELS: dict[str, str] = {
    name: LABELS[name] + (" 0.9" if name == "momentum" else "") for name in OPTIMIZER_CHOICES
}
"""Labels for the picker: the Playground has no momentum slider, so the label says 0.9."""

_RELU_LIKE = {"relu", "leaky_relu", "elu", "gelu", "silu"}


@dataclass(frozen=True)
class ModelConfig:
    """What is fixed for a run: inputs, architecture, optimizer and the initialisation seed."""

    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (8, 8)  # neurons per hidden layer; () is softmax regression
    activation: str = "tanh"
    optimizer: str = "adam"
    seed: int = 0


@dataclass(frozen=True)
class TrainSettings:
    """What may change while the model trains: step size, batch size, L2 strength, speed."""

    lr: float = 0.03
    batch_size: int = 16
    l2: float = 0.0  # loss += (l2 / 2) * sum of squared weights
    epochs_per_second: float = 20.0  # 0 means as fast as the CPU allows
    l1: float = 0.0  # loss += l1 * sum of |weights|; a weight crossing zero stops at 0


def init_gain(activation: str) -> float:
    """Xavier gain for the activation: sqrt(2) for ReLU-like units, 5/3 for tanh, else 1."""
    if activation in _RELU_LIKE:
        return math.sqrt(2.0)
    if activation == "tanh":
        return 5.0 / 3.0
    return 1.0


def build_mlp(n_inputs: int, n_classes: int, cfg: ModelConfig) -> nn.Sequential:
    """Linear -> activation blocks for each hidden layer, then a Linear to ``n_classes`` logits.

    Weights are Xavier-uniform with the activation's gain, drawn from a generator seeded by
    ``cfg.seed``; biases start at zero.
    """
    if cfg.activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {cfg.activation!r}.")
    if cfg.optimizer not in OPTIMIZER_CHOICES:
        raise ValueError(
            f"Unknown optimizer {cfg.optimizer!r}; choose one of {list(OPTIMIZER_CHOICES)}."
        )
    sizes = [n_inputs, *cfg.hidden, n_classes]
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(activation_module(cfg.activation))
    model = nn.Sequential(*layers)
    g = torch.Generator().manual_seed(int(cfg.seed))
    gain = init_gain(cfg.activation)
    with torch.no_grad():
        for i, lin in enumerate(linear_layers(model)):
            nn.init.xavier_uniform_(
                lin.weight, gain=gain if i < len(sizes) - 2 else 1.0, generator=g
            )
            lin.bias.zero_()
    return model


def linear_layers(model: nn.Sequential) -> list[nn.Linear]:
    """The Linear layers of the MLP, input side first."""
    return [m for m in model if isinstance(m, nn.Linear)]


def optimizer_for(model: nn.Module, name: str, settings: TrainSettings) -> torch.optim.Optimizer:
    """The named optimizer with two groups: weights (with L2 as weight decay) and biases (without)."""
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
    groups = [
        {"params": weights, "weight_decay": settings.l2},
        {"params": biases, "weight_decay": 0.0},
    ]
    # foreach: one C++ call per step instead of a Python loop over the few tensors.
    return make_optimizer(name, groups, lr=settings.lr, foreach=True)


def apply_settings(opt: torch.optim.Optimizer, settings: TrainSettings) -> None:
    """Change learning rate and L2 strength in place (optimizer state such as momentum is kept)."""
    for i, group in enumerate(opt.param_groups):
        group["lr"] = settings.lr
        group["weight_decay"] = settings.l2 if i == 0 else 0.0


def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy H = (1/N) sum_i [logsumexp(z_i) - z_i[y_i]] of softmax(z) over a batch."""
    return (torch.logsumexp(logits, dim=1) - logits.gather(1, y[:, None]).squeeze(1)).mean()


def squared_error(outputs: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Mean squared error (1/N) sum_i (y_i - t_i)^2 of the single linear output, shape (N, 1)."""
    return ((outputs[:, 0] - t) ** 2).mean()


def data_loss(outputs: torch.Tensor, y: torch.Tensor, regression: bool) -> torch.Tensor:
    """The task's loss: squared error for regression, softmax cross-entropy for classification."""
    return squared_error(outputs, y) if regression else cross_entropy(outputs, y)


def r_squared(pred: torch.Tensor, t: torch.Tensor) -> float:
    """R^2 = 1 - sum (t - y)^2 / sum (t - mean t)^2, as scikit-learn's ``r2_score`` (constant
    targets: 1.0 for a perfect fit, else 0.0)."""
    residual = float(((t - pred) ** 2).sum())
    total = float(((t - t.mean()) ** 2).sum())
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total


def l1_penalty(model: nn.Module, l1: float) -> torch.Tensor:
    """l1 * sum of |w| over every weight matrix (not the biases)."""
    return l1 * sum(lin.weight.abs().sum() for lin in linear_layers(model))


@torch.no_grad()
def stop_at_zero(
    weights: list[torch.Tensor], before: list[torch.Tensor], stay: list[torch.Tensor] | None = None
) -> None:
    """L1's dead zone: set to exactly 0 every weight whose last step took it across zero, and
    keep at 0 the weights ``stay`` marks (those at zero whose data gradient was no stronger than
    the L1 pull, so zero is where the penalised loss wants them)."""
    for n, (w, old) in enumerate(zip(weights, before, strict=True)):
        w.masked_fill_(w * old < 0, 0.0)
        if stay is not None:
            w.masked_fill_(stay[n], 0.0)


def train_epoch(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    generator: torch.Generator,
    regression: bool = False,
    l1: float = 0.0,
) -> float:
    """One pass over (x, y) in shuffled mini-batches; returns the mean training loss seen."""
    model.train()
    n = len(x)
    if n == 0:
        return 0.0
    order = torch.randperm(n, generator=generator)
    weights = [lin.weight for lin in linear_layers(model)] if l1 > 0 else []
    total = 0.0
    with single_thread_math():
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            loss = data_loss(model(x[idx]), y[idx], regression)
            objective = loss + l1_penalty(model, l1) if weights else loss
            opt.zero_grad(set_to_none=True)
            objective.backward()
            before = [w.detach().clone() for w in weights]
            stay = [(w == 0) & (w.grad.abs() <= l1) for w in weights]
            opt.step()
            stop_at_zero(weights, before, stay)
            total += loss.item() * len(idx)
    return total / n


@torch.inference_mode()
def evaluate(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, regression: bool = False
) -> tuple[float, float, torch.Tensor]:
    """(mean loss, score, predictions) on (x, y): the score is the accuracy and the predictions
    the classes, or for regression R^2 and the predicted values. NaN scores on no points."""
    model.eval()
    with single_thread_math():
        outputs = model(x)
    if len(x) == 0:
        empty = torch.zeros(0, dtype=torch.float32 if regression else torch.int64)
        return math.nan, math.nan, empty
    if regression:
        pred = outputs[:, 0]
        return squared_error(outputs, y).item(), r_squared(pred, y), pred
    pred = outputs.argmax(dim=1)
    return cross_entropy(outputs, y).item(), (pred == y).float().mean().item(), pred


@torch.inference_mode()
def layer_outputs(
    model: nn.Sequential, x: torch.Tensor, regression: bool = False
) -> list[torch.Tensor]:
    """Each hidden layer's activations, then the softmax probabilities (or, for regression, the
    linear output): one (N, width) per layer."""
    model.eval()
    outs = []
    h = x
    with single_thread_math():
        for m in model:
            h = m(h)
            if not isinstance(m, nn.Linear):
                outs.append(h)
    outs.append(h if regression else torch.softmax(h, dim=1))
    return outs


def params_finite(model: nn.Module) -> bool:
    """True when no parameter holds a NaN or an infinity."""
    return all(bool(torch.isfinite(p).all()) for p in model.parameters())
