"""Every view is a link: the widgets that define what a learner sees live in the URL.

Streamlit 1.67 does the work: a widget with ``bind=BIND`` (and a ``key``, which is the parameter's
name) writes its value to the URL when it changes, leaves defaults out, and on opening a link
starts from the URL's value. dlviz adds three things around it:

- ``capture`` / ``report``: Streamlit drops a link's value it cannot use (an unknown key, a
  malformed or out-of-range number, an option that does not exist) without a word. On the first
  run of a session dlviz remembers the link's parameters, and after the page has run it names,
  in one small notice, each one that did not make it into the view.
- ``share_button``: "Copy link to this view" (and the same link for embedding), copied in the
  browser from the address bar, which Streamlit keeps current, so it is always this exact view.
- ``embedded``: ``?embed=true`` (Streamlit's own switch: no toolbar, no footer) also hides the
  sidebar and the long prose, for iframes in slides and course pages.

A link can never run code: every value goes through its widget (bounded sliders, fixed options),
and expressions through dlviz's safe parser like typed ones.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import streamlit as st

from dlviz.ui.compat import drop_link_param, url_form

BIND = "query-params"
"""The ``bind=`` of every widget that defines a view (its ``key`` is the URL parameter)."""
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
"""Parameters Streamlit itself reads; never reported as unknown."""
_LINK = "_dlviz_link"  # session state: the link's parameters, until the first page has run
_DEFERRED = "_dlviz_link_deferred"  # parameter prefixes of closed lazy tabs (used later, if opened)


def embedded() -> bool:
    """True when the app is opened with ``?embed=true`` (in an iframe, say)."""
    return bool(st.context.is_embedded)


def capture(page: str) -> None:
    """On the first run of ``page`` in this session, remember the URL's parameters: the link's,
    when the session was opened with one (later visits from the sidebar carry only values the
    widgets themselves wrote, which always match)."""
    seen = st.session_state.setdefault("_dlviz_pages_seen", set())
    if page in seen:
        return
    seen.add(page)
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    for key, values in params.items():
        if all(v.strip() == "" for v in values):  # "?x=": no value (a number input would be None)
            drop_link_param(key)
    if params:
        st.session_state[_LINK] = params


def opening_link() -> dict[str, list[str]]:
    """The link's parameters while the page it opened runs for the first time, else {}."""
    return st.session_state.get(_LINK) or {}


def defer(prefixes: tuple[str, ...]) -> None:
    """The link's parameters starting with ``prefixes`` belong to a closed tab: they wait in the
    URL for it (its widgets start from them when it opens), so ``report`` does not name them."""
    if _LINK in st.session_state:
        st.session_state[_DEFERRED] = st.session_state.get(_DEFERRED, ()) + tuple(prefixes)


@dataclass(frozen=True)
class Ignored:
    """One link parameter the view could not use, and why."""

    key: str
    value: str
    reason: str  # "unknown" or "value"


def ignored_parameters(link: dict[str, list[str]], deferred: tuple[str, ...] = ()) -> list[Ignored]:
    """The link's parameters that did not make it into the view (call after the page ran);
    those starting with a ``deferred`` prefix wait for their closed tab and are not counted."""
    ignored = []
    for key, raw in link.items():
        if key.lower() in STREAMLIT_PARAMS or key.startswith(deferred):
            continue
        shown = url_form(key)
        value = ", ".join(raw)
        if shown is None:
            ignored.append(Ignored(key, value, "unknown"))
        elif not _same(raw, shown):
            ignored.append(Ignored(key, value, "value"))
    return ignored


def _same(raw: list[str], shown: list[str]) -> bool:
    """Whether a link's raw values name the widget's value now (numbers compared as numbers)."""
    if len(raw) != len(shown):
        return False
    return all(
        a == b or _number(a) == _number(b) is not None for a, b in zip(raw, shown, strict=True)
    )


def _number(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def notice_words(ignored: list[Ignored]) -> str:
    """One plain sentence or two naming what the link asked for and the page did not use."""
    unknown = [i for i in ignored if i.reason == "unknown"]
    values = [i for i in ignored if i.reason == "value"]
    parts = []
    if unknown:
        names = ", ".join(_code(i.key) for i in unknown[:6])
        parts.append(f"this page has no setting called {names}")
    if values:
        names = ", ".join(_code(f'{i.key}="{i.value[:40]}"') for i in values[:6])
        parts.append(
            f"{names} is not a value this page offers, so that setting starts from its default"
            if len(values) == 1
            else f"{names} are not values this page offers, so those settings start from "
            "their defaults"
        )
    return "Part of this link was ignored: " + "; ".join(parts) + "."


def _code(text: str) -> str:
    """Learner-supplied text as inline code (no Markdown runs inside; a backtick cannot end it)."""
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def report(slot) -> None:
    """After the session's first page ran: name the link's ignored parameters in ``slot``."""
    link = st.session_state.pop(_LINK, None)
    deferred = st.session_state.pop(_DEFERRED, ())
    if not link:
        return
    ignored = ignored_parameters(link, deferred)
    if ignored:
        slot.caption(notice_words(ignored), help="Links keep each page's settings in the URL.")


JS = """
export default function (component) {
  const { parentElement } = component;
  const note = parentElement.querySelector(".note");
  const copy = async (embed) => {
    const url = new URL(window.location.href);
    if (embed) url.searchParams.set("embed", "true"); else url.searchParams.delete("embed");
    const text = url.toString();
    try {
      await navigator.clipboard.writeText(text);
      note.textContent = embed ? "Embed link copied" : "Link copied";
    } catch (e) {  // no clipboard (plain http, a sandboxed iframe): show it to copy by hand
      note.textContent = text;
    }
  };
  parentElement.querySelector(".link").onclick = () => copy(false);
  parentElement.querySelector(".embed").onclick = () => copy(true);
}
"""
HTML = """
<div class="share">
  <button class="link" type="button" title="Copies this page's address with every setting in it">
    Copy link to this view</button>
  <button class="embed" type="button" title="The same link with ?embed=true: no sidebar, less text">
    Embed link</button>
  <span class="note" role="status" aria-live="polite"></span>
</div>
"""
CSS = """
.share { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap;
         font-family: var(--st-font, sans-serif); font-size: 0.85rem; }
.share button { font: inherit; border: 1px solid rgba(49, 51, 63, 0.25); border-radius: 0.5rem;
                background: transparent; color: inherit; padding: 0.2rem 0.7rem; cursor: pointer; }
.share button:hover { border-color: #4453AE; color: #4453AE; }
.share button:focus-visible { outline: 2px solid #4453AE; outline-offset: 1px; }
.share .note { opacity: 0.75; word-break: break-all; }
"""


@functools.cache
def _share_component():
    """The copy-link buttons, registered once per process."""
    return st.components.v2.component("dlviz.share_link", html=HTML, css=CSS, js=JS)


def share_button() -> None:
    """ "Copy link to this view" and "Embed link": the address bar, copied in the browser."""
    _share_component()(key="share_link")
