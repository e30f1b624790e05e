""" "Show the code": a lazy expander with an exported script, and its .py / .ipynb downloads.

The Training page, the Playground and Gradient descent each call ``show_script`` from their own
``show_code`` with the ``dlviz.export`` script of what is on screen. The expander draws (and the
script is written) only while it is open, and its download buttons do not rerun the page.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dlviz.export import Script, to_notebook, to_python

LABEL = "Show the code: this experiment as a PyTorch script"


@st.cache_data(max_entries=64, show_spinner=False)
def script_files(_make: Callable[[], Script], key: object) -> tuple[str, str, str]:
    """``(name, .py source, .ipynb JSON)`` of the script ``_make()`` writes; ``key`` names it."""
    script = _make()
    return script.name, to_python(script), to_notebook(script)


def code_box(key: str):
    """The lazy expander: returns it, or None while it is closed (then nothing is drawn)."""
    box = st.expander(LABEL, key=key, icon=":material/code:", on_change="rerun")
    return box if box.open else None


def show_script(box, key: str, files: tuple[str, str, str], note: str = "") -> None:
    """Inside ``box``: what the script does, its source, and the two downloads."""
    name, source, notebook = files
    with box:
        st.caption(
            "A standalone script: only torch, torchvision, scikit-learn and numpy, no dlviz. "
            "It makes the same random draws in the same order, so it prints the numbers on this "
            "page; its last line is a JSON summary." + (f" {note}" if note else "")
        )
        a, b, _ = st.columns([1, 1, 2])
        a.download_button(
            "Download .py", source, f"{name}.py", "text/x-python", key=f"{key}_py",
            on_click="ignore", icon=":material/download:", width="stretch",
        )  # fmt: skip
        b.download_button(
            "Download .ipynb", notebook, f"{name}.ipynb", "application/x-ipynb+json",
            key=f"{key}_ipynb", on_click="ignore", icon=":material/download:", width="stretch",
        )  # fmt: skip
        st.code(source, language="python", line_numbers=True, height=460)
