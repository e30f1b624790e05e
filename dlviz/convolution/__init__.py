"""Convolution and pooling, one window at a time: the maths behind the Convolution page.

``output_size`` is torch's output-length rule with its refusals in words; ``convolve`` computes a
2-D convolution as the page shows it (every window of the padded input, the products with the
kernel, their sum plus the bias), checked against ``torch.nn.functional.conv2d``; ``pool`` does
max and average pooling and says where max pooling sends the gradient; ``layer_table`` lists
shapes, parameters, multiply-adds and receptive fields through a whole CNN. Streamlit-free.
"""

from __future__ import annotations

from dlviz.convolution.kernels import KERNEL_NAMES, kernel_preset, parse_grid
from dlviz.convolution.network import layer_table
from dlviz.convolution.ops import (
    PADDING_MODES,
    ConvResult,
    ConvSpec,
    convolve,
    output_size,
    skipped_pixels,
    spec_problem,
)
from dlviz.convolution.pooling import PoolResult, PoolSpec, pool

__all__ = [
    "KERNEL_NAMES",
    "PADDING_MODES",
    "ConvResult",
    "ConvSpec",
    "PoolResult",
    "PoolSpec",
    "convolve",
    "kernel_preset",
    "layer_table",
    "output_size",
    "parse_grid",
    "pool",
    "skipped_pixels",
    "spec_problem",
]
