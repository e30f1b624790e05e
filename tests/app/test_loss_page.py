"""Loss page under AppTest: probes, MSE against CE, logits -> loss -> gradient and its step button."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.app.conftest import open_page, open_tab
from tests.app.hardening import assert_clean
from tests.support import metric, plotly_specs, spec_by_key, values

PAGE = "2_loss.py"
LOSS = "loss = −log p({})"


MSE_TAB, CHAIN_TAB = "MSE vs cross-entropy", "Logits → loss → gradient"


@pytest.fixture
def at():
    return open_page(PAGE)


@pytest.fixture
def mse(at):
    return open_tab(at, "loss_tab", MSE_TAB)


@pytest.fixture
def chain(at):
    return open_tab(at, "loss_tab", CHAIN_TAB)


def torch_ce(logits, target) -> float:
    z = torch.tensor([logits], dtype=torch.float64)
    return F.cross_entropy(z, torch.tensor([target])).item()


def logits_of(at, k: int) -> list[float]:
    return [at.number_input(key=f"loss_logit_{i}").value for i in range(k)]


def test_first_load_shows_title_three_charts_and_formulas(at):
    assert "ross-entropy" in at.title[0].value
    assert any(r"\log p" in latex.value for latex in at.latex)
    assert any("What to try" in info.value for info in at.info)
    for tab, key in (
        (None, "loss_ce_chart"),
        (MSE_TAB, "loss_mse_chart"),
        (CHAIN_TAB, "loss_softmax_chart"),
    ):
        if tab:
            open_tab(at, "loss_tab", tab)
        assert len(plotly_specs(at)) == 1 and spec_by_key(at, key)["data"]  # the open tab only


def test_probe_on_the_cross_entropy_curve(at):
    at.slider(key="loss_p").set_value(0.5).run()
    assert metric(at, "loss −log p") == f"{math.log(2):.5g}"
    assert metric(at, "slope dL/dp") == "-2"
    at.slider(key="loss_p").set_value(0.001).run()
    assert metric(at, "loss −log p") == f"{-math.log(0.001):.5g}"
    spec = spec_by_key(at, "loss_ce_chart")
    assert [t.get("name") for t in spec["data"]][:2] == ["y = 1:  −log p", "y = 0:  −log(1 − p)"]
    at.toggle(key="loss_show_y0").set_value(False).run()
    names = [t.get("name", "") for t in spec_by_key(at, "loss_ce_chart")["data"]]
    assert not any("y = 0" in n for n in names)


def test_confident_mistake_warns_and_shows_both_gradients(mse):
    at = mse
    at.slider(key="loss_z").set_value(-6.0).run()
    warning = " ".join(w.value for w in at.warning)
    assert "confident mistake" in warning.lower()
    p = 1 / (1 + math.exp(6))
    table = next(m.value for m in at.markdown if "| MSE | CE |" in m.value)
    assert f"{2 * (p - 1) * p * (1 - p):.6g}" in table  # MSE gradient, nearly stalled
    assert f"{p - 1:.6g}" in table  # cross-entropy gradient, still about -1
    spec = spec_by_key(at, "loss_mse_chart")
    ce_grad = next(
        t for t in spec["data"] if t.get("name") == "cross-entropy" and t["yaxis"] == "y2"
    )
    assert values(ce_grad["y"]).min() == pytest.approx(-1.0, abs=1e-3)


def test_label_zero_mirrors_the_picture(mse):
    at = mse
    at.button_group(key="loss_y").set_value(0).run()
    at.slider(key="loss_z").set_value(6.0).run()
    assert not at.exception
    assert any("y = 0" in w.value for w in at.warning)
    at.slider(key="loss_z").set_value(-6.0).run()
    assert not at.warning


def test_chain_matches_torch_cross_entropy_and_gradient_bars(chain):
    at = chain
    logits = logits_of(at, 4)
    assert float(metric(at, LOSS.format("cat"))) == pytest.approx(torch_ce(logits, 0), rel=1e-4)
    at.selectbox(key="loss_target").set_value(2).run()
    assert float(metric(at, LOSS.format("bird"))) == pytest.approx(torch_ce(logits, 2), rel=1e-4)
    grad = values(spec_by_key(at, "loss_softmax_chart")["data"][2]["y"])
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    F.cross_entropy(z.unsqueeze(0), torch.tensor([2])).backward()
    np.testing.assert_allclose(grad, z.grad.numpy(), atol=1e-12)


def test_gradient_steps_lower_the_loss(chain):
    at = chain
    at.button(key="loss_wrong").click().run()
    assert logits_of(at, 4) == [-3.0, 5.0, 0.0, 0.0]
    losses = [float(metric(at, LOSS.format("cat")))]
    for _ in range(4):
        at.button(key="loss_step").click().run()
        losses.append(float(metric(at, LOSS.format("cat"))))
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))
    shown = next(m for m in at.metric if m.label == LOSS.format("cat"))
    assert shown.proto.delta.startswith(f"{losses[-1] - losses[-2]:+.4g}")
    assert len(shown.proto.chart_data) == 5  # the loss before and after each of the 4 steps
    assert losses[-1] == pytest.approx(torch_ce(logits_of(at, 4), 0), rel=1e-4)
    at.number_input(key="loss_logit_2").set_value(1.5).run()  # a hand edit ends the history
    assert not next(m for m in at.metric if m.label == LOSS.format("cat")).proto.delta


def test_huge_logits_give_finite_loss_and_no_traceback(chain):
    at = chain
    at.number_input(key="loss_logit_0").set_value(-1000.0).run()
    at.number_input(key="loss_logit_1").set_value(1000.0).run()
    assert not at.exception
    assert float(metric(at, LOSS.format("cat"))) == pytest.approx(2000.0)
    for _ in range(2):  # a step of lr 5 stays inside the input bounds
        at.slider(key="loss_lr").set_value(5.0).run()
        at.button(key="loss_step").click().run()
    assert not at.exception
    assert all(abs(v) <= 1000 for v in logits_of(at, 4))


def test_fewer_classes_than_the_chosen_target_never_raise(chain):
    at = chain
    at.slider(key="loss_k").set_value(6).run()
    at.selectbox(key="loss_target").set_value(5).run()
    at.slider(key="loss_k").set_value(2).run()
    assert not at.exception
    at.button(key="loss_reset").click().run()
    assert logits_of(at, 2) == [2.0, 1.0]


def test_a_certain_right_answer_reads_loss_zero_not_minus_zero(chain):
    at = chain
    at.number_input(key="loss_logit_0").set_value(1000.0).run()
    at.number_input(key="loss_logit_1").set_value(-1000.0).run()
    assert metric(at, LOSS.format("cat")) == "0"  # was "-0" (issue 12)
    assert_clean(at)


def test_probe_at_p_one_has_loss_zero_and_slope_minus_one(at):
    at.slider(key="loss_p").set_value(1.0).run()
    assert metric(at, "loss −log p") == "0"  # was "-0"
    assert metric(at, "slope dL/dp") == "-1"  # was "not finite": 0 * log(0) in the y = 0 term
    assert_clean(at)
