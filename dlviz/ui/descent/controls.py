"""The Gradient-descent page's controls: surface, start point, steps, tolerance, mini-batch noise.

``descent_controls()`` reads the whole box above the chart into a ``DescentConfig`` (the
optimizers' tabs come from ``dlviz.ui.descent.optimizers``). Widgets are bounded and keyed
``gd_*`` so tests can drive them. Changing the surface resets the start and the learning rates to
ones that suit it (an ``on_change`` callback).
"""

from __future__ import annotations

import streamlit as st

from dlviz.descent.compare import DescentConfig, SurfaceSpec, gradient_scale
from dlviz.descent.optimize import noise_std
from dlviz.descent.surfaces import SURFACE_NAMES, Surface
from dlviz.display import escape_markdown, number
from dlviz.expression import ExpressionError
from dlviz.ui.descent.optimizers import optimizer_controls
from dlviz.ui.descent.views import surface_view
from dlviz.ui.links import BIND

SURFACE_LABELS = {
    "quadratic": "Quadratic bowl (condition number κ)",
    "rosenbrock": "Rosenbrock valley",
    "himmelblau": "Himmelblau (four minima)",
    "beale": "Beale (plateaus and cliffs)",
    "saddle": "Saddle x² − y²",
    "custom": "Your own f(x, y)",
}
KAPPAS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
BATCH_SIZES: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
DEFAULT_EXPRESSION = "0.5*x**2 + 2*y**2 + sin(2*x)*cos(2*y)"


def _reset_for_surface() -> None:
    """Callback: a new surface gets its own start point and learning rates."""
    for key in list(st.session_state):
        if key.startswith(("gd_lr_", "gd_x0", "gd_y0", "gd_sigma")):
            del st.session_state[key]


def surface_controls() -> tuple[SurfaceSpec, Surface] | None:
    """Surface picker (+ kappa or formula); None after showing an error for a bad formula."""
    a, b = st.columns([1.2, 2])
    name = a.selectbox(
        "Surface",
        SURFACE_NAMES,
        format_func=SURFACE_LABELS.__getitem__,
        key="gd_surface",
        bind=BIND,
        on_change=_reset_for_surface,
    )
    spec = SurfaceSpec(name)
    if name == "quadratic":
        kappa = b.select_slider(
            "Condition number κ (how stretched the bowl is)",
            KAPPAS,
            value=50.0,
            key="gd_kappa",
            bind=BIND,
            help="The Hessian has eigenvalues 1 and κ. Plain gradient descent needs lr < 2/κ.",
        )
        spec = SurfaceSpec(name, kappa=float(kappa))
    elif name == "custom":
        c, d = b.columns([3, 1])
        text = c.text_input(
            "f(x, y) =",
            DEFAULT_EXPRESSION,
            max_chars=200,
            key="gd_expr",
            bind=BIND,
            help="Numbers, x, y, + − * / ** (or ^) and sin cos tanh exp log sqrt abs sigmoid "
            "relu. Powers must be by a number.",
        )
        bound = d.select_slider(
            "Plot ± range",
            (1.0, 2.0, 3.0, 5.0, 10.0),
            3.0,
            key="gd_bound",
            bind=BIND,
            on_change=_reset_for_surface,
        )
        spec = SurfaceSpec(name, expression=text, bound=float(bound))
    try:
        surface, _ = surface_view(spec)
    except ExpressionError as err:
        st.error(
            f"That formula cannot be used: {escape_markdown(str(err))}. Fix it and press Enter; "
            f"for example `{DEFAULT_EXPRESSION}`.",
            icon=":material/function:",
        )
        return None
    return spec, surface


def run_controls(surface: Surface) -> tuple[tuple[float, float], int, float, int, int, float]:
    """Start, steps, tolerance and mini-batch noise: (start, steps, noise, batch, seed, tol)."""
    a, b, c, d = st.columns(4)
    (x_lo, x_hi), (y_lo, y_hi) = surface.xlim, surface.ylim
    x0 = a.number_input("Start x", x_lo, x_hi, float(surface.start[0]), 0.1, key="gd_x0", bind=BIND)
    y0 = b.number_input("Start y", y_lo, y_hi, float(surface.start[1]), 0.1, key="gd_y0", bind=BIND)
    steps = c.slider("Steps", 10, 500, 200, 10, key="gd_steps", bind=BIND)
    tol = d.select_slider(
        "Tolerance (distance to a minimum)",
        (1e-4, 1e-3, 1e-2, 0.05, 0.1),
        1e-2,
        key="gd_tol",
        bind=BIND,
        format_func=lambda v: f"{v:g}",
    )
    with st.expander("Mini-batch noise: why SGD wanders", expanded=False):
        e, f, g, h = st.columns([1, 1.5, 1.5, 1])
        on = e.toggle("Add gradient noise", False, key="gd_noise", bind=BIND)
        scale = gradient_scale(surface, surface.start)
        sigma = f.select_slider(
            "Noise σ at batch size 1 (× |∇f(start)|)",
            (0.05, 0.1, 0.2, 0.5, 1.0, 2.0),
            0.5,
            key="gd_sigma",
            bind=BIND,
            disabled=not on,
        )
        batch = g.select_slider(
            "Batch size", BATCH_SIZES, 8, key="gd_batch", bind=BIND, disabled=not on
        )
        seed = h.number_input("Seed", 0, 9999, 0, key="gd_seed", bind=BIND, disabled=not on)
        st.caption(
            f"Every gradient gets Gaussian noise with standard deviation σ/√batch = "
            f"{number(noise_std(sigma * scale, batch), 3)} per coordinate ({number(sigma)} × "
            f"{number(scale, 3)} / √{batch}): the spread of a mini-batch mean. Momentum averages "
            "it away."
        )
    noise = float(sigma * scale) if on else 0.0
    return (float(x0), float(y0)), int(steps), noise, int(batch), int(seed), float(tol)


def descent_controls() -> tuple[DescentConfig, Surface] | None:
    """All the page's controls as a DescentConfig and the surface (None: an error was shown)."""
    with st.container(border=True):
        picked = surface_controls()
        if picked is None:
            return None
        spec, surface = picked
        specs = optimizer_controls(surface)
        start, steps, noise, batch, seed, tol = run_controls(surface)
    if not specs:
        st.info("Choose at least one optimizer above.", icon=":material/touch_app:")
        return None
    return DescentConfig(spec, start, steps, specs, noise, batch, seed, tol), surface
