"""FramePacer: a live page redraws on every poll while the browser keeps up, less often when
its polls come late (the browser still drawing), and catches up again."""

from __future__ import annotations

import pytest

from dlviz.playground.sharing import HOLD_MAX, LATE, SPACING, FramePacer


def polls(pacer: FramePacer, times: list[float]) -> list[bool]:
    return [pacer.redraw(t) for t in times]


def started(every: float = 0.5) -> FramePacer:
    """A pacer past its page run's draw (at -2 s: a page costs the browser more than a poll)
    and the first poll after it (at 0 s), both drawn."""
    pacer = FramePacer(every=every)
    assert polls(pacer, [-2.0, 0.0]) == [True, True]
    return pacer


def test_the_page_runs_own_draw_does_not_hold_the_first_polls():
    pacer = FramePacer(every=0.5)
    assert polls(pacer, [0.0, 5.0, 5.5, 6.0]) == [True, True, True, True]


def test_a_browser_that_keeps_up_gets_every_poll_drawn():
    pacer = FramePacer(every=0.5)
    assert all(polls(pacer, [0.5 * i for i in range(40)]))


def test_polls_slightly_late_still_draw():
    pacer = FramePacer(every=0.5)
    times = [0.0]
    for _ in range(20):
        times.append(times[-1] + 0.5 * LATE * 0.95)  # under the threshold
    assert all(polls(pacer, times))


def test_after_a_late_poll_the_next_redraw_comes_spacing_times_its_gap_after_the_last():
    pacer = started()
    assert not pacer.redraw(1.0)  # 1 s after a redraw: the browser needed it to draw
    assert pacer.hold == pytest.approx(SPACING * 1.0)
    times = [1.0 + 0.5 * i for i in range(1, 10)]  # the polls that follow come in time
    drawn = [t for t in times if pacer.redraw(t)]
    assert drawn[0] == min(t for t in times if t >= SPACING * 1.0)


def test_a_browser_that_catches_up_gets_every_poll_again():
    pacer = started()
    polls(pacer, [1.2])  # late: held
    t, last = 1.2, None
    for _ in range(20):
        t += 0.5
        last = pacer.redraw(t)
    assert last and pacer.hold == 0.0
    assert all(polls(pacer, [t + 0.5 * i for i in range(1, 10)]))


def test_a_stall_holds_the_figures_at_most_hold_max_after_the_last_draw():
    pacer = started()  # drawn at 0 s
    assert not pacer.redraw(30.0)  # 30 s late (the laptop slept): 2.5 x 30 s, capped
    assert pacer.hold == HOLD_MAX
    assert not pacer.redraw(HOLD_MAX - 0.5)
    assert pacer.redraw(HOLD_MAX)
    assert polls(FramePacer(every=0.5), [0.0, 0.5, 600.0]) == [True, True, True]  # long: at once


def test_a_slow_browser_spends_at_most_about_half_its_time_drawing():
    """A browser that needs ``cost`` seconds per drawn poll (its next poll comes that late) and
    nothing for an unchanged one: over a few minutes it draws at most half the time, where
    drawing every poll would keep it busy all the time (ten tabs sharing one core with the server:
    a drawn poll came back 18 s later in the one-core classroom run)."""
    for cost in (0.7, 1.0, 2.0, 4.0, 20.0):
        pacer, t, busy = FramePacer(every=0.5), 0.0, 0.0
        while t < 3000.0:
            drew = pacer.redraw(t)
            busy += cost if drew else 0.0
            t += max(0.5, cost) if drew else 0.5
        assert busy / t <= 0.5, cost
