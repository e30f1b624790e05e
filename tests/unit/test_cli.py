"""``python -m dlviz train``: JSON last line, cache reuse, exit code 2 with one line on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dlviz.cli import main
from dlviz.training import MAX_BATCH_SIZE, MAX_EPOCHS

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--dataset", "digits", "--model", "seed-mlp", "--epochs", "1", "--subset", "300"]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def test_train_json_last_line_has_the_summary(tmp_path):
    code, out, err = run(["train", *FAST, "--cache-dir", str(tmp_path), "--json", "--threads", "1"])
    assert code == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    for field in (
        "dataset",
        "model",
        "epochs",
        "test_accuracy",
        "train_seconds",
        "samples_per_second",
        "parameters",
        "cached",
    ):
        assert field in summary
    assert summary["dataset"] == "digits" and summary["model"] == "seed-mlp"
    assert summary["epochs"] == 1 and summary["cached"] is False
    assert (
        0 <= summary["test_accuracy"] <= 1 and summary["parameters"] == 64 * 128 + 128 + 8256 + 650
    )
    assert summary["train_images"] == 300
    assert summary["device"] == "cpu"  # auto on a machine without an accelerator
    assert "epoch 1/1" in err  # progress went to stderr

    code, out, _ = run(["train", *FAST, "--cache-dir", str(tmp_path), "--json"])
    again = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and again["cached"] is True
    assert again["test_accuracy"] == summary["test_accuracy"]


def test_no_cache_trains_again_and_writes_nothing(tmp_path):
    code, out, _ = run(["train", *FAST, "--cache-dir", str(tmp_path), "--no-cache", "--json"])
    assert code == 0 and json.loads(out.splitlines()[-1])["cached"] is False
    assert not any(tmp_path.rglob("*.pt"))


def test_recipe_options_reach_the_config(tmp_path):
    argv = [
        "train",
        *FAST,
        "--cache-dir",
        str(tmp_path),
        "--json",
        "--optimizer",
        "sgd",
        "--momentum",
        "0.9",
        "--lr",
        "0.01",
        "--batch-size",
        "32",
        "--precision",
        "bf16",
    ]
    code, out, _ = run(argv)
    summary = json.loads(out.splitlines()[-1])
    assert code == 0
    assert (summary["optimizer"], summary["lr"], summary["batch_size"]) == ("momentum", 0.01, 32)
    assert summary["precision"] == "bf16"


def test_default_precision_is_auto_and_reported(tmp_path):
    code, out, _ = run(["train", *FAST, "--cache-dir", str(tmp_path), "--json"])
    assert code == 0 and json.loads(out.splitlines()[-1])["precision"] == "fp32"  # an MLP


def test_plain_output_is_human(tmp_path):
    code, out, _ = run(["train", *FAST, "--cache-dir", str(tmp_path)])
    assert code == 0 and "test accuracy" in out and "parameters" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--dataset", "imagenet", "--model", "seed-cnn"],
        ["train", "--dataset", "digits", "--model", "resnet"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--epochs", "zero"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--epochs", "0"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--lr", "-1"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--lr", "nan"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--subset", "100000"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--threads", "0"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--threads", "1000"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--epochs", "1000000000"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--batch-size", "100000"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--seed", "1180591620717411303424"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--seed", "-1"],
        ["train", "--dataset", "digits", "--model", "seed-cnn", "--precision", "fp16"],
        ["train", "--dataset", "digits"],
        ["fly"],
        [],
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv):
    code, out, err = run(argv)
    assert code == 2
    assert err.startswith("dlviz: error: ") and err.count("\n") == 1
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize(
    "option, value, says",
    [
        ("--seed", "1180591620717411303424", "Seed must be a whole number from 0 to 2**64 - 1 "
         "(it must fit in 64 bits), got 1180591620717411303424."),
        ("--epochs", "1000000000", f"Epochs must be a whole number from 1 to {MAX_EPOCHS}"),
        ("--threads", "1000", "--threads must be from 1 to 2 (the CPUs this process may use)"),
    ],
)  # fmt: skip
def test_out_of_range_numbers_say_the_range(option, value, says, monkeypatch):
    import dlviz.runtime

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 2)
    code, _, err = run(["train", *FAST, option, value])
    assert code == 2 and err == f"dlviz: error: {says}" + err[len("dlviz: error: ") + len(says) :]
    assert err.count("\n") == 1


def test_the_largest_64_bit_seed_trains(tmp_path):
    code, out, err = run(["train", *FAST, "--no-cache", "--json", "--seed", str(2**64 - 1)])
    assert code == 0, err
    assert json.loads(out.splitlines()[-1])["epochs"] == 1


def test_the_page_and_the_cli_share_the_bounds():
    from dlviz.ui.training import form as page

    assert max(page.BATCH_SIZES) == MAX_BATCH_SIZE
    assert page.MAX_EPOCHS is MAX_EPOCHS


def test_unavailable_data_exits_2_naming_the_fix(tmp_path, monkeypatch):
    import dlviz.data

    monkeypatch.setattr(dlviz.data, "SYSTEM_DIRS", {})
    monkeypatch.setenv("DLVIZ_OFFLINE", "1")
    code, _, err = run(
        ["train", "--dataset", "fashion-mnist", "--model", "seed-cnn", "--data-dir", str(tmp_path)]
    )
    assert code == 2 and err.count("\n") == 1
    assert "FashionMNIST" in err and "digits" in err


def test_presets_and_runs_listings(tmp_path):
    code, out, _ = run(["presets"])
    assert code == 0 and "seed-cifar-cnn" in out and "98.34%" in out
    run(["train", *FAST, "--cache-dir", str(tmp_path)])
    code, out, _ = run(["runs", "--cache-dir", str(tmp_path)])
    assert code == 0 and "seed-mlp" in out and "digits" in out


def test_python_dash_m_dlviz_exit_code_and_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "dlviz", "train", "--dataset", "digits", "--model", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("dlviz: error:") and "Traceback" not in proc.stderr


def test_the_run_store_may_live_on_s3():
    """``--cache-dir s3://...`` (moto's S3 server, reached through the AWS variables): the second
    identical run comes from the bucket."""
    from tests.s3 import fresh_prefix, s3_server

    with s3_server():
        where = fresh_prefix()
        code, out, err = run(["train", *FAST, "--cache-dir", where, "--json", "--threads", "1"])
        assert code == 0, err
        first = json.loads(out.strip().splitlines()[-1])
        code, out, err = run(["train", *FAST, "--cache-dir", where, "--json", "--threads", "1"])
        again = json.loads(out.strip().splitlines()[-1])
        assert code == 0 and first["cached"] is False and again["cached"] is True
        assert again["test_accuracy"] == first["test_accuracy"]


def test_an_accelerator_that_is_not_here_exits_2_with_one_line(tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code, out, err = run(["train", *FAST, "--cache-dir", str(tmp_path), "--device", "cuda"])
    assert code == 2 and out == ""
    assert "CUDA (an NVIDIA GPU) is not available on this machine" in err
    assert len(err.strip().splitlines()) == 1
