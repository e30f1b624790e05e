"""The opt-in run log: with ``DLVIZ_RUN_LOG=<path>`` set, every script run appends one JSON line.

Each line is ``{"t": <unix time at the end>, "page": "activations", "run": "page" | "fragment",
"seconds": 0.0123, "outcome": ..., "session": "<8 hex>"}``: the server-side time of the run, from
its start to the end of Streamlit's post-run cleanup (its ``gc.collect`` included), on the script
thread. The outcome is ``finished``; ``rerun-interrupted`` (a rerun request ended it, as
``st.rerun()`` does); or ``stopped``: a ``StopException`` ended it early, which is both
``st.stop()`` and, with Streamlit's fast reruns (the default), a run cut short because the learner
moved a widget again and a newer run of the session started meanwhile (the two can overlap).
``benchmarks/bench_classroom.py`` reads it. Without the variable nothing is wrapped or written.

Why not a ``try``/``finally`` in app.py: a whole page run goes through app.py, but a fragment run
(Backprop's step-through, the Playground's live polls) runs only the fragment, and Streamlit's
post-run garbage collection happens after app.py returns. The one place every run goes through is
Streamlit's script runner, so ``install()`` (called by app.py, once per process) wraps the two
internal methods that start and end each run (``dlviz.ui.compat``). The first run of a process,
already under way when ``install()`` is called, is not logged.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from pathlib import Path
from typing import Any

from dlviz.settings import get_settings, warn_once
from dlviz.ui.compat import ScriptRunContext, ScriptRunner, ScriptRunnerEvent

_lock = threading.Lock()
_started = threading.local()  # the start of the run on this script thread
_installed: list[Path | None] = []  # [path] once install() has decided


def install() -> Path | None:
    """Wrap the script runner once per process when DLVIZ_RUN_LOG is set; return the log's path."""
    with _lock:
        if _installed:
            return _installed[0]
        path = get_settings().run_log
        _installed.append(path)
    if path is not None:
        ScriptRunContext.reset = _timing_start(ScriptRunContext.reset)
        ScriptRunner._on_script_finished = _logging_end(ScriptRunner._on_script_finished, path)
    return path


def _timing_start(reset):
    @functools.wraps(reset)
    def wrapper(self, *args: Any, **kwargs: Any) -> None:
        reset(self, *args, **kwargs)
        _started.at = time.perf_counter()

    return wrapper


def _logging_end(finished, path: Path):
    @functools.wraps(finished)
    def wrapper(self, ctx, event, premature_stop, *args: Any, **kwargs: Any) -> None:
        try:
            finished(self, ctx, event, premature_stop, *args, **kwargs)
        finally:
            start, _started.at = getattr(_started, "at", None), None
            if start is not None:
                seconds = time.perf_counter() - start
                try:
                    append(path, run_record(ctx, event, premature_stop, seconds))
                except Exception as err:  # noqa: BLE001 - a benchmark hook never breaks a run
                    warn_once(f"DLVIZ_RUN_LOG={path}: cannot log a run ({err}).")

    return wrapper


def run_record(ctx, event, premature_stop: bool, seconds: float) -> dict[str, Any]:
    """The JSON line of one run: its page (URL path), page or fragment, seconds and outcome."""
    info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    page = info.get("url_pathname") or Path(info.get("script_path") or "app.py").stem
    if event == ScriptRunnerEvent.SCRIPT_STOPPED_FOR_RERUN:
        outcome = "rerun-interrupted"
    else:
        outcome = "stopped" if premature_stop else "finished"
    return {
        "t": round(time.time(), 3),
        "page": page,
        "run": "fragment" if ctx.fragment_ids_this_run else "page",
        "seconds": round(seconds, 5),
        "outcome": outcome,
        "session": ctx.session_id[:8],
    }


def append(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line (a lock keeps concurrent script threads' lines whole)."""
    line = json.dumps(record, separators=(",", ":")) + "\n"
    with _lock, open(path, "a", encoding="utf-8") as f:
        f.write(line)
