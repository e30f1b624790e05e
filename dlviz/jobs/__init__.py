"""Heavy work off the page: a fair queue in front of a small pool of worker processes.

Training runs, loss landscapes and convergence maps are job specs (``dlviz.jobs.kinds``: frozen,
picklable, with a key that makes identical requests share one job). ``Executor`` queues them
fairly across learners (``dlviz.jobs.board``: one waiting job of each kind per learner, positions
and estimates, cancel, dropped when the learner leaves) and runs them in worker processes
(``dlviz.jobs.worker``) with as many torch threads as the moment's load allows
(``dlviz.jobs.load``). A worker that dies takes only its job with it. Results land in the same
disk caches the pages read. With ``DLVIZ_RAY_ADDRESS`` the workers are Ray actors on a cluster
(``dlviz.jobs.cluster``, ``executor_for``) behind the same queue. Nothing here knows Streamlit: a learner is an opaque string.
"""

from __future__ import annotations

from dlviz.jobs.board import MAX_QUEUED, RESULT_TTL_S, JobRefused, JobView
from dlviz.jobs.context import Cancelled, JobContext, JobFailed, Outcome
from dlviz.jobs.executor import IDLE_EXIT_S, MAX_JOB_S, Executor, executor_for
from dlviz.jobs.kinds import LandscapeJob, MapJob, TrainJob
from dlviz.jobs.load import choose_threads, default_workers
from dlviz.jobs.slot import died_message

__all__ = [
    "IDLE_EXIT_S",
    "MAX_JOB_S",
    "MAX_QUEUED",
    "RESULT_TTL_S",
    "Cancelled",
    "Executor",
    "JobContext",
    "JobFailed",
    "JobRefused",
    "JobView",
    "LandscapeJob",
    "MapJob",
    "Outcome",
    "TrainJob",
    "choose_threads",
    "default_workers",
    "died_message",
    "executor_for",
]
