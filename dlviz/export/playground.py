"""A Playground run as a standalone PyTorch script: toy data, features, MLP, optimizer, epochs.

``playground_script(data_cfg, model_cfg, settings, epochs)`` writes what
``dlviz.playground.session.Trainer`` does for that many epochs of Step: the same scikit-learn /
numpy points and stratified split, the chosen input features, the MLP with Xavier-uniform weights
drawn from a generator seeded by the weight seed (zero biases), the optimizer with L2 on weights
only (and L1 with its stop at zero, when chosen), the seeded batch order and the same divergence
check; for the regression datasets a linear output and squared error. Its last output line is
one JSON object with ``final_loss`` (the training loss after the last epoch).
"""

from __future__ import annotations

from dlviz.activations import ACTIVATIONS, activation_module
from dlviz.export.cells import Cell, Script, call, quoted
from dlviz.export.layers import layer_code
from dlviz.optimizers import OPTIMIZERS, torch_arguments
from dlviz.playground.data import (
    ALL_DATASETS,
    CLASS_RANGE,
    FEATURES,
    REGRESSION_DATASETS,
    DataConfig,
)
from dlviz.playground.model import ModelConfig, TrainSettings, init_gain

POINTS = {
    "moons": """x, y = make_moons(N_SAMPLES, noise=NOISE, random_state=DATA_SEED)
x = (x - [0.5, 0.25]) * 2.0  # centred on the plane""",
    "circles": """x, y = make_circles(N_SAMPLES, noise=NOISE / 2, factor=0.45, random_state=DATA_SEED)
x = x * 2.7  # spread over the plane""",
    "blobs": """angles = 2 * math.pi * np.arange(N_CLASSES) / N_CLASSES + math.pi / 4
centers = 1.9 * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # on a circle
x, y = make_blobs(
    N_SAMPLES, centers=centers, cluster_std=0.25 + 2.5 * NOISE, random_state=DATA_SEED
)""",
    "xor": """rng = np.random.default_rng(DATA_SEED)
mag = rng.uniform(0.3, 3.0, (N_SAMPLES, 2))  # away from the axes
sign = rng.choice([-1.0, 1.0], (N_SAMPLES, 2))
x = mag * sign
y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # class 1 where x1 and x2 have the same sign
x = x + rng.normal(0.0, NOISE * 3.0 / 2, x.shape)""",
    "spiral": """rng = np.random.default_rng(DATA_SEED)
y = np.arange(N_SAMPLES) % N_CLASSES  # one arm per class
r = rng.uniform(0.05, 1.0, N_SAMPLES)
theta = 1.75 * 2 * math.pi * r + 2 * math.pi * y / N_CLASSES  # 1.75 turns
x = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1) * 3.0
x = x + rng.normal(0.0, NOISE * 0.6, x.shape)""",
    "plane": """rng = np.random.default_rng(DATA_SEED)
x = rng.uniform(-3.0, 3.0, (N_SAMPLES, 2))
y = (x[:, 0] + x[:, 1]) / 6.0 + rng.normal(0.0, NOISE, N_SAMPLES)  # a tilted plane""",
    "bump": """rng = np.random.default_rng(DATA_SEED)
x = rng.uniform(-3.0, 3.0, (N_SAMPLES, 2))
bump = 2 * np.exp(-(x[:, 0] ** 2 + x[:, 1] ** 2) / (2 * 1.2**2)) - 1  # a Gaussian bump
y = bump + rng.normal(0.0, NOISE, N_SAMPLES)""",
    "sine": """rng = np.random.default_rng(DATA_SEED)
x = rng.uniform(-3.0, 3.0, (N_SAMPLES, 2))
y = np.sin(1.5 * x[:, 0]) + rng.normal(0.0, NOISE, N_SAMPLES)  # a sine wave along x1""",
}
SKLEARN = {"moons": "make_moons", "circles": "make_circles", "blobs": "make_blobs"}
FEATURE_CODE = {
    "x1": "p[:, 0]",
    "x2": "p[:, 1]",
    "x1^2": "p[:, 0] ** 2",
    "x2^2": "p[:, 1] ** 2",
    "x1*x2": "p[:, 0] * p[:, 1]",
    "sin x1": "torch.sin(p[:, 0])",
    "sin x2": "torch.sin(p[:, 1])",
}

SPLIT = """x, y = x.astype(np.float32), y.astype(np.int64)
x_tr, x_te, y_tr, y_te = train_test_split(
    x, y, test_size=TEST_FRACTION, random_state=DATA_SEED, stratify=y
)"""
SPLIT_REGRESSION = """x, y = x.astype(np.float32), y.astype(np.float32)
x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=TEST_FRACTION, random_state=DATA_SEED)"""
SPLIT_END = """
x_train, x_test = features(torch.from_numpy(x_tr)), features(torch.from_numpy(x_te))
y_train, y_test = torch.from_numpy(y_tr), torch.from_numpy(y_te)
print(f"{len(y_train)} training and {len(y_test)} test points, {x_train.shape[1]} features")"""

