"""What dlviz uses from Streamlit's internals, in one place: each name here is not public API,
so a Streamlit upgrade may move it. It is imported without a fallback, and tests/unit/
test_compat.py checks it, so an upgrade that breaks it fails at import and in CI instead of
quietly switching a feature off.
"""

from __future__ import annotations

# Every script run, a whole page or a fragment, starts with ``ScriptRunContext.reset`` and ends in
# ``ScriptRunner._on_script_finished`` (which also runs Streamlit's post-run ``gc.collect``), both
# on the script thread. The opt-in run log (dlviz.ui.runlog, DLVIZ_RUN_LOG) wraps these two.
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner, ScriptRunnerEvent

# Raised inside a script thread at its next st.* call when the learner clicks anything while the
# script runs (a rerun) or the session stops. The Training page catches it to keep a stopped run.
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext


def navigation_only() -> None:
    """Switch off Streamlit's automatic ``pages/`` discovery (multipage apps v1) for this process.

    Streamlit decides per process, at its first session, that an app with a ``pages/`` folder
    next to the entry script is a v1 app, and only ``st.navigation`` switches that off again.
    So the very first script run of a fresh server took the v1 road: a deep link to
    ``/activations`` ran the page file alone (no page config, no warm-up gate, the folder's
    file names in the sidebar) and ``/gradient-descent`` showed "Page not found" (v1 names it
    ``gradient_descent``). app.py calls this at server start, before any learner connects.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def session_id() -> str | None:
    """The id of the browser session this script run serves (None outside a script run)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_id


def session_is_active(sid: str | None) -> bool:
    """Whether that browser session is connected now (False without a server: AppTest, bare)."""
    from streamlit import runtime

    return sid is not None and runtime.exists() and runtime.get_instance().is_active_session(sid)


def session_exists(sid: str | None) -> bool:
    """Whether that browser session is connected, or disconnected and still kept for its tab to
    reconnect (``server.disconnectedSessionTTL``); False once Streamlit has let it go, and
    without a server (AppTest, bare). A tab starved of CPU can lose its websocket for a moment
    and reconnect into the same session: its Playground keeps training through that."""
    from streamlit import runtime

    if sid is None or not runtime.exists():
        return False
    return runtime.get_instance()._session_mgr.get_session_info(sid) is not None


def url_form(key: str) -> list[str] | None:
    """The URL value(s) Streamlit writes for the widget bound to query parameter ``key`` as it
    stands now (``bind="query-params"``), or None when no widget of this run is bound to it.

    Streamlit drops a link's value it cannot use (malformed, out of range, not an option) without
    a word; comparing the link's raw value with this tells dlviz which ones to name.
    """
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    from streamlit.runtime.state.query_params import _coerce_value_for_query_url

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return None
    state = ctx.session_state._state
    binding = state.query_params.get_binding_for_param(key)
    if binding is None:
        return None
    metadata = state._new_widget_state.widget_metadata.get(binding.widget_id)
    if metadata is None or key not in state:
        return None
    value = _coerce_value_for_query_url(metadata.serializer(state[key]), metadata.value_type)
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def drop_link_param(key: str) -> None:
    """Forget a link's parameter before any widget reads it (Streamlit seeds widgets from the
    URL the session was opened with; an empty ``?seed=`` would set a number input to None)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return
    params = ctx.session_state._state.query_params
    params._initial_query_params.pop(key, None)
    params.remove_param(key)


__all__ = [
    "ScriptControlException",
    "ScriptRunContext",
    "ScriptRunner",
    "ScriptRunnerEvent",
    "drop_link_param",
    "session_id",
    "session_exists",
    "session_is_active",
    "url_form",
]
