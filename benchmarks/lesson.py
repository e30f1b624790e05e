"""The scripted lesson, page by page, and each page's main control, for a ``Learner``.

Every control here is one timed interaction (``Learner.measure``) whose "shown" condition proves
the new value is drawn: the Activations probe's exact x in the chart, a chart's data signature,
the Backprop graph's step (stepped in the browser), the Playground's epoch counter, a finished training's
message, the landscape's caption with the new direction seed. ``lesson()`` strings them together
the way a class goes through the app; ``bench_browser`` times the controls one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from playwright.async_api import Error as PlaywrightError

from benchmarks.learner import FAILED, OK, Learner, Sample
from tests.support import BACKPROP_STEP, BACKPROP_STEP_SHOWN, PROBE_SHOWN

TRAIN_TIMEOUT = 600.0  # a Digits run takes seconds on a quiet machine, much longer when queued
EPOCH = """() => {
  const m = document.querySelector('.st-key-pg_epoch [data-testid="stMetricValue"]');
  return m ? parseInt(m.innerText.replace(/,/g, ''), 10) : -1;
}"""
# what the Playground shows: which toolbar button, the trainer's message or hint, the epoch
PLAYGROUND_STATE = """() => {
  const has = k => Boolean(document.querySelector(`.st-key-${k} [data-testid^=stBaseButton]`));
  const said = [...document.querySelectorAll('[data-testid="stAlert"], [data-testid="stCaptionContainer"]')]
    .map(e => e.innerText.trim()).filter(t => /train|pause|stop|play|epoch/i.test(t)).slice(0, 2);
  return `play ${has('pg_play')}, pause ${has('pg_pause')}; ${said.join(' / ').slice(0, 200)}`;
}"""
# the Playground's epoch counter as shown: every change, with its time (ms), kept in the page
WATCH_EPOCHS = f"""() => {{
  window.dlvizEpochs = [];
  let last = null;
  window.dlvizEpochWatch = setInterval(() => {{
    const e = ({EPOCH})();
    if (e !== last) {{ window.dlvizEpochs.push([performance.now(), e]); last = e; }}
  }}, 20);
}}"""


@dataclass(frozen=True)
class LessonPlan:
    """How much of each thing a learner does; ``quick()`` for a short smoke run."""

    probe_moves: int = 5
    slider_moves: int = 3
    play_seconds: float = 60.0
    train_epochs: int = 2

    @staticmethod
    def quick() -> LessonPlan:
        return LessonPlan(probe_moves=3, slider_moves=2, play_seconds=10.0)


# --- each page's controls (one timed interaction each) ------------------------------------------


async def probe_move(lr: Learner, key: str = "ArrowRight", presses: int = 1):
    """Activations: the probe slider by keyboard; shown = the chart's dot and the verdict at x."""
    target = round(
        await lr.slider_value("act_x") + 0.05 * presses * (1 if "Right" in key else -1), 2
    )
    return await lr.measure(
        "activations probe",
        lambda: lr.press_slider("act_x", [key] * presses),
        lambda: lr.page.wait_for_function(PROBE_SHOWN, arg=target, timeout=lr.ms()),
    )


async def chart_after(lr: Learner, kind: str, chart: str, act):
    """Any input ``act`` whose result is chart ``chart`` drawn with other data."""
    before = await lr.signature(chart)
    return await lr.measure(kind, act, lambda: lr.chart_changed(chart, before))


async def slider_move(lr: Learner, kind: str, slider: str, chart: str, key: str = "ArrowRight"):
    return await chart_after(lr, kind, chart, lambda: lr.press_slider(slider, [key]))


async def step_up(lr: Learner, kind: str, number_input: str, chart: str):
    """A number input's + button (one step up)."""
    button = lr.page.locator(f".st-key-{number_input} [data-testid='stNumberInputStepUp']")
    return await chart_after(lr, kind, chart, await lr.aim(button))


