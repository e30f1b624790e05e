"""Predict, then reveal, on every page: the page's questions (``dlviz.questions``) in one
expander under its introduction, and the learner's progress in session state.

Each question is a small form: the learner commits to a choice, a number or a sketched curve,
then **Reveal** runs the question's experiment (cached, the same dlviz code the page runs) and
shows the computed answer next to the prediction, right or wrong in words and marks (never
colour alone), the measured curve with a text alternative, and the explanation.
``dlviz.ui.common.page_header`` calls ``visit`` and ``show`` for the page file that called it, so
every page with a question file gets its questions without a line of its own (in AppTest too,
which runs a page file without app.py), and they are there even when a page stops early.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import streamlit as st

from dlviz import display
from dlviz.questions import Outcome, Progress, Question, judge, load_page, run, truth
from dlviz.ui import links
from dlviz.ui.registry import PAGES

_PROGRESS = "_dlviz_progress"
_REVEALED = "_dlviz_revealed"  # uid -> the prediction shown in the reveal


def progress() -> Progress:
    """This session's progress (created on first use)."""
    if _PROGRESS not in st.session_state:
        st.session_state[_PROGRESS] = Progress()
    return st.session_state[_PROGRESS]


def page_of(script: str) -> str | None:
    """The URL path of the registered page whose file is ``script`` (None for another file)."""
    name = Path(script).name
    return next((p.url_path for p in PAGES if Path(p.path).name == name), None)


def visit(page: str | None) -> None:
    """Note that the learner opened ``page`` (its URL path), for the learning path on Home."""
    if page is not None:
        progress().visit(page)


@st.cache_data(max_entries=128, show_spinner=False)
def outcome(page: str, question_id: str) -> Outcome:
    """The experiment of one question, run once per server (its inputs are fixed in the file)."""
    question = next(q for q in load_page(page) if q.id == question_id)
    return run(question)


def show(page: str | None) -> None:
    """The page's questions in an expander (none in embed mode or for a page without any)."""
    questions = load_page(page) if page else ()
    if not questions or links.embedded():
        return
    answered, right = progress().page_counts(page, [q.uid for q in questions])
    with st.expander(
        f"Predict, then reveal: {len(questions)} questions", icon=":material/psychology_alt:"
    ):
        st.markdown(  # body text, not a caption: a caption's grey fails contrast in here
            f"Commit to a prediction first; then dlviz runs the experiment with this page's own "
            f"code and shows what really happens. Answered {answered} of {len(questions)}, "
            f"{right} right."
        )
        for i, question in enumerate(questions):
            with st.container(border=True):
                _question(i + 1, question)


def _key(question: Question, part: str = "") -> str:
    return f"quiz_{question.page}_{question.id}".replace("-", "_") + (f"_{part}" if part else "")


def _label(question: Question, value: str | float) -> str:
    if question.kind == "number":
        unit = f" {question.unit}" if question.unit else ""
        return display.number(float(value), 4) + unit
    choice = question.choice(str(value))
    return choice.label if choice else str(value)


def _question(number: int, question: Question) -> None:
    st.markdown(f"**{number}.** {question.prompt}")
    revealed = st.session_state.setdefault(_REVEALED, {})
    if question.uid in revealed:
        _reveal(question, revealed[question.uid])
        return
    with st.form(_key(question, "form"), border=False):
        _prediction_input(question)
        submitted = st.form_submit_button(
            "Reveal",
            icon=":material/visibility:",
            key=_key(question, "reveal"),
            on_click=_submit,
            args=(question,),
        )
    if submitted:  # _submit found no prediction (with one, the question shows its reveal)
        st.warning("Choose your prediction first, then press **Reveal**.")


def _submit(question: Question) -> None:
    """Reveal's callback, before the rerun draws the page: run the experiment (cached), record
    the answer, and mark the question revealed, so the rerun shows the reveal instead of the
    form."""
    prediction = st.session_state.get(_key(question, "guess"))
    if prediction is None:
        return
    result = outcome(question.page, question.id)
    progress().record(question.uid, prediction, judge(question, prediction, result))
    st.session_state.setdefault(_REVEALED, {})[question.uid] = prediction


def _prediction_input(question: Question) -> None:
    label = "Your prediction"
    if question.kind == "number":
        st.number_input(
            label + (f" ({question.unit})" if question.unit else ""),
            min_value=question.min_value,
            max_value=question.max_value,
            step=question.step,
            value=None,
            format="%g",
            placeholder="type a number",
            key=_key(question, "guess"),
        )
        return
    if question.kind == "curve":
        cols = st.columns(len(question.choices))
        for col, (letter, choice) in zip(cols, _lettered(question), strict=True):
            _sketch(col, choice.sketch, f"{letter}: {choice.label}")
    options = [c.key for c in question.choices]
    letters = dict((c.key, letter) for letter, c in _lettered(question))
    st.radio(
        label,
        options,
        index=None,
        format_func=lambda k: (
            f"{letters[k]}: {question.choice(k).label}"
            if question.kind == "curve"
            else question.choice(k).label
        ),
        horizontal=question.kind == "curve",
        key=_key(question, "guess"),
    )


def _sketch(where, name: str, label: str) -> None:
    """A sketch as an SVG <img> with its label as alt text (for screen readers) and its label
    as text below it."""
    from dlviz.plots import quiz as plots

    svg = base64.b64encode(plots.sketch_svg(name, label).encode()).decode("ascii")
    where.markdown(  # an <img> with alt text (st.image has none; st.html drops inline SVG)
        f'<img src="data:image/svg+xml;base64,{svg}" alt="{html.escape(label)}" width="180">'
        f"<br>{html.escape(label)}",
        unsafe_allow_html=True,
    )


def _lettered(question: Question):
    return [(chr(ord("A") + i), c) for i, c in enumerate(question.choices)]


def _reveal(question: Question, prediction: str | float) -> None:
    result = outcome(question.page, question.id)
    right = truth(question, result)
    correct = judge(question, prediction, result)
    st.markdown(
        f"Your prediction: **{display.escape_markdown(_label(question, prediction))}** · "
        f"the experiment: **{display.escape_markdown(_label(question, right))}**"
    )
    if correct:
        st.success("✓ Right.", icon=":material/check_circle:")
    else:
        st.warning("✗ Not this time: here is what happened.", icon=":material/cancel:")
    st.markdown(result.summary)
    if result.curve is not None:
        _curves(question, prediction, result)
    st.markdown(f"**Why.** {question.explanation}")
    st.button(
        "Try again",
        key=_key(question, "again"),
        icon=":material/replay:",
        on_click=_forget,
        args=(question,),
    )


def _forget(question: Question) -> None:
    """Ask the question again: no reveal and an empty prediction (the progress keeps the answer)."""
    st.session_state[_REVEALED].pop(question.uid, None)
    st.session_state.pop(_key(question, "guess"), None)


def _curves(question: Question, prediction: str | float, result: Outcome) -> None:
    from dlviz.plots import quiz as plots

    figure = plots.outcome_figure(result)
    if question.kind == "curve":
        picked = question.choice(str(prediction))
        left, right = st.columns([1, 2])
        _sketch(left, picked.sketch, f"You picked: {picked.label}")
        right.plotly_chart(figure, key=_key(question, "measured"))
    else:
        st.plotly_chart(figure, key=_key(question, "measured"))  # described just below
    st.markdown(f"*{plots.describe(result)}*")  # the chart's text alternative
