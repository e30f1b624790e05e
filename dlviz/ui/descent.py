"""Streamlit controls, cached runs and the convergence-map fragment for the Gradient-descent page.

Widgets are bounded and keyed ``gd_*`` (per optimizer: ``gd_lr_<name>``, ``gd_mom_<name>``,
``gd_b1_<name>``, ``gd_b2_<name>``, ``gd_wd_<name>``) so tests can drive them. Changing the surface
resets the start and the learning rates to ones that suit it (an ``on_change`` callback). Surfaces
and paths are cached per input with ``st.cache_resource`` (read-only objects, so a slider move
re-runs only the optimizer whose settings changed); the convergence map is computed on a button
press inside a fragment, so its widgets never re-run the rest of the page.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dlviz.autodiff.expression import ExpressionError
from dlviz.descent.batched import MOMENTUM_AXIS, ConvergenceMap, convergence_map
from dlviz.descent.compare import (
    DescentConfig,
    OptimizerSpec,
    SurfaceSpec,
    build_surface,
    explain,
    gradient_scale,
    run_one,
    summary,
)
from dlviz.descent.optimize import OPTIMIZERS, USES, Path, stability_limit
from dlviz.descent.surfaces import SURFACE_NAMES, Surface
from dlviz.plots.descent import descent_figure, surface3d_figure
from dlviz.plots.descent_map import convergence_map_figure

SURFACE_LABELS = {
    "quadratic": "Quadratic bowl (condition number κ)",
    "rosenbrock": "Rosenbrock valley",
    "himmelblau": "Himmelblau (four minima)",
    "beale": "Beale (plateaus and cliffs)",
    "saddle": "Saddle x² − y²",
    "custom": "Your own f(x, y)",
}
LR_OPTIONS: tuple[float, ...] = tuple(
    float(f"{m * 10.0**e:.6g}") for e in range(-5, 1) for m in (1, 1.5, 2, 3, 5, 7)
) + (1.0, 1.5, 2.0, 3.0)
KAPPAS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
BATCH_SIZES: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
EPS_OPTIONS: tuple[float, ...] = (1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1e-1)
DEFAULT_OPTIMIZERS = ["sgd", "momentum", "adam"]
DEFAULT_EXPRESSION = "0.5*x**2 + 2*y**2 + sin(2*x)*cos(2*y)"
MAP_SIZES = (25, 40)


def nearest_lr(value: float) -> float:
    """The LR_OPTIONS entry closest to ``value`` on a log scale."""
    return min(LR_OPTIONS, key=lambda o: abs(math.log(o) - math.log(max(value, 1e-12))))


# --- cached computations (read-only results) -------------------------------------------------


@st.cache_resource(max_entries=16, show_spinner=False)
def surface_view(spec: SurfaceSpec) -> tuple[Surface, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The surface and its 80 x 80 grid (raises ExpressionError for a bad custom formula)."""
    surface = build_surface(spec)
    return surface, surface.grid(80)


@st.cache_resource(max_entries=128, show_spinner=False)
def path_view(spec: SurfaceSpec, opt: OptimizerSpec, config: DescentConfig) -> Path:
    """One optimizer's path; ``config``'s optimizer list is blanked so other optimizers' settings
    do not invalidate this entry (see ``paths``)."""
    surface, _ = surface_view(spec)
    return run_one(surface, opt, config)


def paths(config: DescentConfig) -> list[Path]:
    """Every optimizer's path, each cached on its own."""
    shared = DescentConfig(
        config.surface,
        config.start,
        config.steps,
        (),
        config.noise,
        config.batch_size,
        config.seed,
        config.tol,
    )
    return [path_view(config.surface, opt, shared) for opt in config.optimizers]


@st.cache_resource(max_entries=16, show_spinner=False)
def descent_view(config: DescentConfig) -> go.Figure:
    """The animated contour / loss / state figure for a config."""
    surface, grid = surface_view(config.surface)
    return descent_figure(surface, paths(config), grid)


@st.cache_resource(max_entries=16, show_spinner=False)
def surface3d_view(config: DescentConfig) -> go.Figure:
    """The 3-D surface with every path, for a config."""
    surface, grid = surface_view(config.surface)
    return surface3d_figure(surface, paths(config), grid)


