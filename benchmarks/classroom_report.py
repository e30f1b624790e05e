"""What the classroom benchmarks measure on the server's side, and the tables they print.

- ``ServerWatch``: a thread that reads /proc every ~0.2 s for the server process and all its
  children: resident memory (summed) and threads (summed), their peaks and named marks.
- ``read_run_log``: the JSON lines of ``DLVIZ_RUN_LOG`` (``dlviz.ui.runlog``), one per script run.
- ``interaction_table`` / ``run_log_table``: count, p50, p95, max and problems per kind.
Prints tables, asserts nothing.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.learner import OK, QUEUED, Sample

PAGE_KB = 1024


def process_tree(pid: int) -> list[int]:
    """``pid`` and every descendant, from the parent ids in /proc/*/stat (this kernel has no
    /proc/<pid>/task/<tid>/children)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])  # after "(comm) state"
        children[ppid].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def rss_and_threads(pid: int) -> tuple[int, int]:
    """(resident bytes, threads) of one process from /proc/<pid>/status; (0, 0) once it ended."""
    rss = threads = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * PAGE_KB
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    except OSError:
        pass
    return rss, threads


def thread_names(pid: int) -> Counter:
    """How many threads of each name (``comm``) the process tree of ``pid`` has now."""
    names: Counter = Counter()
    for proc in process_tree(pid):
        for task in Path(f"/proc/{proc}/task").glob("*"):
            try:
                names[(task / "comm").read_text().strip()] += 1
            except OSError:
                continue  # it ended meanwhile
    return names


@dataclass
class ServerWatch:
    """Samples the server's process tree every ``interval`` seconds on a daemon thread."""

    pid: int
    interval: float = 0.2
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)  # t, rss, thr, procs
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    names: dict[str, Counter] = field(default_factory=dict)  # threads by name at each mark
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> tuple[int, int, int]:
        tree = process_tree(self.pid)
        pairs = [rss_and_threads(p) for p in tree]
        return sum(r for r, _ in pairs), sum(t for _, t in pairs), len(tree)

    def start(self) -> ServerWatch:
        threading.Thread(target=self._run, name="server-watch", daemon=True).start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), *self.sample()))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()

    def mark(self, name: str) -> tuple[int, int]:
        """Remember the (RSS, threads) of this moment under ``name``."""
        rss, threads, _ = self.sample()
        self.marks[name] = (rss, threads)
        self.names[name] = thread_names(self.pid)
        return rss, threads

    @property
    def peak_rss(self) -> int:
        return max((s[1] for s in self.samples), default=0)

    @property
    def peak_threads(self) -> int:
        return max((s[2] for s in self.samples), default=0)


def read_run_log(path: Path) -> list[dict]:
    """The run log's records (none if the server wrote none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:,.0f}"


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def interaction_table(samples: Iterable[Sample]) -> list[str]:
    """Per kind, in first-seen order: count, p50, p95, max (ms), problems, and how many of them
    waited in the job queue first (their time includes the wait)."""
    groups: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        groups[s.kind].append(s)
    w = max([30, *(len(k) for k in groups)])
    lines = [
        f"{'interaction':<{w}} {'count':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'errors':>6} {'queued':>6}"
    ]
    for kind, group in groups.items():
        times = [s.seconds for s in group if s.outcome in (OK, QUEUED) and s.seconds is not None]
        errors = sum(s.outcome not in (OK, QUEUED) for s in group)
        queued = sum(s.outcome == QUEUED for s in group)
        lines.append(
            f"{kind:<{w}} {len(group):>5} {ms(percentile(times, 50)):>8} "
            f"{ms(percentile(times, 95)):>8} {ms(max(times, default=math.nan)):>8} "
            f"{errors:>6} {queued:>6}"
        )
    return lines


def problem_lines(samples: Iterable[Sample], limit: int = 12) -> list[str]:
    """The first ``limit`` problems, one line each: learner, kind, outcome, detail."""
    bad = [s for s in samples if s.outcome not in (OK, QUEUED)]
    lines = [f"  learner {s.learner}: {s.kind}: {s.outcome}: {s.detail}" for s in bad[:limit]]
    if len(bad) > limit:
        lines.append(f"  ... and {len(bad) - limit} more")
    return lines


def run_log_table(records: list[dict]) -> list[str]:
    """Server-side seconds per page and run kind: count, p50, p95, max, runs ended early (cut
    short by a newer run of the same session, ``st.stop()``, or ``st.rerun()``)."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in records:
        groups[(r["page"], r["run"])].append(r)
    lines = [
        f"{'page (run)':<30} {'count':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'ended early':>11}"
    ]
    for (page, run), group in sorted(groups.items()):
        times = [r["seconds"] for r in group]
        cut = sum(r["outcome"] != "finished" for r in group)
        lines.append(
            f"{f'{page} ({run})':<30} {len(group):>5} {ms(percentile(times, 50)):>8} "
            f"{ms(percentile(times, 95)):>8} {ms(max(times)):>8} {cut:>11}"
        )
    return lines
