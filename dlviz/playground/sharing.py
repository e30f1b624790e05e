"""How the Playground's trainers share one server: how many play now, how often their pages
redraw, and how much CPU each may use.

A trainer is a thread of the server (``dlviz.playground.session.Trainer``), one per learner who
pressed Play. Two rules keep a class on one server fair: pages redraw less often as more learners
play (``redraw_seconds``), and the trainers playing together use at most half of the server's
CPUs, split evenly (``cpu_share``; each waits after an epoch for as long as
``pause_after_epoch`` says). A page whose browser cannot keep up redraws its figures less often
still (``FramePacer``). None of it depends on Streamlit.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

from dlviz.runtime import cpu_quota

THREAD_NAME = "dlviz-playground"
REDRAW_SECONDS = 0.5  # how often a watching page redraws while at most two trainers play
REDRAW_SECONDS_MAX = 3.0
TRAINING_CPU_SHARE = 0.5  # of the server's CPUs, for every playing trainer together


def playing_now() -> int:
    """How many Playground trainers are playing in this process right now (all learners)."""
    return sum(t.name == THREAD_NAME and t.is_alive() for t in threading.enumerate())


def redraw_seconds(playing: int) -> float:
    """How often a page should fetch a playing trainer's snapshot when ``playing`` trainers play.

    Every redraw costs the server a snapshot and four figures, and the learner's browser a redraw
    of four charts. Up to two trainers: every half second. Beyond that the interval grows with
    the class (a quarter second per trainer, at most 3 s), so ten learners playing at once on
    one core ask for the same total work as two: the training itself keeps its pace.
    """
    return min(REDRAW_SECONDS_MAX, max(REDRAW_SECONDS, 0.25 * playing))


def cpu_share(playing: int, cpus: int | None = None) -> float:
    """The fraction of one core each playing trainer may use: half of the server's CPUs
    (``dlviz.runtime.cpu_quota``), split evenly between the trainers playing now.

    An epoch of the default network costs ~12 ms of CPU here, so one trainer at 20 epochs/s
    wants a quarter of a core and ten want 2.4 cores: more than a class server has. Capped, ten
    trainers on one core take half of it together (about 4 epochs/s each) and the pages, the
    other learners' scripts and the job queue keep the rest. One or two learners never notice.
    """
    cpus = _server_cpus() if cpus is None else cpus
    return TRAINING_CPU_SHARE * cpus / max(1, playing)


@functools.cache
def _server_cpus() -> int:
    return cpu_quota()  # read once: every epoch of every trainer asks


def pause_after_epoch(elapsed: float, cpu: float, rate: float, share: float) -> float:
    """Seconds to wait after an epoch that took ``elapsed`` seconds (``cpu`` of them on this
    thread's CPU): long enough for the speed setting (``rate`` epochs/s; 0 = as fast as
    allowed) and for this trainer to use at most ``share`` of a core."""
    by_rate = 1.0 / rate - elapsed if rate > 0 else 0.0
    by_share = cpu / share - elapsed if share < 1.0 else 0.0
    return max(by_rate, by_share, 0.001)  # the wait also hands the GIL to the page's threads


LATE = 1.2  # a poll this many intervals after a redrawn one: the browser was still drawing
SPACING = 2.5  # after a late poll, the next redraw waits this many times that poll's gap
# seconds: a stall (the laptop slept) never freezes the figures longer. Not less: with ten tabs
# and the server on one core a redrawn poll came back 18 s later, and a 10 s cap let every such
# tab draw on every poll (Pause clicks then took 169 s of the benchmark's 180)
HOLD_MAX = 60.0


@dataclass
class FramePacer:
    """Which polls of a live page redraw its figures: every poll while the learner's browser
    keeps up, fewer when it falls behind.

    Streamlit draws a chart from scratch whenever its figure changes (four Plotly charts cost a
    slow laptop, or a headless browser sharing a core, 0.4-0.7 s a poll), and the browser asks for
    the next poll on a timer that fires late while it is still drawing. A poll that comes more
    than ``LATE`` intervals after a redrawn one says the browser needed that long: the next
    redraw then comes ``SPACING`` times that gap after the last one (at most ``HOLD_MAX``), so
    the browser spends at most about 1 / ``SPACING`` of its time drawing and a click on Pause is
    handled at once. Polls in between still update the numbers; a figure sent unchanged costs
    the browser nothing.
    ``every`` is the poll interval; times are ``time.monotonic()`` seconds.
    """

    every: float
    last_poll: float | None = None
    last_draw: float | None = None
    hold: float = 0.0
    drew: bool = False
    polls: int = 0

    def redraw(self, now: float) -> bool:
        """Whether the poll arriving at ``now`` should redraw the figures. The first call is the
        page run's own draw; the gap after it (the browser drawing the whole page) says nothing
        about a poll's, so the first late poll that counts is the second one after it."""
        self.polls += 1
        if self.drew and self.polls > 2:
            gap = now - self.last_poll
            self.hold = min(HOLD_MAX, SPACING * gap) if gap > LATE * self.every else 0.0
        self.last_poll = now
        self.drew = self.last_draw is None or now - self.last_draw >= self.hold
        if self.drew:
            self.last_draw = now
        return self.drew
