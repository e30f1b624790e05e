"""Read a finished training run: confusion matrices, per-class scores, picks of test images, exports.

Everything here works on plain arrays (numpy or torch tensors of labels, predictions and
probabilities), so it serves a fresh ``TrainResult``, a cached one, or a notebook alike. It never
trains and never draws.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields, is_dataclass
from typing import Any

import numpy as np
import pandas as pd

from dlviz.metrics import as_numpy


def classification_report_frame(labels: Any, preds: Any, classes: Sequence[str]) -> pd.DataFrame:
    """scikit-learn's classification report (precision, recall, F1, support) as a table."""
    from sklearn.metrics import classification_report

    report = classification_report(
        as_numpy(labels),
        as_numpy(preds),
        labels=list(range(len(classes))),
        target_names=list(classes),
        output_dict=True,
        zero_division=0,
    )
    overall = report.pop("accuracy", None)
    frame = pd.DataFrame(report).T
    frame["support"] = frame["support"].astype(int)
    frame.index.name = "class"
    if overall is not None:
        frame.attrs["accuracy"] = float(overall)
    return frame


def cell_indices(labels: Any, preds: Any, true_class: int, pred_class: int) -> np.ndarray:
    """Indices of the test images in one confusion-matrix cell (true t, predicted p), in order."""
    y, p = as_numpy(labels), as_numpy(preds)
    return np.flatnonzero((y == true_class) & (p == pred_class))


def grid_indices(
    labels: Any, preds: Any, count: int, mistakes_only: bool = False, seed: int = 0
) -> np.ndarray:
    """A fixed random pick of ``count`` test images (only misclassified ones when asked)."""
    y, p = as_numpy(labels), as_numpy(preds)
    pool = np.flatnonzero(y != p) if mistakes_only else np.arange(y.size)
    rng = np.random.default_rng(seed)
    pick = rng.permutation(pool)[:count]
    return np.sort(pick)


def top_k(probs: Any, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The k most probable classes per row and their probabilities, most probable first."""
    pr = as_numpy(probs).astype(np.float32)
    k = min(k, pr.shape[-1])
    order = np.argsort(-pr, axis=-1, kind="stable")[..., :k]
    return order, np.take_along_axis(pr, order, axis=-1)


def history_frame(history: Sequence[Any]) -> pd.DataFrame:
    """One row per finished epoch (the EpochStats fields as columns)."""
    rows = [asdict(h) if is_dataclass(h) else dict(vars(h)) for h in history]
    return pd.DataFrame(rows)


def history_csv(history: Sequence[Any]) -> str:
    """The learning history as CSV text, for download."""
    return history_frame(history).to_csv(index=False, float_format="%.6g")


def state_dict_bytes(state: Mapping[str, Any]) -> bytes:
    """A state_dict serialised with torch.save, loadable with ``model.load_state_dict(torch.load(f))``."""
    import torch

    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu().clone() for k, v in state.items()}, buffer)
    return buffer.getvalue()


def config_fields(config: Any) -> dict[str, Any]:
    """A config dataclass as a flat dict (a nested model spec becomes ``model.<field>`` entries)."""
    out: dict[str, Any] = {}
    for f in fields(config):
        value = getattr(config, f.name)
        if is_dataclass(value):
            for g in fields(value):
                out[f"{f.name}.{g.name}"] = getattr(value, g.name)
        else:
            out[f.name] = value
    return out


def differing_fields(configs: Sequence[Any]) -> list[str]:
    """Names of the config fields whose values are not all equal across the given configs."""
    flats = [config_fields(c) for c in configs]
    names = list(dict.fromkeys(name for flat in flats for name in flat))
    return [n for n in names if len({repr(flat.get(n)) for flat in flats}) > 1]


def run_label(config: Any, names: Sequence[str]) -> str:
    """A short legend label naming only the given fields, e.g. ``lr=0.01, batch_size=64``."""
    flat = config_fields(config)
    parts = [f"{n.removeprefix('model.')}={_short(flat.get(n))}" for n in names]
    return ", ".join(parts) if parts else "run"


def _short(value: Any) -> str:
    if value is None:  # a field one run has and another lacks (a preset model has no layers)
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value) or "none"
    return str(value)
