"""Running a model on uint8 images: normalised batches, precision, evaluation and predictions.

The training loop and the pages share these. ``resolve_precision`` decides whether forward
passes run in bfloat16 autocast ("auto": for models with convolutions on a CPU with native bf16);
evaluation runs in eval mode under ``inference_mode`` in large batches.
"""

from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F
from torch import nn

from dlviz.data import DatasetInfo, normalize
from dlviz.runtime import bf16_native


def uses_conv(model: nn.Module) -> bool:
    """True when the model has a 2-D convolution (it then runs in ``channels_last``)."""
    return any(isinstance(m, nn.Conv2d) for m in model.modules())


def resolve_precision(precision: str, model: nn.Module, device: str = "cpu") -> str:
    """The precision to run: "auto" becomes "bf16" for a CNN where bfloat16 is native (a CPU with
    AVX512-BF16 or AMX, a CUDA GPU that supports it), else "fp32"."""
    if precision == "auto":
        if torch.device(device).type == "cuda":
            native = torch.cuda.is_bf16_supported()
        else:
            native = torch.device(device).type == "cpu" and bf16_native()
        return "bf16" if uses_conv(model) and native else "fp32"
    return precision


def autocast(precision: str, device_type: str = "cpu") -> contextlib.AbstractContextManager:
    """The context a forward pass runs in: bfloat16 autocast for "bf16", nothing for "fp32"."""
    if precision == "bf16":
        return torch.autocast(device_type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def batch_input(
    x_uint8: torch.Tensor,
    info: DatasetInfo,
    channels_last: bool,
    device: torch.device | None = None,
) -> torch.Tensor:
    """Normalised float32 images for uint8 ones, ``channels_last`` for a CNN, on ``device``.

    Off the CPU a uint8 batch in host memory is copied first (a quarter of the bytes of float32;
    pinned, so the copy overlaps the GPU's work) and normalised there; a batch already on the
    device (``dlviz.training.placement``) is not copied."""
    if device is not None and device.type != "cpu" and x_uint8.device.type == "cpu":
        if device.type == "cuda":
            x_uint8 = x_uint8.pin_memory()
        x_uint8 = x_uint8.to(device, non_blocking=True)
    x = normalize(x_uint8, info)
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def evaluate(
    model: nn.Module,
    x_uint8: torch.Tensor,
    y: torch.Tensor,
    info: DatasetInfo,
    batch_size: int = 1000,
    precision: str = "fp32",
) -> tuple[float, float, torch.Tensor]:
    """``(mean cross-entropy, accuracy, probabilities float32 [M, C])`` in eval mode."""
    probs, loss_sum = _infer(model, x_uint8, info, batch_size, y, precision)
    if len(y) == 0:
        return float("nan"), float("nan"), probs
    acc = (probs.argmax(1) == y).float().mean().item()
    return loss_sum / len(y), acc, probs


def predict_proba(
    model: nn.Module,
    x_uint8: torch.Tensor,
    info: DatasetInfo,
    batch_size: int = 1000,
    precision: str = "fp32",
) -> torch.Tensor:
    """Softmax probabilities float32 ``[M, C]`` for uint8 images, in large inference batches."""
    return _infer(model, x_uint8, info, batch_size, precision=precision)[0]


def _infer(
    model: nn.Module,
    x_uint8: torch.Tensor,
    info: DatasetInfo,
    batch_size: int,
    y: torch.Tensor | None = None,
    precision: str = "fp32",
) -> tuple[torch.Tensor, float]:
    """Probabilities ``[M, C]`` and, given labels, the summed cross-entropy (eval mode)."""
    was_training = model.training
    model.eval()
    cl = uses_conv(model)
    device = next(model.parameters()).device
    out, loss_sum = [], 0.0
    try:
        with torch.inference_mode():
            for i in range(0, len(x_uint8), batch_size):
                with autocast(precision, device.type):
                    logits = model(batch_input(x_uint8[i : i + batch_size], info, cl, device))
                logits = logits.float()
                if y is not None:
                    yb = y[i : i + batch_size].to(device)
                    loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
                out.append(torch.softmax(logits, dim=1).cpu())
    finally:
        model.train(was_training)
    probs = torch.cat(out) if out else torch.empty(0, info.num_classes)
    return probs, loss_sum
