"""Activation functions: the shared registry, curves with autograd derivatives, flat regions, softmax.

This module is the single source of the activation set used across dlviz (Activations page,
model builders, Playground, depth study). It holds maths only (torch, float64 for the pictures);
figures live in dlviz.plots and widgets in dlviz.ui. Derivatives always come from
``torch.autograd`` so a picture shows what the framework computes; closed forms appear only as
LaTeX here and as the oracle in the unit tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

FLAT_THRESHOLD = 0.01
"""|f'(x)| below this counts as a vanishing (nearly zero) gradient."""


@dataclass(frozen=True)
class ParamSpec:
    """A tunable activation parameter and the bounds of its slider."""

    name: str
    label: str
    min: float
    max: float
    default: float
    step: float
    help: str = ""

    @property
    def decimals(self) -> int:
        """Decimals a slider needs to show every value it can reach (3 for a step of 0.005)."""
        digits = f"{self.step:.10f}".rstrip("0").split(".")[1]
        return max(1, len(digits))


@dataclass(frozen=True)
class Activation:
    """One activation: its torch function, an nn.Module factory, its formula and derivative."""

    name: str
    label: str
    fn: Callable[..., torch.Tensor]
    module: Callable[..., nn.Module]
    latex: str
    params: dict[str, float] = field(default_factory=dict)
    derivative_latex: str = ""
    flat_names: tuple[str, str] = ("low-gradient tail", "low-gradient tail")
    """Names of a flat region touching the left and the right end of the plotted range."""
    specs: tuple[ParamSpec, ...] = ()


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid",
        "Sigmoid",
        lambda x: torch.sigmoid(x),
        lambda: nn.Sigmoid(),
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        derivative_latex=r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr) \le \tfrac14",
        flat_names=("saturation: σ → 0", "saturation: σ → 1"),
    ),
    "tanh": Activation(
        "tanh",
        "Tanh",
        lambda x: torch.tanh(x),
        lambda: nn.Tanh(),
        r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        derivative_latex=r"\tanh'(x) = 1 - \tanh^2(x) \le 1",
        flat_names=("saturation: tanh → −1", "saturation: tanh → +1"),
    ),
    "relu": Activation(
        "relu",
        "ReLU",
        lambda x: F.relu(x),
        lambda: nn.ReLU(),
        r"\mathrm{ReLU}(x) = \max(0, x)",
        derivative_latex=(
            r"\mathrm{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}"
            r"\quad(\text{PyTorch uses } 0 \text{ at } x = 0)"
        ),
        flat_names=("dead side: f′ = 0", "low-gradient tail"),
    ),
    "leaky_relu": Activation(
        "leaky_relu",
        "Leaky ReLU",
        lambda x, slope=0.01: F.leaky_relu(x, negative_slope=slope),
        lambda slope=0.01: nn.LeakyReLU(negative_slope=slope),
        r"\mathrm{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}",
        {"slope": 0.01},
        derivative_latex=r"\mathrm{LeakyReLU}'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        flat_names=("nearly dead side: slope a < 0.01", "low-gradient tail"),
        specs=(
            ParamSpec(
                "slope",
                "negative slope a",
                0.0,
                0.5,
                0.01,
                0.005,
                "Slope for x ≤ 0. PyTorch's default is 0.01; 0 turns it back into ReLU.",
            ),
        ),
    ),
    "elu": Activation(
        "elu",
        "ELU",
        lambda x, alpha=1.0: F.elu(x, alpha=alpha),
        lambda alpha=1.0: nn.ELU(alpha=alpha),
        r"\mathrm{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        {"alpha": 1.0},
        derivative_latex=(
            r"\mathrm{ELU}'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}"
        ),
        flat_names=("saturation: ELU → −α", "low-gradient tail"),
        specs=(
            ParamSpec(
                "alpha",
                "α (negative saturation level)",
                0.1,
                3.0,
                1.0,
                0.05,
                "ELU tends to −α for very negative x. PyTorch's default is 1.0.",
            ),
        ),
    ),
    "gelu": Activation(
        "gelu",
        "GELU",
        lambda x: F.gelu(x),
        lambda: nn.GELU(),
        r"\mathrm{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \mathrm{erf}\frac{x}{\sqrt{2}}\right)",
        derivative_latex=(
            r"\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x),"
            r"\quad \varphi(x) = \tfrac{1}{\sqrt{2\pi}}e^{-x^2/2}"
        ),
        flat_names=("flat tail: GELU → 0", "low-gradient tail"),
    ),
    "silu": Activation(
        "silu",
        "SiLU / Swish",
        lambda x: F.silu(x),
        lambda: nn.SiLU(),
        r"\mathrm{SiLU}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
        derivative_latex=r"\mathrm{SiLU}'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)",
        flat_names=("flat tail: SiLU → 0", "low-gradient tail"),
    ),
    "softplus": Activation(
        "softplus",
        "Softplus",
        lambda x: F.softplus(x),
        lambda: nn.Softplus(),
        r"\mathrm{Softplus}(x) = \log\left(1 + e^{x}\right)",
        derivative_latex=r"\mathrm{Softplus}'(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
        flat_names=("flat tail: softplus → 0", "low-gradient tail"),
    ),
}
"""Element-wise activations. Softmax is a vector function and lives in its own helpers below."""

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)

