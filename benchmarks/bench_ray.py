"""Local executor vs Ray on two CPUs: a 4 x 4 capacity x data sweep and a 41 x 41 landscape,
each ONE job, as the pages submit them.

The local executor gets two worker processes; a job runs on one of them, in order, as it always
does. Ray gets an embedded instance with two CPUs (``ray.init(num_cpus=2)``, as
``DLVIZ_RAY_ADDRESS=local`` starts) and one worker actor, so each job's parts
(``dlviz.jobs.fanout``: the sweep's 16 runs, the landscape's line and blocks of rows) are shared
between that actor and Ray tasks on the other CPU. Each executor gets its own run cache, so both
really compute: first ``seed-cnn`` on Digits (the landscape's run), then the sweep of the
Generalization page (widths 16..1024 x 50..1150 training images on Digits, one job of 16 runs),
then the 41 x 41 loss landscape of that ``seed-cnn`` run (one job). Prints wall times and whether
the numbers agree exactly (same seeds, one torch thread per computation on both); never asserts.
Run from the repo root (Ray from requirements-scale.txt):

    python -m benchmarks.bench_ray [--epochs 15] [--resolution 41]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

from dlviz.generalization import SweepSetup, sweep_runs
from dlviz.generalization.jobs import SeriesJob
from dlviz.jobs import Executor, LandscapeJob, TrainJob
from dlviz.landscape import LandscapeConfig
from dlviz.settings import Settings
from dlviz.training import preset_config

ROOT = Path(__file__).resolve().parents[1]


def run_all(ex: Executor, specs: list) -> list:
    """Submit every spec as a learner of its own, at once; their final views, in order."""
    jobs = [(ex.submit(spec, who), who) for spec in specs for who in [uuid.uuid4().hex]]
    while True:
        views = [ex.view(job.id, who) for job, who in jobs]
        if all(not v.active for v in views):
            return views
        time.sleep(0.1)


def timed(ex: Executor, specs: list) -> tuple[float, list]:
    t0 = time.perf_counter()
    views = run_all(ex, specs)
    bad = [v.message for v in views if v.status != "done"]
    if bad:
        raise SystemExit(f"a job did not finish: {bad}")
    return time.perf_counter() - t0, [v.value for v in views]


def measure(ex: Executor, s: Settings, sweep: SweepSetup, resolution: int) -> dict:
    """Wall times and values of the three steps on one executor."""
    cnn = preset_config("seed-cnn", "digits", seed=0)
    train_s, (run,) = timed(ex, [TrainJob(cnn, s)])
    sweep_s, (series,) = timed(ex, [SeriesJob(tuple(sweep_runs(sweep)), s, "sweep")])
    landscape = LandscapeJob(cnn.key(), LandscapeConfig(resolution=resolution), s)
    land_s, (land,) = timed(ex, [landscape])
    scores = [(c.name, [(h.test_acc, h.test_loss) for h in c.history]) for c in series]
    return {"train": train_s, "sweep": sweep_s, "landscape": land_s, "run": run,
            "scores": scores, "land": land}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=15, help="of each sweep cell (page default 15)")
    ap.add_argument("--resolution", type=int, default=41)
    args = ap.parse_args()
    sweep = SweepSetup(epochs=args.epochs)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:  # runs, data: removed after
        results = run_both(Path(tmp), sweep, args.resolution)
    report(results, args.resolution)


def run_both(root: Path, sweep: SweepSetup, resolution: int) -> dict:
    """Every measurement on the local executor, then on an embedded Ray (2 CPUs)."""
    import ray

    results = {}
    for backend in ("local", "ray"):
        s = Settings(root / "data", root / backend, allow_download=False)
        if backend == "ray":
            t0 = time.perf_counter()
            path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                     runtime_env={"env_vars": {"PYTHONPATH": path}})  # fmt: skip
            print(f"ray.init (embedded, 2 CPUs): {time.perf_counter() - t0:.1f} s")
        # local: two worker processes (a job runs on one); Ray: one actor, its parts on both CPUs
        ex = Executor(2, quota=2, thread_cap=1) if backend == "local" else Executor(1, ray="auto")
        try:
            results[backend] = r = measure(ex, s, sweep, resolution)
        finally:
            ex.shutdown()
        print(
            f"{backend:5}: seed-cnn on Digits {r['train']:.1f} s (test acc "
            f"{r['run'].test_acc:.4f}; includes starting a worker) | 4 x 4 sweep, {sweep.epochs} "
            f"epochs, one job: {r['sweep']:.1f} s | {resolution} x {resolution} "
            f"landscape: {r['landscape']:.1f} s"
        )
    ray.shutdown()
    return results


def report(results: dict, resolution: int) -> None:
    a, b = results["local"], results["ray"]
    same_run = [h.test_acc for h in a["run"].history] == [h.test_acc for h in b["run"].history]
    same_sweep = a["scores"] == b["scores"]
    same_land = all(
        getattr(a["land"], f).allclose(getattr(b["land"], f), 0, 0, equal_nan=True)
        for f in ("line_loss", "line_acc", "plane_loss", "plane_acc")
    )
    print(f"same numbers: training {same_run}, sweep (16 runs, every epoch) {same_sweep}, "
          f"landscape ({resolution}x{resolution} and line, losses and accuracies) "
          f"{same_land}")  # fmt: skip
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
