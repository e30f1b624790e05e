"""Experiments as standalone PyTorch scripts: what a learner takes home from dlviz.

``training_script`` (a Training run), ``rebuild_script`` (reload a run's ``.pt`` weights),
``playground_script`` (a Playground run) and ``descent_script`` (the Gradient-descent paths)
return a ``Script``; ``to_python`` writes it as a ``.py`` file and ``to_notebook`` as a Jupyter
notebook. The scripts import torch, torchvision, scikit-learn and numpy only, never dlviz, and do
what dlviz does step for step (same seeds, same order of random draws), so they print the same
numbers; their last output line is one JSON object. tests/unit/test_export.py runs them.
"""

from __future__ import annotations

from dlviz.export.cells import Cell, Script, to_notebook, to_python
from dlviz.export.descent import descent_script
from dlviz.export.playground import playground_script
from dlviz.export.training import rebuild_script, training_script

__all__ = [
    "Cell",
    "Script",
    "descent_script",
    "playground_script",
    "rebuild_script",
    "to_notebook",
    "to_python",
    "training_script",
]
