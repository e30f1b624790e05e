"""Placeholder while this page is being built (replaced by its issue's work)."""

import streamlit as st

st.title("6_depth_and_init")
st.info("This page is being built.")
