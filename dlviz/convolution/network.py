"""Shapes and cost through a whole network: one row per layer, as torch runs it.

``layer_table`` runs one image through the model with a forward hook on every leaf module and
writes its output shape, parameter count, multiply-adds (conv: output values x in-channels x k x
k per group; linear: in x out; everything else counted as 0, as
``torch.utils.flop_counter.FlopCounterMode`` counts it) and receptive field (the side of the
input square one output value can see: r <- r + d(k - 1)·j, j <- j·s through convs and pools).
"""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn

from dlviz.training.models import ModelSpec, build_model

COLUMNS = ("layer", "kind", "output_shape", "parameters", "mult_adds", "receptive_field")


def _pair(v) -> int:
    return int(v[0] if isinstance(v, tuple) else v)


def _mult_adds(module: nn.Module, inp: torch.Tensor, out: torch.Tensor) -> int:
    if isinstance(module, nn.Conv2d):
        k = _pair(module.kernel_size) * _pair(module.kernel_size)
        return int(out[0].numel() * (module.in_channels // module.groups) * k)
    if isinstance(module, nn.Linear):
        return int(module.in_features * module.out_features)
    return 0


def _window(module: nn.Module) -> tuple[int, int, int] | None:
    """(kernel, stride, dilation) of a conv or pooling layer, else None."""
    if isinstance(module, nn.Conv2d):
        return _pair(module.kernel_size), _pair(module.stride), _pair(module.dilation)
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        stride = module.stride or module.kernel_size
        dilation = getattr(module, "dilation", 1)
        return _pair(module.kernel_size), _pair(stride), _pair(dilation)
    return None


def as_module(
    model: str | ModelSpec | nn.Module, input_shape: tuple[int, int, int], classes: int = 10
) -> nn.Module:
    """A preset name or ``ModelSpec`` built for ``input_shape``; a module as it is."""
    if isinstance(model, nn.Module):
        return model
    return build_model(model, tuple(input_shape), classes)


def layer_table(
    model: str | ModelSpec | nn.Module, input_shape: tuple[int, int, int]
) -> pd.DataFrame:
    """One row per leaf layer: layer, kind, output_shape, parameters, mult_adds, receptive_field."""
    module = as_module(model, input_shape)
    rows: list[dict] = []
    state = {"rf": 1, "jump": 1, "dense": False}
    side = max(int(input_shape[-1]), int(input_shape[-2]))

    def hook(name: str):
        def record(mod: nn.Module, args, out) -> None:
            window = _window(mod)
            if window is not None:
                k, s, d = window
                state["rf"] += d * (k - 1) * state["jump"]
                state["jump"] *= s
            if isinstance(mod, (nn.Flatten, nn.Linear)) or out.dim() == 2:
                state["dense"] = True
            rf = max(state["rf"], side) if state["dense"] else state["rf"]
            rows.append(
                {
                    "layer": name,
                    "kind": type(mod).__name__,
                    "output_shape": tuple(int(v) for v in out.shape[1:]),
                    "parameters": sum(p.numel() for p in mod.parameters(recurse=False)),
                    "mult_adds": _mult_adds(mod, args[0], out),
                    "receptive_field": int(rf),
                }
            )

        return record

    handles = [
        m.register_forward_hook(hook(n))
        for n, m in module.named_modules()
        if n and not list(m.children())
    ]
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            module(torch.zeros(1, *input_shape))
    finally:
        module.train(was_training)
        for h in handles:
            h.remove()
    return pd.DataFrame(rows, columns=list(COLUMNS))
