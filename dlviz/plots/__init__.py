"""Plotly figure builders: every public function is ``<thing>_figure(...) -> go.Figure``."""
