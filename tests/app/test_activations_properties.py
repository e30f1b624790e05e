"""Property test of the Activations page: any sequence of widget moves leaves the page clean.

Hypothesis drives every widget of the three tabs through AppTest, switching tabs as a learner
does (only the open tab runs: ``lazy_tabs``): the activation, its parameter sliders (bounds
included), the probe x, the compare pills and view, and on the softmax tab the number of
classes, the temperature, the swept logit, every logit in [-1000, 1000] (0, -0 and the extremes
included) and both buttons. After each move the page must pass ``assert_clean`` and
show the issue's numbers as they are: a slider's label reads its real value, the Jacobian's
cells print the value they are coloured with, and no bar reads 0.000 for a non-zero p.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dlviz.activations import ACTIVATION_NAMES, ACTIVATIONS
from dlviz.ui.activations import TABS, TEMPERATURES
from dlviz.ui.logits import CLASS_NAMES
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean
from tests.support import spec_by_key, values

PAGE = "1_activations.py"
LOGITS = st.one_of(
    st.sampled_from([-1000.0, 1000.0, 0.0, -0.0, 999.0, -999.5, 1e-6, -1e-6]),
    st.floats(-1000, 1000, allow_nan=False),
)


def on_grid(lo: float, hi: float, step: float):
    """A value a slider from ``lo`` to ``hi`` by ``step`` can take, its bounds drawn often."""
    n = round((hi - lo) / step)
    inner = st.integers(0, n).map(lambda i: round(lo + i * step, 10))
    return st.one_of(st.sampled_from([lo, hi]), inner)


KINDS = {
    TABS[0]: ["name", "x"],
    TABS[1]: ["compare", "view"],
    TABS[2]: ["k", "temp", "sweep", "logit", "extreme", "reset"],
}


def open_tab(at) -> str:
    return at.session_state["act_tab"] if "act_tab" in at.session_state else TABS[0]


def move(data, at) -> str:
    """Draw one widget move that the page offers right now, make it, and describe it."""
    tab = open_tab(at)
    name = at.selectbox(key="act_name").value if tab == TABS[0] else None
    k = at.slider(key="act_k").value if tab == TABS[2] else 0
    specs = ACTIVATIONS[name].specs if name else ()
    kind = data.draw(st.sampled_from(KINDS[tab] + ["tab"] + ["param"] * bool(specs)))
    if kind == "tab":
        value = data.draw(st.sampled_from(TABS))
        at.session_state["act_tab"] = value
    elif kind == "name":
        value = data.draw(st.sampled_from(ACTIVATION_NAMES))
        at.selectbox(key="act_name").set_value(value)
    elif kind == "param":
        spec = data.draw(st.sampled_from(specs))
        value = data.draw(on_grid(spec.min, spec.max, spec.step))
        at.slider(key=f"act_{spec.name}").set_value(value)
    elif kind == "x":
        value = data.draw(on_grid(-8.0, 8.0, 0.05))
        at.slider(key="act_x").set_value(value)
    elif kind == "compare":
        value = data.draw(st.lists(st.sampled_from(ACTIVATION_NAMES), unique=True))
        at.button_group(key="act_compare").set_value(value)
    elif kind == "view":
        value = data.draw(st.sampled_from(["f(x)", "f′(x)"]))
        at.button_group(key="act_compare_view").set_value(value)
    elif kind == "k":
        value = data.draw(st.integers(2, len(CLASS_NAMES)))
        at.slider(key="act_k").set_value(value)
    elif kind == "temp":
        value = data.draw(st.sampled_from(TEMPERATURES))
        at.select_slider(key="act_temp").set_value(value)
    elif kind == "sweep":
        value = data.draw(st.integers(0, k - 1))
        at.selectbox(key="act_sweep").set_value(value)
    elif kind == "logit":
        i, value = data.draw(st.integers(0, k - 1)), data.draw(LOGITS)
        kind = f"logit {i}"
        at.number_input(key=f"act_logit_{i}").set_value(value)
    else:
        value = "click"
        at.button(key=f"act_{kind}").click()
    at.run()
    return f"{kind} = {value!r}"


def assert_numbers_read_as_they_are(at) -> None:
    """The issue's cases: slider labels, Jacobian cells and bar labels print the real value."""
    if open_tab(at) == TABS[0]:
        for spec in ACTIVATIONS[at.selectbox(key="act_name").value].specs:
            slider = at.slider(key=f"act_{spec.name}")
            assert float(slider.proto.format % slider.value) == slider.value, slider.proto.format
    if open_tab(at) != TABS[2]:
        return
    heat = spec_by_key(at, "act_jacobian")["data"][0]
    for row, texts in zip(values(heat["z"]), heat["text"], strict=True):
        for v, text in zip(row, texts, strict=True):
            assert text == "0" if v == 0 else float(text) != 0, (v, text)
    bars = spec_by_key(at, "act_softmax_bars")["data"][0]
    for p, text in zip(values(bars["y"]), bars["text"], strict=True):
        assert text == "0" if p == 0 else float(text) != 0, (p, text)


@PAGE_SETTINGS
@given(data=st.data())
def test_any_sequence_of_moves_leaves_the_activations_page_clean(data):
    at = open_page(PAGE)
    done = []
    for _ in range(data.draw(st.integers(1, 10), label="moves")):
        done.append(move(data, at))
        assert_clean(at, " -> ".join(done))
        assert_numbers_read_as_they_are(at)
