"""Figures of the Gradient-descent page."""