@st.cache_data(max_entries=16, show_spinner=False)
def map_view(
    spec: SurfaceSpec,
    optimizer: str,
    start: tuple[float, float],
    steps: int,
    tol: float,
    lr_range: tuple[float, float],
    n: int,
    beta2: float | None,
    eps: float | None,
    weight_decay: float | None,
) -> ConvergenceMap:
    """The lr x momentum map: n x n runs as one batched tensor."""
    surface, _ = surface_view(spec)
    return convergence_map(
        surface, optimizer, start, steps, lr_range, n, n, tol, beta2, eps, weight_decay
    )


# --- controls ----------------------------------------------------------------------------------


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
        on_change=_reset_for_surface,
    )
    spec = SurfaceSpec(name)
    if name == "quadratic":
        kappa = b.select_slider(
            "Condition number κ (how stretched the bowl is)",
            KAPPAS,
            value=50.0,
            key="gd_kappa",
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
            help="Numbers, x, y, + − * / ** (or ^) and sin cos tanh exp log sqrt abs sigmoid "
            "relu. Powers must be by a number.",
        )
        bound = d.select_slider(
            "Plot ± range",
            (1.0, 2.0, 3.0, 5.0, 10.0),
            3.0,
            key="gd_bound",
            on_change=_reset_for_surface,
        )
        spec = SurfaceSpec(name, expression=text, bound=float(bound))
    try:
        surface, _ = surface_view(spec)
    except ExpressionError as err:
        st.error(
            f"That formula cannot be used: {err}. Fix it and press Enter; for example "
            f"`{DEFAULT_EXPRESSION}`.",
            icon=":material/function:",
        )
        return None
    return spec, surface


def optimizer_controls(surface: Surface) -> tuple[OptimizerSpec, ...]:
    """Optimizer picker and one tab of hyperparameters per chosen optimizer."""
    chosen = st.multiselect(
        "Optimizers (each gets its own colour)",
        list(OPTIMIZERS),
        DEFAULT_OPTIMIZERS,
        format_func=OPTIMIZERS.__getitem__,
        key="gd_opts",
        max_selections=5,
    )
    if not chosen:
        return ()
    specs = []
    for name, tab in zip(chosen, st.tabs([OPTIMIZERS[n] for n in chosen]), strict=True):
        with tab:
            specs.append(_hyper_controls(name, surface))
    return tuple(specs)


def _hyper_controls(name: str, surface: Surface) -> OptimizerSpec:
    """The hyperparameter widgets one optimizer reads (USES), in a row."""
    uses = USES[name]
    cols = iter(st.columns(5))
    lr = next(cols).select_slider(
        "Learning rate",
        LR_OPTIONS,
        nearest_lr(surface.default_lr(name)),
        key=f"gd_lr_{name}",
        help="Step size. The suggested value depends on the surface; try 3x larger and smaller.",
    )
    kw: dict[str, float] = {}
    if "momentum" in uses:
        default = 0.0 if name == "rmsprop" else 0.9
        kw["momentum"] = next(cols).slider(
            "Momentum",
            0.0,
            0.99,
            default,
            0.01,
            key=f"gd_mom_{name}",
            help="How much of the previous step carries over: b ← m·b + g.",
        )
    if "beta1" in uses:
        kw["beta1"] = next(cols).slider(
            "β₁ (first moment)",
            0.0,
            0.99,
            0.9,
            0.01,
            key=f"gd_b1_{name}",
            help="Momentum of Adam: m ← β₁m + (1−β₁)g.",
        )
    if "beta2" in uses:
        default = 0.99 if name == "rmsprop" else 0.999
        label = "α (squared-gradient decay)" if name == "rmsprop" else "β₂ (second moment)"
        kw["beta2"] = next(cols).select_slider(
            label,
            (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999),
            default,
            key=f"gd_b2_{name}",
            help="Memory of the squared gradients: v ← β₂v + (1−β₂)g².",
        )
    if "eps" in uses:
        default = 1e-10 if name == "adagrad" else 1e-8
        kw["eps"] = next(cols).select_slider(
            "ε",
            EPS_OPTIONS,
            default,
            key=f"gd_eps_{name}",
            format_func=lambda v: f"{v:.0e}",
            help="Added to √v so tiny gradients do not explode.",
        )
    default_wd = 0.01 if name == "adamw" else 0.0
    kw["weight_decay"] = next(cols).select_slider(
        "Weight decay",
        (0.0, 0.001, 0.01, 0.1, 0.5),
        default_wd,
        key=f"gd_wd_{name}",
        help="Pulls the parameters towards (0, 0): the minimum of f + (wd/2)|θ|² moves."
        + (
            " AdamW decays the weights directly instead of adding wd·θ to the gradient."
            if name == "adamw"
            else ""
        ),
    )
    return OptimizerSpec(name, float(lr), **{k: float(v) for k, v in kw.items()})