SOFTMAX_LATEX = r"\mathrm{softmax}(z; T)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}"
SOFTMAX_LSE_LATEX = (
    r"\log p_i = \frac{z_i}{T} - \mathrm{LSE}\!\left(\frac{z}{T}\right),\quad"
    r"\mathrm{LSE}(u) = m + \log\sum_j e^{u_j - m},\ m = \max_j u_j"
)
SOFTMAX_JACOBIAN_LATEX = (
    r"\frac{\partial p_i}{\partial z_j} = \frac{1}{T}\,p_i\,(\delta_{ij} - p_j)"
)


def _get(name: str) -> Activation:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"Unknown activation {name!r}; choose one of {', '.join(ACTIVATION_NAMES)}."
        )
    return ACTIVATIONS[name]


def activation_module(name: str, **params: float) -> nn.Module:
    """An ``nn.Module`` for the named activation (e.g. ``activation_module("elu", alpha=0.5)``)."""
    return _get(name).module(**params)


def default_params(name: str) -> dict[str, float]:
    """The PyTorch default value of each tunable parameter of ``name`` (empty when none)."""
    return {s.name: s.default for s in _get(name).specs}


def curve(
    name: str, x: torch.Tensor | Sequence[float], **params: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(f(x), f'(x))`` in float64, the derivative from torch.autograd (element-wise f)."""
    act = _get(name)
    xs = torch.as_tensor(x, dtype=torch.float64).detach().clone().requires_grad_(True)
    with torch.enable_grad():
        f = act.fn(xs, **params)
        (df,) = torch.autograd.grad(f.sum(), xs)
    # + 0.0 turns IEEE's -0 (Leaky ReLU with slope 0 at x < 0 gives -2 * 0) into 0
    return f.detach() + 0.0, df + 0.0


@dataclass(frozen=True)
class Region:
    """An interval [start, end] of x where |f'(x)| < threshold, with a learner-facing name."""

    start: float
    end: float
    name: str


def _crossing(x0: float, x1: float, g0: float, g1: float, threshold: float) -> float:
    """x where |f'| crosses the threshold between two grid points (linear interpolation)."""
    a0, a1 = abs(g0) - threshold, abs(g1) - threshold
    return x0 if a0 == a1 else x0 + (x1 - x0) * a0 / (a0 - a1)


def flat_regions(
    name: str, x: torch.Tensor, df: torch.Tensor, threshold: float = FLAT_THRESHOLD
) -> list[Region]:
    """Maximal intervals of the sorted grid ``x`` where |f'(x)| < threshold, each named."""
    xs, gs = x.tolist(), df.tolist()
    flat = [abs(g) < threshold for g in gs]
    left_name, right_name = _get(name).flat_names
    regions, i, n = [], 0, len(xs)
    while i < n:
        if not flat[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and flat[j + 1]:
            j += 1
        start = xs[i] if i == 0 else _crossing(xs[i - 1], xs[i], gs[i - 1], gs[i], threshold)
        end = xs[j] if j == n - 1 else _crossing(xs[j], xs[j + 1], gs[j], gs[j + 1], threshold)
        if i == 0:
            label = left_name
        elif j == n - 1:
            label = right_name
        else:
            label = "turning point: f′ changes sign"
        if label.startswith("nearly dead") and not any(gs[i : j + 1]):
            label = "dead side: f′ = 0"  # Leaky ReLU with slope 0 is plain ReLU
        regions.append(Region(start, end, label))
        i = j + 1
    return regions


@dataclass(frozen=True)
class CurveConfig:
    """What the Activations page asks for: an activation, its parameters, a range and a probe."""

    name: str = "sigmoid"
    params: tuple[tuple[str, float], ...] = ()
    probe: float = 0.0
    x_min: float = -8.0
    x_max: float = 8.0
    points: int = 1601  # step 0.01 on the default range

    @property
    def kwargs(self) -> dict[str, float]:
        return dict(self.params)


@dataclass(frozen=True)
class CurveResult:
    """A sampled curve, its autograd derivative, the flat regions and the probe values."""

    x: torch.Tensor
    f: torch.Tensor
    df: torch.Tensor
    regions: list[Region]
    probe_x: float
    probe_f: float
    probe_df: float


def analyse(config: CurveConfig) -> CurveResult:
    """Sample f and f' on the grid, find the flat regions and evaluate f, f' at the probe."""
    x = torch.linspace(config.x_min, config.x_max, config.points, dtype=torch.float64)
    f, df = curve(config.name, x, **config.kwargs)
    pf, pdf = curve(config.name, [config.probe], **config.kwargs)
    regions = flat_regions(config.name, x, df)
    return CurveResult(x, f, df, regions, config.probe, float(pf[0]), float(pdf[0]))


def region_at(regions: Sequence[Region], x: float) -> Region | None:
    """The flat region containing ``x``, if any."""
    return next((r for r in regions if r.start <= x <= r.end), None)


# --- softmax -------------------------------------------------------------------------------------


def log_softmax(logits: torch.Tensor | Sequence[float], temperature: float = 1.0) -> torch.Tensor:
    """log p = z/T - LSE(z/T) along the last axis, stable for any finite logits (float64)."""
    if not temperature > 0:
        raise ValueError("The temperature must be positive.")
    u = torch.as_tensor(logits, dtype=torch.float64) / temperature
    m = u.amax(dim=-1, keepdim=True).detach()  # the max: no exp below can overflow
    shifted = u - m  # subtract before adding back the log-sum: keeps precision for huge logits
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def softmax(logits: torch.Tensor | Sequence[float], temperature: float = 1.0) -> torch.Tensor:
    """p_i = exp(z_i/T) / sum_j exp(z_j/T), computed as exp(log-softmax): sums to 1, never NaN."""
    return torch.exp(log_softmax(logits, temperature))


def softmax_jacobian(logits: Sequence[float], temperature: float = 1.0) -> torch.Tensor:
    """The Jacobian dp_i/dz_j of the softmax from torch.autograd (closed form p_i(δ_ij − p_j)/T)."""
    z = torch.as_tensor(logits, dtype=torch.float64)
    return torch.autograd.functional.jacobian(lambda v: softmax(v, temperature), z)


@dataclass(frozen=True)
class SoftmaxResult:
    """Softmax of a row of logits, with log-probabilities and the autograd Jacobian."""

    logits: tuple[float, ...]
    temperature: float
    probs: torch.Tensor
    log_probs: torch.Tensor
    jacobian: torch.Tensor


def softmax_analysis(logits: Sequence[float], temperature: float = 1.0) -> SoftmaxResult:
    """Probabilities, log-probabilities and Jacobian of softmax(z / T)."""
    lp = log_softmax(logits, temperature)
    return SoftmaxResult(
        tuple(float(v) for v in logits),
        temperature,
        lp.exp(),
        lp,
        softmax_jacobian(logits, temperature),
    )


@dataclass(frozen=True)
class SoftmaxSweep:
    """p_k as logit k sweeps over x with the other logits fixed: p_k = σ((x − c) / T)."""

    index: int
    x: torch.Tensor
    p: torch.Tensor
    dp: torch.Tensor
    center: float
    """c = T · LSE(z_{-k} / T): the logit at which class k reaches p = 1/2."""


def softmax_sweep(
    logits: Sequence[float], index: int, temperature: float = 1.0, points: int = 401
) -> SoftmaxSweep:
    """Sweep logit ``index`` across c ± 10T (and its current value); p_k and dp_k/dz_k by autograd."""
    z = torch.as_tensor(logits, dtype=torch.float64)
    others = torch.cat([z[:index], z[index + 1 :]])
    center = float(temperature * torch.logsumexp(others / temperature, dim=0))
    lo = min(center - 10 * temperature, float(z[index]) - temperature)
    hi = max(center + 10 * temperature, float(z[index]) + temperature)
    x = torch.linspace(lo, hi, points, dtype=torch.float64).requires_grad_(True)
    with torch.enable_grad():
        batch = z.repeat(points, 1)
        batch[:, index] = x
        p = softmax(batch, temperature)[:, index]
        (dp,) = torch.autograd.grad(p.sum(), x)
    return SoftmaxSweep(index, x.detach(), p.detach(), dp, center)
