"""Two learners on one server never see each other's state.

Both AppTests run in this one process, so they share everything a class shares on a real
server: ``st.cache_resource`` / ``st.cache_data`` (surfaces, studies, figures), the module-level
state of dlviz and the warm-up. Each learner moves the same widgets to different values, in turn,
and after every move both pages must still show their own learner's values: a cached figure
mutated for one learner, or a setting kept in a module instead of ``st.session_state``, would
show up on the other learner's page.
"""

from __future__ import annotations

import math

from tests.app.conftest import open_page
from tests.support import metric, spec_by_key, values


def _probe_x(at) -> float:
    """Where the Activations chart's probe marker stands."""
    marker = next(t for t in spec_by_key(at, "act_chart")["data"] if t.get("mode") == "markers")
    return float(values(marker["x"])[0])


def test_activations_probe_and_function_stay_per_learner():
    a, b = open_page("1_activations.py"), open_page("1_activations.py")
    a.slider(key="act_x").set_value(2.5).run()
    b.slider(key="act_x").set_value(-4.0).run()
    b.selectbox(key="act_name").set_value("tanh").run()
    a.run()  # a rerun of A after B's changes: A keeps its own probe and function
    assert a.slider(key="act_x").value == 2.5 and _probe_x(a) == 2.5
    assert a.selectbox(key="act_name").value != "tanh"
    assert metric(a, "f(x)") == f"{1 / (1 + math.exp(-2.5)):.6g}"  # still sigmoid at 2.5
    assert _probe_x(b) == -4.0 and metric(b, "f(x)") == f"{math.tanh(-4.0):.6g}"
    assert not a.exception and not b.exception


def test_depth_studies_are_shared_but_each_learner_sees_their_own_depth():
    a, b = open_page("6_depth_and_init.py"), open_page("6_depth_and_init.py")
    a.slider(key="depth_depth").set_value(8).run()
    b.slider(key="depth_depth").set_value(3).run()
    a.run()
    b.slider(key="depth_depth").set_value(8).run()  # B now hits A's cached study ...
    b.slider(key="depth_depth").set_value(5).run()  # ... and leaves it
    a.run()
    assert a.slider(key="depth_depth").value == 8
    assert b.slider(key="depth_depth").value == 5
    traces_a = [t for t in spec_by_key(a, "depth_profile")["data"] if t.get("y") is not None]
    traces_b = [t for t in spec_by_key(b, "depth_profile")["data"] if t.get("y") is not None]
    assert max(len(values(t["y"])) for t in traces_a) == 8
    assert max(len(values(t["y"])) for t in traces_b) == 5
    assert not a.exception and not b.exception


def test_gradient_descent_learning_rates_stay_per_learner():
    a = open_page("4_gradient_descent.py", timeout=120)
    b = open_page("4_gradient_descent.py", timeout=120)
    a.select_slider(key="gd_lr_sgd").set_value(0.01).run()
    b.select_slider(key="gd_lr_sgd").set_value(0.002).run()
    a.run()
    assert a.select_slider(key="gd_lr_sgd").value == 0.01
    assert b.select_slider(key="gd_lr_sgd").value == 0.002
    rows_a = a.dataframe[0].value.set_index("optimizer")
    rows_b = b.dataframe[0].value.set_index("optimizer")
    assert "0.01" in rows_a.loc["SGD", "settings"]
    assert "0.002" not in rows_a.loc["SGD", "settings"]
    assert "0.002" in rows_b.loc["SGD", "settings"]
    assert rows_a.loc["SGD", "final loss"] != rows_b.loc["SGD", "final loss"]
    assert not a.exception and not b.exception
