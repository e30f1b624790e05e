"""Streamlit pieces of the Gradient-descent page."""