INIT = '''


def init_weights(model):
    """Xavier-uniform weights from a generator seeded by WEIGHT_SEED (gain GAIN in the hidden
    layers, 1 in the output layer), zero biases."""
    g = torch.Generator().manual_seed(WEIGHT_SEED)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for i, lin in enumerate(linears):
            gain = GAIN if i < len(linears) - 1 else 1.0
            nn.init.xavier_uniform_(lin.weight, gain=gain, generator=g)
            lin.bias.zero_()


init_weights(model)'''

LOSS = '''def loss_fn(logits, y):
    """Mean cross-entropy of the softmax: mean over the batch of logsumexp(z) - z[y]."""
    return (torch.logsumexp(logits, dim=1) - logits.gather(1, y[:, None]).squeeze(1)).mean()


@torch.inference_mode()
def evaluate(x, y):
    """(mean cross-entropy, accuracy) of the model on all of (x, y)."""
    model.eval()
    logits = model(x)
    return loss_fn(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


'''
LOSS_REGRESSION = '''def loss_fn(out, y):
    """Mean squared error of the single linear output."""
    return ((out[:, 0] - y) ** 2).mean()


@torch.inference_mode()
def evaluate(x, y):
    """(mean squared error, R²) of the model on all of (x, y)."""
    model.eval()
    pred = model(x)[:, 0]
    residual, total = float(((y - pred) ** 2).sum()), float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - residual / total if total else float(residual == 0.0)
    return ((pred - y) ** 2).mean().item(), r2


'''
L1_STEP = """        loss = loss_fn(model(x_train[idx]), y_train[idx])
        penalty = L1 * sum(w.abs().sum() for w in weights)  # L1 on weights only
        optimizer.zero_grad(set_to_none=True)
        (loss + penalty).backward()
        before = [w.detach().clone() for w in weights]
        # a weight at zero stays there while its data gradient is weaker than the L1 pull
        stay = [(w == 0) & (w.grad.abs() <= L1) for w in weights]
        optimizer.step()
        with torch.no_grad():  # and a weight that crossed zero stops at zero
            for w, old, keep in zip(weights, before, stay, strict=True):
                w.masked_fill_(w * old < 0, 0.0)
                w.masked_fill_(keep, 0.0)"""

TRAIN = '''batch_order = torch.Generator().manual_seed(WEIGHT_SEED + 1)  # reshuffles every epoch


def train_one_epoch():
    """One pass over the training points in shuffled mini-batches of BATCH_SIZE."""
    model.train()
    order = torch.randperm(len(x_train), generator=batch_order)
    for start in range(0, len(x_train), BATCH_SIZE):
        idx = order[start : start + BATCH_SIZE]
        loss = loss_fn(model(x_train[idx]), y_train[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


start_loss = evaluate(x_train, y_train)[0]
status, epoch = "completed", 0
for epoch in range(1, EPOCHS + 1):
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    train_one_epoch()
    loss = evaluate(x_train, y_train)[0]
    finite = all(bool(torch.isfinite(p).all()) for p in model.parameters())
    if not math.isfinite(loss) or not finite or loss > 10 * max(start_loss, 0.1):
        model.load_state_dict(saved)  # undo the epoch that blew up, as the Playground does
        status, epoch = "diverged", epoch - 1
        print(f"Diverged in epoch {epoch + 1}: the learning rate is too large.")
        break
    if epoch % max(1, EPOCHS // 10) == 0 or epoch == EPOCHS:
        test_loss, test_acc = evaluate(x_test, y_test)
        print(
            f"epoch {epoch}: train loss {loss:.4f}, test loss {test_loss:.4f}, "
            f"test accuracy {test_acc:.2%}"
        )

train_loss, train_acc = evaluate(x_train, y_train)
test_loss, test_acc = evaluate(x_test, y_test)
summary = dict(
    final_loss=train_loss,
    test_loss=test_loss,
    train_accuracy=train_acc,
    test_accuracy=test_acc,
    epochs=epoch,
    status=status,
)
print(json.dumps(summary))'''


def _outputs(data: DataConfig) -> int:
    """The number of network outputs: 1 for regression, else the classes the dataset has."""
    lo, hi = CLASS_RANGE.get(data.name, (1, 1))
    return min(max(data.n_classes, lo), hi)


def _train_code(regression: bool, l1: float) -> str:
    """The loss, evaluation and training loop: squared error and R² for regression, and the
    L1 step (penalty, then weights that crossed zero set to zero) when L1 is on."""
    code = (LOSS_REGRESSION if regression else LOSS) + TRAIN
    if l1 > 0:
        step = TRAIN.split("        loss = loss_fn", 1)[1].split("\n\n", 1)[0]
        code = code.replace("        loss = loss_fn" + step, L1_STEP)
    if regression:
        code = code.replace("test accuracy {test_acc:.2%}", "test R² {test_acc:.4f}")
        code = code.replace("accuracy=", "r2=").replace("_acc", "_r2")
    return code


