"""The loss landscape of a trained model, after Li et al. (2018), "Visualizing the Loss Landscape".

Two views of the loss as a function of the weights theta, evaluated on a fixed set of test images:

- a 1-D line through weight space, theta(t) = theta_0 + t (theta_1 - theta_0), from the initial
  weights (t = 0) to the trained ones (t = 1) and a little past both ends;
- a 2-D plane through the trained weights, theta(a, b) = theta_1 + a d_1 + b d_2, spanned by two
  random Gaussian directions with *filter-wise normalization*: every filter (row of a weight
  matrix, output channel of a convolution) of a direction is rescaled to the norm of the same
  filter of the trained weights, so the picture does not depend on how each layer is scaled.

Every point is a full forward pass of the real model (``torch.func.functional_call`` with the
shifted weights, eval mode, ``inference_mode``, image chunks). ``LandscapeStore`` is a small disk
cache keyed by run key + settings; ``LandscapeCache`` puts a bounded in-memory LRU in front of it
and computes what neither holds (``run_landscape``: a stored run on its test images). The quick
Digits runs the page trains are ``quick_config``. It knows nothing of Streamlit, and reaches the
run store and the datasets only through the functions it is given.
"""

from __future__ import annotations

from dlviz.landscape.cache import LandscapeCache, LandscapeLookup
from dlviz.landscape.compute import (
    MAX_RESOLUTION,
    MAX_TEST_IMAGES,
    MIN_RESOLUTION,
    Landscape,
    LandscapeConfig,
    PointsDone,
    line_coords,
    loss_landscape,
    losses_at,
    plane_coords,
)
from dlviz.landscape.directions import State, normalize_filterwise, perturbable, random_direction
from dlviz.landscape.evaluator import ConvHead, Evaluator
from dlviz.landscape.runs import QUICK_MODELS, quick_config, run_landscape
from dlviz.landscape.store import LandscapeStore

__all__ = [
    "MAX_RESOLUTION",
    "MAX_TEST_IMAGES",
    "MIN_RESOLUTION",
    "QUICK_MODELS",
    "ConvHead",
    "Evaluator",
    "Landscape",
    "LandscapeCache",
    "LandscapeConfig",
    "LandscapeLookup",
    "LandscapeStore",
    "PointsDone",
    "State",
    "line_coords",
    "loss_landscape",
    "losses_at",
    "normalize_filterwise",
    "perturbable",
    "plane_coords",
    "quick_config",
    "random_direction",
    "run_landscape",
]
