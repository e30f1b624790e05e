"""A cache of finished runs, keyed by ``TrainConfig.key()`` (config hash + dlviz version), in a
local folder or under an fsspec URL (``s3://bucket/prefix``: one store for every app replica and
Ray worker; see ``dlviz.storage``).

Each run is two objects. ``<key>.<tag>.pt`` holds the weights, history and per-epoch test
predictions (``torch.save``, read back with ``weights_only=True``); ``<key>.json`` is the entry's
manifest: a small summary for listings and the name of its weights object. A put writes the
weights under a fresh tag first and the manifest last, each atomically (``Folder.write``), so a
reader never sees half an object, and two writers of one key each leave a complete pair: the last
manifest wins and names its own weights, never the other writer's. An entry that fails to load is
removed and treated as missing. After each write the store prunes the least recently used runs to
stay under ``max_bytes``, and removes weights no manifest names once they are an hour old (a
writer between its two writes, or the loser of a race). The location is an argument: reading
``DLVIZ_CACHE_DIR`` is the caller's business.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from dlviz import __version__
from dlviz.data import Dataset
from dlviz.storage import Entry, Folder
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
    """Finished runs under ``root`` (a folder or a URL); atomic writes, corrupt entries ignored,
    size-bounded."""

    def __init__(self, root: str | Path, max_bytes: int = 2_000_000_000):
        self.root = root
        self.folder = Folder(root)
        self.max_bytes = int(max_bytes)
        self.last_error: str | None = None  # why the last put() could not write, if it failed

    def __repr__(self) -> str:
        return f"RunStore({str(self.root)!r}, max_bytes={self.max_bytes})"

    def manifest(self, key: str) -> dict[str, Any] | None:
        """The entry's manifest (summary and weights name), or None when absent or unreadable."""
        raw = self.folder.read(f"{key}.json")
        try:
            d = json.loads(raw) if raw is not None else None
        except ValueError:
            return None
        return d if isinstance(d, dict) and d.get("key") == key else None

    def weights_name(self, key: str) -> str | None:
        """The name of the entry's weights object (what its manifest names), or None."""
        d = self.manifest(key)
        return str(d.get("weights", f"{key}.pt")) if d is not None else None

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
        """The stored run with this key, or None; a corrupt entry is removed."""
        name = self.weights_name(key)
        raw = self.folder.read(name) if name is not None else None
        if raw is None:
            return None
        try:
            payload = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
            result = _from_payload(payload)
            if payload.get("key") != key or result.config.key() != key:
                raise ValueError("key mismatch")
        except Exception:  # any unreadable, partial or foreign object: drop it and retrain
            self._remove(key)
            return None
        self.folder.touch(f"{key}.json")  # least-recently-used order for pruning
        return result

    def put(self, result: TrainResult) -> None:
        """Store a run (weights under a fresh tag, then the manifest), then prune."""
        key = result.config.key()
        name = f"{key}.{uuid.uuid4().hex[:12]}.pt"
        old = self.weights_name(key)
        try:
            buffer = io.BytesIO()
            torch.save(_to_payload(result, key), buffer)
            self.folder.write(name, buffer.getvalue())
            summary = _summary_dict(result, key) | {"weights": name}
            self.folder.write(f"{key}.json", json.dumps(summary).encode())
            self.last_error = None
        except (OSError, RuntimeError, ValueError) as err:  # full or read-only: go on without
            self.folder.delete(name)
            self.last_error = f"Could not store the run in {self.root}: {err}"
            return
        if old is not None and old != name:
            self.folder.delete(old)
        self.prune()

    def runs(self) -> list[RunSummary]:
        """Summaries of the stored runs, newest first (entries without weights are skipped)."""
        names = {e.name for e in self.folder.entries()}
        out = []
        for js in sorted(n for n in names if n.endswith(".json") and not n.startswith(".")):
            d = self.manifest(js[: -len(".json")])
            try:
                if d is None or d.get("weights", f"{d['key']}.pt") not in names:
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
            except (ValueError, KeyError, TypeError):
                continue
        return sorted(out, key=lambda r: r.created, reverse=True)

    def size_bytes(self) -> int:
        """Total size of the store's objects."""
        return sum(e.size for e in self._entries())

    def prune(self) -> None:
        """Remove least recently used runs until the store fits in ``max_bytes``; remove stale
        temporary files and weights that no manifest names."""
        now = time.time()
        entries = self._entries()
        named = {self.weights_name(e.name[: -len(".json")]) for e in entries if _is_json(e)}
        sizes: dict[str, list] = {}
        for e in entries:
            key = e.name.split(".", 1)[0]
            if e.name.startswith(".") or (not _is_json(e) and e.name not in named):
                if now - e.mtime > STALE_TEMP_SECONDS:
                    self.folder.delete(e.name)
                continue
            item = sizes.setdefault(key, [0, 0.0])
            item[0] += e.size
            if _is_json(e):
                item[1] = e.mtime
        total = sum(size for size, _ in sizes.values())
        for key, (size, _) in sorted(sizes.items(), key=lambda kv: kv[1][1]):
            if total <= self.max_bytes:
                break
            self._remove(key)
            total -= size

    def _entries(self) -> list[Entry]:
        return [e for e in self.folder.entries() if e.name.endswith((".pt", ".json", ".tmp"))]

    def _remove(self, key: str) -> None:
        name = self.weights_name(key)
        for victim in {name, f"{key}.pt", f"{key}.json"} - {None}:
            self.folder.delete(victim)


def _is_json(entry: Entry) -> bool:
    return entry.name.endswith(".json") and not entry.name.startswith(".")


def train_cached(
    cfg: TrainConfig,
    data: Dataset,
    store: RunStore | None,
    callbacks: Sequence[Callback] = (),
    device: str | torch.device = "cpu",
) -> TrainResult:
    """The stored run of ``cfg`` if there is one for this data, else train it (on ``device``)
    and store it. A stored run answers whatever device it was trained on (its ``device`` says).

    Runs stopped by a callback are not stored (they are not what the config alone produces).
    """
    hit = store.find(cfg, data) if store is not None else None
    if hit is not None:
        return hit
    result = train(cfg, data, callbacks, device)
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
        "device": r.device,
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
        device=str(d.get("device", "cpu")),
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
