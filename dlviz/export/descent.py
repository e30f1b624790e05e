"""The Gradient-descent page as a standalone PyTorch script: a surface, a start, optimizers.

``descent_script(config)`` writes what ``dlviz.descent.compare.run_one`` does for each optimizer
of a ``DescentConfig``: a float64 parameter at the start, ``steps`` real ``torch.optim`` steps on
f(x, y) (optionally with seeded Gaussian gradient noise), stopping where dlviz stops a diverging
path. A learner's own formula is written out as torch code from its parsed form (never copied as
text), with constant parts folded to the numbers dlviz computes for them. Its last output line is
one JSON object with ``final_loss`` (the first optimizer's) and every optimizer's path.
"""

from __future__ import annotations

import ast

from dlviz.descent.compare import DescentConfig, OptimizerSpec, SurfaceSpec, build_surface
from dlviz.descent.custom import CUSTOM_FUNCTIONS
from dlviz.descent.optimize import FAR, MAX_LOSS
from dlviz.descent.surfaces import QUADRATIC_ANGLE
from dlviz.export.cells import Cell, Script, call
from dlviz.expression import FLOAT_FUNCTIONS, Expression, parse_expression
from dlviz.optimizers import LABELS, OPTIMIZERS, torch_arguments

SURFACE_CODE = {
    "rosenbrock": "return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2",
    "himmelblau": "return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2",
    "beale": "return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 "
    "+ (2.625 - x + x * y**3) ** 2",
    "saddle": "return x**2 - y**2",
}
QUADRATIC = f"""C, S = math.cos({QUADRATIC_ANGLE!r}), math.sin({QUADRATIC_ANGLE!r})  # 30 degrees


def f(x, y):
    \"\"\"A bowl stretched KAPPA times, rotated 30 degrees: (u^2 + KAPPA v^2) / 2.\"\"\"
    u = C * x + S * y
    v = -S * x + C * y
    return 0.5 * (u**2 + KAPPA * v**2)"""

RUN = '''def run(make_optimizer):
    """STEPS optimizer steps from START: the positions, the losses and how the path ended."""
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)  # the 2 parameters (x, y)
    optimizer = make_optimizer([p])
    noise = torch.Generator().manual_seed(SEED) if NOISE > 0 else None
    sigma = NOISE / math.sqrt(max(BATCH_SIZE, 1))  # a mini-batch mean's noise
    positions, losses = [], []
    for step in range(STEPS + 1):
        p.grad = None  # optimizer.zero_grad()
        loss = f(p[0], p[1])
        positions.append(p.detach().tolist())
        losses.append(loss.item())
        reason = diverged(positions[-1], losses[-1])
        if reason or step == STEPS:
            return positions, losses, reason
        loss.backward()  # the gradient of f at p
        if noise is not None:
            p.grad.add_(sigma * torch.randn(2, generator=noise, dtype=torch.float64))
        optimizer.step()


def diverged(point, loss):
    """Why a path stops here ("" when it goes on): overflow, or far outside the plotted box."""
    x, y = point
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(loss)):
        return "the position or the loss became infinite or NaN"
    if abs(loss) > MAX_LOSS:
        return f"the loss passed {MAX_LOSS:.0e}"
    if max(abs(x - CENTER[0]), abs(y - CENTER[1])) > FAR * SPAN:
        return f"it left the plotted region by more than {FAR} times its size"
    return ""


runs = []
for name, make_optimizer in OPTIMIZERS.items():
    positions, losses, reason = run(make_optimizer)
    steps = len(positions) - 1
    runs.append(
        dict(
            optimizer=name,
            final_loss=losses[-1],
            steps=steps,
            diverged=bool(reason),
            reason=reason,
            path=positions,
        )
    )
    x, y = positions[-1]
    end = f"diverged at step {steps}: {reason}" if reason else "done"
    print(f"{name:16} f({x:.4f}, {y:.4f}) = {losses[-1]:.6g}  ({end})")

print(json.dumps(dict(final_loss=runs[0]["final_loss"], runs=runs)))'''  # fmt: skip


BINARY = {ast.Add: ("+", 1), ast.Sub: ("-", 1), ast.Mult: ("*", 2), ast.Div: ("/", 2)}
UNARY, POWER, ATOM = 3, 4, 5  # Python's precedence: a + b < a * b < -a < a ** b < names, calls


def _torch_code(node: ast.AST) -> tuple[str, int]:
    """Torch source for a validated expression node and its precedence; the parts without
    variables become their value, computed in plain floats as dlviz.expression.evaluate does."""
    calls = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    if not any(isinstance(n, ast.Name) and id(n) not in calls for n in ast.walk(node)):
        value = float(Expression("", (), 0, node).evaluate({}, FLOAT_FUNCTIONS, FLOAT_FUNCTIONS))
        return repr(value), UNARY if value < 0 or repr(value).startswith("-") else ATOM
    if isinstance(node, ast.Name):
        return node.id, ATOM
    if isinstance(node, ast.UnaryOp):
        inner = _operand(node.operand, POWER)  # -x**2 is -(x**2) in Python too
        return (f"-{inner}", UNARY) if isinstance(node.op, ast.USub) else (inner, UNARY)
    if isinstance(node, ast.Call):
        fn = CUSTOM_FUNCTIONS[node.func.id].__name__  # type: ignore[attr-defined]
        return f"torch.{fn}({_torch_code(node.args[0])[0]})", ATOM
    assert isinstance(node, ast.BinOp)
    if isinstance(node.op, ast.Pow):  # right-associative; the exponent is a number
        return f"{_operand(node.left, ATOM)}**{_operand(node.right, ATOM)}", POWER
    op, prec = BINARY[type(node.op)]
    # Left-associative: the right operand keeps its brackets at equal precedence, so
    # a - (b - c) and a + (b + c) stay what they were (float addition is not associative).
    return f"{_operand(node.left, prec)} {op} {_operand(node.right, prec + 1)}", prec


