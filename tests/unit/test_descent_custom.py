"""dlviz.descent.custom: a learner's formula as a surface (safe language, minima, messages)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlviz.backprop import gradients
from dlviz.descent import (
    custom_surface,
    run,
    trajectory,
)
from dlviz.descent.compare import OptimizerSpec, summary
from dlviz.expression import ExpressionError
from tests.expression_strategies import CONSTANT_FAILURES, CONSTANT_ONLY, CONSTANT_PARTS

# Plain torch formulas, written independently of dlviz.descent.surfaces.


def test_custom_surface_evaluates_the_formula_and_finds_its_minimum():
    surf = custom_surface("(x - 1)^2 + 2*(y + 0.5)**2 + 0.1*sin(3*x)", bound=3.0)
    x, y = torch.tensor([0.2]), torch.tensor([-1.0])
    want = (x - 1) ** 2 + 2 * (y + 0.5) ** 2 + 0.1 * torch.sin(3 * x)
    assert torch.allclose(surf(x, y), want)
    assert len(surf.minima) >= 1
    best = min(surf.minima, key=lambda m: float(surf.value(torch.tensor(m))))
    g = torch.tensor(best, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(surf.value(g), g)
    assert grad.abs().max() < 1e-5
    pos = trajectory(surf, "adam", (2.0, 2.0), 400, lr=0.05)
    assert np.linalg.norm(pos[-1] - np.array(best)) < 0.05


def test_custom_constant_and_single_variable_formulas_work():
    assert custom_surface("x**2").value(torch.tensor([[1.0, 2.0]])).item() == 1.0
    flat = custom_surface("3")
    pos = trajectory(flat, "sgd", (0.5, 0.5), 3, lr=0.1)
    np.testing.assert_allclose(pos, 0.5)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('ls')",
        "x.__class__",
        "open('f')",
        "eval('1')",
        "x if y else 1",
        "[x, y]",
        "lambda: x",
        "x ** y",
        "z + x",
        "",
        "x" + " + x" * 100,
    ],
)
def test_custom_surface_rejects_unsafe_or_invalid_input(text):
    with pytest.raises(ExpressionError):
        custom_surface(text)


def test_custom_surface_that_is_nowhere_finite_is_rejected():
    with pytest.raises(ExpressionError, match="not finite"):
        custom_surface("log(-1 - x**2)")


# --- custom formulas through the shared evaluator (tracebacks on the page before) ---------------


@pytest.mark.parametrize("text", CONSTANT_PARTS)
def test_custom_formulas_with_functions_of_constants_work_with_autograd(text):
    surf = custom_surface(text)
    x = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([2.0, 0.0], dtype=torch.float64)
    want = {CONSTANT_PARTS[0]: x**2 + y**2 + math.e, CONSTANT_PARTS[1]: math.sin(1) * x**2 + y**2}
    assert torch.allclose(surf(x, y), want[text])
    (grad,) = torch.autograd.grad(surf(x, y).sum(), x)
    assert torch.allclose(grad, 2 * x.detach() * (1.0 if "exp" in text else math.sin(1)))
    np.testing.assert_allclose(surf.minima[0], (0.0, 0.0), atol=1e-4)


@pytest.mark.parametrize(("text", "fragment"), CONSTANT_FAILURES.items())
def test_custom_constant_failures_are_the_backprop_pages_messages(text, fragment):
    with pytest.raises(ExpressionError) as on_surface:
        custom_surface(text)
    with pytest.raises(ExpressionError) as on_engine:
        gradients(text, {})
    assert fragment in str(on_surface.value)
    assert str(on_surface.value) == str(on_engine.value)  # one evaluator, one message


def test_a_flat_surface_has_no_minima_and_its_paths_do_not_move():
    for text in CONSTANT_ONLY:
        flat = custom_surface(text)
        assert flat.minima == ()
        spec = OptimizerSpec("sgd", 0.1)
        path = run(flat, "sgd", flat.start, 5, spec.hyper())
        (row,) = summary(flat, (spec,), [path], 1e-2)
        assert row.outcome == "did not move (the gradient is 0)"


def test_custom_latex_writes_powers_as_superscripts():
    assert custom_surface("x**-1.5 + 2*y^2").latex == r"f(x, y) = x^{-1.5} + 2 \cdot y^{2}"


def test_minima_search_survives_torchs_line_search_meeting_nan():
    # LBFGS's strong-Wolfe search raised IndexError on NaN for log(-x) (a traceback on the page)
    surf = custom_surface("log(-x)")
    assert all(x < 0 for x, _ in surf.minima)
