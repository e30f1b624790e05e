"""What the Depth page shows for one study, checked without Streamlit: words and chart data.

``page_problems(study)`` runs the page's own formatting (dlviz.depth.report's headline and
verdicts) and figure builders, and lists everything a learner must never see: a raw NaN / inf /
None / -0 in a metric or sentence or hover, a severity that is not a dlviz one, a chart value that
is neither drawable nor inside a marked gap. The exhaustive grid and the regression tests share it.
"""

from __future__ import annotations

import math

from dlviz.depth import DepthStudy
from dlviz.depth.report import SEVERITIES, diagnose, headline
from dlviz.plots.depth import depth_profile_figure, ridgeline_figure
from tests.app.hardening import _BAD_CELL, _NEGATIVE_ZERO, _NUMBER_WORD


def raw(text: str) -> bool:
    """True when ``text`` prints NaN/inf/None/-0 where a number belongs (the pages' own rule)."""
    t = str(text).strip()
    if t.lower() in _BAD_CELL or _NEGATIVE_ZERO.fullmatch(t):
        return True
    return bool(_NUMBER_WORD.search(t) or _NEGATIVE_ZERO.search(t))


def word_problems(study: DepthStudy) -> list[str]:
    """Raw numbers in the headline metrics or the verdicts; severities outside SEVERITIES."""
    found = [f"metric {m.label!r} reads {m.value!r}" for m in headline(study) if raw(m.value)]
    found += [f"metric help {m.help!r}" for m in headline(study) if raw(m.help)]
    for verdict in diagnose(study):
        if verdict.severity not in SEVERITIES:
            found.append(f"severity {verdict.severity!r}")
        if raw(verdict.sentence):
            found.append(f"verdict {verdict.sentence!r}")
    return found


def _profile_problems(study: DepthStudy) -> list[str]:
    fig = depth_profile_figure({"main": study}, "main")
    shapes, found = fig.layout.shapes, []
    labels = {(a.xref, a.text) for a in fig.layout.annotations}
    for trace in fig.data:
        for layer, y in zip(trace.x, trace.y, strict=True):
            if y is None:
                marked = [s for s in shapes if s.xref == trace.xaxis and s.x0 < layer < s.x1]
                if not marked or not any(ref == trace.xaxis for ref, _ in labels):
                    found.append(f"{trace.xaxis}: layer {layer} left out without a mark")
            elif not (math.isfinite(y) and y > 0):
                found.append(f"{trace.xaxis}: layer {layer} plots {y!r} on a log axis")
    found += [f"label {text!r}" for _, text in labels if raw(text)]
    return found


def _ridgeline_problems(study: DepthStudy) -> list[str]:
    fig, found = ridgeline_figure(study), []
    found += [f"ridgeline tick {t!r}" for t in fig.layout.yaxis.ticktext if raw(t)]
    for trace in fig.data:
        if not all(math.isfinite(v) for v in (*trace.x, *trace.y)):
            found.append(f"ridgeline {trace.name}: non-finite coordinates")
        texts = [trace.hovertemplate, *(c for row in trace.customdata for c in row)]
        found += [f"ridgeline hover {t!r}" for t in texts if raw(t)]
    return found


def page_problems(study: DepthStudy, figures: bool = True) -> list[str]:
    """Everything wrong with what the page would show for ``study`` (empty when all is well)."""
    found = word_problems(study)
    if figures:
        found += _profile_problems(study) + _ridgeline_problems(study)
    return found
