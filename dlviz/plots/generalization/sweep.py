"""The capacity x data sweep as two heatmaps: each cell's generalization gap and its validation
accuracy (model width down, training images across). Cells not run yet stay empty."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dlviz.display import percent
from dlviz.generalization import RunCurves, SweepSetup, gap_at
from dlviz.plots.style import INK, SEQUENTIAL, styled

GAP_SCALE = [[0.0, "#FFFFFF"], [0.5, "#F4A582"], [1.0, "#B2182B"]]


def sweep_cells(sweep: SweepSetup, runs: Sequence[RunCurves]) -> dict[tuple[int, int], RunCurves]:
    """The runs by (width, training images) of their config."""
    cells = {}
    for run in runs:
        cells[(run.config.model.hidden[0], run.config.train_subset)] = run
    return cells


def sweep_figure(sweep: SweepSetup, runs: Sequence[RunCurves]) -> go.Figure:
    """Gap (training minus validation accuracy) and validation accuracy for every finished cell."""
    cells = sweep_cells(sweep, runs)
    cols = [f"{n:,}" for n in sweep.sizes]
    rows = [f"width {w}" for w in sweep.widths]
    gap_z, acc_z, gap_text, acc_text, hovers = [], [], [], [], []
    for w in sweep.widths:
        g_row, a_row, gt_row, at_row, h_row = [], [], [], [], []
        for n in sweep.sizes:
            run = cells.get((w, n))
            gap = gap_at(run.history) if run is not None else None
            g_row.append(None if gap is None else 100 * gap.accuracy_gap)
            a_row.append(None if gap is None else gap.val_acc)
            gt_row.append("" if gap is None else percent(gap.accuracy_gap, 0))
            at_row.append("" if gap is None else percent(gap.val_acc, 0))
            h_row.append(
                f"width {w}, {n:,} training images<br>not run yet" if gap is None else
                f"width {w}, {n:,} training images<br>training accuracy {percent(gap.train_acc)}"
                f"<br>validation accuracy {percent(gap.val_acc)}<br>gap "
                f"{percent(gap.accuracy_gap)}" + (" (from the cache)" if run.cached else "")
            )  # fmt: skip
        for z, row in ((gap_z, g_row), (acc_z, a_row), (gap_text, gt_row), (acc_text, at_row),
                       (hovers, h_row)):  # fmt: skip
            z.append(row)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.24,
                        subplot_titles=("generalization gap (train − validation accuracy)",
                                        "validation accuracy"))  # fmt: skip
    fig.add_heatmap(
        z=gap_z, x=cols, y=rows, text=gap_text, texttemplate="%{text}", colorscale=GAP_SCALE,
        zmin=0, zmax=max(20.0, *(v for r in gap_z for v in r if v is not None)),
        customdata=hovers, hovertemplate="%{customdata}<extra></extra>", xgap=2, ygap=2,
        colorbar={"title": "gap (points)", "x": 0.39, "len": 0.9, "thickness": 12}, row=1, col=1,
    )  # fmt: skip
    fig.add_heatmap(
        z=acc_z, x=cols, y=rows, text=acc_text, texttemplate="%{text}", colorscale=SEQUENTIAL,
        zmin=0, zmax=1, customdata=hovers, hovertemplate="%{customdata}<extra></extra>",
        xgap=2, ygap=2, colorbar={"title": "accuracy", "tickformat": ".0%", "len": 0.9, "thickness": 12},
        row=1, col=2,
    )  # fmt: skip
    fig.update_xaxes(title="training images", type="category")
    fig.update_yaxes(type="category", autorange="reversed")
    styled(fig, height=380)
    fig.update_annotations(font={"size": 13, "color": INK})
    return fig
