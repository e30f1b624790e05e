"""A training run as a standalone PyTorch script (and the script that reloads its weights).

``training_script(cfg, precision)`` writes what ``dlviz.training.train`` does for ``cfg`` with
only torch, torchvision, scikit-learn and numpy: the same data and train/validation split, the
same layers and initial weights (``torch.manual_seed(seed)`` before building them), the same
optimizer (fused where dlviz fuses it), batch order, normalisation, precision and evaluation, and
it prints the same per-epoch scores; its last line is one JSON object with ``test_accuracy``.
``rebuild_script`` rebuilds the model, loads a run's ``.pt`` state_dict and scores it.
"""

from __future__ import annotations

import re

from dlviz.data import INFOS
from dlviz.export.cells import Cell, Script, call, quoted
from dlviz.export.datasets import imports, loader_code, prepare_code
from dlviz.export.layers import FLATTEN_HWC, is_cnn, model_code
from dlviz.optimizers import OPTIMIZERS, torch_arguments
from dlviz.runtime import bf16_native
from dlviz.training import TrainConfig
from dlviz.training.loop import EVAL_BATCH_PIXELS

EVALUATE = '''EVAL_BATCH = {eval_batch}  # images per evaluation batch


def autocast():
    """bfloat16 forward passes when PRECISION is "bf16" (mixed precision), else float32."""
    if PRECISION == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def evaluate(x_uint8, y):
    """(mean cross-entropy, accuracy) of the model on a whole set, in eval mode."""
    model.eval()
    probs, loss_sum = [], 0.0
    with torch.inference_mode():
        for i in range(0, len(x_uint8), EVAL_BATCH):
            with autocast():
                logits = model(prepare(x_uint8[i : i + EVAL_BATCH]))
            logits = logits.float()
            loss_sum += F.cross_entropy(logits, y[i : i + EVAL_BATCH], reduction="sum").item()
            probs.append(torch.softmax(logits, dim=1))
    model.train()
    if len(y) == 0:
        return math.nan, math.nan
    accuracy = (torch.cat(probs).argmax(1) == y).float().mean().item()
    return loss_sum / len(y), accuracy'''

SPLIT = '''train_x, train_y, test_x, test_y = load_data()


def split_indices(n):
    """A seeded random subset of range(n) (TRAIN_SUBSET of them), split into train / validation."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(SEED))
    if TRAIN_SUBSET is not None:
        perm = perm[: min(TRAIN_SUBSET, n)]
    n_val = round(len(perm) * VAL_FRACTION) if VAL_FRACTION > 0 else 0
    n_val = min(max(n_val, 1 if VAL_FRACTION > 0 else 0), len(perm) - 1)
    return perm[n_val:].sort().values, perm[:n_val].sort().values


train_idx, val_idx = split_indices(len(train_y))
val_x, val_y = train_x[val_idx], train_y[val_idx]
print(f"{len(train_idx)} training, {len(val_idx)} validation, {len(test_y)} test images")'''

EPOCH = '''n = len(train_idx)
# Batches of BATCH_SIZE; a lone last image would break batch norm's statistics: it is dropped.
steps = max(1, n // BATCH_SIZE if n % BATCH_SIZE == 1 and n > 1 else math.ceil(n / BATCH_SIZE))
batch_order = torch.Generator().manual_seed((SEED + 1) % 2**64)  # reshuffles every epoch


def train_one_epoch():
    """One pass over the training images in shuffled batches: (mean loss, accuracy), or None
    when the loss stops being a finite number (the weights then stay as they were)."""
    model.train()
    order = train_idx[torch.randperm(n, generator=batch_order)]
    loss_sum, correct, seen = 0.0, 0, 0
    for step in range(steps):
        idx = order[step * BATCH_SIZE : (step + 1) * BATCH_SIZE]
        xb, yb = prepare(train_x[idx]), train_y[idx]
        with autocast():
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb)
        value = loss.item()
        if not math.isfinite(value):
            return None
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # gradients of the loss with respect to every weight
        optimizer.step()  # one optimizer update
        correct += (logits.detach().argmax(1) == yb).sum().item()
        loss_sum += value * len(idx)
        seen += len(idx)
    return loss_sum / seen, correct / seen'''

