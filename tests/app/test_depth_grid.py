"""Every Depth-page setting the widgets reach, through the page's study, words and charts.

The grid is every activation x init x width the widgets offer, at the depth slider's bounds and
values between ({2, 5, 10, 20, 35, 50}; the slider starts at 2, so depth 1 is not reachable).
It is cheap at a batch of 16 inputs on one thread: where the signal overflows or underflows
depends on the weights, not on the batch size (the regression tests in
tests/unit/test_depth_report.py and tests/app/test_depth_page.py use the page's 256). Each
setting runs the library and the page's headline and verdicts (dlviz.depth.report); both figure
builders run wherever a curve has a gap to mark. Nothing may raise, no text may show a raw
NaN / inf / None / -0, and every chart value is drawable or inside a marked gap. Batch norm and
the normal init's sigma extremes get a smaller grid at depth 50.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product

import pytest
import torch

from dlviz.activations import ACTIVATION_NAMES
from dlviz.depth import INITS, MAX_DEPTH, MIN_DEPTH, DepthConfig, depth_study
from dlviz.plots.depth import grad_status, std_status
from dlviz.runtime import on_omp_threads
from dlviz.ui.depth import DEFAULTS, SIGMAS, WIDTHS
from tests.app.depth_checks import page_problems

BATCH = 16
DEPTHS = (MIN_DEPTH, 5, 10, 20, 35, MAX_DEPTH)
WIDTH = DEFAULTS["width"]
SHORT_WIDTHS = (WIDTHS[0], WIDTH, WIDTHS[-1])


def _flush_denormals(flush: bool) -> None:
    torch.set_flush_denormal(flush)
    on_omp_threads(lambda: torch.set_flush_denormal(flush), torch.get_num_threads())


@pytest.fixture(autouse=True)
def _one_thread_flushing_denormals_as_the_app_does():
    """One torch thread, and denormals flushed as dlviz.runtime.configure_torch does in the app.

    A batch of 16 gains nothing from a second thread, and on a busy 2-core machine two OpenMP
    threads made the grid 3-5 times slower. Flushing makes underflow happen where the app's does
    (about 1.2e-38, the threshold the words name) and keeps denormal arithmetic from crawling.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    _flush_denormals(True)
    yield
    _flush_denormals(False)
    torch.set_num_threads(threads)


def _check(cfg: DepthConfig) -> list[str]:
    """Problems of the page at ``cfg``; figures are built where a curve has a gap to mark, and at
    the deepest setting of the default width (the ridgeline's every-k-th-layer path)."""
    try:
        study = depth_study(cfg)
    except Exception as err:  # noqa: BLE001 - any exception is the failure being looked for
        return [f"{cfg}: {type(err).__name__}: {err}"]
    gap = any(std_status(layer) or grad_status(layer) for layer in study.layers)
    figures = gap or (cfg.depth == MAX_DEPTH and cfg.width == WIDTH)
    return [f"{cfg}: {p}" for p in page_problems(study, figures=figures)]


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_every_activation_init_width_and_depth_is_shown_cleanly(activation):
    found = []
    for init, width, depth in product(INITS, WIDTHS, DEPTHS):
        cfg = DepthConfig(
            depth=depth, width=width, activation=activation, init=init, batch_size=BATCH
        )
        found += _check(cfg)
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_batch_norm_and_sigma_extremes_are_shown_cleanly(activation):
    base = DepthConfig(activation=activation, depth=MAX_DEPTH, batch_size=BATCH)
    configs = [
        replace(base, init=init, width=width, batch_norm=True)
        for init, width in product(INITS, SHORT_WIDTHS)
    ] + [
        replace(base, init="normal", sigma=sigma, width=width)
        for sigma, width in product((SIGMAS[0], SIGMAS[-1]), SHORT_WIDTHS)
    ]
    found = [p for cfg in configs for p in _check(cfg)]
    assert not found, "\n".join(found[:20])
