"""Figures of the Playground."""
