"""The executor with real worker processes: order, fairness, sharing, cancel, killed and crashed
workers, learners who leave, isolation, idle workers, and the three real job kinds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from dlviz.jobs import Executor, choose_threads, default_workers
from tests.support import wait_until
from tests.unit.job_kinds import Crash, Fail, Sleep

TIMEOUT = 120  # a worker's first job imports torch; the machine may be busy


@pytest.fixture(scope="module")
def shared():
    """One executor with one worker process for the module (the worker starts once)."""
    results: list = []
    ex = Executor(1, quota=1, on_result=lambda spec, value: results.append((spec, value)))
    ex.results = results
    yield ex
    ex.shutdown()


@pytest.fixture
def ex(shared):
    """The shared executor, started again and idle after each test."""
    yield shared
    shared.resume()
    assert shared.wait(TIMEOUT)


def learner() -> str:
    return uuid.uuid4().hex


def running(ex: Executor, job_id: str, who: str, fraction: float = 0.0):
    """Wait until the job runs (and has reported past ``fraction``); its view."""
    return wait_until(
        lambda: (v := ex.view(job_id, who)) and v.status == "running" and v.fraction > fraction
        and v,
        timeout=TIMEOUT,
    )  # fmt: skip


def finished(ex: Executor, job_id: str, who: str):
    """Wait until the job is over; its view."""
    return wait_until(lambda: (v := ex.view(job_id, who)) and not v.active and v, TIMEOUT)


def test_a_job_runs_in_a_worker_process_and_reports_progress(ex):
    a = learner()
    job = ex.submit(Sleep(f"p-{a}", 0.6), a)
    assert job.status in ("queued", "running") and job.label == f"p-{a}"
    live = running(ex, job.id, a, fraction=0.1)
    assert live.text.startswith("step") and live.points
    done = finished(ex, job.id, a)
    assert done.status == "done" and done.fraction == 1.0
    assert done.value["pid"] != os.getpid() and done.value["pid"] in ex.worker_pids()
    assert done.value["threads"] == 1  # quota 1: one torch thread


def test_fair_order_positions_and_the_order_jobs_start_in(ex):
    a, b, c = learner(), learner(), learner()
    first = ex.submit(Sleep(f"a1-{a}", 0.5), a)
    running(ex, first.id, a)
    ex.pause()
    a2 = ex.submit(Sleep(f"a2-{a}", 0.05, "landscape"), a)
    b1 = ex.submit(Sleep(f"b1-{b}", 0.05), b)
    c1 = ex.submit(Sleep(f"c1-{c}", 0.05), c)
    positions = [ex.view(j.id, who).position for j, who in ((b1, b), (c1, c), (a2, a))]
    assert positions == [1, 2, 3]  # A already has a job running: B and C go first
    waits = [ex.view(j.id, who).wait_s for j, who in ((b1, b), (c1, c), (a2, a))]
    assert waits == sorted(waits) and waits[0] >= 0
    ex.resume()
    assert ex.wait(TIMEOUT)
    starts = [ex.view(j.id, who).value["started"] for j, who in ((b1, b), (c1, c), (a2, a))]
    assert starts == sorted(starts)


def test_one_waiting_training_per_learner(ex):
    a = learner()
    ex.pause()
    old = ex.submit(Sleep(f"old-{a}", 0.05), a)
    new = ex.submit(Sleep(f"new-{a}", 0.05), a)
    replaced = ex.view(old.id, a)
    assert replaced.status == "cancelled" and f"newer request (new-{a})" in replaced.message
    assert ex.view(new.id, a).position == 1
    assert ex.counts()["queued"] == 1
    ex.resume()
    assert finished(ex, new.id, a).value["name"] == f"new-{a}"
    ex.collect(old.id, a)
    assert ex.view(old.id, a) is None


def test_identical_configurations_run_once_for_everyone_who_asked(ex):
    a, b = learner(), learner()
    ex.pause()
    ja = ex.submit(Sleep(f"same-{a}", 0.1), a)
    jb = ex.submit(Sleep(f"same-{a}", 0.1), b)
    assert ja.id == jb.id and ex.view(jb.id, b).shared == 2
    before = len(ex.results)
    ex.resume()
    va, vb = finished(ex, ja.id, a), finished(ex, jb.id, b)
    assert va.value["token"] == vb.value["token"]  # one run, one result
    assert len(ex.results) == before + 1


def test_cancel_removes_a_waiting_job_and_stops_a_running_one_keeping_what_it_has(ex):
    a, b = learner(), learner()
    ex.pause()
    waiting = ex.submit(Sleep(f"w-{a}", 0.05), a)
    behind = ex.submit(Sleep(f"behind-{b}", 0.05), b)
    assert ex.view(behind.id, b).position == 2
    assert ex.cancel(waiting.id, a) == "removed"
    assert ex.view(waiting.id, a) is None and ex.view(behind.id, b).position == 1
    ex.resume()
    long = ex.submit(Sleep(f"long-{a}", 30.0), a)
    running(ex, long.id, a, fraction=0.005)
    assert ex.cancel(long.id, a) == "stopping"
    done = finished(ex, long.id, a)
    assert done.status == "done" and done.value["stopped_at"] < 1500


def test_a_worker_killed_mid_job_fails_only_that_job_and_is_replaced(ex):
    a, b, c = learner(), learner(), learner()
    victim = ex.submit(Sleep(f"victim-{a}", 30.0), a)
    running(ex, victim.id, a, fraction=0.005)
    behind = ex.submit(Sleep(f"behind-{b}", 0.05), b)  # waits its turn meanwhile
    (pid,) = ex.worker_pids()
    os.kill(pid, signal.SIGKILL)  # what the kernel's out-of-memory killer does
    failed = finished(ex, victim.id, a)
    assert failed.status == "failed" and "killed" in failed.message
    assert "out of memory" in failed.message and "fresh worker" in failed.message
    done = finished(ex, behind.id, b)  # the other learner's job is untouched
    assert done.status == "done" and done.message == "" and done.value["pid"] != pid
    after = finished(ex, ex.submit(Sleep(f"after-{c}", 0.05), c).id, c)
    assert after.status == "done" and after.value["pid"] == done.value["pid"]  # the new worker


def test_a_crash_or_an_exception_fails_only_its_job(ex):
    a = learner()
    crash = ex.submit(Crash(f"crash-{a}"), a)
    assert "exit status 3" in finished(ex, crash.id, a).message
    said = ex.submit(Fail(f"said-{a}"), a)
    assert finished(ex, said.id, a).message == "This cannot run here."
    bug = ex.submit(Fail(f"bug-{a}", sentence=None), a)
    assert "ZeroDivisionError" in finished(ex, bug.id, a).message
    after = ex.submit(Sleep(f"after-{a}", 0.05), a)
    assert finished(ex, after.id, a).status == "done"


def test_a_learner_who_leaves_loses_waiting_jobs_and_running_ones_finish_into_the_cache(ex):
    a, b = learner(), learner()
    run = ex.submit(Sleep(f"run-{a}", 0.6), a)
    running(ex, run.id, a)
    wait = ex.submit(Sleep(f"wait-{a}", 0.05, "map"), a)
    shared = ex.submit(Sleep(f"shared-{b}", 0.05, "landscape"), a)
    ex.submit(Sleep(f"shared-{b}", 0.05, "landscape"), b)
    assert ex.learner_left(a) == [wait.id]
    assert ex.view(run.id, a) is None and ex.view(shared.id, b).shared == 1
    assert ex.wait(TIMEOUT)
    assert any(value["name"] == f"run-{a}" for _, value in ex.results)  # finished all the same
    assert ex.view(shared.id, b).status == "done"


def test_a_learner_who_lost_the_connection_keeps_the_jobs_for_a_grace(ex):
    a, b, c = learner(), learner(), learner()
    ex.pause()
    back = ex.submit(Sleep(f"back-{a}", 0.05), a)
    gone = ex.submit(Sleep(f"gone-{b}", 0.05), b)
    here = ex.submit(Sleep(f"here-{c}", 0.05), c)
    assert ex.learner_left(a, grace_s=0.2) == []  # tabs that lost their connection
    ex.learner_left(b, grace_s=0.2, still_here=lambda: False)
    asked = []
    ex.learner_left(c, grace_s=0.2, still_here=lambda: asked.append(1) or True)
    ex.learner_back(a)  # A's tab reconnected
    assert wait_until(lambda: ex.view(gone.id, b) is None, timeout=30)  # B's grace is over
    assert wait_until(lambda: len(asked) >= 2, timeout=30)  # C is asked again a grace later
    assert ex.view(back.id, a).status == ex.view(here.id, c).status == "queued"
    assert ex.view(here.id, c).position == 2 and ex.counts()["queued"] == 2
    ex.learner_left(c)  # C's session is gone: at once, without a grace


def test_learners_are_isolated_from_each_others_jobs(ex):
    a, b = learner(), learner()
    job = ex.submit(Sleep(f"private-{a}", 0.2), a)
    assert ex.view(job.id, b) is None
    assert ex.cancel(job.id, b) == ""
    ex.collect(job.id, b)
    done = finished(ex, job.id, a)
    assert done.status == "done" and ex.view(job.id, b) is None
    ex.collect(job.id, a)
    assert ex.view(job.id, a) is None  # collected: gone


def test_a_job_past_the_time_limit_is_stopped_and_says_so():
    ex = Executor(1, quota=1, max_job_s=0.5)
    try:
        a = learner()
        job = ex.submit(Sleep(f"slow-{a}", 30.0), a)
        done = finished(ex, job.id, a)
        assert done.status == "done" and "stopped_at" in done.value
        assert "limit per job" in done.message
    finally:
        ex.shutdown()


def idle(ex: Executor) -> bool:
    """No worker process, no slot thread."""
    return not ex.worker_pids() and ex.counts()["threads"] == 0


def test_idle_workers_and_their_threads_end_and_come_back_for_the_next_job():
    ex = Executor(1, quota=1, idle_exit_s=0.5)
    try:
        a = learner()
        first = finished(ex, ex.submit(Sleep(f"one-{a}", 0.05), a).id, a)
        assert wait_until(lambda: idle(ex), timeout=30)
        second = finished(ex, ex.submit(Sleep(f"two-{a}", 0.05), a).id, a)
        assert second.status == "done" and second.value["pid"] != first.value["pid"]
    finally:
        ex.shutdown()


def test_when_every_learner_has_left_the_worker_and_its_thread_end_at_once():
    ex = Executor(1, quota=1)  # a long idle time: only the learners leaving end the worker
    try:
        a = learner()
        done = finished(ex, ex.submit(Sleep(f"left-{a}", 0.05), a).id, a)
        assert ex.worker_pids() == [done.value["pid"]] and ex.counts()["threads"] == 1
        ex.learner_left(a)
        assert wait_until(lambda: idle(ex), timeout=30)
    finally:
        ex.shutdown()


def test_workers_zero_runs_jobs_on_a_thread_of_this_process():
    ex = Executor(0)
    try:
        a = learner()
        done = finished(ex, ex.submit(Sleep(f"here-{a}", 0.05), a).id, a)
        assert done.value["pid"] == os.getpid() and ex.worker_pids() == []
    finally:
        ex.shutdown()


def test_shutdown_ends_the_workers():
    ex = Executor(1, quota=1)
    a = learner()
    job = ex.submit(Sleep(f"cut-{a}", 30.0), a)
    running(ex, job.id, a)
    (pid,) = ex.worker_pids()
    ex.shutdown()
    assert ex.worker_pids() == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_workers_end_with_the_server_process_even_without_a_shutdown(tmp_path):
    """A server that exits (Ctrl+C, a restart) takes its worker processes with it (atexit)."""
    script = (
        "import sys, time\n"
        "from dlviz.jobs import Executor\n"
        "from tests.unit.job_kinds import Sleep\n"
        "ex = Executor(1, quota=1)\n"
        "job = ex.submit(Sleep('forever', 600.0), 'a')\n"
        "while ex.view(job.id, 'a').status != 'running' or not ex.worker_pids():\n"
        "    time.sleep(0.05)\n"
        "print(ex.worker_pids()[0], flush=True)\n"
    )  # it exits while the job runs (a job counts as running from just before its worker starts)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout.split()[0])
    assert wait_until(lambda: not _alive(pid), timeout=10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # not a zombie


@pytest.mark.parametrize(
    ("quota", "others", "outside", "threads"),
    [
        (2, 0, 0.0, 2),  # an idle two-core server: both cores
        (2, 1, 0.0, 1),  # another job holds one core
        (2, 0, 0.3, 1),  # the server draws pages: a second thread would wait for it
        (2, 0, 5.0, 1),  # a busy host: never less than one
        (4, 1, 0.3, 2),  # 0.7 of a third core is not enough
        (8, 0, 0.0, 4),  # never more than the cap
    ],
)
def test_threads_follow_the_load_of_the_moment(quota, others, outside, threads):
    assert choose_threads(quota, min(quota, 4), others, outside) == threads


def test_one_worker_on_small_servers_more_on_big_ones():
    assert [default_workers(q) for q in (1, 2, 3, 4, 8, 64)] == [1, 1, 1, 2, 4, 4]
