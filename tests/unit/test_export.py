"""Exported scripts are checked, not trusted: generate, run in a subprocess, compare with dlviz.

The scripts run in two ``python`` processes (descent and playground; training and the weights
loader), each running its scripts one after the other as ``python script.py`` would, from a
folder without dlviz on the path. They start at the beginning of the module (``runs``) and run
while this process computes dlviz's own results. Both sides use one torch thread. Descent paths
and Playground losses must agree to 1e-10 and 1e-6 (they are bit-exact: the same float64 /
float32 operations in the same order); a training run's test accuracy within 1 percentage point,
and on one machine with one thread count its whole history is bit-exact too.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from dlviz.data import SYSTEM_DIRS, dataset_info, load_dataset
from dlviz.descent.compare import DescentConfig, OptimizerSpec, SurfaceSpec, build_surface, run_one
from dlviz.export import (
    descent_script,
    playground_script,
    rebuild_script,
    to_notebook,
    to_python,
    training_script,
)
from dlviz.playground.data import DataConfig, make_dataset
from dlviz.playground.model import ModelConfig, TrainSettings
from dlviz.playground.session import Trainer
from dlviz.training import TrainConfig, evaluate, preset_config, train
from dlviz.training.inference import resolve_precision
from dlviz.training.models import ModelSpec, build_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FASHION = SYSTEM_DIRS["fashion-mnist"][0]
TRAINING = {
    "digits-mlp": preset_config(
        "seed-mlp", "digits", epochs=3, optimizer="momentum", lr=0.05, weight_decay=1e-4, patience=1
    ),
    "digits-cnn": TrainConfig(
        "digits",
        ModelSpec("cnn", (32,), "gelu", 0.3, True, (8, 16)),
        optimizer="adamw",
        lr=3e-3,
        batch_size=64,
        epochs=2,
        train_subset=700,
        seed=7,
    ),
    "fashion-mlp": preset_config("seed-mlp", "fashion-mnist", epochs=1, train_subset=2000),
}
PLAYGROUND = {
    "sine-l1": (
        DataConfig("sine", 1, 200, 0.1, 0.3, 4),
        ModelConfig(("x1", "x2"), (6, 4), "tanh", "adam", 2),
        TrainSettings(0.03, 16, 0.0, 20.0, 3e-3),
        20,
    ),
    "bump": (
        DataConfig("bump", 1, 200, 0.05, 0.25, 1),
        ModelConfig(("x1", "x2", "x1^2"), (5,), "relu", "sgd", 3),
        TrainSettings(0.1, 8, 1e-3),
        15,
    ),
    "spiral": (
        DataConfig("spiral", 3, 300, 0.1, 0.3, 2),
        ModelConfig(("x1", "x2", "x1^2", "x1*x2", "sin x2"), (8, 6), "relu", "momentum", 5),
        TrainSettings(0.03, 8, 1e-3),
        25,
    ),
    "moons": (
        DataConfig("moons", 2, 200, 0.2, 0.25, 0),
        ModelConfig(("x1", "x2"), (4,), "tanh", "adam", 1),
        TrainSettings(0.03, 16, 0.0),
        30,
    ),
}
THREE = (
    OptimizerSpec("sgd", 0.02),
    OptimizerSpec("momentum", 0.005, momentum=0.8, weight_decay=0.01),
    OptimizerSpec("adam", 0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
)
DESCENT = {
    "quadratic": DescentConfig(SurfaceSpec("quadratic", kappa=20.0), (-2.6, -0.6), 200, THREE),
    "rosenbrock": DescentConfig(
        SurfaceSpec("rosenbrock"),
        (-1.2, 1.0),
        150,
        (
            OptimizerSpec("sgd", 0.01),  # too large here: the path diverges after a few steps
            OptimizerSpec("nesterov", 0.001, momentum=0.9),
            OptimizerSpec("rmsprop", 0.01, momentum=0.5, beta2=0.99, eps=1e-8),
        ),
        noise=0.3,
        batch_size=4,
        seed=3,
    ),
    "custom": DescentConfig(
        SurfaceSpec("custom", expression="0.5*x^2 + 2*y**2 + sin(2*x)*cos(2*y) - exp(1)*x/3"),
        (-2.0, 1.8),
        120,
        (OptimizerSpec("adagrad", 0.5, eps=1e-10), OptimizerSpec("adamw", 0.05, weight_decay=0.1)),
    ),
}


DRIVER = """import contextlib, runpy, sys, traceback

