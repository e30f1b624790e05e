"""Streamlit pieces of the Backprop page."""
