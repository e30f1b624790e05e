"""The row of logit inputs the Activations (softmax) and Loss (logits -> loss) pages share.

One bounded number input per class, keyed ``<prefix>_logit_<i>`` (``act_logit_0``,
``loss_logit_3``), seeded with ``DEFAULT_LOGITS``; ``set_logits`` is the ``on_click`` callback that
writes new values into them before they are drawn. It reads and writes widgets only: the maths of
softmax and of the loss lives in dlviz.activations and dlviz.loss.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dlviz.ui.links import BIND

CLASS_NAMES: tuple[str, ...] = ("cat", "dog", "bird", "frog", "horse", "ship", "truck", "plane")
DEFAULT_LOGITS: tuple[float, ...] = (2.0, 1.0, 0.1, -1.0, 0.5, -2.0, 3.0, 0.0)
LOGIT_BOUND = 1000.0


def class_labels(k: int) -> list[str]:
    """Readable class names for k classes."""
    return list(CLASS_NAMES[:k])


def logit_key(prefix: str, i: int) -> str:
    """The key of logit input ``i`` on the page with widget prefix ``prefix``."""
    return f"{prefix}_logit_{i}"


def set_logits(prefix: str, values: Sequence[float]) -> None:
    """Callback: write ``values`` into the logit inputs ``<prefix>_logit_<i>``."""
    for i, v in enumerate(values):
        st.session_state[logit_key(prefix, i)] = float(v)


def current_logits(prefix: str, k: int) -> tuple[float, ...]:
    """The first k logits as the inputs hold them now (their defaults before the first draw)."""
    return tuple(
        float(st.session_state.get(logit_key(prefix, i), DEFAULT_LOGITS[i])) for i in range(k)
    )


def logit_inputs(prefix: str, k: int) -> tuple[float, ...]:
    """A row of k bounded number inputs (keys ``<prefix>_logit_<i>``), one per class."""
    values = []
    for i, col in enumerate(st.columns(k)):
        key = logit_key(prefix, i)
        if key not in st.session_state:
            st.session_state[key] = DEFAULT_LOGITS[i]
        value = col.number_input(
            f"z · {CLASS_NAMES[i]}",
            -LOGIT_BOUND,
            LOGIT_BOUND,
            step=0.5,
            format="%.3f",
            key=key,
            bind=BIND,
            help=f"Logit of class {CLASS_NAMES[i]!r}, between −1000 and 1000.",
        )
        values.append(float(value))
    return tuple(values)


def class_count(prefix: str) -> int:
    """The 'Number of classes' slider (2 to 8, default 4), key ``<prefix>_k``."""
    return st.slider("Number of classes", 2, len(CLASS_NAMES), 4, key=f"{prefix}_k", bind=BIND)
