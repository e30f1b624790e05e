"""Settings read from DLVIZ_* environment variables: the one place dlviz reads the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where data and cached runs live, and whether downloads may be attempted."""

    data_dir: Path
    cache_dir: Path
    allow_download: bool


def default_cache_dir() -> Path:
    """The user cache folder (XDG_CACHE_HOME or ~/.cache) plus ``dlviz``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlviz"


def get_settings() -> Settings:
    """Read DLVIZ_DATA_DIR (default ``data/``), DLVIZ_CACHE_DIR and DLVIZ_OFFLINE."""
    return Settings(
        data_dir=Path(os.environ.get("DLVIZ_DATA_DIR", "data")),
        cache_dir=Path(os.environ.get("DLVIZ_CACHE_DIR") or default_cache_dir()),
        allow_download=os.environ.get("DLVIZ_OFFLINE", "").lower() not in {"1", "true", "yes"},
    )
