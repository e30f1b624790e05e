"""Settings read from DLVIZ_* environment variables: the one place dlviz reads the environment.

A value that cannot be used (``DLVIZ_THREADS=abc``, ``0``, or more threads than the CPUs this
process may use) is not silently dropped: it is replaced by a sensible one and a warning says so,
once per process, on the ``dlviz`` logger (the server log; the CLI prints it as one line).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from dlviz.storage import URL, location

log = logging.getLogger("dlviz")
_warned: set[str] = set()
_warned_lock = threading.Lock()


@dataclass(frozen=True)
class Settings:
    """Where data and cached runs live, whether downloads may be attempted, torch's threads."""

    data_dir: Path
    cache_dir: Path | URL  # a local folder, or an fsspec URL such as s3://bucket/prefix
    allow_download: bool
    threads: int | None = None  # None: the CPU quota (cgroup limit and affinity)
    workers: int | None = None  # job worker processes; None: sized from the CPU quota, 0: none
    run_log: Path | None = None  # benchmarks: one JSON line per script run (dlviz.ui.runlog)
    ray_address: str | None = None  # jobs on a Ray cluster (dlviz.jobs.cluster); None: local


def default_cache_dir() -> Path:
    """The user cache folder (XDG_CACHE_HOME or ~/.cache) plus ``dlviz``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlviz"


def get_settings() -> Settings:
    """Read DLVIZ_DATA_DIR (default ``data/``), DLVIZ_CACHE_DIR (a folder or an fsspec URL such
    as ``s3://bucket/prefix``), DLVIZ_OFFLINE, DLVIZ_THREADS, DLVIZ_WORKERS, DLVIZ_RUN_LOG (unset:
    no run log) and DLVIZ_RAY_ADDRESS (unset: jobs run here)."""
    from dlviz.runtime import cpu_quota

    quota = cpu_quota()
    threads, problem = parse_threads(os.environ.get("DLVIZ_THREADS", ""), quota)
    if problem:
        warn_once(problem)
    workers, problem = parse_workers(os.environ.get("DLVIZ_WORKERS", ""), quota)
    if problem:
        warn_once(problem)
    ray_address, problem = parse_ray_address(os.environ.get("DLVIZ_RAY_ADDRESS", ""))
    if problem:
        warn_once(problem)
    return Settings(
        data_dir=Path(os.environ.get("DLVIZ_DATA_DIR", "data")),
        cache_dir=location(os.environ.get("DLVIZ_CACHE_DIR") or default_cache_dir()),
        allow_download=os.environ.get("DLVIZ_OFFLINE", "").lower() not in {"1", "true", "yes"},
        threads=threads,
        workers=workers,
        run_log=Path(os.environ["DLVIZ_RUN_LOG"]) if os.environ.get("DLVIZ_RUN_LOG") else None,
        ray_address=ray_address,
    )


def parse_threads(text: str, limit: int) -> tuple[int | None, str | None]:
    """DLVIZ_THREADS -> ``(threads, problem)``: a count in 1..limit (the usable CPUs), else why not.

    Empty means "the CPU quota" (None) without a problem; a larger count is capped at ``limit``
    (more threads than cores only makes them wait for each other); anything else is ignored.
    """
    text = text.strip()
    if not text:
        return None, None
    cpus = f"the {limit} CPU{'s' if limit != 1 else ''} this process may use"
    try:
        n = int(text)
    except ValueError:
        return None, f"DLVIZ_THREADS={text!r} is not a whole number; using {cpus}."
    if n < 1:
        return None, f"DLVIZ_THREADS={n} must be at least 1; using {cpus}."
    if n > limit:
        return limit, f"DLVIZ_THREADS={n} is more than {cpus}; using {limit}."
    return n, None


def parse_workers(text: str, limit: int) -> tuple[int | None, str | None]:
    """DLVIZ_WORKERS -> ``(workers, problem)``: a count in 0..limit (the usable CPUs), else why not.

    Empty means "sized from the CPU quota" (None); 0 means no worker process (jobs run on one
    thread of the server: for hosts without memory for a second PyTorch process); a larger
    count than the CPUs is capped there, and anything else is ignored.
    """
    text = text.strip()
    if not text:
        return None, None
    try:
        n = int(text)
    except ValueError:
        return None, f"DLVIZ_WORKERS={text!r} is not a whole number; sizing the pool from the CPUs."
    if n < 0:
        return None, f"DLVIZ_WORKERS={n} must be 0 or more; sizing the pool from the CPUs."
    if n > limit:
        return limit, (
            f"DLVIZ_WORKERS={n} is more than the {limit} CPU{'s' if limit != 1 else ''} this "
            f"process may use; using {limit}."
        )
    return n, None


def parse_ray_address(text: str) -> tuple[str | None, str | None]:
    """DLVIZ_RAY_ADDRESS -> ``(address, problem)``: ``auto`` (the cluster this machine belongs to,
    as ``ray start`` left it), ``local`` (start an embedded Ray here), ``ray://host:port`` (Ray
    Client) or ``host:port`` (a head node's address); empty means no Ray (jobs run here)."""
    text = text.strip()
    if not text:
        return None, None
    if text.lower() in {"auto", "local"}:
        return text.lower(), None
    host, sep, port = text.removeprefix("ray://").rpartition(":")
    if sep and host and port.isdigit() and " " not in text:
        return text, None
    return None, (
        f"DLVIZ_RAY_ADDRESS={text!r} is not auto, local, ray://host:port or host:port; jobs run "
        "on this server."
    )


def warn_once(message: str) -> None:
    """Log ``message`` as a warning on the ``dlviz`` logger, the first time it comes up only."""
    with _warned_lock:
        if message in _warned:
            return
        _warned.add(message)
    log.warning(message)
