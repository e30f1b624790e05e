"""Predict, then reveal on the pages, and the learning path's progress on Home (AppTest).

The learner commits (a choice, a number, a sketched curve), presses Reveal, and sees the computed
answer beside the prediction, right / wrong in words and marks, and the explanation; progress is
counted on Home, downloaded and loaded again (a bad file gets a plain message). A property test
reveals random predictions on every page's questions and checks each page stays clean.
"""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from dlviz.questions import Progress, all_questions, load_page, to_json
from tests.app.conftest import open_page
from tests.app.hardening import PAGE_SETTINGS, assert_clean


def key(uid: str, part: str) -> str:
    page, qid = uid.split("/")
    return f"quiz_{page}_{qid}".replace("-", "_") + f"_{part}"


def reveal(at, uid: str, prediction) -> None:
    """Commit ``prediction`` to question ``uid`` and press Reveal."""
    question = next(q for q in all_questions() if q.uid == uid)
    widget = at.number_input if question.kind == "number" else at.radio
    widget(key=key(uid, "guess")).set_value(prediction)
    at.button(key=key(uid, "reveal")).click().run()
    assert_clean(at, f"{uid} = {prediction!r}")


def texts(at, kind: str) -> list[str]:
    return [e.value for e in at.get(kind)]


def sketches(at) -> list[str]:
    """The alt texts of the sketches (what a screen reader reads)."""
    return re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', " ".join(
        texts(at, "markdown")))  # fmt: skip


def test_a_wrong_choice_is_revealed_beside_the_computation_in_words():
    at = open_page("1_activations.py")
    assert any(e.label.startswith("Predict, then reveal: 4") for e in at.expander)
    reveal(at, "activations/sigmoid-ten-layers", "hundredth")
    shown = " ".join(texts(at, "markdown"))
    assert "Your prediction: **about a hundredth**" in shown
    assert "the experiment: **about a millionth**" in shown
    assert "0.25^10 = **9.54e-07**" in shown  # the computed number, not only the key
    assert any(w.startswith("✗") for w in texts(at, "warning"))  # a mark and words, not colour
    assert any("vanishing gradient" in t for t in texts(at, "markdown"))  # the explanation
    assert (
        at.session_state["_dlviz_progress"].answers["activations/sigmoid-ten-layers"].correct
        is False
    )


def test_a_number_close_enough_is_right_and_try_again_asks_again():
    at = open_page("1_activations.py")
    reveal(at, "activations/sigmoid-peak-slope", 0.25)
    assert any(s.startswith("✓ Right") for s in texts(at, "success"))
    assert at.get("plotly_chart")  # the measured f′ curve, with its text alternative
    assert any(c.startswith("*Chart: f′(x) against x") for c in texts(at, "markdown"))
    at.button(key=key("activations/sigmoid-peak-slope", "again")).click().run()
    assert at.number_input(key=key("activations/sigmoid-peak-slope", "guess")).value is None


def test_reveal_without_a_prediction_asks_for_one():
    at = open_page("1_activations.py")
    at.button(key=key("activations/steepest-at-three", "reveal")).click().run()
    assert any("Choose your prediction first" in w for w in texts(at, "warning"))
    assert "activations/steepest-at-three" not in at.session_state["_dlviz_progress"].answers


def test_a_curve_question_offers_sketches_and_shows_the_measured_curve():
    at = open_page("4_gradient_descent.py")
    uid = "gradient-descent/lr-0.6-on-L-4"
    assert at.radio(key=key(uid, "guess")).options == [
        "A: slides to 0",
        "B: jumps across 0, closer each time",
        "C: jumps across 0, further each time",
    ]
    assert {"A: slides to 0", "C: jumps across 0, further each time"} <= set(sketches(at))
    reveal(at, uid, "diverge")
    assert any(s.startswith("✓ Right") for s in texts(at, "success"))
    assert "You picked: jumps across 0, further each time" in sketches(at)
    measured = [c for c in at.get("plotly_chart") if "What the experiment measured" in c.proto.spec]
    assert len(measured) == 1  # the real loss curve beside the sketch picked


def test_a_page_that_stops_early_still_asks():
    """The Loss landscape stops when no run is stored yet; its questions are above the stop."""
    at = open_page("10_loss_landscape.py")
    assert any(e.label.startswith("Predict, then reveal") for e in at.expander)
    reveal(at, "loss-landscape/forward-passes", 483)
    assert any(s.startswith("✓ Right") for s in texts(at, "success"))


def test_home_counts_progress_and_loads_a_saved_file():
    at = open_page("1_activations.py")
    reveal(at, "activations/sigmoid-peak-slope", 0.25)
    at.switch_page("pages/0_home.py").run()
    total = len(all_questions())
    assert any(
        f"1 of {total} predictions made, 1 right" in t
        for t in texts(at, "markdown") + [p.proto.text for p in at.get("progress")]
    )
    cards = " ".join(texts(at, "markdown"))
    assert "✓ visited · 1 of 4 predictions made, 1 right" in cards
    assert "○ not visited yet" in cards
    saved = Progress()
    saved.record("loss/mse-or-ce", "ce", True)
    saved.visit("loss")
    at.file_uploader(key="home_progress_upload").set_value(
        ("dlviz-progress.json", to_json(saved).encode(), "application/json")
    )
    at.run()
    assert_clean(at)
    assert any("Loaded 1 predictions" in s for s in texts(at, "success"))
    assert "loss/mse-or-ce" in at.session_state["_dlviz_progress"].answers
    assert "✓ visited · 1 of 3 predictions made, 1 right" in " ".join(texts(at, "markdown"))


def test_a_bad_progress_file_gets_a_plain_message():
    at = open_page("0_home.py")
    bad = json.dumps({"format": "something else"}).encode()
    at.file_uploader(key="home_progress_upload").set_value(("p.json", bad, "application/json"))
    at.run()
    assert_clean(at)
    assert any("not a dlviz progress file" in e for e in texts(at, "error"))


PAGES_WITH_FILES = {
    "activations": "1_activations.py",
    "loss": "2_loss.py",
    "backprop": "3_backprop.py",
    "gradient-descent": "4_gradient_descent.py",
    "depth-and-init": "6_depth_and_init.py",
    "convolution": "7_convolution.py",
    "generalization": "9_generalization.py",
}
_APPS: dict = {}


def _prediction(question, data):
    if question.kind == "number":
        return data.draw(
            st.floats(question.min_value, question.max_value, allow_nan=False)
            | st.sampled_from(
                [question.min_value, question.max_value, 0.0, float(question.answer)]
            ),
            label="number",
        )
    return data.draw(st.sampled_from([c.key for c in question.choices]), label="choice")


@PAGE_SETTINGS
@given(data=st.data())
def test_any_prediction_on_any_question_reveals_cleanly(data):
    page = data.draw(st.sampled_from(sorted(PAGES_WITH_FILES)), label="page")
    if page not in _APPS:
        _APPS[page] = open_page(PAGES_WITH_FILES[page])
    at = _APPS[page]
    question = data.draw(st.sampled_from(load_page(page)), label="question")
    uid = question.uid
    again = [b for b in at.button if b.key == key(uid, "again")]
    if again:
        again[0].click().run()
    reveal(at, uid, _prediction(question, data))
    verdicts = texts(at, "success") + texts(at, "warning")
    assert any(v.startswith(("✓", "✗")) for v in verdicts)