def run_controls(surface: Surface) -> tuple[tuple[float, float], int, float, int, int, float]:
    """Start point, steps, tolerance and mini-batch noise: (start, steps, noise, batch, seed, tol)."""
    a, b, c, d = st.columns(4)
    (x_lo, x_hi), (y_lo, y_hi) = surface.xlim, surface.ylim
    x0 = a.number_input("Start x", x_lo, x_hi, float(surface.start[0]), 0.1, key="gd_x0")
    y0 = b.number_input("Start y", y_lo, y_hi, float(surface.start[1]), 0.1, key="gd_y0")
    steps = c.slider("Steps", 10, 500, 200, 10, key="gd_steps")
    tol = d.select_slider(
        "Tolerance (distance to a minimum)",
        (1e-4, 1e-3, 1e-2, 0.05, 0.1),
        1e-2,
        key="gd_tol",
        format_func=lambda v: f"{v:g}",
    )
    with st.expander("Mini-batch noise: why SGD wanders", expanded=False):
        e, f, g, h = st.columns([1, 1.5, 1.5, 1])
        on = e.toggle("Add gradient noise", False, key="gd_noise")
        scale = gradient_scale(surface, surface.start)
        sigma = f.select_slider(
            "Noise σ at batch size 1 (× |∇f(start)|)",
            (0.05, 0.1, 0.2, 0.5, 1.0, 2.0),
            0.5,
            key="gd_sigma",
            disabled=not on,
        )
        batch = g.select_slider("Batch size", BATCH_SIZES, 8, key="gd_batch", disabled=not on)
        seed = h.number_input("Seed", 0, 9999, 0, key="gd_seed", disabled=not on)
        st.caption(
            f"Every gradient gets Gaussian noise with standard deviation σ/√batch = "
            f"{sigma * scale / math.sqrt(batch):.3g} per coordinate ({sigma:g} × {scale:.3g} / "
            f"√{batch}): the spread of a mini-batch mean. Momentum averages it away."
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


# --- results -------------------------------------------------------------------------------------


def summary_frame(surface: Surface, config: DescentConfig, result: list[Path]) -> pd.DataFrame:
    """The comparison table as a DataFrame."""
    rows = summary(surface, config.optimizers, result, config.tol)
    return pd.DataFrame(
        {
            "optimizer": [r.optimizer for r in rows],
            "settings": [r.settings for r in rows],
            "final loss": [r.final_loss for r in rows],
            "distance to nearest minimum": [r.distance for r in rows],
            f"steps until within {config.tol:g}": [r.steps_to_tol for r in rows],
            "outcome": [r.outcome for r in rows],
        }
    )


def show_results(surface: Surface, config: DescentConfig, result: list[Path]) -> None:
    """Summary table, divergence explanations and the quadratic's stability limits."""
    st.dataframe(
        summary_frame(surface, config, result),
        hide_index=True,
        width="stretch",
        key="gd_table",
        column_config={
            "final loss": st.column_config.NumberColumn(format="%.4g"),
            "distance to nearest minimum": st.column_config.NumberColumn(format="%.3g"),
        },
    )
    for spec, path in zip(config.optimizers, result, strict=True):
        if path.diverged:
            st.warning(explain(surface, spec, path), icon=":material/warning:")
    if surface.lipschitz is not None and surface.minima:
        L = surface.lipschitz
        limits = []
        for spec in config.optimizers:
            m = 0.9 if spec.momentum is None else spec.momentum
            lim = stability_limit(spec.name, L, m)
            if lim is not None:
                verdict = "stable" if spec.lr < lim else "**unstable**"
                limits.append(
                    f"{OPTIMIZERS[spec.name]}: lr < {lim:.3g} (yours: {spec.lr:g}, {verdict})"
                )
        if limits:
            st.caption(
                f"Stability on this bowl (largest curvature L = {L:g}): " + "; ".join(limits) + "."
            )


def _lr_range(surface: Surface, optimizer: str) -> tuple[float, float]:
    """Four decades around the surface's suggested learning rate."""
    base = surface.default_lr(optimizer)
    return base / 300, base * 30


@st.fragment
def show_convergence_map(config: DescentConfig, surface: Surface) -> None:
    """Pick optimizer and colouring, press the button, see the lr x momentum map."""
    names = [o.name for o in config.optimizers]
    a, b, c, d = st.columns([1.3, 1.3, 1, 1], vertical_alignment="bottom")
    first = next((i for i, n in enumerate(names) if n in ("momentum", "nesterov", "adam")), 0)
    name = a.selectbox(
        "Optimizer", names, index=first, format_func=OPTIMIZERS.__getitem__, key="gd_map_opt"
    )
    metric = b.segmented_control(
        "Colour by",
        ["steps to settle", "final loss"],
        default="steps to settle",
        required=True,
        key="gd_map_metric",
    )
    n = c.selectbox("Grid", MAP_SIZES, format_func=lambda k: f"{k} × {k}", key="gd_map_n")
    spec = next(o for o in config.optimizers if o.name == name)
    lr_range = _lr_range(surface, name)
    args = (
        config.surface,
        name,
        config.start,
        config.steps,
        config.tol,
        lr_range,
        int(n),
        spec.beta2,
        spec.eps,
        spec.weight_decay,
    )
    if d.button("Compute the map", key="gd_map_go", type="primary", icon=":material/grid_on:"):
        st.session_state["gd_map_args"] = args
    if st.session_state.get("gd_map_args") != args:
        st.info(
            f"Runs {n} × {n} = {n * n} copies of {OPTIMIZERS[name]} for {config.steps} steps "
            "as one batched tensor: a few seconds.",
            icon=":material/grid_on:",
        )
        return
    with st.spinner("Running every (learning rate, momentum) pair at once…"):
        cmap = map_view(*args)
    axis = "beta1" if name in ("adam", "adamw") else "momentum"
    current_m = getattr(spec, axis)
    current_m = 0.0 if current_m is None else current_m
    stability = None
    if surface.lipschitz is not None and surface.minima and name in ("sgd", "momentum"):
        stability = [(stability_limit("momentum", surface.lipschitz, m), m) for m in cmap.momenta]
        stability = [(lr, m) for lr, m in stability if lr_range[0] <= lr <= lr_range[1]]
    st.plotly_chart(
        convergence_map_figure(
            cmap,
            "steps" if metric == "steps to settle" else "loss",
            (spec.lr, current_m),
            stability,
            axis.replace("beta1", "β₁"),
        ),
        key="gd_map_chart",
    )
    settled = np.isfinite(cmap.steps_to_converge)
    st.caption(
        f"{MOMENTUM_AXIS[name].capitalize()} on the vertical axis. {settled.sum()} of "
        f"{settled.size} settings settled within {config.tol:g} of a minimum, "
        f"{cmap.diverged.sum()} diverged. The star marks your current settings."
    )
    _offer_fastest(cmap, name, axis)


def _use_setting(name: str, axis: str, lr: float, momentum: float) -> None:
    """Callback: put a map cell's learning rate and momentum (or beta1) into the widgets."""
    st.session_state[f"gd_lr_{name}"] = nearest_lr(lr)
    key = f"gd_b1_{name}" if axis == "beta1" else f"gd_mom_{name}"
    st.session_state[key] = round(min(momentum, 0.99), 2)


def _offer_fastest(cmap: ConvergenceMap, name: str, axis: str) -> None:
    """Name the fastest cell of the map and offer to run the page with it."""
    stc = cmap.steps_to_converge
    if not np.isfinite(stc).any():
        return
    i, j = np.unravel_index(np.argmin(stc), stc.shape)
    lr, m = float(cmap.lrs[j]), float(cmap.momenta[i])
    label = "β₁" if axis == "beta1" else "momentum"
    a, b = st.columns([3, 1], vertical_alignment="center")
    a.success(
        f"Fastest here: lr = {lr:.3g} with {label} = {m:.2f} settles in {int(stc[i, j])} steps.",
        icon=":material/bolt:",
    )
    if name in ("momentum", "nesterov", "rmsprop", "adam", "adamw") and b.button(
        "Use these settings",
        key="gd_map_use",
        on_click=_use_setting,
        args=(name, axis, lr, m),
        help="Sets this optimizer's sliders (rounded to their steps).",
    ):
        st.rerun()  # the whole page, not only this fragment