async def backprop_move(lr: Learner, delta: int):
    """Backprop's Prev (-1) or Next (+1) in the graph figure, stepped in the browser (no script
    run); shown = the figure's slider, the text above the graph and its boxes at the new step."""
    state = await lr.page.evaluate(BACKPROP_STEP)
    at = state["step"] if state else 0
    target = min(max(at + delta, 0), state["total"] if state else 0)
    label = "Prev" if delta < 0 else "Next"
    button = lr.page.locator(".st-key-bp_graph g.updatemenu-button", has_text=label).first
    return await lr.measure(
        "backprop step",
        await lr.aim(button),
        lambda: lr.page.wait_for_function(BACKPROP_STEP_SHOWN, arg=target, timeout=lr.ms()),
    )


def descent_lr_move(lr: Learner, key: str = "ArrowLeft"):
    """Gradient descent: the first optimizer's learning rate (one option down by default)."""
    slider = lr.page.locator("[class*='st-key-gd_lr_'] input[type=range]").first
    return chart_after(lr, "descent learning rate", "gd_chart", lambda: press(lr, slider, key))


async def press(lr: Learner, locator, key: str) -> None:
    await locator.focus()
    await lr.page.keyboard.press(key)


async def epoch(lr: Learner) -> int:
    return int(await lr.page.evaluate(EPOCH))


async def playground_step(lr: Learner):
    """Playground's Step: shown = the epoch counter one higher."""
    before = await epoch(lr)
    return await lr.measure(
        "playground step",
        await lr.aim(lr.button("pg_step")),
        lambda: lr.page.wait_for_function(f"() => ({EPOCH})() > {before}", timeout=lr.ms()),
    )


async def choose_digits_run(lr: Learner, epochs: int, seed: int) -> None:
    """Training page: the seed-mlp preset, ``epochs`` epochs and ``seed`` in the form (untimed)."""
    await lr.page.locator(".st-key-train_model [data-testid='stSelectbox']").click()
    await lr.page.get_by_role("option", name="seed-mlp").first.click()
    await lr.settle()
    await lr.press_slider("train_epochs", ["Home"] + ["ArrowRight"] * (epochs - 1))
    await lr.page.locator(".st-key-train_seed input").fill(str(seed))


async def train_digits(lr: Learner, epochs: int):
    """Train (the form's submit), timed until the result says "Trained <epochs> epochs"."""
    click = await lr.aim(lr.button("train_go"))
    return await lr.measure(
        "train digits",
        _nothing,  # run_outcome clicks once its waits are armed
        lambda: lr.run_outcome(click, f"Trained {epochs} epochs", TRAIN_TIMEOUT),
    )


async def landscape_compute(lr: Learner, seed: int):
    """Loss landscape: a new direction seed and Compute; shown = the caption naming that seed."""
    await lr.page.locator(".st-key-land_seed input").fill(str(seed))
    click = await lr.aim(lr.button("land_compute"))
    return await lr.measure(
        "landscape compute",
        _nothing,
        lambda: lr.run_outcome(click, f"directions seed {seed};", TRAIN_TIMEOUT),
    )


async def landscape_run(lr: Learner) -> None:
    """An empty run store offers a quick Digits run: train it (untimed) until the form shows."""
    if await lr.page.locator(".st-key-land_compute").count():
        return
    await lr.button("land_train").click()
    await lr.page.wait_for_selector(".st-key-land_compute", timeout=TRAIN_TIMEOUT * 1000)
    await lr.settle()


async def _nothing() -> None:
    """The input happens inside ``shown``, once its waits are armed."""


async def open_tab(lr: Learner, name: str, control: str) -> None:
    """Open the tab ``name`` and wait (untimed) until its ``control`` is drawn: a tab's content
    is built when it is first opened (lazy tabs), which the next timed input must not include."""
    await lr.page.get_by_role("tab", name=name).click()
    await lr.page.wait_for_selector(f".st-key-{control}", timeout=lr.ms())
    await lr.settle()


# --- the lesson, page by page -------------------------------------------------------------------


async def activations(lr: Learner, plan: LessonPlan) -> None:
    await lr.open("activations")
    for _ in range(plan.probe_moves):
        await probe_move(lr)
    await open_tab(lr, "Softmax", "act_logit_0")
    await step_up(lr, "softmax logit", "act_logit_0", "act_softmax_bars")


