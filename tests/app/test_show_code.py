""" "Show the code" on Gradient descent, the Playground and Training: the script in the expander
is the one of the current settings, and running it gives the numbers the page shows.

The scripts run here with ``exec`` (the unit tests in ``tests/unit/test_export.py`` run them in
their own processes); torch's thread count is put back afterwards.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import torch

from dlviz.display import fixed, number
from tests.app.conftest import finish_jobs, open_page
from tests.support import metric

TIMEOUT = 240


def run_script(source: str) -> tuple[dict, str]:
    """Execute an exported script; its last printed line as JSON, and all it printed."""
    threads = torch.get_num_threads()
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, "exported.py", "exec"), {"__name__": "__main__"})  # noqa: S102
    finally:
        torch.set_num_threads(threads)
    text = out.getvalue()
    return json.loads(text.strip().splitlines()[-1]), text


def shown_code(at) -> str:
    """The exported script in the open expander (the first code block)."""
    assert not at.exception, [e.message for e in at.exception]
    return at.code[0].value


def download_labels(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


def test_descent_code_follows_the_settings_and_reproduces_the_table():
    at = open_page("4_gradient_descent.py")
    assert not at.code and not download_labels(at)  # closed: nothing written, nothing drawn
    at.session_state["gd_code"] = True  # what clicking the expander does
    at.run()
    assert download_labels(at) == ["Download .py", "Download .ipynb"]
    at.slider(key="gd_steps").set_value(120).run()
    at.select_slider(key="gd_lr_sgd").set_value(0.015).run()
    code = shown_code(at)
    assert "STEPS = 120" in code and "torch.optim.SGD(params, lr=0.015" in code
    assert '"Adam": lambda params: torch.optim.Adam(' in code
    result, _ = run_script(code)
    table = at.dataframe[0].value
    assert list(table["final loss"]) == [number(r["final_loss"]) for r in result["runs"]]
    at.selectbox(key="gd_surface").set_value("rosenbrock").run()
    assert "100.0 * (y - x**2) ** 2" in shown_code(at)


def test_playground_code_trains_as_many_epochs_to_the_same_loss():
    at = open_page("5_playground.py")
    at.session_state["pg_code"] = True
    at.selectbox(key="pg_dataset").set_value("xor").run()
    assert "EPOCHS = 100" in shown_code(at)  # not trained yet: a default number of epochs
    for _ in range(3):
        at.button(key="pg_step").click().run()
    code = shown_code(at)
    assert 'DATASET = "xor"' in code and "EPOCHS = 3" in code
    assert "LR = 0.03" in code and "torch.optim.Adam(groups, lr=LR" in code
    result, _ = run_script(code)
    assert result["epochs"] == 3
    assert fixed(result["final_loss"]) == metric(at, "Train loss")
    assert fixed(result["test_loss"]) == metric(at, "Test loss")
    at.session_state["pg_trainer"].stop()


@pytest.fixture
def _one_thread(monkeypatch):
    """The shared test machine keeps both cores busy: two torch threads would crawl."""
    import dlviz.runtime

    monkeypatch.setattr(dlviz.runtime, "cpu_quota", lambda default=None: 1)


@pytest.mark.usefixtures("_one_thread")
def test_training_code_shows_the_form_then_the_run_with_its_weights():
    at = open_page("8_training.py", timeout=TIMEOUT)
    at.session_state["train_code"] = True
    at.selectbox(key="train_model").set_value("seed-mlp").run()
    code = shown_code(at)
    assert 'MODEL = "seed-mlp"' in code and "EPOCHS = 10" in code  # the form's defaults
    assert "Download weights .pt" not in download_labels(at)  # nothing trained yet
    at.selectbox(key="train_model").set_value("custom-cnn").run()
    code = shown_code(at)  # the custom network's widgets: two conv blocks from 16 channels
    assert '("conv1", nn.Conv2d(1, 16, kernel_size=3' in code and "nn.Conv2d(16, 32" in code
    at.selectbox(key="train_model").set_value("seed-mlp").run()
    at.slider(key="train_epochs").set_value(2)
    at.button(key="train_go").click().run(timeout=TIMEOUT)
    finish_jobs(at, timeout=TIMEOUT)
    code = shown_code(at)
    assert "EPOCHS = 2" in code and 'DATASET = "digits"' in code
    assert download_labels(at) == [
        "Download .py",
        "Download .ipynb",
        "Download weights .pt",
        "Download loader .py",
        "Download loader .ipynb",
    ]
    assert 'WEIGHTS = "dlviz-digits-seed-mlp-seed0.pt"' in at.code[1].value
    result, out = run_script(code)
    page = float(metric(at, "Test accuracy").rstrip(" %")) / 100
    assert abs(result["test_accuracy"] - page) <= 0.01  # the promise: within a point
    assert "epoch 2/2" in out
