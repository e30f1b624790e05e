"""A scalar reverse-mode autodiff engine: ``Value`` plus ``Neuron``, ``Layer`` and ``MLP`` built on it.

Every operation has the same small shape: coerce the other operand to a ``Value``, compute the
output, record the *local* derivatives d(out)/d(parent) as numbers, and return the output.
``backward()`` walks the graph in reverse topological order and applies the chain rule
grad(parent) += d(out)/d(parent) * grad(out). Gradients accumulate across calls, as in PyTorch:
call ``zero_grad`` before a second ``backward``. Scalars only; no tensors, no GPU, no second
derivatives. Drawing the graph lives elsewhere (``dlviz.backprop.graph``, ``dlviz.plots.backprop``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence

Number = int | float


class Value:
    """A scalar in a computation graph: data, grad, the op that made it and its parents."""

    __slots__ = ("data", "grad", "op", "label", "parents", "local_grads", "exponent", "constant")

    def __init__(
        self,
        data: Number,
        parents: tuple[Value, ...] = (),
        op: str = "",
        label: str = "",
        local_grads: tuple[float, ...] = (),
    ) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.op = op
        self.label = label
        self.parents = parents
        self.local_grads = local_grads  # d(self)/d(parent) for each parent, at the forward values
        self.exponent: float | None = None  # set by ** so the graph can show the rule n * a**(n-1)
        self.constant = False  # a number written into the expression, not a variable

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # --- binary operations -------------------------------------------------------------------
    def __add__(self, other: Value | Number) -> Value:
        """c = a + b; dc/da = 1, dc/db = 1."""
        other = _coerce(other)
        return Value(self.data + other.data, (self, other), "+", local_grads=(1.0, 1.0))

    def __sub__(self, other: Value | Number) -> Value:
        """c = a - b; dc/da = 1, dc/db = -1."""
        other = _coerce(other)
        return Value(self.data - other.data, (self, other), "-", local_grads=(1.0, -1.0))

    def __mul__(self, other: Value | Number) -> Value:
        """c = a * b; dc/da = b, dc/db = a."""
        other = _coerce(other)
        return Value(
            self.data * other.data, (self, other), "*", local_grads=(other.data, self.data)
        )

    def __truediv__(self, other: Value | Number) -> Value:
        """c = a / b; dc/da = 1/b, dc/db = -a/b**2 (raises ZeroDivisionError for b = 0)."""
        other = _coerce(other)
        out = self.data / other.data
        return Value(out, (self, other), "/", local_grads=(1.0 / other.data, -out / other.data))

    def __pow__(self, exponent: Number) -> Value:
        """c = a**n for a constant n; dc/da = n * a**(n-1)."""
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a number")
        n = float(exponent)
        if self.data < 0 and not n.is_integer():
            raise ValueError(f"a negative number ({self.data:.6g}) to a fractional power ({n:g})")
        if self.data == 0 and n < 1 and n != 0:
            raise ZeroDivisionError(f"0 to the power {n:g} has no finite derivative")
        out = Value(self.data**n, (self,), f"**{_fmt_exponent(n)}")
        out.local_grads = (n * self.data ** (n - 1) if n != 0 else 0.0,)
        out.exponent = n
        return out

    def __neg__(self) -> Value:
        """c = -a; dc/da = -1."""
        return Value(-self.data, (self,), "neg", local_grads=(-1.0,))

    def __pos__(self) -> Value:
        return self

    def __radd__(self, other: Number) -> Value:
        return _coerce(other) + self

    def __rsub__(self, other: Number) -> Value:
        return _coerce(other) - self

    def __rmul__(self, other: Number) -> Value:
        return _coerce(other) * self

    def __rtruediv__(self, other: Number) -> Value:
        return _coerce(other) / self

    # --- unary functions ---------------------------------------------------------------------
    def exp(self) -> Value:
        """c = e**a; dc/da = c."""
        out = math.exp(self.data)
        return Value(out, (self,), "exp", local_grads=(out,))

    def log(self) -> Value:
        """c = ln a (a > 0); dc/da = 1/a."""
        if self.data <= 0:
            raise ValueError(f"log of a non-positive number ({_fmt_number(self.data)})")
        return Value(math.log(self.data), (self,), "log", local_grads=(1.0 / self.data,))

    def tanh(self) -> Value:
        """c = tanh a; dc/da = 1 - c**2."""
        out = math.tanh(self.data)
        return Value(out, (self,), "tanh", local_grads=(1.0 - out * out,))

    def sigmoid(self) -> Value:
        """c = 1 / (1 + e**-a); dc/da = c * (1 - c)."""
        a = self.data
        # The two branches avoid overflow of exp for large |a|.
        out = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
        return Value(out, (self,), "sigmoid", local_grads=(out * (1.0 - out),))

    def relu(self) -> Value:
        """c = max(0, a); dc/da = 1 if a > 0 else 0 (PyTorch's choice at a = 0)."""
        positive = self.data > 0
        return Value(
            self.data if positive else 0.0, (self,), "relu", local_grads=(float(positive),)
        )

    # --- the backward pass -------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every node this value depends on, parents before children, ending with ``self``."""
        order: list[Value] = []
        visited: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # iterative depth-first search: deep graphs do not hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in visited)
        return order

    def backward(self) -> None:
        """Add dself/dv to v.grad for every node v (chain rule in reverse topological order)."""
        order = self.topological_order()
        # This call's gradient flows in a fresh table; only the result accumulates into .grad,
        # so a second call without zero_grad adds the same gradients again (they double).
        flow = {id(self): 1.0}
        for node in reversed(order):
            upstream = flow.get(id(node), 0.0)
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                flow[id(parent)] = flow.get(id(parent), 0.0) + local * upstream
        for node in order:
            node.grad += flow.get(id(node), 0.0)

    def zero_grad(self) -> None:
        """Set grad = 0 on every node of this value's graph."""
        for node in self.topological_order():
            node.grad = 0.0


def as_constant(x: Number) -> Value:
    """A number as a constant leaf (drawn as a plain number) labelled with its value."""
    const = Value(x, label=_fmt_number(float(x)))
    const.constant = True
    return const


def _coerce(x: Value | Number) -> Value:
    """A Value as is; a number as a constant leaf labelled with its value."""
    return x if isinstance(x, Value) else as_constant(x)


def _fmt_number(x: float) -> str:
    return "0" if x == 0 else f"{x:g}"  # no "-0" label


def _fmt_exponent(n: float) -> str:
    return _fmt_number(n) if n >= 0 else f"({n:g})"


def _function(method: Callable[[Value], Value]) -> Callable[[Value | Number], Value]:
    """A Value method as a function that also takes a plain number (a constant argument)."""
    return lambda a: method(_coerce(a))


VALUE_FUNCTIONS = {
    "exp": _function(Value.exp),
    "log": _function(Value.log),
    "tanh": _function(Value.tanh),
    "sigmoid": _function(Value.sigmoid),
    "relu": _function(Value.relu),
}
"""The expression language's functions on Values (for ``Expression.evaluate``)."""


class Module:
    """Something with parameters (Values) whose grads can be zeroed."""

    def parameters(self) -> list[Value]:
        """The trainable Values (none here; subclasses list theirs)."""
        return []

    def zero_grad(self) -> None:
        """Set grad = 0 on every parameter."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One unit: act = b + sum_i w_i x_i, then ReLU unless ``nonlin`` is False."""

    def __init__(self, nin: int, nonlin: bool = True, rng: random.Random | None = None) -> None:
        rng = rng or random.Random(0)
        self.w = [Value(rng.uniform(-1, 1), label=f"w{i + 1}") for i in range(nin)]
        self.b = Value(0.0, label="b")
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        act = self.b
        for wi, xi in zip(self.w, x, strict=True):
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return [*self.w, self.b]


class Layer(Module):
    """``nout`` neurons reading the same inputs."""

    def __init__(self, nin: int, nout: int, nonlin: bool = True, rng: random.Random | None = None):
        rng = rng or random.Random(0)
        self.neurons = [Neuron(nin, nonlin, rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        """Every neuron's parameters, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    """Layers of sizes nin -> nouts[0] -> ... -> nouts[-1]; ReLU on all but the last layer."""

    def __init__(self, nin: int, nouts: Sequence[int], rng: random.Random | None = None) -> None:
        rng = rng or random.Random(0)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, rng=rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        out: Sequence[Value | Number] = x
        for layer in self.layers:
            out = layer(out)
        return list(out)  # type: ignore[arg-type]

    def parameters(self) -> list[Value]:
        """Every layer's parameters, first layer first."""
        return [p for layer in self.layers for p in layer.parameters()]


def leaves(values: Iterable[tuple[str, float]]) -> dict[str, Value]:
    """Named leaf Values from (name, number) pairs."""
    return {name: Value(x, label=name) for name, x in values}
