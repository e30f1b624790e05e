"""``python -m dlviz script train ARGS``: the standalone script of the run ``train ARGS`` makes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import nbformat
import pytest

from dlviz.cli import main
from dlviz.export import rebuild_script, to_python, training_script
from dlviz.export.training import resolved_precision
from dlviz.training import preset_config

FAST = ["--dataset", "digits", "--model", "seed-mlp", "--epochs", "1", "--subset", "300"]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def test_script_train_prints_the_script_of_the_same_config():
    code, out, err = run(["script", "train", *FAST, "--lr", "0.01", "--seed", "3"])
    assert code == 0, err
    cfg = preset_config("seed-mlp", "digits", epochs=1, train_subset=300, lr=0.01, seed=3)
    assert out == to_python(training_script(cfg, resolved_precision(cfg)))
    compile(out, "script.py", "exec")
    for line in ("EPOCHS = 1", "TRAIN_SUBSET = 300", "LR = 0.01", "SEED = 3"):
        assert line in out


def test_script_train_follows_the_cli_rules_for_defaults_and_momentum(tmp_path):
    _, out, _ = run(["script", "train", "--dataset", "mnist", "--model", "seed-cnn",
                     "--optimizer", "sgd", "--momentum", "0.5", "--data-dir", str(tmp_path)])  # fmt: skip
    assert "MOMENTUM = 0.5" in out and "torch.optim.SGD(" in out  # sgd + momentum = "momentum"
    assert "TRAIN_SUBSET = None" in out  # the CLI trains on every image unless --subset says
    assert f'DATA_DIR = "{tmp_path}"' in out and "datasets.MNIST(DATA_DIR" in out
    assert "EPOCHS = 3" in out  # the preset's recipe


def test_script_train_notebook_and_weights_loader():
    code, out, _ = run(["script", "train", *FAST, "--notebook"])
    notebook = nbformat.reads(out, as_version=4)
    nbformat.validate(notebook)
    assert code == 0 and any("torch.manual_seed(SEED)" in c.source for c in notebook.cells)
    code, out, _ = run(["script", "train", *FAST, "--load", "run.pt"])
    cfg = preset_config("seed-mlp", "digits", epochs=1, train_subset=300)
    assert code == 0 and out == to_python(rebuild_script(cfg, "run.pt", "fp32"))


@pytest.mark.parametrize(
    "argv",
    [
        ["script"],
        ["script", "test"],
        ["script", "train", "--dataset", "digits"],
        ["script", "train", *FAST, "--epochs", "0"],
        ["script", "train", *FAST, "--lr", "-1"],
    ],
)
def test_bad_arguments_end_with_one_line_and_exit_code_2(argv):
    code, out, err = run(argv)
    assert code == 2 and out == ""
    assert err.startswith("dlviz: error: ") and err.count("\n") == 1


def test_the_printed_script_scores_what_train_scores(tmp_path):
    """Run the script in its own process; its JSON has the test accuracy ``train --json`` has."""
    _, script, _ = run(["script", "train", *FAST, "--lr", "0.01"])
    (tmp_path / "run.py").write_text(script)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
    proc = subprocess.Popen(
        [sys.executable, "run.py"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    argv = ["train", *FAST, "--lr", "0.01", "--json", "--no-cache", "--threads", "1"]
    code, out, err = run(argv)
    assert code == 0, err
    mine = json.loads(out.splitlines()[-1])
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0
    theirs = json.loads(stdout.strip().splitlines()[-1])
    assert abs(theirs["test_accuracy"] - mine["test_accuracy"]) <= 0.01
    assert theirs["test_accuracy"] == mine["test_accuracy"]  # bit-exact on one machine
    assert theirs["train_images"] == mine["train_images"] == 300
