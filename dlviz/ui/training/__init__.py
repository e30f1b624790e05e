"""Streamlit pieces of the Training page."""