def _operand(node: ast.AST, least: int) -> str:
    """An operand's source, in brackets when its precedence is below ``least``."""
    code, prec = _torch_code(node)
    return code if prec >= least else f"({code})"


def _terms(node: ast.AST) -> list[str]:
    """A sum's terms, each with its sign ("a", "+ b", "- c"); a whole formula that is no sum is one
    term."""
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub):
        op = BINARY[type(node.op)][0]
        if _torch_code(node)[1] == 1 and _torch_code(node.left)[1] <= 1:
            return [*_terms(node.left), f"{op} {_operand(node.right, 2)}"]
        return [_operand(node.left, 1), f"{op} {_operand(node.right, 2)}"]
    return [_torch_code(node)[0]]


def custom_code(text: str) -> str:
    """``def f(x, y)`` for a learner's formula (parsed with dlviz's safe parser first)."""
    expr = parse_expression(text.replace("^", "**"), functions=CUSTOM_FUNCTIONS)
    body = _torch_code(expr.tree)[0]
    if not expr.variables:  # a constant: spread over x so autograd has something to follow
        body = f"torch.tensor({body}, dtype=torch.float64) + 0.0 * x"
    elif len(body) > 88:  # one term per line, as ruff lays out a long sum
        terms = _terms(expr.tree)
        body = "(\n        " + "\n        ".join(terms) + "\n    )"
    doc = expr.text.replace("\\", "\\\\").replace('"', "'")
    return f'def f(x, y):\n    """f(x, y) = {doc}"""\n    return {body}'


def _surface_code(spec: SurfaceSpec) -> str:
    if spec.name == "quadratic":
        return f"KAPPA = {float(spec.kappa)!r}  # condition number\n" + QUADRATIC
    if spec.name == "custom":
        return custom_code(spec.expression)
    return f"def f(x, y):\n    {SURFACE_CODE[spec.name]}"


def _optimizer_line(spec: OptimizerSpec) -> str:
    kw = torch_arguments(spec.name, **spec.hyper().__dict__)
    args = ", ".join(f"{k}={v!r}" for k, v in kw.items())
    cls = OPTIMIZERS[spec.name].cls.__name__
    head = f'"{LABELS[spec.name]}": lambda params: torch.optim.{cls}('
    return call(head, ["params", args], indent="    ", tail="),")


def _box(spec: SurfaceSpec) -> tuple[str, tuple[float, float], tuple[float, float]]:
    """The surface's label and plotted box (a custom formula's without estimating its minima)."""
    if spec.name == "custom":
        text = parse_expression(spec.expression.replace("^", "**"), functions=CUSTOM_FUNCTIONS).text
        box = (-float(spec.bound), float(spec.bound))
        return f"Custom: {text}", box, box
    surface = build_surface(spec)
    return surface.label, surface.xlim, surface.ylim


def _settings(config: DescentConfig) -> str:
    _, xlim, ylim = _box(config.surface)
    center = (sum(xlim) / 2, sum(ylim) / 2)
    span = max(xlim[1] - xlim[0], ylim[1] - ylim[0])
    lines = [
        "import json",
        "import math",
        "",
        "import torch",
        "",
        f"START = {tuple(float(v) for v in config.start)!r}",
        f"STEPS = {int(config.steps)}",
        f"NOISE = {float(config.noise)!r}  # std of the gradient noise at batch size 1 (0: none)",
        f"BATCH_SIZE = {int(config.batch_size)}  # the noise shrinks as 1/sqrt(BATCH_SIZE)",
        f"SEED = {int(config.seed)}  # of the gradient noise",
        f"CENTER, SPAN = {center!r}, {span!r}  # the plotted box: centre, larger side",
        f"MAX_LOSS, FAR = {MAX_LOSS!r}, {FAR!r}  # a path stops beyond these (it diverged)",
        "",
        "# Each optimizer with the page's hyperparameters (real torch.optim classes).",
        "OPTIMIZERS = {",
        *(_optimizer_line(s) for s in config.optimizers),
        "}",
    ]
    return "\n".join(lines)


def descent_script(config: DescentConfig) -> Script:
    """The standalone script of the page's paths (every optimizer of ``config``)."""
    if not config.optimizers:
        raise ValueError("choose at least one optimizer")
    label, _, _ = _box(config.surface)
    cells = (
        Cell("Settings", "The page's settings: change them and run again.", _settings(config)),
        Cell("The surface", f"{label}. torch computes its gradient (autograd).",
             _surface_code(config.surface)),
        Cell("The paths", "A plain torch.optim loop per optimizer: evaluate f, backward, step. "
             "The last line printed is a JSON summary with every path.", RUN),
    )  # fmt: skip
    names = ", ".join(LABELS[s.name] for s in config.optimizers)
    intro = (
        f"Gradient descent on {label} from {tuple(config.start)}: {names}, "
        f"{config.steps} steps each, as on dlviz's Gradient descent page.\n\n"
        "Needs only torch. Exported by dlviz."
    )
    return Script(
        f"dlviz gradient descent: {label}", intro, cells, name=f"descent_{config.surface.name}"
    )
