"""Property test of the Loss page: any sequence of widget moves and button presses stays clean.

Hypothesis drives the probe p, the y = 0 branch toggle, the label y and the logit z, the number
of classes, the true class, the learning rate, every logit in [-1000, 1000] (0, -0 and the
extremes included), and the step / mistake / reset buttons pressed in any order, switching tabs
as a learner does (only the open tab runs: ``lazy_tabs``). After each move
the page must pass ``assert_clean``, the loss metric must agree with torch's cross-entropy, and no
bar may read 0.000 (or -0.000) for a non-zero value.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from dlviz.ui.logits import CLASS_NAMES
from dlviz.ui.loss import TABS
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean
from tests.app.test_activations_properties import LOGITS, on_grid
from tests.support import spec_by_key, values

PAGE = "2_loss.py"


KINDS = {
    TABS[0]: ["p", "y0"],
    TABS[1]: ["y", "z"],
    TABS[2]: ["k", "target", "lr", "logit", "step", "wrong", "reset"],
}


def open_tab(at) -> str:
    return at.session_state["loss_tab"] if "loss_tab" in at.session_state else TABS[0]


def move(data, at) -> str:
    """Draw one widget move or button press (or a tab switch), make it, and describe it."""
    tab = open_tab(at)
    k = at.slider(key="loss_k").value if tab == TABS[2] else 0
    kind = data.draw(st.sampled_from(KINDS[tab] + ["tab"]))
    if kind == "tab":
        value = data.draw(st.sampled_from(TABS))
        at.session_state["loss_tab"] = value
    elif kind == "p":
        value = data.draw(on_grid(0.001, 1.0, 0.001))
        at.slider(key="loss_p").set_value(value)
    elif kind == "y0":
        value = data.draw(st.booleans())
        at.toggle(key="loss_show_y0").set_value(value)
    elif kind == "y":
        value = data.draw(st.sampled_from([1, 0]))
        at.button_group(key="loss_y").set_value(value)
    elif kind == "z":
        value = data.draw(on_grid(-8.0, 8.0, 0.1))
        at.slider(key="loss_z").set_value(value)
    elif kind == "k":
        value = data.draw(st.integers(2, len(CLASS_NAMES)))
        at.slider(key="loss_k").set_value(value)
    elif kind == "target":
        value = data.draw(st.integers(0, k - 1))
        at.selectbox(key="loss_target").set_value(value)
    elif kind == "lr":
        value = data.draw(on_grid(0.1, 5.0, 0.1))
        at.slider(key="loss_lr").set_value(value)
    elif kind == "logit":
        i, value = data.draw(st.integers(0, k - 1)), data.draw(LOGITS)
        kind = f"logit {i}"
        at.number_input(key=f"loss_logit_{i}").set_value(value)
    else:
        value = "click"
        at.button(key=f"loss_{kind}").click()
    at.run()
    return f"{kind} = {value!r}"


def assert_loss_and_bars_read_as_they_are(at) -> None:
    """The chain tab's loss is torch's cross-entropy; bar labels print the real value."""
    if open_tab(at) != TABS[2]:
        return
    k, target = at.slider(key="loss_k").value, at.selectbox(key="loss_target").value
    logits = torch.tensor([[at.number_input(key=f"loss_logit_{i}").value for i in range(k)]])
    expected = F.cross_entropy(logits.double(), torch.tensor([target])).item()
    label = f"loss = −log p({CLASS_NAMES[target]})"
    shown = next(m.value for m in at.metric if m.label == label)
    assert float(shown) == pytest.approx(expected, rel=1e-3, abs=1e-12), (shown, expected)
    bars = [t for t in spec_by_key(at, "loss_softmax_chart")["data"] if "text" in t]
    assert len(bars) == 2  # p and p - y carry labels; the one-hot outline does not
    for trace in bars:
        for v, text in zip(values(trace["y"]), trace["text"], strict=True):
            assert text == "0" if v == 0 else float(text) != 0, (v, text)


@PAGE_SETTINGS
@given(data=st.data())
def test_any_sequence_of_moves_and_presses_leaves_the_loss_page_clean(data):
    at = open_page(PAGE)
    done = []
    for _ in range(data.draw(st.integers(1, 12), label="moves")):
        done.append(move(data, at))
        assert_clean(at, " -> ".join(done))
        assert_loss_and_bars_read_as_they_are(at)
