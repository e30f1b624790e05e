"""The Training page on a shared server: two learners, identical runs, cancel, Stop, leaving the
page, leaving the server. Each learner is an AppTest session; jobs run in real worker processes.
"""

from __future__ import annotations

import os
import signal

import pytest

from dlviz.ui.jobs import get_executor
from tests.app.conftest import finish_jobs, open_page
from tests.support import wait_until

PAGE = "8_training.py"
TIMEOUT = 240


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    import dlviz.runtime

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 1)


def press_train(model: str, epochs: int, seed: int, batch: int | None = None):
    """A new learner's page with a preset's run submitted (each test its own seeds: the disk
    cache is shared by the whole session, and a stored run would open at once)."""
    at = open_page(PAGE, timeout=TIMEOUT)
    at.selectbox(key="train_model").set_value(model).run()
    at.slider(key="train_epochs").set_value(epochs)
    at.number_input(key="train_seed").set_value(seed)
    if batch is not None:
        at.select_slider(key="train_batch").set_value(batch)
    at.button(key="train_go").click().run(timeout=TIMEOUT)
    assert not at.exception, [e.message for e in at.exception]
    return at


def job_of(at):
    """The learner's view of their training job (None when they have none)."""
    held = at.session_state.get("train_job")
    return get_executor().view(held[0], at.session_state["jobs_learner"]) if held else None


def wait_running(at, with_points: bool = False):
    return wait_until(
        lambda: (j := job_of(at)) and j.status == "running" and (j.points or not with_points),
        timeout=TIMEOUT,
    )


def labels(at) -> list[str]:
    return [s.label for s in at.get("status")]


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_opening_the_page_starts_no_work():
    open_page(PAGE, timeout=TIMEOUT)
    assert get_executor().counts()["queued"] == get_executor().counts()["running"] == 0
    assert get_executor().worker_pids() == []


def test_one_learner_trains_while_the_next_waits_with_its_place_and_an_estimate():
    a = press_train("seed-cnn", epochs=4, seed=101)
    wait_running(a)
    b = press_train("seed-mlp", epochs=2, seed=102)
    assert labels(b) == ["Waiting to train seed-mlp on Digits (8x8)…"]
    assert "**1st in line** · starts in about" in markdown(b)
    assert b.button(key="train_cancel")  # the waiting learner may cancel
    assert [s.state for s in b.get("status")] == ["running"]  # its spinner, not a check mark
    assert not any("Press **Train**" in i.value for i in b.info)
    a.run()
    assert labels(a) == ["Training seed-cnn on Digits (8x8)…"]
    assert [s.state for s in a.get("status")] == ["running"]
    assert a.button(key="train_stop") and a.get("progress")
    finish_jobs(a, b, timeout=TIMEOUT)
    assert a.success[0].value.startswith("Trained 4 epochs")
    assert b.success[0].value.startswith("Trained 2 epochs")
    assert labels(a) == labels(b) == []
    # each learner explores their own run only
    assert a.session_state["train_result"].config.model == "seed-cnn"
    assert b.session_state["train_result"].config.model == "seed-mlp"


def test_identical_runs_requested_by_two_learners_train_once():
    executor = get_executor()
    executor.pause()
    try:
        a = press_train("seed-mlp", epochs=3, seed=103)
        b = press_train("seed-mlp", epochs=3, seed=103)
        assert a.session_state["train_job"][0] == b.session_state["train_job"][0]
        assert "1 other learner(s) asked for exactly the same" in markdown(b)
    finally:
        executor.resume()
    finish_jobs(a, b, timeout=TIMEOUT)
    ra, rb = a.session_state["train_result"], b.session_state["train_result"]
    assert ra.created == rb.created and not ra.cached  # one training, one result
    from dlviz.ui.resources import get_store

    assert [r.key for r in get_store().runs()].count(ra.config.key()) == 1


def test_cancel_takes_a_waiting_run_out_of_the_queue():
    executor = get_executor()
    executor.pause()
    try:
        at = press_train("seed-mlp", epochs=5, seed=105)
        assert labels(at) == ["Waiting to train seed-mlp on Digits (8x8)…"]
        at.button(key="train_cancel").click().run()
        assert not at.exception
        assert "train_job" not in at.session_state and labels(at) == []
        assert executor.counts()["queued"] == 0
    finally:
        executor.resume()
    at.run()
    assert not at.exception and not at.warning[1:]  # no "lost" message: the learner cancelled


def test_stop_ends_the_run_after_its_batch_and_keeps_what_was_learned():
    at = press_train("seed-cnn", epochs=20, batch=16, seed=106)
    wait_running(at, with_points=True)
    at.run()
    assert at.get("plotly_chart")  # the live learning curves
    at.button(key="train_stop").click().run()
    assert not at.exception
    finish_jobs(at, timeout=TIMEOUT)
    assert at.info and at.info[0].value.startswith("Stopped by request")
    result = at.session_state["train_result"]
    assert result.status == "stopped" and result.epochs_done < 20
    assert any(m.label == "Test accuracy" for m in at.metric)  # the partial run is explored


