"""Keyboard only, on every page (issue 19): Tab from the top reaches every control a learner needs,
each shows where the focus is, and the page's main interaction works without a mouse.

- The walk: from the top of the page, Tab until every control in view in dlviz's content
  (buttons, sliders, selects, pills, number and text inputs, the file uploader's button, the
  buttons plotly draws in a figure) has had the focus; a group that moves its focus with the
  arrow keys (radio buttons, tabs, pills) counts once. Each control that gets the focus must look
  different with it than without it (a screenshot of it focused and blurred): a visible focus
  indicator, in the light theme and the dark one.
- The interactions, keys only: Activations' probe slider (ArrowRight moves the chart's probe),
  Backpropagation's ◀ Prev in the figure (Enter steps back), Gradient descent's learning rate
  (ArrowRight redraws the paths), and Train on the Training page (Enter trains).
Waits are on conditions (Streamlit's run state, the drawn chart), never fixed sleeps.
"""

from __future__ import annotations

import pytest

from dlviz.ui.registry import HOME, PAGES
from tests.support import (
    BACKPROP_STEP_SHOWN,
    CHART_SIGNATURE,
    PROBE_SHOWN,
    assert_no_exception,
    new_page,
    open_app_page,
    rerun,
    wait_idle,
)

pytestmark = pytest.mark.e2e

# Every focusable control in view inside dlviz's content, each marked with data-kb (its index);
# a roving group (radios, tabs, pills: one stop, arrows inside) is one entry, marked on each member.
MARK_CONTROLS = """() => {
  const WIDGETS = ['stButton', 'stDownloadButton', 'stFormSubmitButton', 'stSlider',
    'stSelectbox', 'stMultiSelect', 'stNumberInput', 'stTextInput', 'stTabs', 'stRadio',
    'stButtonGroup', 'stCheckbox', 'stToggle', 'stExpander', 'stFileUploader', 'stPageLink',
    'stTooltipIcon'].map(t => `[data-testid="${t}"]`).concat(['.js-plotly-plot']).join(', ');
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'; };
  const selector = 'summary, button, input, select, textarea, a[href], [role="slider"], '
    + '[role="tab"], [role="radio"], [role="combobox"], .updatemenu-button';
  const wanted = [...main.querySelectorAll(selector)].filter(e =>
    !e.disabled && e.getAttribute('aria-disabled') !== 'true' && e.tabIndex !== -1
    || e.matches('[role="tab"], [role="radio"], input[type="radio"]')
    || !!e.closest('[data-testid="stButtonGroup"]'));
  const names = [];
  for (const e of wanted) {
    const box = e.matches('input') && !shown(e) ? e.parentElement : e;  // a visually hidden input
    const closed = e.closest('details:not([open])');  // in a closed expander: its summary only
    if (closed && !e.matches('summary')) continue;
    if (!shown(box) || e.closest('.modebar, [data-testid="stDataFrame"]')) continue;
    if (e.disabled || e.getAttribute('aria-disabled') === 'true') continue;
    const group = e.closest('[role="radiogroup"], [role="tablist"], [data-testid="stButtonGroup"]');
    const id = group ? (group.dataset.kbGroup ??= String(names.length)) : String(names.length);
    e.dataset.kb = id;
    const widget = e.closest(WIDGETS);
    e.dataset.kbKind = widget ? widget.dataset.testid || 'plotly' : e.tagName;
    if (Number(id) === names.length) {
      names.push((e.getAttribute('aria-label') || e.textContent || e.name || e.type || e.tagName)
      .trim().slice(0, 40));
    }
  }
  return names;
}"""

# The focused element: its data-kb mark (null for one outside dlviz's content) and its box.
FOCUSED = """() => { const e = document.activeElement;
  if (!e || e === document.body) return null;
  const inside = e.matches('input') && e.getBoundingClientRect().width < 2 ? e.parentElement : e;
  const r = inside.getBoundingClientRect();
  return {kb: e.dataset.kb ?? null, kind: e.dataset.kbKind ?? null, x: r.x, y: r.y, w: r.width, h: r.height,
          what: (e.getAttribute('aria-label') || e.textContent || e.tagName).trim().slice(0, 40)};
}"""

MAX_TABS = 160
SLIDER = 'input[type="range"], [role="slider"]'


def _clip(page, box: dict) -> dict | None:
    """The focused control's box with room for a ring around it, inside the viewport."""
    size = page.viewport_size
    x0, y0 = max(box["x"] - 6, 0), max(box["y"] - 6, 0)
    x1 = min(box["x"] + box["w"] + 6, size["width"])
    y1 = min(box["y"] + box["h"] + 6, size["height"])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}


def focus_is_visible(page, box: dict) -> bool:
    """The control looks different focused than blurred (then the focus goes back to it, so the
    next Tab continues from here)."""
    clip = _clip(page, box)
    if clip is None:
        return False
    focused = page.screenshot(clip=clip, animations="disabled")
    page.evaluate("() => { window.dlvizKbLast = document.activeElement; "
                  "document.activeElement.blur(); }")  # fmt: skip
    blurred = page.screenshot(clip=clip, animations="disabled")
    page.evaluate("() => window.dlvizKbLast.focus()")
    return focused != blurred


