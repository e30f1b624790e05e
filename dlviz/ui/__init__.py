"""Streamlit helpers for dlviz pages: the only package in dlviz that imports streamlit.

Holds cached resources, ``*_controls()`` helpers that turn widgets into config dataclasses,
``show_*()`` renderers, and settings read from the environment.
"""
