"""Settings read from DLVIZ_* environment variables: the one place dlviz reads the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAX_THREADS = 256


@dataclass(frozen=True)
class Settings:
    """Where data and cached runs live, whether downloads may be attempted, torch's threads."""

    data_dir: Path
    cache_dir: Path
    allow_download: bool
    threads: int | None = None  # None: the CPU quota (cgroup limit and affinity)


def default_cache_dir() -> Path:
    """The user cache folder (XDG_CACHE_HOME or ~/.cache) plus ``dlviz``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlviz"


def get_settings() -> Settings:
    """Read DLVIZ_DATA_DIR (default ``data/``), DLVIZ_CACHE_DIR, DLVIZ_OFFLINE and DLVIZ_THREADS."""
    return Settings(
        data_dir=Path(os.environ.get("DLVIZ_DATA_DIR", "data")),
        cache_dir=Path(os.environ.get("DLVIZ_CACHE_DIR") or default_cache_dir()),
        allow_download=os.environ.get("DLVIZ_OFFLINE", "").lower() not in {"1", "true", "yes"},
        threads=parse_threads(os.environ.get("DLVIZ_THREADS", "")),
    )


def parse_threads(text: str) -> int | None:
    """A thread count from DLVIZ_THREADS: an integer 1..256; anything else means "the CPU quota"."""
    try:
        n = int(text.strip())
    except ValueError:
        return None
    return n if 1 <= n <= MAX_THREADS else None
