"""Shared page furniture: headers, learner-facing text loaded from markdown, torch set-up."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

TEXT_DIR = Path(__file__).parent / "text"
PAGE_ICON = str(Path(__file__).parent / "assets" / "neurology.svg")
"""The favicon: Material Symbols' "neurology" as a local SVG, so a page load needs no font server."""


@st.cache_resource
def setup_torch() -> int:
    """Configure torch once per server process: threads (DLVIZ_THREADS, else the CPU quota),
    denormals, malloc. Training calls ``configure_torch`` again on its own script thread."""
    from dlviz.runtime import configure_torch, warm_up_optimizers
    from dlviz.settings import get_settings

    threads = configure_torch(threads=get_settings().threads)
    warm_up_optimizers()
    return threads


@cache
def load_text(name: str) -> str:
    """The markdown file ``dlviz/ui/text/<name>.md`` (long explanations stay out of pages)."""
    return (TEXT_DIR / f"{name}.md").read_text(encoding="utf-8")


def text_sections(name: str) -> dict[str, str]:
    """Split ``<name>.md`` into sections keyed by their ``## heading`` (lower-case)."""
    sections: dict[str, str] = {}
    key = "intro"
    for line in load_text(name).splitlines():
        if line.startswith("## "):
            key = line[3:].strip().lower()
            sections[key] = ""
        else:
            sections[key] = sections.get(key, "") + line + "\n"
    return {k: v.strip() for k, v in sections.items()}


def wait_for_shared_imports() -> None:
    """Return once every module the pages share is completely imported (``dlviz.ui.preload``).

    app.py imports it first; but until app.py has called ``st.navigation`` once, a fresh server
    runs a deep link's page file on its own (Streamlit's legacy ``pages/`` folder mode), so every
    page passes this gate too before it draws anything. After the first time it costs a dict lookup.
    """
    import dlviz.ui.preload  # noqa: F401  # an import statement waits until the module is complete


def page_header(title: str, intro: str) -> None:
    """The page title and a one-paragraph plain-words introduction (every page starts with it)."""
    wait_for_shared_imports()
    setup_torch()
    st.title(title)
    st.markdown(intro)


def try_this(*ideas: str) -> None:
    """A 'What to try' box with concrete experiments for the learner."""
    st.info(
        "**What to try**\n\n" + "\n".join(f"- {idea}" for idea in ideas), icon=":material/science:"
    )


def explanations(text: dict[str, str], *sections: tuple[str, str]) -> None:
    """Expanders of learner text: ``(title, section of the page's markdown)``; the first is open."""
    for i, (title, section) in enumerate(sections):
        with st.expander(title, expanded=i == 0):
            st.markdown(text[section])