def _settings(data: DataConfig, model: ModelConfig, settings: TrainSettings, epochs: int) -> str:
    k = _outputs(data)
    regression = data.name in REGRESSION_DATASETS
    lines = [
        "import json",
        "import math",
        "",
        "import numpy as np",
        "import torch",
        *([f"from sklearn.datasets import {SKLEARN[data.name]}"] if data.name in SKLEARN else []),
        "from sklearn.model_selection import train_test_split",
        "from torch import nn",
        "",
        f'DATASET = "{data.name}"  # {ALL_DATASETS[data.name]}',
        *([] if regression else [f"N_CLASSES = {k}"]),
        f"N_SAMPLES = {int(data.n_samples)}  # training + test points",
        f"NOISE = {float(data.noise)!r}",
        f"TEST_FRACTION = {float(data.test_fraction)!r}",
        f"DATA_SEED = {int(data.seed)}",
        "FEATURES = [" + ", ".join(quoted(f) for f in model.features) + "]",
        f"HIDDEN = {list(model.hidden)!r}  # neurons per hidden layer",
        f"WEIGHT_SEED = {int(model.seed)}  # initial weights and batch order",
        f"GAIN = {init_gain(model.activation)!r}  # Xavier gain for {model.activation}",
        f"LR = {float(settings.lr)!r}  # learning rate",
        f"BATCH_SIZE = {max(1, int(settings.batch_size))}",
        f"L2 = {float(settings.l2)!r}  # loss += (L2 / 2) * sum of squared weights",
        *([f"L1 = {float(settings.l1)!r}  # loss += L1 * sum of |weights|"] if settings.l1 else []),
        f"EPOCHS = {int(epochs)}",
        "",
        "torch.set_num_threads(1)  # a network this small is fastest on one thread",
    ]
    return "\n".join(lines)


def _features_code(features: tuple[str, ...]) -> str:
    cols = "\n".join(f"            {FEATURE_CODE[f]},  # {FEATURES[f][0]}" for f in features)
    return (
        "def features(p):\n"
        '    """The network\'s inputs: the chosen features of each point (N, 2) as columns."""\n'
        f"    return torch.stack(\n        [\n{cols}\n        ],\n        dim=1,\n    )"
    )


def _model_code(model: ModelConfig, n_features: int, n_classes: int) -> str:
    sizes = [n_features, *model.hidden, n_classes]
    act = layer_code(activation_module(model.activation))
    lines = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        lines.append(f"    nn.Linear({a}, {b}),")
        if i < len(sizes) - 2:
            lines.append(f"    {act},")
    return "model = nn.Sequential(\n" + "\n".join(lines) + "\n)" + INIT


def _optimizer_code(name: str) -> str:
    info = OPTIMIZERS[name]
    kw = torch_arguments(name, lr=0.0)
    args = ", ".join(["lr=LR", *(f"{k}={v!r}" for k, v in kw.items() if k != "lr")])
    return (
        'weights = [p for n, p in model.named_parameters() if n.endswith("weight")]\n'
        'biases = [p for n, p in model.named_parameters() if n.endswith("bias")]\n'
        "groups = [\n"
        '    {"params": weights, "weight_decay": L2},  # L2 as weight decay, on weights only\n'
        '    {"params": biases, "weight_decay": 0.0},\n'
        "]\n"
        + call(f"optimizer = torch.optim.{info.cls.__name__}(", ["groups", args, "foreach=True"])
    )


def playground_script(
    data: DataConfig, model: ModelConfig, settings: TrainSettings, epochs: int
) -> Script:
    """The standalone script of a Playground run of ``epochs`` epochs with these settings."""
    k = _outputs(data)
    regression = data.name in REGRESSION_DATASETS
    split = SPLIT_REGRESSION if regression else SPLIT
    share = "at random" if regression else "with the same share of each class"
    cells = (
        Cell("Settings", "The Playground's settings: change them and run again.",
             _settings(data, model, settings, epochs)),
        Cell("Data", f"{ALL_DATASETS[data.name]}: {int(data.n_samples)} points in the plane, "
             f"split into training and test points {share}.",
             _features_code(model.features) + "\n\n\n" + POINTS[data.name] + "\n" + split
             + SPLIT_END),
        Cell("Model", f"An MLP with {ACTIVATIONS[model.activation].label} units; the initial "
             "weights come from the weight seed.", _model_code(model, len(model.features), k)),
        Cell("Optimizer", "", _optimizer_code(model.optimizer)),
        Cell("Training", "Each epoch is one pass over the training points; training stops if "
             "the loss blows up. The last line printed is a JSON summary.",
             _train_code(regression, settings.l1)),
    )  # fmt: skip
    intro = (
        f"The dlviz Playground run: {ALL_DATASETS[data.name]}, hidden layers {list(model.hidden)}, "
        f"{OPTIMIZERS[model.optimizer].label}, learning rate {settings.lr:g}, "
        f"batch {settings.batch_size}, {epochs} epochs.\n\n"
        "Needs only torch, scikit-learn and numpy. Exported by dlviz."
    )
    return Script(f"dlviz Playground: {ALL_DATASETS[data.name]}", intro, cells,
                  name=f"playground_{data.name}")  # fmt: skip