def tab_walk(page) -> tuple[list[str], list[str], list[str]]:
    """Tab from the top until every marked control had the focus; (every control's name, names
    never reached, names reached with no visible focus). The focus ring is looked at on the
    first control of each kind (a slider, a select box, a tab, a pill, ...): they share it."""
    names = page.evaluate(MARK_CONTROLS)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.locator("body").focus()
    reached: set[str] = set()
    invisible: list[str] = []
    kinds: set[str] = set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED)
        if now is None or now["kb"] is None or now["kb"] in reached:
            continue
        reached.add(now["kb"])
        if now["kind"] not in kinds:
            kinds.add(now["kind"])
            if not focus_is_visible(page, now):
                invisible.append(f"{now['kind']}: {names[int(now['kb'])]}")
        if len(reached) == len(names):
            break
    missing = [n for i, n in enumerate(names) if str(i) not in reached]
    return names, missing, invisible


@pytest.fixture
def keyboard_page(browser):
    pages = []

    def make(scheme: str = "light"):
        pages.append(new_page(browser, 1400, 1000, scheme))
        return pages[-1]

    yield make
    for page in pages:
        page.context.close()


@pytest.mark.parametrize("info", PAGES, ids=lambda p: p.url_path)
def test_tab_reaches_every_control_with_a_visible_focus(keyboard_page, app_url, info):
    for scheme in ("light", "dark") if info.url_path == "activations" else ("light",):
        page = keyboard_page(scheme)
        open_app_page(page, app_url, "" if info is HOME else info.url_path)
        names, missing, invisible = tab_walk(page)
        print(f"{info.url_path} ({scheme}): {len(names)} controls: {names}")
        assert names or info is HOME, "no control found: the walk checks nothing"
        assert not missing, f"{scheme}: Tab never reaches {missing}"
        assert not invisible, f"{scheme}: no visible focus on {invisible}"
        assert_no_exception(page)


def tab_to(page, test, limit: int = MAX_TABS) -> None:
    """Press Tab from the top until the focused element passes ``test`` (a JS predicate; it may
    call ``slider_label(e)``, the text of the slider's label)."""
    page.locator("body").focus()
    label = "const slider_label = e => (e.closest('[data-testid=\"stSlider\"]') || e).innerText;"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ {label} return ({test})(document.activeElement); }}"):
            return
    raise AssertionError(f"Tab never reached {test}")


def test_activations_probe_moves_with_the_arrow_keys(keyboard_page, app_url):
    page = keyboard_page()
    open_app_page(page, app_url, "activations")
    page.wait_for_function(PROBE_SHOWN, arg=1.0)
    tab_to(page, f"e => e.matches('{SLIDER}') && !!e.closest('.st-key-act_x')")
    with rerun(page):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(PROBE_SHOWN, arg=1.05)


def test_backprop_steps_back_with_enter(keyboard_page, app_url):
    page = keyboard_page()
    open_app_page(page, app_url, "backprop")
    page.wait_for_function(BACKPROP_STEP_SHOWN, arg=6)  # y = relu(w*x + b) opens at its last step
    tab_to(page, "e => e.getAttribute('aria-label') === '◀ Prev'")
    page.keyboard.press("Enter")
    page.wait_for_function(BACKPROP_STEP_SHOWN, arg=5)
    page.wait_for_function("() => document.activeElement.getAttribute('aria-label') === '◀ Prev'")
    page.keyboard.press("Enter")  # the focus stayed on the button: Enter again
    page.wait_for_function(BACKPROP_STEP_SHOWN, arg=4)


def test_gradient_descent_learning_rate_with_the_arrow_keys(keyboard_page, app_url):
    page = keyboard_page()
    open_app_page(page, app_url, "gradient-descent")
    before = page.evaluate(CHART_SIGNATURE, "gd_chart")
    tab_to(page, f"e => e.matches('{SLIDER}') && slider_label(e).startsWith('Learning rate')")
    with rerun(page):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({CHART_SIGNATURE})('gd_chart') !== {before!r}")
    assert_no_exception(page)


def test_training_trains_with_enter(keyboard_page, app_url):
    page = keyboard_page()
    open_app_page(page, app_url, "training")
    tab_to(page, f"e => e.matches('{SLIDER}') && slider_label(e).startsWith('Epochs')")
    page.keyboard.press("Home")  # the fewest epochs: a run of seconds
    tab_to(page, "e => e.matches('[data-testid=\"stBaseButton-primaryFormSubmit\"]')")
    page.keyboard.press("Enter")
    confusion = page.locator(".js-plotly-plot").filter(has_text="Confusion matrix after epoch")
    confusion.first.wait_for(timeout=480_000)  # trained: its results are drawn
    wait_idle(page)
    assert_no_exception(page)
