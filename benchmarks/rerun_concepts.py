"""Server-side rerun time of the concept pages (Activations, Loss) after one widget move.

Prints the AppTest rerun time (median and max over 15 reruns, each after a slider or input
change) per page and widget. Run from the repo root: ``python -m benchmarks.rerun_concepts``.
The issue's target: a slider move re-renders well under 500 ms.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.apptest_timer import APP, report, time_reruns


def _slider(key: str, values: list[float]):
    def action(at, i: int) -> None:
        at.slider(key=key).set_value(values[i % len(values)])

    return action


def _number(key: str, values: list[float]):
    def action(at, i: int) -> None:
        at.number_input(key=key).set_value(values[i % len(values)])

    return action


def _select_slider(key: str, values: list[float]):
    def action(at, i: int) -> None:
        at.select_slider(key=key).set_value(values[i % len(values)])

    return action


def _leaky_slope(at, i: int) -> None:
    """Switch to Leaky ReLU once, then move its slope slider."""
    if at.selectbox(key="act_name").value != "leaky_relu":
        at.selectbox(key="act_name").set_value("leaky_relu").run()
    at.slider(key="act_slope").set_value(round(0.005 * (i % 40 + 1), 3))


# Each action moves to a value not seen before in the run, so every rerun misses the figure cache
# for the figure that depends on it (the honest case: a learner dragging a slider).
PROBES = [round(-7.9 + 0.35 * i, 2) for i in range(40)]
CASES = [
    ("1_activations.py", "Activations: probe x slider (act_x)", _slider("act_x", PROBES)),
    ("1_activations.py", "Activations: Leaky ReLU slope (act_slope)", _leaky_slope),
    (
        "1_activations.py",
        "Activations: softmax logit input (act_logit_0)",
        _number("act_logit_0", [round(-5 + 0.37 * i, 2) for i in range(40)]),
    ),
    (
        "1_activations.py",
        "Activations: softmax temperature (act_temp)",
        # only 12 temperatures exist: the last 3 of the 15 reruns hit the figure cache
        _select_slider("act_temp", [0.1, 0.3, 0.75, 1.5, 3.0, 10.0, 0.05, 0.2, 0.5, 2.0, 5.0, 1.0]),
    ),
    (
        "2_loss.py",
        "Loss: probe p slider (loss_p)",
        _slider("loss_p", [0.013 + 0.024 * i for i in range(40)]),
    ),
    (
        "2_loss.py",
        "Loss: logit z slider (loss_z)",
        _slider("loss_z", [round(-7.8 + 0.4 * i, 1) for i in range(40)]),
    ),
    (
        "2_loss.py",
        "Loss: logit input (loss_logit_1)",
        _number("loss_logit_1", [round(-4 + 0.29 * i, 2) for i in range(40)]),
    ),
]


def first_render(page: str, repeats: int = 3) -> list[float]:
    """Milliseconds to render ``page`` on switching to it, with every Streamlit cache cleared."""
    times = []
    for _ in range(repeats):
        at = AppTest.from_file(APP, default_timeout=120).run()
        st.cache_data.clear()
        st.cache_resource.clear()
        t0 = time.perf_counter()
        at.switch_page(f"pages/{page}").run()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    print("AppTest rerun after one widget change (server side; includes building the figure)")
    for page, label, action in CASES:
        report(label, time_reruns(page, action))
    for page in ("1_activations.py", "2_loss.py"):
        report(f"first render, caches cleared: {page}", first_render(page))


if __name__ == "__main__":
    main()
