"""The charts that redraw most are laid out once per draw: their margins are what Plotly would
grow them to (``dlviz.plots.style.AXES``), so Plotly never draws them a second time to fit tick
labels and legends. Streamlit draws a chart from scratch whenever its figure changes, so a
second layout pass doubled the cost of every slider move and every Playground poll."""

from __future__ import annotations

import pytest

from tests.support import open_app_page, wait_drawn

pytestmark = pytest.mark.e2e

# the page, and the charts on it that a learner redraws again and again
REDRAWN = {
    "activations": ("act_chart",),
    "activations?act_tab=Compare": ("act_compare_chart",),
    "activations?act_tab=Softmax": ("act_softmax_bars", "act_sweep_chart", "act_jacobian"),
    "depth-and-init": ("depth_profile", "depth_ridgeline"),
    "loss": ("loss_ce_chart",),
    "backprop": ("bp_step_chart",),
    "gradient-descent": ("gd_chart",),
    "playground": ("pg_regions", "pg_network", "pg_curves", "pg_confusion"),
}

GROWN = """key => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  if (!gd || !gd._fullLayout) return null;
  const want = gd._fullLayout.margin, drawn = gd._fullLayout._size;
  return Object.fromEntries(['l', 'r', 't', 'b'].filter(k => drawn[k] > want[k] + 0.5)
    .map(k => [k, [want[k], drawn[k]]]));
}"""


@pytest.mark.parametrize("url_path", sorted(REDRAWN))
def test_the_most_redrawn_charts_keep_their_margins(page, app_url, url_path):
    open_app_page(page, app_url, url_path)
    wait_drawn(page)
    grown = {key: page.evaluate(GROWN, key) for key in REDRAWN[url_path]}
    assert None not in grown.values(), grown  # every chart is on the page and drawn
    assert grown == {key: {} for key in REDRAWN[url_path]}, grown  # {side: [set, drawn]}
