"""Every experiment a question can name, registered on import: the first pages' concepts
(``concepts``: activations, loss, backprop, gradient descent, depth) and the later pages'
(``networks``: playground, convolution, training, generalization, loss landscape). Each one runs
the real dlviz / torch code the page runs, small enough to answer within a second."""

from __future__ import annotations

from dlviz.questions.experiments import concepts, networks

__all__ = ["concepts", "networks"]
