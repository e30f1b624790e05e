"""Where dlviz keeps what it caches: a folder on this disk, or under any fsspec URL
(``s3://bucket/prefix`` for a run store shared by several app replicas and Ray workers).

``location(text)`` turns ``DLVIZ_CACHE_DIR`` (or ``--cache-dir``) into a ``Path`` for a local
folder, or a ``URL`` for anything with a scheme; both join with ``/``, so ``cache_dir / "runs"``
reads the same either way. ``Folder`` is the handful of operations the stores need, on fsspec
(which PyTorch already depends on; S3 needs ``s3fs``, from requirements-scale.txt):

- ``write`` is atomic. On a local disk: a temporary file in the same folder, fsync'd, then
  ``os.replace``. On S3: one ``PutObject``, which readers see whole or not at all.
- ``read`` gives the bytes or None; listings are read fresh (another replica may have written).
- S3's endpoint and credentials come from the standard AWS variables (``AWS_ENDPOINT_URL``,
  ``AWS_ACCESS_KEY_ID``, ...), so MinIO, moto and other S3-compatible stores work as well.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


class URL(str):
    """A storage URL that joins like a Path: ``URL("s3://b/p") / "runs" == "s3://b/p/runs"``."""

    def __truediv__(self, name: str) -> URL:
        return URL(f"{self.rstrip('/')}/{name}")


def is_url(text: str | Path) -> bool:
    """True for ``scheme://...`` (but not for a local path)."""
    return "://" in str(text) and not str(text).startswith("file://")


def location(text: str | Path) -> Path | URL:
    """A local folder as a ``Path`` (``file://`` stripped), anything else with a scheme as a
    ``URL``."""
    text = str(text)
    if text.startswith("file://"):
        return Path(text[len("file://") :])
    return URL(text) if is_url(text) else Path(text)


@dataclass(frozen=True)
class Entry:
    """One object of a folder: its name (no folder), size in bytes, last-modified time."""

    name: str
    size: int
    mtime: float


class Folder:
    """A folder of a local disk or of an fsspec filesystem, with atomic writes."""

    def __init__(self, root: str | Path):
        import fsspec  # here, not at the top: settings imports this module on every page
        from fsspec.implementations.local import LocalFileSystem

        self.url = str(root)
        self.fs, self.base = fsspec.core.url_to_fs(self.url)
        self.base = self.base.rstrip("/")
        self.local = isinstance(self.fs, LocalFileSystem)

    def __repr__(self) -> str:
        return f"Folder({self.url!r})"

    def _path(self, name: str) -> str:
        return f"{self.base}/{name}"

    def read(self, name: str) -> bytes | None:
        """The object's bytes, or None when it does not exist."""
        try:
            return self.fs.cat_file(self._path(name))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def write(self, name: str, data: bytes) -> None:
        """Write atomically: a reader sees the old object or the new one, never a part."""
        if not self.local:
            self.fs.pipe_file(self._path(name), data)  # one PUT
            self.fs.invalidate_cache(self.base)
            return
        os.makedirs(self.base, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.base, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._path(name))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def delete(self, name: str) -> None:
        """Remove an object; a missing one is fine."""
        with contextlib.suppress(FileNotFoundError, OSError):
            self.fs.rm_file(self._path(name))
        if not self.local:
            self.fs.invalidate_cache(self.base)

    def touch(self, name: str) -> None:
        """Mark an object as just used (least-recently-used pruning). Local files only: an S3
        object's time cannot change without rewriting it, so there "used" means "written"."""
        if self.local:
            with contextlib.suppress(OSError):
                os.utime(self._path(name))

    def entries(self) -> list[Entry]:
        """Every object directly in the folder (fresh, not a cached listing)."""
        self.fs.invalidate_cache(self.base)
        try:
            infos = self.fs.ls(self.base, detail=True)
        except (FileNotFoundError, NotADirectoryError):
            return []
        out = []
        for info in infos:
            if info.get("type") != "file":
                continue
            name = info["name"].rstrip("/").rsplit("/", 1)[-1]
            out.append(Entry(name, int(info.get("size") or 0), _mtime(info)))
        return out


def _mtime(info: dict) -> float:
    """Last-modified seconds from an fsspec listing (local: ``mtime``; S3: ``LastModified``)."""
    if info.get("mtime") is not None:
        return float(info["mtime"])
    modified = info.get("LastModified") or info.get("last_modified")
    return modified.timestamp() if modified is not None else 0.0
