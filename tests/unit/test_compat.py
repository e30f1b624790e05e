"""The library internals dlviz relies on, each behind one named function: these tests fail
loudly when an upgrade of Streamlit, torchvision, glibc or torch's OpenMP changes them, instead
of letting a feature quietly switch itself off. (Plotly's are in test_plot_style.py.)"""

from __future__ import annotations

import platform

import pytest


def test_streamlit_still_raises_script_control_exceptions_on_rerun_and_stop():
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

    from dlviz.ui.compat import ScriptControlException

    assert issubclass(RerunException, ScriptControlException)
    assert issubclass(StopException, ScriptControlException)


def test_streamlit_still_starts_and_ends_every_run_where_the_run_log_wraps_it():
    import inspect

    from dlviz.ui.compat import ScriptRunContext, ScriptRunner, ScriptRunnerEvent

    assert callable(ScriptRunContext.reset)
    params = list(inspect.signature(ScriptRunner._on_script_finished).parameters)
    assert params[:4] == ["self", "ctx", "event", "premature_stop"]
    assert {"SCRIPT_STOPPED_FOR_RERUN", "SCRIPT_STOPPED_WITH_SUCCESS"} <= {
        e.name for e in ScriptRunnerEvent
    }
    fields = set(ScriptRunContext.__dataclass_fields__)
    assert {"pages_manager", "fragment_ids_this_run", "session_id"} <= fields


def test_streamlit_still_tells_whether_a_browser_session_is_connected():
    """The job queue keeps a disconnected learner's jobs while their session may come back."""
    import inspect

    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    from dlviz.ui.compat import session_exists, session_id, session_is_active

    assert list(inspect.signature(Runtime.is_active_session).parameters) == ["self", "session_id"]
    params = inspect.signature(WebsocketSessionManager.get_session_info).parameters
    assert list(params) == ["self", "session_id"]
    assert "suppress_warning" in inspect.signature(get_script_run_ctx).parameters
    assert session_id() is None  # outside a script run
    assert session_is_active("no-such-session") is False  # and without a server
    assert session_exists("no-such-session") is False


def test_torchvision_cifar10_still_lists_files_and_md5s_as_dlviz_overrides_them():
    from torchvision.datasets import CIFAR10

    from dlviz.data.files import cifar10_class

    for files in (CIFAR10.train_list, CIFAR10.test_list):
        assert files and all(len(pair) == 2 and isinstance(pair[0], str) for pair in files)
    assert {"filename", "key", "md5"} <= set(CIFAR10.meta)
    ours = cifar10_class()
    assert issubclass(ours, CIFAR10)
    assert [f for f, _ in ours.train_list] == [f for f, _ in CIFAR10.train_list]
    assert all(md5 is None for _, md5 in ours.train_list + ours.test_list)
    assert callable(getattr(ours, "_check_integrity", None))


linux_glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the allocator and OpenMP tuning are for glibc Linux only",
)


@linux_glibc
def test_glibc_accepts_the_allocator_tuning():
    from dlviz.runtime import tune_glibc_malloc

    assert tune_glibc_malloc() is True


@linux_glibc
def test_torchs_gnu_openmp_runs_a_function_on_every_worker():
    import torch

    from dlviz.runtime import on_omp_threads, torch_libgomp

    torch.ones(1000).sum()  # make sure torch has loaded its OpenMP runtime
    assert torch_libgomp() is not None, "torch no longer loads GNU OpenMP (libgomp) here"
    assert on_omp_threads(lambda: 7, 2) == [7, 7]


@linux_glibc
def test_threads_can_be_named_in_the_os():
    import threading
    from pathlib import Path

    from dlviz.runtime import name_os_thread

    seen = []

    def body():
        seen.append(name_os_thread("dlviz-test-name-longer-than-15"))
        seen.append(Path(f"/proc/self/task/{threading.get_native_id()}/comm").read_text().strip())

    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert seen == [True, "dlviz-test-name"]  # the kernel keeps 15 bytes


def test_streamlit_still_tells_which_widget_a_query_parameter_is_bound_to():
    """dlviz.ui.links names a link's ignored values by comparing them with what the bound widget
    would write to the URL (``compat.url_form``)."""
    from streamlit.runtime.state.query_params import QueryParams, _coerce_value_for_query_url
    from streamlit.runtime.state.session_state import WStates

    assert callable(QueryParams.get_binding_for_param)
    assert "widget_metadata" in WStates.__dataclass_fields__
    assert _coerce_value_for_query_url([0.5, 2.0], "double_array_value") == ["0.5", "2"]
    assert _coerce_value_for_query_url(True, "bool_value") == "true"


def test_streamlit_still_decides_pages_folder_apps_on_a_class_flag_navigation_only_clears():
    """app.py switches the pages/ discovery off at server start (a fresh server's first deep link
    otherwise runs as a v1 app: tests/e2e/test_links.py checks the effect in a browser)."""
    from streamlit.runtime.pages_manager import PagesManager

    from dlviz.ui.compat import navigation_only

    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        navigation_only()
        assert PagesManager.uses_pages_directory is False
    finally:
        PagesManager.uses_pages_directory = saved
