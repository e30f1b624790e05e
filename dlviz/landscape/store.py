"""A small disk cache of finished loss landscapes, keyed by run key + settings.

One ``torch.save`` file of plain tensors and numbers per (run, ``LandscapeConfig``), written
atomically; a missing or damaged file reads as a cache miss. It computes nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import torch

from dlviz.landscape.compute import Landscape, LandscapeConfig


class LandscapeStore:
    """Finished landscapes on disk, one small file per (run key, settings); corrupt -> None."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, run_key: str, cfg: LandscapeConfig) -> Path:
        """``<root>/<run key>-<settings key>.pt`` (both shortened)."""
        return self.root / f"{run_key[:24]}-{cfg.key()[:16]}.pt"

    def get(self, run_key: str, cfg: LandscapeConfig) -> Landscape | None:
        """The stored landscape, or None when absent or unreadable."""
        path = self.path(run_key, cfg)
        if not path.is_file():
            return None
        try:
            d = torch.load(path, map_location="cpu", weights_only=True)
            return Landscape(config=LandscapeConfig(**d.pop("config")), **d)
        except Exception:  # noqa: BLE001 - a damaged cache file is just a cache miss
            return None

    def put(self, run_key: str, landscape: Landscape) -> None:
        """Write atomically (temp file + os.replace)."""
        self.root.mkdir(parents=True, exist_ok=True)
        payload = {k: getattr(landscape, k) for k in landscape.__dataclass_fields__}
        payload["config"] = asdict(landscape.config)
        fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                torch.save(payload, f)
            os.replace(tmp, self.path(run_key, landscape.config))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
