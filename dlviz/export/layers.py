"""The model of a training run as readable PyTorch source: ``nn.Sequential`` of named layers.

``model_code`` builds dlviz's own model for the config (``dlviz.training.models.build_model``,
under a forked RNG so the caller's random state is untouched) and writes each layer as the
constructor call that makes it, in the same order and with the same names. Constructing them in
that order after ``torch.manual_seed(seed)`` draws the same initial weights, and the names make
the state_dict keys the same, so a dlviz ``.pt`` loads into the exported model.
"""

from __future__ import annotations

import torch
from torch import nn

from dlviz.data import DatasetInfo
from dlviz.training.models import FlattenHWC, ModelSpec, build_model, resolve_spec

FLATTEN_HWC = '''class FlattenHWC(nn.Module):
    """[N, C, H, W] -> [N, H*W*C]: flatten in (height, width, channel) order.

    dlviz flattens a CNN's feature maps this way because for channels_last tensors it is a view
    (no copy). It is the same network as x.flatten(1) up to the order of fc1's input columns.
    """

    def forward(self, x):
        return x.permute(0, 2, 3, 1).flatten(1)'''


def layer_code(module: nn.Module) -> str:
    """The constructor call that makes ``module`` (one of the layers dlviz builds)."""
    if isinstance(module, FlattenHWC):
        return "FlattenHWC()"
    if isinstance(module, nn.Linear):
        return f"nn.Linear({module.in_features}, {module.out_features})"
    if isinstance(module, nn.Conv2d):
        k, s, p = module.kernel_size[0], module.stride[0], module.padding[0]
        return (
            f"nn.Conv2d({module.in_channels}, {module.out_channels}, kernel_size={k}, "
            f"stride={s}, padding={p})"
        )
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return f"nn.{type(module).__name__}({module.num_features})"
    if isinstance(module, nn.MaxPool2d):
        return f"nn.MaxPool2d({module.kernel_size})"
    if isinstance(module, nn.Dropout):
        return f"nn.Dropout({module.p!r})"
    if isinstance(module, nn.LeakyReLU):
        return f"nn.LeakyReLU(negative_slope={module.negative_slope!r})"
    if isinstance(module, nn.ELU):
        return f"nn.ELU(alpha={module.alpha!r})"
    name = type(module).__name__
    if getattr(nn, name, None) is type(module):  # Flatten, ReLU, Tanh, Sigmoid, GELU, SiLU, ...
        return f"nn.{name}()"
    raise ValueError(f"no exported form for the layer {module!r}")


def model_code(model: str | ModelSpec, info: DatasetInfo) -> str:
    """``model = nn.Sequential(OrderedDict([...]))``: one named layer per line."""
    with torch.random.fork_rng(devices=[]):
        built = build_model(model, info.shape, info.num_classes)
    lines = [f'        ("{name}", {layer_code(m)}),' for name, m in built.named_children()]
    return (
        "model = nn.Sequential(\n    OrderedDict(\n        [\n"
        + "\n".join(f"    {ln}" for ln in lines)
        + "\n        ]\n    )\n)"
    )


def is_cnn(model: str | ModelSpec) -> bool:
    """True for a CNN (it needs ``FlattenHWC`` and trains in ``channels_last``)."""
    return resolve_spec(model).kind == "cnn"
