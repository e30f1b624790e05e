"""A small cache of finished loss landscapes, keyed by run key + settings, in a local folder or
under an fsspec URL (``s3://bucket/prefix``, see ``dlviz.storage``).

One ``torch.save`` object of plain tensors and numbers per (run, ``LandscapeConfig``), written
atomically; a missing or damaged object reads as a cache miss. It computes nothing.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

import torch

from dlviz.landscape.compute import Landscape, LandscapeConfig
from dlviz.storage import Folder


class LandscapeStore:
    """Finished landscapes on disk, one small file per (run key, settings); corrupt -> None."""

    def __init__(self, root: str | Path):
        self.root = root
        self.folder = Folder(root)

    def name(self, run_key: str, cfg: LandscapeConfig) -> str:
        """``<run key>-<settings key>.pt`` (both shortened)."""
        return f"{run_key[:24]}-{cfg.key()[:16]}.pt"

    def get(self, run_key: str, cfg: LandscapeConfig) -> Landscape | None:
        """The stored landscape, or None when absent or unreadable."""
        raw = self.folder.read(self.name(run_key, cfg))
        if raw is None:
            return None
        try:
            d = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
            return Landscape(config=LandscapeConfig(**d.pop("config")), **d)
        except Exception:  # noqa: BLE001 - a damaged cache object is just a cache miss
            return None

    def put(self, run_key: str, landscape: Landscape) -> None:
        """Write atomically (``Folder.write``: temp file + rename, or one S3 put)."""
        payload = {k: getattr(landscape, k) for k in landscape.__dataclass_fields__}
        payload["config"] = asdict(landscape.config)
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        self.folder.write(self.name(run_key, landscape.config), buffer.getvalue())
