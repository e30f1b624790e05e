"""An on-disk cache of finished runs, keyed by ``TrainConfig.key()`` (config hash + dlviz version).

Each run is two files in the store's folder: ``<key>.pt`` (weights, history and per-epoch test
predictions, written with ``torch.save`` and read back with ``weights_only=True``) and
``<key>.json`` (a small summary for listings). Both are written to a temporary file and then
renamed, so readers never see half a file; an entry that fails to load is deleted and treated as
missing. After each write the store prunes the least recently used runs to stay under
``max_bytes``. The folder is an argument: reading ``DLVIZ_CACHE_DIR`` is the caller's business.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from dlviz import __version__
from dlviz.data import Dataset
from dlviz.training.config import Callback, EpochStats, TrainConfig, TrainResult
from dlviz.training.loop import train

FORMAT = 1
STALE_TEMP_SECONDS = 3600.0


@dataclass(frozen=True)
class RunSummary:
    """One stored run, as listed by ``RunStore.runs()``."""

    key: str
    config: TrainConfig
    status: str
    epochs_done: int
    test_acc: float
    train_seconds: float
    created: float


class RunStore:
    """Finished runs on disk under ``root``; atomic writes, corrupt entries ignored, size-bounded."""

    def __init__(self, root: str | Path, max_bytes: int = 2_000_000_000):
        self.root = Path(root)
        self.max_bytes = int(max_bytes)
        self.last_error: str | None = None  # why the last put() could not write, if it failed

    def __repr__(self) -> str:
        return f"RunStore({str(self.root)!r}, max_bytes={self.max_bytes})"

    def path(self, key: str) -> Path:
        """The weights file of a key."""
        return self.root / f"{key}.pt"

    def get(self, cfg: TrainConfig) -> TrainResult | None:
        """The stored run of ``cfg`` (``cached=True``), or None when absent or unreadable."""
        return self.load(cfg.key())

    def find(self, cfg: TrainConfig, data: Dataset) -> TrainResult | None:
        """The stored run of ``cfg`` for this data (the same test labels), or None.

        A config names its dataset but not the files: a run stored for other files of that
        dataset (synthetic stand-ins, another download) is not this data's run.
        """
        hit = self.get(cfg)
        if hit is not None and torch.equal(hit.test_labels, data.test_y):
            return hit
        return None

    def load(self, key: str) -> TrainResult | None:
        """The stored run with this key, or None; a corrupt entry is deleted."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            payload = torch.load(path, map_location="cpu", weights_only=True)
            result = _from_payload(payload)
            if payload.get("key") != key or result.config.key() != key:
                raise ValueError("key mismatch")
        except Exception:  # any unreadable, partial or foreign file: drop it and retrain
            self._remove(key)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # least-recently-used order for pruning
        return result

    def put(self, result: TrainResult) -> None:
        """Store a run atomically (temp file + ``os.replace``), then prune to ``max_bytes``."""
        key = result.config.key()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._atomic_write(self.path(key), lambda f: torch.save(_to_payload(result, key), f))
            summary = json.dumps(_summary_dict(result, key)).encode()
            self._atomic_write(self.root / f"{key}.json", lambda f: f.write(summary))
            self.last_error = None
        except (OSError, RuntimeError) as err:  # a full or read-only disk must not stop the app
            self.last_error = f"Could not store the run in {self.root}: {err}"
            return
        self.prune()

    def runs(self) -> list[RunSummary]:
        """Summaries of the stored runs, newest first (entries without weights are skipped)."""
        out = []
        for js in self.root.glob("*.json") if self.root.is_dir() else ():
            try:
                d = json.loads(js.read_text())
                if not self.path(d["key"]).is_file():
                    continue
                out.append(
                    RunSummary(
                        d["key"],
                        TrainConfig.from_dict(d["config"]),
                        d["status"],
                        int(d["epochs_done"]),
                        float(d["test_acc"]),
                        float(d["train_seconds"]),
                        float(d["created"]),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(out, key=lambda r: r.created, reverse=True)

    def size_bytes(self) -> int:
        """Total size of the store's files."""
        return sum(size for _, size, _ in self._files())

    def prune(self) -> None:
        """Delete least recently used runs until the store fits in ``max_bytes``; drop stale temps."""
        now = time.time()
        for tmp in self.root.glob(".*.tmp"):
            try:
                if now - tmp.stat().st_mtime > STALE_TEMP_SECONDS:
                    tmp.unlink()
            except OSError:
                pass
        entries: dict[str, list] = {}
        for path, size, mtime in self._files():
            e = entries.setdefault(path.stem, [0, 0.0])
            e[0] += size
            if path.suffix == ".pt":
                e[1] = mtime
        total = sum(size for size, _ in entries.values())
        for key, (size, _) in sorted(entries.items(), key=lambda kv: kv[1][1]):
            if total <= self.max_bytes:
                break
            self._remove(key)
            total -= size

    def _files(self) -> list[tuple[Path, int, float]]:
        out = []
        for path in self.root.glob("*") if self.root.is_dir() else ():
            if path.suffix in (".pt", ".json") and not path.name.startswith("."):
                try:
                    st = path.stat()
                    out.append((path, st.st_size, st.st_mtime))
                except OSError:
                    pass
        return out

    def _remove(self, key: str) -> None:
        for path in (self.path(key), self.root / f"{key}.json"):
            with contextlib.suppress(OSError):
                path.unlink()

    def _atomic_write(self, target: Path, write) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def train_cached(
    cfg: TrainConfig,
    data: Dataset,
    store: RunStore | None,
    callbacks: Sequence[Callback] = (),
) -> TrainResult:
    """The stored run of ``cfg`` if there is one for this data, else train it and store it.

    Runs stopped by a callback are not stored (they are not what the config alone produces).
    """
    hit = store.find(cfg, data) if store is not None else None
    if hit is not None:
        return hit
    result = train(cfg, data, callbacks)
    if store is not None and result.status != "stopped":
        store.put(result)
    return result


def _compact_labels(t: torch.Tensor) -> torch.Tensor:
    return t.to(torch.uint8) if t.numel() == 0 or int(t.max()) < 256 else t


def _to_payload(r: TrainResult, key: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": __version__,
        "key": key,
        "config": r.config.to_dict(),
        "history": [asdict(e) for e in r.history],
        "status": r.status,
        "message": r.message,
        "diverged_at": list(r.diverged_at) if r.diverged_at else None,
        "initial_state": r.initial_state,
        "final_state": r.final_state,
        "test_labels": _compact_labels(r.test_labels),
        "test_preds": [_compact_labels(p) for p in r.test_preds],
        "test_probs": [p.to(torch.float16) for p in r.test_probs],
        "train_seconds": r.train_seconds,
        "samples_per_second": r.samples_per_second,
        "parameters": r.parameters,
        "best_epoch": r.best_epoch,
        "eval_seconds": r.eval_seconds,
        "created": r.created,
        "precision": r.precision,
    }


def _from_payload(d: dict[str, Any]) -> TrainResult:
    if d.get("format") != FORMAT or d.get("version") != __version__:
        raise ValueError("stored by another dlviz version")
    history = [EpochStats(**e) for e in d["history"]]
    preds = [p.to(torch.int64) for p in d["test_preds"]]
    if not (len(history) == len(preds) == len(d["test_probs"])):
        raise ValueError("inconsistent entry")
    return TrainResult(
        config=TrainConfig.from_dict(d["config"]),
        history=history,
        status=d["status"],
        message=d["message"],
        diverged_at=tuple(d["diverged_at"]) if d["diverged_at"] else None,
        initial_state=dict(d["initial_state"]),
        final_state=dict(d["final_state"]),
        test_labels=d["test_labels"].to(torch.int64),
        test_preds=preds,
        test_probs=list(d["test_probs"]),
        train_seconds=float(d["train_seconds"]),
        samples_per_second=float(d["samples_per_second"]),
        parameters=int(d["parameters"]),
        cached=True,
        best_epoch=d["best_epoch"],
        eval_seconds=float(d["eval_seconds"]),
        created=float(d["created"]),
        precision=str(d.get("precision", "fp32")),
    )


def _summary_dict(r: TrainResult, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "config": r.config.to_dict(),
        "status": r.status,
        "epochs_done": r.epochs_done,
        "test_acc": r.test_acc,
        "train_seconds": r.train_seconds,
        "created": r.created,
    }
