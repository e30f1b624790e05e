"""Figures of the Training page."""
