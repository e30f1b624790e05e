"""dlviz: interactive explainers of deep-learning basics, as a Streamlit-free library.

The library holds the maths (activations, losses, autodiff, descent), data loading, models,
training and the plotly figure builders. Streamlit lives only in ``dlviz.ui``, ``app.py`` and
``pages/``. Importing ``dlviz`` has no side effects: no downloads, no prints, no env reads.
"""

from __future__ import annotations

__version__ = "0.2.0"
