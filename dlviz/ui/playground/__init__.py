"""Streamlit pieces of the Playground."""
