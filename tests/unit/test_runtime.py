"""dlviz.runtime and precision: threads, flush-denormal (also in OpenMP workers), bf16 where native."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import dlviz.training.inference as inference
from dlviz.runtime import configure_torch
from dlviz.training import (
    TrainConfig,
)
from dlviz.training.models import ModelSpec, build_model

TINY_MLP = ModelSpec(kind="mlp", hidden=(32,))
TINY_CNN = ModelSpec(kind="cnn", channels=(8,), hidden=(16,))


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_configure_torch_keeps_an_explicit_thread_count_and_flushes_denormals():
    from dlviz.runtime import cpu_quota

    assert cpu_quota() >= 1
    assert configure_torch(threads=1) == 1
    assert configure_torch() == 1  # later calls without threads keep the caller's choice
    if platform.machine() in ("x86_64", "AMD64"):  # torch flushes denormals on x86 only
        tiny = torch.tensor([1e-39], dtype=torch.float32)  # subnormal in float32
        assert (tiny * 1.0).item() == 0.0


def test_configure_torch_flushes_denormals_in_the_calling_thread():
    """Streamlit trains on script threads: the per-thread denormal flag must be set there too."""
    import threading

    if platform.machine() not in ("x86_64", "AMD64"):
        return
    configure_torch()
    seen = []

    def worker():
        torch.set_flush_denormal(False)  # a thread whose creator never set the flag
        configure_torch()
        seen.append((torch.tensor([1e-39], dtype=torch.float32) * 1.0).item())

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [0.0]


def test_auto_precision_is_bf16_only_for_conv_models_on_native_bf16_cpus(monkeypatch):
    cnn, mlp = build_model(TINY_CNN, (1, 8, 8), 10), build_model(TINY_MLP, (1, 8, 8), 10)
    monkeypatch.setattr(inference, "bf16_native", lambda: True)
    assert inference.resolve_precision("auto", cnn) == "bf16"
    assert inference.resolve_precision("auto", mlp) == "fp32"  # small MLPs gain nothing from bf16
    assert inference.resolve_precision("fp32", cnn) == "fp32"
    monkeypatch.setattr(inference, "bf16_native", lambda: False)
    assert inference.resolve_precision("auto", cnn) == "fp32"
    assert inference.resolve_precision("bf16", mlp) == "bf16"  # explicit wins
    assert TrainConfig().precision == "auto"


def test_configure_torch_flushes_denormals_in_openmp_workers_created_before_it():
    """Workers keep the FPU flags they were born with: torch work done before configure_torch
    (a notebook's own loop, say) left one that computed subnormals ~4x slower in every op."""
    code = (
        "import sklearn.cluster  # brings a second libgomp: torch's own must be the one used\n"
        "import torch\n"
        "from dlviz.runtime import configure_torch, denormals_flushed, on_omp_threads\n"
        "x = torch.randn(1000, 1000); x @ x  # starts the OpenMP worker without flushing\n"
        "before = on_omp_threads(denormals_flushed, 2)\n"
        "configure_torch(threads=2)\n"
        "print(before, on_omp_threads(denormals_flushed, 2))\n"
    )
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the flush-denormal flag is x86's")
    root = Path(__file__).resolve().parents[2]
    out = (
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            cwd=root,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    if "None" in out:
        pytest.skip("torch does not use GNU OpenMP here")
    assert out == "[False, False] [True, True]"


def test_devices_resolve_auto_to_the_best_here_and_name_a_missing_accelerator(monkeypatch):
    import torch

    from dlviz.runtime import device_label, resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu") == resolve_device("cpu")
    with pytest.raises(ValueError, match="CUDA .* is not available on this machine"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="MPS .* is not available"):
        resolve_device("mps")
    with pytest.raises(ValueError, match="Unknown device"):
        resolve_device("tpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")  # CUDA first
    assert device_label("cpu").startswith("CPU (") and "thread" in device_label("cpu")
    assert device_label("mps") == "MPS (Apple silicon)"