for name in sys.argv[1:]:
    with open(name + ".out", "w") as out, contextlib.redirect_stdout(out):
        try:
            runpy.run_path(name + ".py", run_name="__main__")
        except BaseException:
            with open(name + ".err", "w") as err:
                traceback.print_exc(file=err)
"""


@dataclass
class Runs:
    """The scripts' folder and the processes running them: each process runs a group of scripts
    one after the other (``runpy``, as ``python script.py`` would), so torch is imported once per
    group; the scripts never see dlviz (an empty PYTHONPATH, run from the scripts' folder)."""

    folder: Path
    groups: dict[str, subprocess.Popen]
    weights_of: tuple = ()  # (dlviz's run whose weights.pt the rebuild script loads, its data)

    def start(self, scripts: dict[str, str]) -> None:
        for name, source in scripts.items():
            (self.folder / f"{name}.py").write_text(source)
        (self.folder / "driver.py").write_text(DRIVER)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
        proc = subprocess.Popen(
            [sys.executable, "driver.py", *scripts], cwd=self.folder, env=env, text=True
        )
        self.groups.update(dict.fromkeys(scripts, proc))

    def result(self, name: str) -> tuple[dict, str]:
        """The script's last line as JSON, and everything it printed."""
        proc = self.groups[name]
        assert proc.wait(timeout=400) == 0
        err = self.folder / f"{name}.err"
        assert not err.exists(), err.read_text()[-3000:]
        out = (self.folder / f"{name}.out").read_text()
        return json.loads(out.strip().splitlines()[-1]), out


def _precision(cfg: TrainConfig) -> str:
    """The precision dlviz resolves "auto" to for this model on this CPU."""
    info = dataset_info(cfg.dataset)
    with torch.random.fork_rng(devices=[]):
        model = build_model(cfg.model, info.shape, info.num_classes)
    return resolve_precision(cfg.precision, model)


def _trainable() -> dict[str, TrainConfig]:
    """The training configs whose data is here (Fashion-MNIST only with Debian's files)."""
    return {
        name: cfg
        for name, cfg in TRAINING.items()
        if cfg.dataset != "fashion-mnist" or FASHION.is_dir()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Start the scripts at once, in two processes: descent and playground, and training."""
    folder = tmp_path_factory.mktemp("scripts")
    r = Runs(folder, {})
    r.start(
        {
            **{f"gd-{k}": to_python(descent_script(c)) for k, c in DESCENT.items()},
            **{f"pg-{k}": to_python(playground_script(*v)) for k, v in PLAYGROUND.items()},
        }
    )
    data_dir = str(folder / "data")
    scripts = {
        name: to_python(training_script(cfg, _precision(cfg), data_dir=data_dir))
        for name, cfg in _trainable().items()
    }
    data = load_dataset("digits")  # a dlviz run's .pt, for the script that loads it
    mine = train(TRAINING["digits-mlp"], data)
    torch.save(mine.final_state, folder / "weights.pt")
    scripts["rebuild"] = to_python(rebuild_script(mine.config, "weights.pt", mine.precision))
    r.weights_of = (mine, data)
    r.start(scripts)
    yield r
    for proc in set(r.groups.values()):
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("name", list(DESCENT))
def test_descent_script_draws_the_pages_paths(runs, name):
    config = DESCENT[name]
    surface = build_surface(config.surface)
    paths = [run_one(surface, spec, config) for spec in config.optimizers]
    result, out = runs.result(f"gd-{name}")
    assert len(result["runs"]) == len(paths)
    for path, mine in zip(paths, result["runs"], strict=True):
        ref = path.positions[: path.last + 1]
        got = np.asarray(mine["path"], dtype=float)
        assert got.shape == ref.shape, (path.optimizer, got.shape, ref.shape)
        assert np.allclose(got, ref, rtol=0, atol=1e-10, equal_nan=True), path.optimizer
        assert mine["diverged"] == path.diverged
        assert mine["final_loss"] == pytest.approx(path.losses[path.last], rel=1e-12)
    assert result["final_loss"] == result["runs"][0]["final_loss"]
    if name == "rosenbrock":
        assert paths[0].diverged and "diverged at step" in out  # the divergence check was used


@pytest.mark.parametrize("name", list(PLAYGROUND))
def test_playground_script_ends_at_the_same_loss(runs, name):
    data_cfg, model_cfg, settings, epochs = PLAYGROUND[name]
    trainer = Trainer(make_dataset(data_cfg), model_cfg, settings)
    trainer.step(epochs)
    history = trainer.snapshot().history
    result, _ = runs.result(f"pg-{name}")
    assert result["epochs"] == trainer.epoch == epochs
    assert abs(result["final_loss"] - history["train_loss"][-1]) <= 1e-6
    assert abs(result["test_loss"] - history["test_loss"][-1]) <= 1e-6
    score = result["test_r2" if data_cfg.name in ("plane", "bump", "sine") else "test_accuracy"]
    assert score == pytest.approx(history["test_acc"][-1], abs=1e-5)


@pytest.fixture(scope="module")
def dlviz_runs(tmp_path_factory):
    """dlviz's own runs of the training configs (Fashion-MNIST when Debian's files are there)."""
    root = tmp_path_factory.mktemp("dlviz-data")
    results = {}
    for name, cfg in _trainable().items():
        data = load_dataset(cfg.dataset, root=root, download=False)
        results[name] = (train(cfg, data), data)
    return results


@pytest.mark.parametrize("name", list(TRAINING))
def test_training_script_reaches_the_same_test_accuracy(runs, dlviz_runs, name):
    if name not in dlviz_runs:
        pytest.skip(f"Fashion-MNIST is not installed in {FASHION} (Debian: dataset-fashion-mnist)")
    mine, _ = dlviz_runs[name]
    result, out = runs.result(name)
    assert result["status"] == mine.status and result["epochs"] == mine.epochs_done
    assert result["precision"] == mine.precision
    assert abs(result["test_accuracy"] - mine.test_acc) <= 0.01  # within 1 percentage point
    # On one machine with the same thread count it is bit-exact, every epoch's every number
    # (see the module docstring); only the 1-point bound above is promised across machines.
    assert [h["train_loss"] for h in result["history"]] == [h.train_loss for h in mine.history]
    assert [h["test_acc"] for h in result["history"]] == [h.test_acc for h in mine.history]
    assert f"epoch {mine.epochs_done}/{mine.config.epochs}" in out


def test_rebuild_script_loads_the_downloaded_weights(runs):
    result, data = runs.weights_of
    expected = evaluate(result.model(data.info), data.test_x, data.test_y, data.info)[1]
    loaded, _ = runs.result("rebuild")
    assert loaded["test_accuracy"] == expected


def test_the_notebook_holds_the_scripts_cells():
    script = training_script(TRAINING["digits-cnn"], "fp32")
    notebook = nbformat.reads(to_notebook(script), as_version=4)
    nbformat.validate(notebook)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert "\n\n".join(code) + "\n" == script.code
    assert notebook.cells[0].cell_type == "markdown" and script.title in notebook.cells[0].source
    assert notebook.metadata.kernelspec.name == "python3"


def test_file_names_are_safe():
    assert training_script(TRAINING["digits-mlp"]).name == "train_digits_seed-mlp"
    assert training_script(TRAINING["digits-cnn"]).name == "train_digits_cnn-8-16_32-gelu"
    assert rebuild_script(TRAINING["digits-cnn"], "w.pt").name == "load_digits_cnn-8-16_32-gelu"


def test_scripts_import_nothing_but_torch_torchvision_sklearn_numpy():
    allowed = {"torch", "torchvision", "sklearn", "numpy"}
    stdlib = {"json", "math", "contextlib", "collections", "gzip", "shutil", "pathlib"}
    scripts = [
        *(training_script(cfg) for cfg in TRAINING.values()),
        rebuild_script(TRAINING["digits-mlp"], "w.pt"),
        *(playground_script(*args) for args in PLAYGROUND.values()),
        *(descent_script(c) for c in DESCENT.values()),
    ]
    for script in scripts:
        for line in script.code.splitlines():
            if line.startswith(("import ", "from ")):
                top = line.split()[1].split(".")[0]
                assert top in allowed | stdlib, line


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_scripts_are_lint_clean_and_formatted(tmp_path):
    """No undefined or unused names, and laid out as ``ruff format`` would (a learner's editor
    should not light up). A custom formula's one long line is exempt from the layout check."""
    sources = {
        **{f"t_{i}": to_python(training_script(c)) for i, c in enumerate(TRAINING.values())},
        "cifar": to_python(training_script(preset_config("seed-cifar-cnn", "cifar10"))),
        "mnist": to_python(training_script(preset_config("seed-mlp", "mnist", epochs=1))),
        "rebuild": to_python(rebuild_script(TRAINING["digits-cnn"], "w.pt")),
        **{f"p_{k}": to_python(playground_script(*v)) for k, v in PLAYGROUND.items()},
        **{f"d_{k}": to_python(descent_script(c)) for k, c in DESCENT.items() if k != "custom"},
    }
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(source)
    (tmp_path / "custom.py").write_text(to_python(descent_script(DESCENT["custom"])))
    lint = ["ruff", "check", "--isolated", "--select", "E,F,W", "--line-length", "100", "."]
    out = subprocess.run(lint, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0 or _only_long_custom(out.stdout), out.stdout
    (tmp_path / "custom.py").unlink()
    fmt = ["ruff", "format", "--isolated", "--check", "--line-length", "100", "."]
    out = subprocess.run(fmt, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _only_long_custom(report: str) -> bool:
    lines = [ln for ln in report.splitlines() if ".py:" in ln]
    return all(ln.startswith("custom.py") and "E501" in ln for ln in lines)


def test_custom_formulas_become_the_same_torch_function():
    from dlviz.export.descent import custom_code

    texts = ["x - (y - x)", "-x**2 + (-y)**2", "2**-1*x + x**-1.5", "3", "-(x+1)*2/(y+4)"]
    for text in texts:
        namespace: dict = {"torch": torch, "math": math}
        exec(custom_code(text), namespace)  # noqa: S102 - our own generated code
        surface = build_surface(SurfaceSpec("custom", expression=text, bound=2.0))
        x = torch.linspace(0.5, 1.7, 7, dtype=torch.float64)
        y = torch.linspace(-1.3, 1.9, 7, dtype=torch.float64)
        assert torch.equal(namespace["f"](x, y), surface(x, y)), text


def _formulas():
    """Random formulas of the descent language: x, y, numbers, + - * / ** and its functions."""
    from hypothesis import strategies as st

    leaf = st.one_of(
        st.sampled_from(["x", "y"]),
        st.sampled_from(["0.5", "2", "3.25", "1e-3", "7", "0"]),
    )

    def grow(children):
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda t: f"({t[0]}) {t[1]} ({t[2]})" if "-" in t[2][:1] else f"{t[0]} {t[1]} {t[2]}"
        )
        power = st.tuples(children, st.sampled_from(["2", "3", "-1", "0.5"])).map(
            lambda t: f"({t[0]})**{t[1]}"
        )
        call = st.tuples(st.sampled_from(["sin", "cos", "tanh", "exp", "abs", "relu"]), children)
        negated = children.map(lambda c: f"-({c})")
        return st.one_of(binary, power, call.map(lambda t: f"{t[0]}({t[1]})"), negated)

    return st.recursive(leaf, grow, max_leaves=8)


def test_random_formulas_become_the_same_torch_function():
    """Whatever a learner types, the exported f(x, y) computes dlviz's numbers exactly."""
    from hypothesis import HealthCheck, given, settings

    from dlviz.descent.custom import custom_surface
    from dlviz.export.descent import custom_code
    from dlviz.expression import ExpressionError

    x = torch.linspace(-1.7, 1.9, 9, dtype=torch.float64)
    y = torch.linspace(1.3, -2.1, 9, dtype=torch.float64)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_formulas())
    def check(text):
        try:
            surface = custom_surface(text, minima_grid=5)
        except ExpressionError:
            return  # dlviz refuses it (overflow, too long): no script either
        namespace: dict = {"torch": torch, "math": math}
        exec(custom_code(text), namespace)  # noqa: S102 - our own generated code
        with torch.no_grad():
            got, want = namespace["f"](x, y), surface(x, y)
        assert torch.allclose(got, want, rtol=0, atol=0, equal_nan=True), text

    check()
