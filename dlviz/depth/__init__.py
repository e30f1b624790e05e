"""Depth and initialization: how a signal and its gradient fare through a deep, untrained MLP.

The study (``dlviz.depth.study``) pushes one batch forward and one cross-entropy gradient back
through the network of a ``DepthConfig`` (``dlviz.depth.network``), built with one of the weight
initializations of ``dlviz.depth.init``, and measures every layer; ``dlviz.depth.report`` says
what the numbers mean in words. This package re-exports the public names, so
``from dlviz.depth import depth_study`` works. Nothing here imports Streamlit or trains weights.
"""

from __future__ import annotations

from dlviz.depth.init import INIT_LATEX, INITS, init_linear_
from dlviz.depth.network import (
    MAX_DEPTH,
    MIN_DEPTH,
    NUM_CLASSES,
    DepthConfig,
    build_deep_mlp,
    image_batch,
    random_batch,
)
from dlviz.depth.study import (
    FLAT_FRACTION,
    UNDERFLOW,
    DepthStudy,
    LayerStats,
    compare_inits,
    depth_study,
    layer_stats,
    shared_edges,
    slope_peak,
    slopes,
)

__all__ = [
    "FLAT_FRACTION",
    "INITS",
    "INIT_LATEX",
    "MAX_DEPTH",
    "MIN_DEPTH",
    "NUM_CLASSES",
    "UNDERFLOW",
    "DepthConfig",
    "DepthStudy",
    "LayerStats",
    "build_deep_mlp",
    "compare_inits",
    "depth_study",
    "image_batch",
    "init_linear_",
    "layer_stats",
    "random_batch",
    "shared_edges",
    "slope_peak",
    "slopes",
]
