"""The queue's bookkeeping without processes: fair order, limits, sharing, leaving, isolation."""

from __future__ import annotations

import time

import pytest

from dlviz.jobs import JobRefused
from dlviz.jobs.board import Board
from tests.unit.job_kinds import Sleep


def submit(board: Board, learner: str, name: str, kind: str = "training", seconds: float = 1.0):
    return board.submit(Sleep(name, seconds, kind), learner, estimate=seconds)


def names(records) -> list[str]:
    return [r.spec.name for r in records]


def test_each_learners_first_job_goes_before_anyones_second():
    board = Board()
    submit(board, "A", "a-train")
    submit(board, "A", "a-land", "landscape")
    submit(board, "A", "a-map", "map")
    submit(board, "B", "b-train")
    assert names(board.order()) == ["a-train", "b-train", "a-land", "a-map"]
    assert board.take().spec.name == "a-train"  # now running: A's next counts as a second
    submit(board, "C", "c-train")
    assert names(board.order()) == ["b-train", "c-train", "a-land", "a-map"]


def test_a_first_job_keeps_its_place_when_a_running_job_ends():
    board = Board()
    a1 = submit(board, "A", "a1")
    board.take()
    submit(board, "A", "a2", "landscape")
    submit(board, "B", "b1")
    board.finish(a1, "done")
    assert names(board.order()) == ["b1", "a2"]


def test_a_second_training_replaces_the_waiting_one_and_keeps_its_place():
    board = Board()
    first = submit(board, "A", "a1")
    submit(board, "B", "b1")
    second = submit(board, "A", "a2")
    replaced = board.view(first.id, "A", 1)
    assert replaced.status == "cancelled" and "newer request (a2)" in replaced.message
    assert names(board.order()) == ["a2", "b1"]
    assert second.seq == first.seq
    assert board.view(second.id, "A", 1).position == 1


def test_a_running_training_does_not_block_a_waiting_one_of_the_same_learner():
    board = Board()
    submit(board, "A", "a1")
    board.take()
    submit(board, "A", "a2")
    assert names(board.order()) == ["a2"] and len(board.running()) == 1


def test_identical_requests_share_one_job_and_a_cancel_only_detaches():
    board = Board()
    a = submit(board, "A", "same")
    b = submit(board, "B", "same")
    assert a is b and a.owners == ["A", "B"]
    assert board.view(a.id, "B", 1).shared == 2
    assert board.cancel(a.id, "A") == "detached"
    assert board.view(a.id, "A", 1) is None and board.view(a.id, "B", 1).status == "queued"
    assert board.cancel(a.id, "B") == "removed" and a.id not in board.jobs


def test_a_job_asked_to_stop_is_never_joined_by_an_identical_request():
    board = Board()
    r = submit(board, "A", "same")
    board.take()
    board.cancel(r.id, "A", keep=False)
    again = submit(board, "B", "same")
    assert again is not r and again.status == "queued" and r.owners == []


def test_a_replaced_job_that_others_share_keeps_waiting_for_them():
    board = Board()
    shared = submit(board, "A", "shared")
    submit(board, "B", "shared")
    submit(board, "A", "mine")
    assert shared.status == "queued" and shared.owners == ["B"]
    assert board.view(shared.id, "A", 1) is None


def test_cancel_running_stops_it_and_keeps_the_learner_unless_told_not_to():
    board = Board()
    r = submit(board, "A", "a")
    board.take()
    assert board.cancel(r.id, "A") == "stopping" and r.stop_requested
    assert board.view(r.id, "A", 1).status == "running"  # the partial result will be theirs
    r2 = submit(board, "B", "b")
    board.take()
    assert board.cancel(r2.id, "B", keep=False) == "stopping"
    assert r2.stop_requested and board.view(r2.id, "B", 1) is None
    board.finish(r2, "done", value="partial")
    assert r2.id not in board.jobs  # nobody wanted it any more


def test_a_learner_who_left_loses_waiting_jobs_but_running_ones_finish():
    board = Board()
    running = submit(board, "A", "a-run")
    board.take()
    waiting = submit(board, "A", "a-wait", "landscape")
    shared = submit(board, "A", "shared", "map")
    submit(board, "B", "shared", "map")
    assert board.learner_left("A") == [waiting.id]
    assert waiting.id not in board.jobs
    assert shared.owners == ["B"]
    assert board.jobs[running.id].status == "running" and running.owners == []
    board.finish(running, "done", value="into the cache")
    assert running.id not in board.jobs


def test_learners_only_ever_see_their_own_jobs():
    board = Board()
    a = submit(board, "A", "a")
    assert board.view(a.id, "B", 1) is None
    assert board.cancel(a.id, "B") == ""
    board.collect(a.id, "B")
    assert a.id in board.jobs and a.owners == ["A"]
    board.take()
    board.finish(a, "done", value={"secret": 1})
    assert board.view(a.id, "B", 1) is None
    assert board.view(a.id, "A", 1).value == {"secret": 1}
    board.collect(a.id, "A")
    assert a.id not in board.jobs


def test_a_full_queue_refuses_with_a_sentence():
    board = Board(max_queued=2)
    submit(board, "A", "a")
    submit(board, "B", "b")
    with pytest.raises(JobRefused, match="queue is full"):
        submit(board, "C", "c")
    submit(board, "A", "a2")  # a replacement adds nothing: allowed


def test_waits_add_up_the_jobs_ahead_on_the_free_workers():
    board = Board()
    running = submit(board, "A", "a", seconds=10.0)
    board.take()
    b = submit(board, "B", "b", seconds=5.0)
    c = submit(board, "C", "c", seconds=5.0)
    now = time.monotonic()
    waits = board.waits(1, now)
    assert [waits[b.id], waits[c.id]] == pytest.approx([10.0, 15.0], abs=0.1)
    waits = board.waits(2, now)  # the second worker is free: b at once, c after b
    assert [waits[b.id], waits[c.id]] == pytest.approx([0.0, 5.0], abs=0.1)
    running.fraction = 0.5  # halfway after the time it has run: as long again to go
    running.started = now - 4.0
    assert board.waits(1, now)[board.order()[0].id] == pytest.approx(4.0, abs=0.1)


def test_finished_results_wait_for_their_learner_only_so_long():
    board = Board(result_ttl_s=10.0)
    r = submit(board, "A", "a")
    board.take()
    board.finish(r, "done", value=1)
    board.expire(time.monotonic() + 5)
    assert r.id in board.jobs
    board.expire(time.monotonic() + 11)
    assert r.id not in board.jobs
