"""The trained runs a loss landscape is drawn for: quick Digits recipes, and a run's landscape.

``QUICK_MODELS`` and ``quick_config`` are the short Digits runs the Loss-landscape page trains
when it needs one (a few seconds each on a small CPU); ``run_landscape`` evaluates a stored run's
landscape on the first test images of its dataset. Training itself is ``dlviz.training``; the
landscape maths is ``dlviz.landscape.compute``; nothing here caches anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dlviz.data import Dataset, normalize
from dlviz.landscape.compute import Landscape, LandscapeConfig, PointsDone, loss_landscape

if TYPE_CHECKING:
    from torch import nn

    from dlviz.landscape.parts import PartsMap
    from dlviz.training import TrainConfig, TrainResult

QUICK_MODELS: dict[str, dict] = {
    "seed-mlp": {"epochs": 10, "batch_size": 64},
    "seed-cnn": {"epochs": 5, "batch_size": 64},
}
"""Quick Digits recipes: preset name -> the TrainConfig fields that differ from the preset."""


def quick_config(model: str = "seed-mlp") -> TrainConfig:
    """The TrainConfig of a quick Digits run of a preset (``seed-mlp`` or ``seed-cnn``)."""
    from dlviz.training import preset_config

    return preset_config(model, "digits", **QUICK_MODELS[model])


def run_landscape(
    run: TrainResult,
    model: nn.Module,
    data: Dataset,
    cfg: LandscapeConfig,
    progress: PointsDone | None = None,
    mapper: PartsMap | None = None,
) -> Landscape:
    """The landscape between the run's initial and final weights, on its dataset's test images.

    ``model`` is the run's architecture (``run.model(data.info)``); at most ``cfg.test_images``
    test images are used, fewer when the dataset has fewer. With a ``mapper`` (a Ray cluster's
    ``dlviz.jobs.fanout.Spread``) the parts are computed by it, to the same numbers.
    """
    n = min(cfg.test_images, len(data.test_y))
    x = normalize(data.test_x[:n], data.info)
    if mapper is not None:
        from dlviz.landscape.parts import split_landscape

        return split_landscape(
            model, run.initial_state, run.final_state, x, data.test_y[:n], cfg, mapper, progress
        )
    return loss_landscape(
        model, run.initial_state, run.final_state, x, data.test_y[:n], cfg, progress
    )
