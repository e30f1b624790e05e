"""The opt-in run log (DLVIZ_RUN_LOG): one JSON line per script run (AppTest reruns the whole page
for a click inside a fragment; tests/e2e/test_runlog.py sees the server log fragment runs)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from dlviz.ui import runlog
from dlviz.ui.compat import ScriptRunContext, ScriptRunner
from tests.app.conftest import APP


@pytest.fixture
def fresh_hook(monkeypatch):
    """Let install() run again in this process, and put Streamlit's methods back afterwards.

    AppTest's runner overrides ``_on_script_finished`` (no post-run gc), so the hook wraps that
    subclass here; tests/unit/test_compat.py checks the server's ScriptRunner has the same method.
    """
    monkeypatch.setattr(runlog, "_installed", [])
    monkeypatch.setattr(runlog, "ScriptRunner", LocalScriptRunner)
    monkeypatch.setattr(ScriptRunContext, "reset", ScriptRunContext.reset)
    for runner in (ScriptRunner, LocalScriptRunner):
        monkeypatch.setattr(runner, "_on_script_finished", runner._on_script_finished)


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_page_run_is_one_json_line(fresh_hook, monkeypatch, tmp_path):
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("DLVIZ_RUN_LOG", str(log))
    at = AppTest.from_file(APP, default_timeout=60).run()  # installs the hook during this run
    assert not log.exists()  # the run under way at install() is not logged
    at.switch_page("pages/3_backprop.py").run()
    at.button(key="bp_prev").click().run()
    at.switch_page("pages/1_activations.py").run()
    assert not at.exception
    lines = records(log)
    assert [r["page"] for r in lines] == ["backprop", "backprop", "activations"]
    assert {(r["run"], r["outcome"]) for r in lines} == {("page", "finished")}
    assert all(0 < r["seconds"] < 60 and len(r["session"]) == 8 for r in lines)
    assert lines[0]["t"] <= lines[1]["t"] <= lines[2]["t"]


def test_without_the_variable_nothing_is_wrapped(fresh_hook, monkeypatch):
    monkeypatch.delenv("DLVIZ_RUN_LOG", raising=False)
    before = LocalScriptRunner._on_script_finished
    assert runlog.install() is None
    assert LocalScriptRunner._on_script_finished is before


def test_a_record_names_the_page_the_run_kind_and_an_interrupted_run():
    from types import SimpleNamespace

    from dlviz.ui.compat import ScriptRunnerEvent

    pages = {"h1": {"url_pathname": "loss", "script_path": "pages/2_loss.py"}}
    ctx = SimpleNamespace(
        pages_manager=SimpleNamespace(get_pages=lambda: pages),
        page_script_hash="h1",
        fragment_ids_this_run=["f"],
        session_id="0123456789abcdef",
    )
    rec = runlog.run_record(ctx, ScriptRunnerEvent.SCRIPT_STOPPED_FOR_RERUN, False, 0.25)
    assert (rec["page"], rec["run"], rec["outcome"]) == ("loss", "fragment", "rerun-interrupted")
    assert (rec["seconds"], rec["session"]) == (0.25, "01234567")
    ctx.fragment_ids_this_run, ctx.page_script_hash = None, "unknown"
    rec = runlog.run_record(ctx, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS, False, 0.1)
    assert (rec["page"], rec["run"], rec["outcome"]) == ("app", "page", "finished")
    rec = runlog.run_record(ctx, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS, True, 0.1)
    assert rec["outcome"] == "stopped"  # st.stop(), or cut short by the session's newer run
