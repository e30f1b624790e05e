"""Whether the learner's tab is hidden (another tab in front, the window minimised), reported by
a tiny inline component (Streamlit components v2) that listens to the browser's
``visibilitychange`` event. Pages use it to pause live work nobody is watching: a class of thirty
leaves many tabs open in the background.
"""

from __future__ import annotations

import functools

import streamlit as st

JS = """
export default function (component) {
  const { setStateValue } = component;
  const report = () => setStateValue("hidden", document.hidden);
  document.addEventListener("visibilitychange", report);
  if (document.hidden) report();
  return () => document.removeEventListener("visibilitychange", report);
}
"""


@functools.cache
def _component():
    """The component, registered once per process (registering again would only warn)."""
    return st.components.v2.component("dlviz.tab_visibility", js=JS)


def tab_hidden(key: str) -> bool:
    """True while this browser tab is hidden; a change reruns the page."""
    result = _component()(
        key=key, default={"hidden": False}, on_hidden_change=lambda: None, height=0
    )
    return bool(getattr(result, "hidden", False))