def test_a_learner_may_leave_for_another_page_and_find_the_run_when_back():
    at = press_train("seed-mlp", epochs=2, seed=107)
    at.switch_page("pages/1_activations.py").run()
    assert not at.exception
    assert get_executor().wait(TIMEOUT)
    at.switch_page(f"pages/{PAGE}").run()
    assert not at.exception
    assert at.success[0].value.startswith("Trained 2 epochs")
    assert any(m.label == "Test accuracy" for m in at.metric)


def disconnect_every_session():
    """What Streamlit does when a tab's websocket goes away (AppTest sessions share one id)."""
    from streamlit.runtime import caching

    caching.clear_session_resource_cache("test session id")


def test_when_learners_leave_their_waiting_runs_are_dropped_and_running_ones_finish(monkeypatch):
    import dlviz.ui.jobs
    from dlviz.ui.resources import get_store

    monkeypatch.setattr(dlviz.ui.jobs, "leave_grace_s", lambda: 0.0)  # gone for good at once
    a = press_train("seed-cnn", epochs=4, seed=108)
    wait_running(a)
    b = press_train("seed-mlp", epochs=4, seed=109)
    assert labels(b)[0].startswith("Waiting")
    running_cfg = a.session_state["train_job"][1]
    disconnect_every_session()
    assert get_executor().counts()["queued"] == 0  # B's waiting run was dropped
    assert get_executor().wait(TIMEOUT)
    assert get_store().get(running_cfg) is not None  # A's run finished into the cache
    a.run()  # A's tab reconnects: the run is in the cache, so it is shown
    assert not a.exception and a.session_state["train_result"].config == running_cfg
    b.run()
    assert not b.exception
    assert any("no longer in the queue" in w.value for w in b.warning)


def test_a_tab_that_reconnects_within_the_grace_keeps_its_place():
    executor = get_executor()
    executor.pause()
    try:
        a = press_train("seed-mlp", epochs=2, seed=113)
        b = press_train("seed-mlp", epochs=3, seed=114)
        disconnect_every_session()  # both tabs lose their connection
        b.run()  # B's comes back within server.disconnectedSessionTTL
        assert "**2nd in line**" in markdown(b)
        assert executor.counts()["queued"] == 2  # A's waits too: its grace is not over
    finally:
        executor.learner_left(a.session_state["jobs_learner"])
        executor.resume()
    finish_jobs(b, timeout=TIMEOUT)
    assert b.success[0].value.startswith("Trained 3 epochs")


def test_a_killed_worker_fails_only_that_run_with_a_message_and_a_fresh_worker_goes_on():
    a = press_train("seed-cnn", epochs=20, batch=16, seed=115)
    wait_running(a, with_points=True)
    b = press_train("seed-mlp", epochs=2, seed=116)
    (pid,) = get_executor().worker_pids()
    os.kill(pid, signal.SIGKILL)  # what the kernel's out-of-memory killer does
    finish_jobs(a, b, timeout=TIMEOUT)
    assert "was killed" in a.error[0].value and "fresh worker" in a.error[0].value
    assert "train_result" not in a.session_state and labels(a) == []
    assert not b.error and b.success[0].value.startswith("Trained 2 epochs")
    assert get_executor().worker_pids() != [pid]
    a.run()
    assert not a.error  # said once


def test_learners_never_see_each_others_jobs_or_runs():
    a = press_train("seed-mlp", epochs=3, seed=117)
    job_id = a.session_state["train_job"][0]
    c = open_page(PAGE, timeout=TIMEOUT)  # another learner, on the same page meanwhile
    assert labels(c) == [] and "train_job" not in c.session_state
    c.button(key="train_go").click().run(timeout=TIMEOUT)  # C trains the page's default run
    assert c.session_state["train_job"][0] != job_id
    assert c.session_state["jobs_learner"] != a.session_state["jobs_learner"]
    assert get_executor().view(job_id, c.session_state["jobs_learner"]) is None
    finish_jobs(a, c, timeout=TIMEOUT)
    ra, rc = a.session_state["train_result"], c.session_state["train_result"]
    assert (ra.config.epochs, ra.config.seed) == (3, 117) and rc.config != ra.config
    assert a.success[0].value.startswith("Trained 3 epochs")


def test_a_quick_run_on_the_landscape_page_replaces_the_waiting_training_and_says_so(
    tmp_path, monkeypatch
):
    # its own run store: a quick run stored by another test would open at once, not queue
    monkeypatch.setenv("DLVIZ_CACHE_DIR", str(tmp_path / "cache"))
    executor = get_executor()
    executor.pause()
    try:
        at = press_train("seed-mlp", epochs=4, seed=118)
        at.switch_page("pages/10_loss_landscape.py").run()
        at.selectbox(key="land_quick_model").set_value("seed-cnn")
        at.button(key="land_train").click().run()
        assert not at.exception and executor.counts()["queued"] == 1  # one waiting training
        at.switch_page(f"pages/{PAGE}").run()
        assert not at.exception and labels(at) == []
        assert "Replaced by your newer request (seed-cnn on Digits" in at.info[0].value
    finally:
        executor.learner_left(at.session_state["jobs_learner"])
        executor.resume()