async def loss(lr: Learner, plan: LessonPlan) -> None:
    await lr.open("loss")
    for _ in range(plan.slider_moves):
        await slider_move(lr, "loss p", "loss_p", "loss_ce_chart")
    await open_tab(lr, "Logits → loss → gradient", "loss_step")
    step = lr.button("loss_step")
    await chart_after(lr, "loss gradient step", "loss_softmax_chart", await lr.aim(step))


async def backprop(lr: Learner, plan: LessonPlan) -> None:
    await lr.open("backprop")
    await backprop_move(lr, -1)
    await backprop_move(lr, +1)


async def descent(lr: Learner, plan: LessonPlan) -> None:
    await lr.open("gradient-descent")
    await descent_lr_move(lr)
    await step_up(lr, "descent start", "gd_x0", "gd_chart")


async def playground(lr: Learner, plan: LessonPlan) -> None:
    """Play for ``plan.play_seconds`` (every change of the epoch counter is a redraw), Pause."""
    await lr.open("playground")
    await lr.page.evaluate(WATCH_EPOCHS)
    await lr.measure(
        "playground play",
        await lr.aim(lr.button("pg_play")),
        lambda: lr.page.wait_for_function(f"() => ({EPOCH})() > 0", timeout=lr.ms()),
    )
    await asyncio.sleep(plan.play_seconds)  # the learner watches it train
    pause = await lr.aim(lr.button("pg_pause"))
    paused = await lr.measure(
        "playground pause",
        pause,
        lambda: lr.page.wait_for_function(
            "() => Boolean(document.querySelector('.st-key-pg_play [data-testid^=stBaseButton]'))",
            timeout=lr.ms(),
        ),
    )
    if paused.outcome != OK:  # why: what the toolbar and the trainer's message said then
        with contextlib.suppress(PlaywrightError):
            said = await lr.page.evaluate(PLAYGROUND_STATE)
            paused.detail += f" | page: {said}"
    changes = await lr.page.evaluate(
        "() => { clearInterval(window.dlvizEpochWatch); return window.dlvizEpochs; }"
    )
    shown = [t for t, e in changes if e > 0]
    for a, b in zip(shown, shown[1:], strict=False):
        lr.recorder.add(Sample("playground redraw interval", (b - a) / 1000, OK, lr.index))


async def training(lr: Learner, plan: LessonPlan, together: asyncio.Barrier | None) -> None:
    """Open the page; a learner given a barrier trains once all the trainers are ready."""
    await lr.open("training")
    if together is None:
        return
    epochs = plan.train_epochs + lr.index  # different runs: the store would dedupe equal ones
    try:
        await choose_digits_run(lr, epochs, seed=0)
    except PlaywrightError:
        await together.abort()  # the other trainer goes ahead alone
        raise
    with contextlib.suppress(asyncio.BrokenBarrierError, TimeoutError):
        await asyncio.wait_for(together.wait(), TRAIN_TIMEOUT / 2)
    await train_digits(lr, epochs)


async def landscape(lr: Learner, plan: LessonPlan) -> None:
    """Open it (a quick Digits run first when the store is empty), then compute a new plane."""
    opened = await lr.open("loss-landscape", timeout=TRAIN_TIMEOUT)
    if opened.outcome == OK:
        await landscape_run(lr)
        await landscape_compute(lr, seed=1 + lr.index)


async def lesson(lr: Learner, plan: LessonPlan, together: asyncio.Barrier | None) -> None:
    """Home, then every stop of the lesson; a stop that breaks is recorded and the next begins."""
    await lr.start()
    stops = [activations, loss, backprop, descent, playground]
    for stop in stops:
        await section(lr, stop.__name__, stop(lr, plan))
    await section(lr, "training", training(lr, plan, together))
    await section(lr, "landscape", landscape(lr, plan))


async def section(lr: Learner, name: str, steps) -> None:
    """Run one stop; a setup step that fails (outside a timed interaction) is a FAILED sample."""
    try:
        await steps
    except PlaywrightError as err:
        detail = str(err).splitlines()[0][:160]
        lr.recorder.add(Sample(f"{name} (setup)", None, FAILED, lr.index, detail))
