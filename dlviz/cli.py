"""``python -m dlviz``: headless training with a progress bar, and listings of presets and runs.

``python -m dlviz train --dataset fashion-mnist --model seed-cnn --epochs 1 --json`` trains (or
loads from the run cache) and, with ``--json``, prints one JSON object as its last line;
``python -m dlviz script train ARGS`` prints the standalone PyTorch script of that run instead
(``--notebook``: as a notebook; ``--load W.pt``: the script that loads a run's weights). Options
left out take the preset's default dlviz recipe (``dlviz.training.preset_config``, as on the
Training page, but on all training images unless ``--subset`` says otherwise). Folders come from the options, else from
DLVIZ_DATA_DIR / DLVIZ_CACHE_DIR / DLVIZ_OFFLINE (read by ``dlviz.settings``). Bad arguments
and missing data end with exit code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from dlviz.display import fixed, percent
from dlviz.storage import location

if TYPE_CHECKING:
    from dlviz.training import Progress

EXIT_USAGE = 2


class UsageError(Exception):
    """A bad argument or unavailable data: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line through ``UsageError``, no usage dump."""
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m dlviz`` argument parser."""
    parser = _Parser(prog="python -m dlviz", description="dlviz: train and inspect small models.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    _train_arguments(
        sub.add_parser("train", help="train a preset model (or load it from the run cache)")
    )
    s = sub.add_parser("script", help="print a standalone PyTorch script of an experiment")
    what = s.add_subparsers(dest="what", metavar="train", parser_class=_Parser, required=True)
    st = what.add_parser(
        "train", help="the script that trains what `python -m dlviz train ARGS` trains"
    )
    _train_arguments(st)
    st.add_argument("--notebook", action="store_true", help="print a Jupyter notebook (.ipynb)")
    st.add_argument(
        "--load",
        metavar="WEIGHTS",
        help="print the script that rebuilds the model and loads this .pt state_dict instead",
    )
    sub.add_parser("presets", help="list the model presets")
    r = sub.add_parser("runs", help="list cached runs")
    r.add_argument("--cache-dir", type=location)
    return parser


def _train_arguments(t: argparse.ArgumentParser) -> None:
    """The options of ``train`` (``script train`` takes the same)."""
    from dlviz.data import DATASETS
    from dlviz.runtime import DEVICES
    from dlviz.training import OPTIMIZER_CHOICES, PRECISIONS
    from dlviz.training.models import PRESETS

    t.add_argument("--dataset", required=True, choices=DATASETS)
    t.add_argument("--model", required=True, choices=list(PRESETS), help="a seed preset")
    t.add_argument("--epochs", type=int, help="default: the preset's recipe")
    t.add_argument("--batch-size", type=int, help="default: the preset's recipe")
    t.add_argument("--lr", type=float, help="learning rate (default: the preset's recipe)")
    t.add_argument(
        "--optimizer",
        choices=OPTIMIZER_CHOICES,
        help="sgd (plain; with --momentum > 0 it becomes 'momentum'), momentum, adam, adamw, rmsprop",
    )
    t.add_argument("--momentum", type=float, help="momentum for SGD (default 0.9)")
    t.add_argument("--weight-decay", type=float, default=0.0)
    t.add_argument("--subset", type=int, help="train on this many training images")
    t.add_argument("--val-fraction", type=float, default=0.1)
    t.add_argument("--patience", type=int, help="early stopping on validation loss")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="auto (default): bfloat16 forward passes for CNNs on CPUs with native bf16, "
        "float32 otherwise; fp32; bf16",
    )
    t.add_argument(
        "--threads", type=int, help="torch threads (default: DLVIZ_THREADS, else the CPU quota)"
    )
    t.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="auto (default): CUDA, else Apple's MPS, else the CPU; a run from the cache says "
        "where it was trained",
    )
    t.add_argument("--data-dir", type=Path, help="default: DLVIZ_DATA_DIR or data/")
    t.add_argument(
        "--cache-dir",
        type=location,
        help="a folder or an fsspec URL (s3://bucket/prefix); default: DLVIZ_CACHE_DIR or ~/.cache/dlviz",
    )
    t.add_argument("--no-cache", action="store_true", help="neither read nor write the run cache")
    t.add_argument("--json", action="store_true", help="print one JSON object as the last line")