LOOP = '''history, status, best = [], "completed", None
for epoch in range(1, EPOCHS + 1):
    trained = train_one_epoch()
    if trained is None:
        status = "diverged"
        print(f"Diverged in epoch {epoch}: the loss became NaN or infinite. Try a smaller LR.")
        break
    train_loss, train_acc = trained
    val_loss, val_acc = evaluate(val_x, val_y)
    test_loss, test_acc = evaluate(test_x, test_y)
    history.append(
        dict(
            epoch=epoch,
            train_loss=train_loss,
            train_acc=train_acc,
            val_loss=val_loss,
            val_acc=val_acc,
            test_loss=test_loss,
            test_acc=test_acc,
        )
    )
    print(
        f"epoch {epoch}/{EPOCHS}: train loss {train_loss:.4f} acc {train_acc:.2%} | "
        f"val loss {val_loss:.4f} acc {val_acc:.2%} | test loss {test_loss:.4f} acc {test_acc:.2%}"
    )
    if not math.isnan(val_loss) and (best is None or val_loss < best[0]):
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        best = (val_loss, epoch, state)  # the weights with the lowest validation loss so far
    if PATIENCE is not None and best is not None and len(history) - best[1] >= PATIENCE:
        status = "early-stopped"
        print(f"Early stop: validation loss stuck; keeping the weights of epoch {best[1]}.")
        model.load_state_dict(best[2])
        break

# torch.save(model.state_dict(), "model.pt")  # keep the weights: the rebuild script loads them
last = history[-1] if history else {}
summary = dict(
    dataset=DATASET,
    model=MODEL,
    status=status,
    epochs=len(history),
    test_accuracy=last.get("test_acc"),
    test_loss=last.get("test_loss"),
    precision=PRECISION,
    train_images=len(train_idx) + len(val_idx),
    history=history,
)
print(json.dumps(summary))'''  # fmt: skip


def file_stem(kind: str, cfg: TrainConfig) -> str:
    """A safe file name stem: ``train_digits_seed-cnn`` (a custom spec's "/" becomes "_")."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{kind}_{cfg.dataset}_{cfg.model_name()}")


def resolved_precision(cfg: TrainConfig) -> str:
    """The precision dlviz trains ``cfg`` in on this CPU ("auto": bf16 for a CNN where bfloat16 is
    native, as ``dlviz.training.resolve_precision`` decides), without building the model."""
    if cfg.precision != "auto":
        return cfg.precision
    return "bf16" if is_cnn(cfg.model) and bf16_native() else "fp32"


def _optimizer_code(cfg: TrainConfig) -> str:
    """``optimizer = torch.optim.X(...)`` with the arguments dlviz passes (fused where it fuses)."""
    info = OPTIMIZERS[cfg.optimizer]
    momentum = cfg.momentum if cfg.optimizer == "momentum" else None
    kw = torch_arguments(cfg.optimizer, lr=cfg.lr, momentum=momentum, weight_decay=cfg.weight_decay)
    names = {"lr": "LR", "weight_decay": "WEIGHT_DECAY", "momentum": "MOMENTUM"}
    args = [f"{k}={names[k]}" if k in names else f"{k}={v!r}" for k, v in kw.items()]
    if cfg.optimizer == "rmsprop":
        args = [a for a in args if a != "momentum=MOMENTUM"] + ["momentum=0.0"]
    args.append("fused=True" if info.fusable else "foreach=True")
    return call(f"optimizer = torch.optim.{info.cls.__name__}(", ["model.parameters()", *args])


def _settings(cfg: TrainConfig, precision: str, data_dir: str) -> str:
    info = INFOS[cfg.dataset]
    lines = [
        "import contextlib",
        "import json",
        "import math",
        "from collections import OrderedDict",
        "",
        "import torch",
        "import torch.nn.functional as F",
        *imports(info),
        "from torch import nn",
        "",
        f"DATASET = {quoted(cfg.dataset)}",
        f"MODEL = {quoted(cfg.model_name())}",
        *([f"DATA_DIR = {quoted(data_dir)}  # where torchvision keeps (or downloads) the files"]
          if cfg.dataset != "digits" else []),
        "SEED = " + f"{cfg.seed}  # initial weights, dropout, validation split, batch order",
        f"EPOCHS = {cfg.epochs}",
        f"BATCH_SIZE = {cfg.batch_size}",
        f"LR = {cfg.lr!r}  # learning rate",
        *([f"MOMENTUM = {cfg.momentum!r}"] if cfg.optimizer == "momentum" else []),
        f"WEIGHT_DECAY = {cfg.weight_decay!r}",
        f"TRAIN_SUBSET = {cfg.train_subset!r}  # None: every training image",
        f"VAL_FRACTION = {cfg.val_fraction!r}  # held out from them for validation",
        f"PATIENCE = {cfg.patience!r}  # early stopping on validation loss (None: off)",
        f"PRECISION = {quoted(precision)}  # bf16: forward passes in bfloat16, weights stay float32",
        f"MEAN, STD = {info.mean!r}, {info.std!r}  # per-channel pixel statistics",
        "",
        "torch.set_flush_denormal(True)  # as dlviz: tiny numbers become 0 (faster on a CPU)",
    ]  # fmt: skip
    return "\n".join(lines)


def _model_cell(cfg: TrainConfig, seeded: bool) -> str:
    info = INFOS[cfg.dataset]
    parts = [FLATTEN_HWC + "\n\n"] if is_cnn(cfg.model) else []
    if seeded:
        parts.append("torch.manual_seed(SEED)  # the initial weights come from the seeded RNG")
    parts.append(model_code(cfg.model, info))
    parts.append(
        "if CHANNELS_LAST:\n    model = model.to(memory_format=torch.channels_last)\n"
        'print(model)\nprint(f"{sum(p.numel() for p in model.parameters()):,} parameters")'
    )
    return "\n".join(parts)


def _data_cells(cfg: TrainConfig) -> list[Cell]:
    info = INFOS[cfg.dataset]
    c, h, w = info.shape
    eval_batch = max(32, min(1000, EVAL_BATCH_PIXELS // (c * h * w)))
    return [
        Cell(
            "Data",
            f"{info.label}: {info.num_classes} classes of {c}x{h}x{w} images, kept as uint8.",
            loader_code(info) + "\n\n\n" + SPLIT,
        ),
        Cell(
            "Normalisation and evaluation",
            "Each batch is scaled to mean 0, standard deviation 1 per channel just before it is "
            "used. evaluate() scores a whole set in eval mode without gradients.",
            prepare_code(info, is_cnn(cfg.model))
            + "\n\n\n"
            + EVALUATE.format(eval_batch=eval_batch),
        ),
    ]


def training_script(cfg: TrainConfig, precision: str = "fp32", data_dir: str = "data") -> Script:
    """The standalone script of ``cfg``'s run; ``precision`` is the one the run used (fp32/bf16)."""
    if precision not in ("fp32", "bf16"):
        raise ValueError(f"precision must be 'fp32' or 'bf16' (resolved), got {precision!r}")
    cells = [
        Cell("Settings", "The run's settings: change them and run again.",
             _settings(cfg, precision, data_dir)),
        *_data_cells(cfg),
        Cell("Model", "The same layers, names and initial weights as in dlviz.",
             _model_cell(cfg, seeded=True)),
        Cell("Optimizer", "", _optimizer_code(cfg)),
        Cell("Training", "Each epoch: shuffle, one optimizer step per batch, then score the "
             "validation and test sets. The last line printed is a JSON summary.",
             EPOCH + "\n\n\n" + LOOP),
    ]  # fmt: skip
    intro = (
        f"Train {cfg.model_name()} on {INFOS[cfg.dataset].label} as dlviz's Training page does: "
        f"{OPTIMIZERS[cfg.optimizer].label}, learning rate {cfg.lr:g}, batch {cfg.batch_size}, "
        f"{cfg.epochs} epoch{'s' if cfg.epochs != 1 else ''}, seed {cfg.seed}.\n\n"
        "Needs only torch, torchvision, scikit-learn and numpy. Run it with `python` (or open "
        "the .ipynb in Jupyter); the same seed gives the same initial weights, split and batch "
        "order. Exported by dlviz."
    )
    return Script(f"dlviz: train {cfg.model_name()} on {INFOS[cfg.dataset].label}", intro,
                  tuple(cells), name=file_stem("train", cfg))  # fmt: skip


