"""Gradient descent in two dimensions: loss surfaces, torch.optim trajectories, convergence maps.

``trajectory(surface, optimizer, start, steps, **hyperparams)`` runs a real ``torch.optim`` loop
on a 2-element parameter and returns its positions; ``run`` returns the full record (loss,
gradients, optimizer state, divergence). ``SURFACES`` is the registry of built-in surfaces
(``dlviz.descent.surfaces``) and ``custom_surface`` parses a learner's formula safely
(``dlviz.descent.custom``). ``convergence_map`` runs a whole learning-rate x momentum grid as one
batched tensor (``dlviz.descent.convergence``, over ``dlviz.descent.batched``);
``dlviz.descent.compare`` holds the page's config, its summary table and advice. Nothing here
imports Streamlit.
"""

from __future__ import annotations

from dlviz.descent.batched import BatchedOptimizer, BatchHyper, run_batch
from dlviz.descent.convergence import ConvergenceMap, convergence_map
from dlviz.descent.custom import CUSTOM_FUNCTIONS, custom_surface
from dlviz.descent.optimize import (
    Hyper,
    Path,
    run,
    stability_limit,
    steps_to_tolerance,
    trajectory,
)
from dlviz.descent.surfaces import SURFACE_NAMES, SURFACES, Surface, get_surface

__all__ = [
    "CUSTOM_FUNCTIONS",
    "SURFACES",
    "SURFACE_NAMES",
    "BatchHyper",
    "BatchedOptimizer",
    "ConvergenceMap",
    "Hyper",
    "Path",
    "Surface",
    "convergence_map",
    "custom_surface",
    "get_surface",
    "run",
    "run_batch",
    "stability_limit",
    "steps_to_tolerance",
    "trajectory",
]
