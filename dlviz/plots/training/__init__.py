"""Figures of the Training page: ``data`` (the dataset), ``curves`` (learning curves),
``results`` (what the model got right and wrong) and ``inspect`` (inside the model)."""
