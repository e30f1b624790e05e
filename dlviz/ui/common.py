"""Shared page furniture: headers (behind the warm-up gate), learner-facing text loaded from
markdown, "What to try" boxes and explanation expanders."""

from __future__ import annotations

import html
import sys
from functools import cache
from pathlib import Path

import streamlit as st

from dlviz.ui import links, quiz, warmup

TEXT_DIR = Path(__file__).parent / "text"
PAGE_ICON = str(Path(__file__).parent / "assets" / "neurology.svg")
"""The favicon: Material Symbols' "neurology" as a local SVG, so a page load needs no font server."""
STYLESHEET = Path(__file__).parent / "assets" / "dlviz.css"
"""dlviz's own CSS (phone layout, focus rings), loaded by ``page_header``."""
KEYBOARD_JS = Path(__file__).parent / "assets" / "keyboard.js"
"""Makes the buttons plotly draws in a figure reachable with Tab and Enter (``page_header``)."""


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


def page_header(title: str, intro: str, *, draws: bool = True) -> None:
    """The page title and a one-paragraph plain-words introduction (every page starts with it).

    A page that draws charts or tables (``draws``) first waits for the warm-up's imports
    (``dlviz.ui.warmup``): on a fresh server they may still be running in the background, and a
    chart must never see a half-imported module. Home draws neither and is served at once.
    """
    warmup.start()
    if draws:
        warmup.wait()
    st.html(STYLESHEET)  # a .css path: a <style> in the event container, taking no space
    if draws:  # a marker the stylesheet hides, so the script's element takes no space
        st.html(
            f'<div class="dlviz-keyboard" hidden></div><script>{_keyboard_js()}</script>',
            unsafe_allow_javascript=True,
        )
    st.title(title)
    if draws:  # Home has no settings to share
        links.share_button()
    prose(intro)
    page = quiz.page_of(sys._getframe(1).f_code.co_filename)  # the page file calling us
    quiz.visit(page)
    if draws:
        quiz.show(page)  # its predict-then-reveal questions (dlviz/questions/data/<page>.toml)


# Visually hidden, read by screen readers (the usual "sr-only" rule).
_SCREEN_READER_ONLY = (
    "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap;border:0"
)


def chart(figure, *, where=None, **kwargs):
    """``st.plotly_chart(figure, **kwargs)`` (in ``where``, a column say) followed by the figure's
    text alternative for screen readers (``dlviz.plots.describe``: what it plots and its key
    numbers), visually hidden and with no gap added. Returns what st.plotly_chart returns."""
    from dlviz.plots.describe import describe

    box = (where or st).container(gap=None)
    event = box.plotly_chart(figure, **kwargs)
    box.markdown(
        f'<span style="{_SCREEN_READER_ONLY}">{html.escape(describe(figure))}</span>',
        unsafe_allow_html=True,
    )
    return event


@cache
def _keyboard_js() -> str:
    return KEYBOARD_JS.read_text(encoding="utf-8")


def phone_order(name: str, place: int | None = None):
    """A keyed container for the phone layout of ``assets/dlviz.css``.

    ``phone_order(name)`` wraps a block of columns; on a phone (640 px or less) its columns'
    items show in one column, where ``phone_order(name, 1)`` (the figure) comes first and
    ``phone_order(name, 2)`` (the controls that move it) right under it, so a learner sees the
    figure while moving its slider. On a wider screen the columns are unchanged."""
    return st.container(key=f"phone_order_{name}" if place is None else f"phone_{place}_{name}")


def lazy_tabs(
    labels: list[str], key: str, settings: dict[str, tuple[str, ...]] | None = None
) -> list:
    """Tabs of which only the open one runs and is drawn; the learner's tab is in the URL.

    Every tab's figures cost the browser a plotly draw on opening the page and on every rerun,
    hidden or not (Activations: five charts, four of them in tabs nobody was looking at, about a
    second of a page open). Here a tab switch is a rerun instead (``on_change="rerun"``), the page
    runs only the open tab's body (``if tab.open:``), and ``bind`` makes the open tab part of a
    copied link. ``settings`` maps the other tabs to the URL parameters of their widgets
    (prefixes; the first tab has the rest): a link that names no tab and sets only one other
    tab's settings opens that tab; a setting of a closed tab waits in the URL until it opens.
    """
    settings = settings or {}
    link = links.opening_link()
    if link and key not in link and key not in st.session_state:
        owners = {_tab_of(name, labels[0], settings) for name in link}
        owners.discard(None)
        if len(owners) == 1 and (wanted := owners.pop()) != labels[0]:
            st.session_state[key] = wanted
    tabs = st.tabs(labels, key=key, on_change="rerun", bind=links.BIND)
    closed = [label for label, tab in zip(labels, tabs, strict=True) if not tab.open]
    links.defer(tuple(p for label in closed for p in settings.get(label, ())))
    return tabs


def _tab_of(name: str, first: str, settings: dict[str, tuple[str, ...]]) -> str | None:
    """The tab a link parameter belongs to (None for Streamlit's own)."""
    if name.lower() in links.STREAMLIT_PARAMS:
        return None
    return next((label for label, ps in settings.items() if name.startswith(ps)), first)


def prose(markdown: str) -> None:
    """Learner text: shown, except in embed mode (``?embed=true``), which keeps the figures and
    controls and leaves the long explanations to the page itself."""
    if not links.embedded():
        st.markdown(markdown)


def long_read(title: str, *markdowns: str, expanded: bool = False) -> None:
    """An expander of learner text (not in embed mode)."""
    if links.embedded():
        return
    with st.expander(title, expanded=expanded):
        for markdown in markdowns:
            st.markdown(markdown)


def try_this(*ideas: str) -> None:
    """A 'What to try' box with concrete experiments for the learner (not in embed mode)."""
    if links.embedded():
        return
    st.info(
        "**What to try**\n\n" + "\n".join(f"- {idea}" for idea in ideas), icon=":material/science:"
    )


def explanations(text: dict[str, str], *sections: tuple[str, str]) -> None:
    """Expanders of learner text: ``(title, section of the page's markdown)``; the first is open.
    None in embed mode."""
    if links.embedded():
        return
    for i, (title, section) in enumerate(sections):
        with st.expander(title, expanded=i == 0):
            st.markdown(text[section])