def main(
    argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad arguments or data, 130 interrupted)."""
    out, err = out or sys.stdout, err or sys.stderr
    warnings = _warnings_to(err)
    try:
        args = build_parser().parse_args(argv)
        if args.command == "presets":
            return _presets(out)
        if args.command == "runs":
            return _runs(args, out)
        if args.command == "script":
            return _script(args, out)
        return _train(args, out, err)
    except UsageError as e:
        print(f"dlviz: error: {_one_line(str(e))}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ndlviz: interrupted", file=err)
        return 130
    finally:
        logging.getLogger("dlviz").removeHandler(warnings)


def _warnings_to(err: TextIO) -> logging.Handler:
    """Print the library's warnings (e.g. an unusable DLVIZ_THREADS) as ``dlviz: warning:`` lines."""
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("dlviz: warning: %(message)s"))
    logging.getLogger("dlviz").addHandler(handler)
    return handler


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _settings():
    from dlviz.settings import get_settings  # the one place that reads DLVIZ_* variables

    return get_settings()


def _config(args: argparse.Namespace):
    from dlviz.training import preset_config

    overrides = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "optimizer": args.optimizer,
        "momentum": args.momentum,
        "weight_decay": args.weight_decay,
        "train_subset": args.subset,
        "val_fraction": args.val_fraction,
        "patience": args.patience,
        "seed": args.seed,
        "precision": args.precision,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if overrides.get("optimizer") == "sgd" and (args.momentum or 0) > 0:
        overrides["optimizer"] = "momentum"  # "SGD with momentum 0.9" as the notebooks say it
    try:
        return preset_config(args.model, args.dataset, **overrides)
    except (ValueError, TypeError) as e:
        raise UsageError(str(e)) from e


def _script(args: argparse.Namespace, out: TextIO) -> int:
    """Print the standalone script (or notebook) of the run ``train`` would make with ``args``."""
    from dlviz.export import rebuild_script, to_notebook, to_python, training_script
    from dlviz.export.training import resolved_precision

    cfg = _config(args)
    data_dir = str(args.data_dir or _settings().data_dir)
    precision = resolved_precision(cfg)
    if args.load:
        script = rebuild_script(cfg, args.load, precision, data_dir=data_dir)
    else:
        script = training_script(cfg, precision, data_dir=data_dir)
    out.write(to_notebook(script) if args.notebook else to_python(script))
    return 0


def _check_threads(threads: int | None) -> None:
    """--threads runs from 1 to the CPUs this process may use (more only makes threads wait)."""
    from dlviz.runtime import cpu_quota

    limit = cpu_quota()
    if threads is not None and not 1 <= threads <= limit:
        raise UsageError(
            f"--threads must be from 1 to {limit} (the CPUs this process may use), got {threads}"
        )


