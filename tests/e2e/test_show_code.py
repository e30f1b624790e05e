"""Browser: "Show the code" opens on Gradient descent, the Playground and Training, its downloads
are the script shown (and, for a trained run, weights that load into torch)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.support import ARTIFACTS, assert_no_exception, open_app_page, rerun, wait_idle

pytestmark = pytest.mark.e2e
TRAIN_TIMEOUT_MS = 240_000


def open_code(page, key: str):
    """Click the "Show the code" expander open; the expander once its code block is drawn."""
    box = page.locator(f".st-key-{key}")
    box.scroll_into_view_if_needed()
    with rerun(page):
        box.get_by_text("Show the code", exact=False).click()
    box.locator('[data-testid="stCode"]').first.wait_for(state="visible")
    assert_no_exception(page)
    return box


def download(page, box, label: str):
    """Click a download button; the downloaded file's (name, path)."""
    with page.expect_download() as info:
        box.get_by_role("button", name=label).click()
    return info.value.suggested_filename, Path(info.value.path())


def shot(box, name: str) -> None:
    """A PNG of the expander in test-artifacts/ (look at it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    box.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_descent_and_playground_code_download_as_py_and_ipynb(page, app_url):
    open_app_page(page, app_url, "gradient-descent")
    box = open_code(page, "gd_code")
    name, path = download(page, box, "Download .py")
    source = path.read_text()
    assert name == "descent_quadratic.py" and source.startswith('"""dlviz gradient descent')
    assert "STEPS = 200" in source and "torch.optim.SGD(params" in source
    name, path = download(page, box, "Download .ipynb")
    assert name == "descent_quadratic.ipynb" and '"nbformat": 4' in path.read_text()
    shot(box, "show-code-descent")

    open_app_page(page, app_url, "playground")
    box = open_code(page, "pg_code")
    name, path = download(page, box, "Download .py")
    assert name == "playground_moons.py" and "EPOCHS = 100" in path.read_text()
    shot(box, "show-code-playground")


def test_training_code_and_the_weights_of_a_trained_run(page, app_url):
    open_app_page(page, app_url, "training")
    page.get_by_test_id("stSelectbox").nth(1).click()
    with rerun(page):
        page.get_by_role("option", name="seed-mlp").click()
    epochs = (
        page.locator('[data-testid="stSlider"]').filter(has_text="Epochs").get_by_role("slider")
    )
    epochs.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    page.get_by_text("Trained 2 epochs").first.wait_for(timeout=TRAIN_TIMEOUT_MS)
    wait_idle(page)
    box = open_code(page, "train_code")
    name, path = download(page, box, "Download .py")
    assert name == "train_digits_seed-mlp.py" and "EPOCHS = 2" in path.read_text()
    name, path = download(page, box, "Download weights .pt")
    state = torch.load(path, weights_only=True)
    assert name == "dlviz-digits-seed-mlp-seed0.pt" and list(state) == [
        "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "out.weight", "out.bias",
    ]  # fmt: skip
    name, path = download(page, box, "Download loader .py")
    assert name == "load_digits_seed-mlp.py"
    assert 'WEIGHTS = "dlviz-digits-seed-mlp-seed0.pt"' in path.read_text()
    shot(box, "show-code-training")