REBUILD = """state = torch.load(WEIGHTS, map_location="cpu", weights_only=True)
model.load_state_dict(state)
test_loss, test_acc = evaluate(test_x, test_y)
print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.2%}")
print(json.dumps(dict(weights=WEIGHTS, test_accuracy=test_acc, test_loss=test_loss)))"""


def rebuild_script(
    cfg: TrainConfig, weights: str, precision: str = "fp32", data_dir: str = "data"
) -> Script:
    """A script that rebuilds ``cfg``'s model, loads the state_dict file ``weights`` and scores
    it on the test set (the .pt download of a trained run)."""
    info = INFOS[cfg.dataset]
    settings = _settings(cfg, precision, data_dir) + f"\nWEIGHTS = {quoted(weights)}"
    data = loader_code(info) + "\n\n\ntrain_x, train_y, test_x, test_y = load_data()"
    eval_cell = _data_cells(cfg)[1]
    cells = (
        Cell("Settings", "Which weights to load, and how the run prepared its images.", settings),
        Cell("Data", f"The {info.label} test images.", data),
        Cell(eval_cell.title, eval_cell.text, eval_cell.code),
        Cell("Model", "The run's layers with their names, so the state_dict keys match.",
             _model_cell(cfg, seeded=False)),
        Cell("Load the weights and score them", "", REBUILD),
    )  # fmt: skip
    intro = (
        f"Rebuild {cfg.model_name()} for {info.label}, load the trained weights from "
        f"{weights} (a PyTorch state_dict downloaded from dlviz) and score them on the test set. "
        "Needs only torch, torchvision, scikit-learn and numpy."
    )
    return Script(f"dlviz: load the weights of {cfg.model_name()}", intro, cells,
                  name=file_stem("load", cfg))  # fmt: skip