def _train(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from dlviz.data import DatasetUnavailable, load_dataset
    from dlviz.runtime import configure_torch, resolve_device
    from dlviz.training import RunStore, train_cached

    _check_threads(args.threads)
    cfg = _config(args)
    s = _settings()
    configure_torch(threads=args.threads or s.threads)
    try:
        data = load_dataset(
            args.dataset, root=args.data_dir or s.data_dir, download=s.allow_download
        )
    except DatasetUnavailable as e:
        raise UsageError(str(e)) from e
    if cfg.train_subset is not None and cfg.train_subset > len(data.train_y):
        raise UsageError(
            f"--subset {cfg.train_subset} exceeds the {len(data.train_y)} training images"
        )
    try:
        device = resolve_device(args.device)
    except ValueError as e:
        raise UsageError(str(e)) from e
    store = None if args.no_cache else RunStore((args.cache_dir or s.cache_dir) / "runs")
    bar, executor = ProgressBar(err), "local"
    if s.ray_address:  # through the job executor, on a Ray cluster (DLVIZ_RAY_ADDRESS)
        result, executor = _train_on_executor(cfg, s, args, bar)
    else:
        result = train_cached(cfg, data, store, [bar], device=device)
    bar.close()
    summary = {**_summary(result, data), "executor": executor}
    if store is not None and store.last_error:
        print(f"dlviz: warning: {_one_line(store.last_error)}", file=err)
    if args.json:
        print(json.dumps(summary), file=out)
    else:
        cached = " (from the run cache)" if result.cached else ""
        print(f"{result.message}{cached}", file=out)
        print(
            f"{summary['parameters']:,} parameters, {summary['train_seconds']:.1f} s, "
            f"{summary['samples_per_second']:,.0f} images/s ({result.precision})",
            file=out,
        )
    return 0


def _train_on_executor(cfg, s, args: argparse.Namespace, bar: ProgressBar):
    """Train ``cfg`` as a job of the executor the settings ask for; (result, "ray" or "local")."""
    from dataclasses import replace

    from dlviz.jobs import TrainJob, executor_for

    s = replace(s, workers=1, data_dir=args.data_dir or s.data_dir,
                cache_dir=args.cache_dir or s.cache_dir)  # fmt: skip
    ex = executor_for(s)
    try:
        spec = TrainJob(cfg, s, cache=not args.no_cache, device=args.device)
        job = ex.run(spec, lambda v: bar.job(v, cfg.epochs))
    finally:
        ex.shutdown()
    bar.job(job, cfg.epochs)  # the epochs that ended after the last look
    if job.status != "done":
        raise UsageError(job.message or f"the training job ended {job.status}")
    return job.value, ex.backend


def _summary(result, data) -> dict:
    cfg = result.config
    last = result.history[-1] if result.history else None
    return {
        "dataset": cfg.dataset,
        "model": cfg.model_name(),
        "epochs": result.epochs_done,
        "test_accuracy": last.test_acc if last else None,
        "test_loss": last.test_loss if last else None,
        "train_seconds": round(result.train_seconds, 3),
        "samples_per_second": round(result.samples_per_second, 1),
        "parameters": result.parameters,
        "cached": result.cached,
        "status": result.status,
        "message": result.message,
        "optimizer": cfg.optimizer,
        "lr": cfg.lr,
        "batch_size": cfg.batch_size,
        "precision": result.precision,
        "device": result.device,
        "train_images": cfg.train_subset or len(data.train_y),
        "key": cfg.key(),
        "history": [asdict(h) for h in result.history],
    }


def _presets(out: TextIO) -> int:
    from dlviz.training import DIGITS_RECIPE
    from dlviz.training.models import PRESETS

    digits = f"batch {DIGITS_RECIPE['batch_size']}, {DIGITS_RECIPE['epochs']} epochs"
    for p in PRESETS.values():
        acc = f"{p.reported_accuracy:.2%} on {p.reported_dataset}" if p.reported_accuracy else "-"
        print(f"{p.name:20} {p.description}", file=out)
        print(f"{'':20} notebook: {p.recipe} Reported: {acc}.", file=out)
        print(
            f"{'':20} dlviz default: {p.optimizer} lr {p.lr:g}, batch {p.batch_size}, "
            f"{p.epochs} epochs ({digits} on digits).",
            file=out,
        )
    return 0


def _runs(args: argparse.Namespace, out: TextIO) -> int:
    from dlviz.training import RunStore

    store = RunStore((args.cache_dir or _settings().cache_dir) / "runs")
    for r in store.runs():
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created))
        print(
            f"{when}  {r.key[:10]}  {r.config.dataset:13} {r.config.model_name():20} "
            f"{r.status:13} {r.epochs_done:3} ep  test {percent(r.test_acc, 2)}  "
            f"{fixed(r.train_seconds, 1)} s",
            file=out,
        )
    return 0


class ProgressBar:
    """A text progress bar on a stream (redrawn in place on a terminal, one line per epoch else)."""

    def __init__(self, stream: TextIO, width: int = 30):
        self.stream, self.width = stream, width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.t0 = time.perf_counter()
        self.drawn = False
        self.epochs_shown = 0

    def __call__(self, p: Progress) -> None:
        """Redraw the bar on a step (terminal only); print the scores of a finished epoch."""
        if p.kind == "step" and self.tty:
            filled = int(self.width * p.fraction)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(
                f"\r[{bar}] {p.fraction:4.0%} epoch {p.epoch}/{p.epochs} "
                f"step {p.step}/{p.steps_per_epoch} loss {fixed(p.loss, 4)}"
            )
            self.stream.flush()
            self.drawn = True
        elif p.kind == "epoch":
            self._epoch(p.history[-1], p.epochs)

    def job(self, view, epochs: int | None = None) -> None:
        """The same from a job's view (``dlviz.jobs.JobView``): the bar, the new epochs."""
        for h in view.history[self.epochs_shown :]:
            self._epoch(h, epochs)
        if self.tty and view.status == "running":
            filled = int(self.width * view.fraction)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r[{bar}] {view.fraction:4.0%} {view.text}")
            self.stream.flush()
            self.drawn = True

    def _epoch(self, h, epochs: int | None) -> None:
        end = "\r" if self.tty else ""
        of = f"/{epochs}" if epochs else ""
        self.stream.write(
            f"{end}epoch {h.epoch}{of}: train loss {fixed(h.train_loss, 4)} "
            f"acc {percent(h.train_acc, 2)} | val acc {percent(h.val_acc, 2)} | test acc "
            f"{percent(h.test_acc, 2)} | {fixed(h.seconds, 1)} s{' ' * 10}\n"
        )
        self.stream.flush()
        self.drawn = False
        self.epochs_shown = h.epoch

    def close(self) -> None:
        """End a bar left in place on a terminal with a newline."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
