"""The Training page's model picker and hyperparameter form.

``model_picker()`` sits outside the form (it changes what the page shows before any training,
as ``dlviz.ui.training.data.dataset_picker()`` does); ``training_controls()`` is an ``st.form``
returning a ``TrainConfig`` only when Train is pressed, so moving a slider never interrupts a
run. The form starts from ``form_defaults()``, the preset's default run from
``dlviz.training.preset_config``, shown through ``form_values()``. Training itself is
``dlviz.ui.training.run``.
"""

from __future__ import annotations

import functools

import streamlit as st

from dlviz.data import Dataset
from dlviz.display import count, number, percent
from dlviz.optimizers import LABELS
from dlviz.runtime import bf16_native
from dlviz.training import (
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    OPTIMIZER_CHOICES,
    PRECISIONS,
    TrainConfig,
    preset_config,
)
from dlviz.training.models import PRESET_NAMES, PRESETS, ModelSpec
from dlviz.ui.links import BIND
from dlviz.ui.training.data import DATASET_LABELS

CUSTOM = {"custom-mlp": "Custom MLP (your layers)", "custom-cnn": "Custom CNN (your layers)"}
MODEL_CHOICES: tuple[str, ...] = (*PRESET_NAMES, *CUSTOM)
PRECISION_WORDS = {
    "fp32": "32-bit floats (fp32)",
    "bf16": "mixed precision (bf16 forward passes)",
}
"""What a finished run's ``TrainResult.precision`` means, in words."""
LR_STEPS: tuple[float, ...] = (
    1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0,
)  # fmt: skip
WEIGHT_DECAYS: tuple[float, ...] = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
BATCH_SIZES: tuple[int, ...] = (16, 32, 64, 128, 256, MAX_BATCH_SIZE)
WIDTHS: tuple[int, ...] = (16, 32, 64, 128, 256, 512)
CHANNELS: tuple[int, ...] = (4, 8, 16, 32, 64)
SUBSET_STEPS: tuple[int, ...] = (500, 1000, 2000, 5000, 10_000, 20_000, 30_000)


# --- choosing the model (outside the form: it changes the story) ------------------------------


def model_picker(data: Dataset) -> str:
    """The model selectbox: a seed notebook preset or a custom MLP/CNN; shows the preset's story."""
    choice = st.selectbox(
        "Model",
        MODEL_CHOICES,
        format_func=lambda m: CUSTOM.get(m) or preset_label(m),
        key="train_model",
        bind=BIND,
    )
    if choice in PRESETS:
        st.caption(preset_story(choice, data))
    return choice


def preset_story(name: str, data: Dataset) -> str:
    """What the preset is, how its notebook trained it, and the recipe the form starts from."""
    p, cfg = PRESETS[name], form_defaults(name, data)
    reported = (
        f" Its notebook reports **{percent(p.reported_accuracy, 2)}** test accuracy on "
        f"{DATASET_LABELS[p.reported_dataset].split(':')[0]}."
        if p.reported_accuracy and p.reported_dataset
        else ""
    )
    story = f"{p.description} The notebook trained it with {p.recipe}"
    form = (
        f" The form below starts from dlviz's faster recipe for {data.info.label}: "
        f"{LABELS[cfg.optimizer]}, lr {number(cfg.lr)}, "
        f"batch {cfg.batch_size}, {cfg.epochs} epochs."
    )
    return story.replace("*", "\\*") + reported + form  # '32*14*14' is maths, not emphasis


def preset_label(name: str) -> str:
    """'seed-cnn: CNN, conv 32 → fc 128' for the model picker."""
    spec = PRESETS[name].spec
    fc = " → ".join(map(str, spec.hidden))
    if spec.kind == "cnn":
        return f"{name}: CNN, conv {'-'.join(map(str, spec.channels))} → fc {fc}"
    return f"{name}: MLP, hidden {fc}"


def form_defaults(model: str, data: Dataset) -> TrainConfig:
    """The run the form starts from: the preset's default run on this data (a custom network's
    layers come from its widgets; its recipe is the default one)."""
    return preset_config(_model(model), data.info.name, train_images=len(data.train_y))


def form_values(cfg: TrainConfig, n_train: int) -> dict[str, object]:
    """The form's widget values that show ``cfg`` (a subset of None shows all ``n_train``)."""
    return {
        "train_opt": cfg.optimizer,
        "train_lr": cfg.lr,
        "train_momentum": cfg.momentum,
        "train_wd": cfg.weight_decay,
        "train_batch": cfg.batch_size,
        "train_epochs": cfg.epochs,
        "train_subset": cfg.train_subset or n_train,
        "train_seed": cfg.seed,
        "train_precision": cfg.precision,
    }


def _model(model: str, spec: ModelSpec | None = None) -> str | ModelSpec:
    """A preset's name, or the custom network (its widgets' spec, or a stand-in of its kind)."""
    if model not in CUSTOM:
        return model
    return spec or ModelSpec("cnn" if model == "custom-cnn" else "mlp")


def _ensure_defaults(model: str, data: Dataset) -> dict[str, object]:
    """The form's defaults for this model and dataset (its widgets' ``value``s, so a link leaves
    out exactly the settings that are the preset's own). When the dataset or the model changes,
    the widgets are reset so they show the new preset's recipe."""
    tag = (model, data.info.name)
    defaults = form_values(form_defaults(model, data), len(data.train_y))
    previous = st.session_state.get("train_recipe_for")
    if previous is not None and previous != tag:
        for key in defaults:
            st.session_state.pop(key, None)
    st.session_state["train_recipe_for"] = tag
    return defaults


# --- the form -----------------------------------------------------------------------------------


def subset_options(n_train: int) -> list[int]:
    """Training-subset choices below the dataset size, plus all of it."""
    return [s for s in SUBSET_STEPS if s < n_train] + [n_train]


def training_controls(model: str, data: Dataset) -> TrainConfig | None:
    """The hyperparameter form; returns the config when Train is pressed, else None."""
    d = _ensure_defaults(model, data)
    n_train = len(data.train_y)
    with st.form("train_form", border=True):
        spec = _custom_spec_controls(model) if model in CUSTOM else None
        c1, c2 = st.columns(2)
        c1.selectbox(
            "Optimizer", OPTIMIZER_CHOICES, OPTIMIZER_CHOICES.index(d["train_opt"]),
            format_func=LABELS.get, key="train_opt", bind=BIND,
        )  # fmt: skip
        c2.select_slider(
            "Learning rate (log scale)", LR_STEPS, d["train_lr"], key="train_lr", bind=BIND, format_func=number,
            help="How far each step moves the weights: w ← w − lr · ∂L/∂w.",
        )  # fmt: skip
        c1.slider(
            "Momentum", 0.0, 0.99, d["train_momentum"], step=0.01, key="train_momentum", bind=BIND,
            help="Used by 'SGD + momentum': v ← μv + g, w ← w − lr·v.",
        )  # fmt: skip
        c2.select_slider(
            "Weight decay (L2)", WEIGHT_DECAYS, d["train_wd"], key="train_wd", bind=BIND, format_func=number,
            help="Pulls every weight towards 0 a little each step.",
        )  # fmt: skip
        c1.select_slider("Batch size", BATCH_SIZES, d["train_batch"], key="train_batch", bind=BIND)
        c2.slider("Epochs", 1, MAX_EPOCHS, d["train_epochs"], key="train_epochs", bind=BIND)
        options = subset_options(n_train)
        if st.session_state.get("train_subset") not in options:
            st.session_state.pop("train_subset", None)  # the widget starts again from all of them
        c1.select_slider(
            "Training images", options, n_train, key="train_subset", bind=BIND,
            format_func=lambda s: f"all {count(s)}" if s == n_train else count(s),
            help="Fewer images train faster; 10% of them are held out for validation.",
        )  # fmt: skip
        c2.number_input("Seed", 0, 9999, d["train_seed"], step=1, key="train_seed", bind=BIND,
                        help="Same seed, same initial weights and batch order.")  # fmt: skip
        c1.selectbox(
            "Precision", PRECISIONS, PRECISIONS.index(d["train_precision"]), key="train_precision",
            bind=BIND, format_func=precision_label,
            help="Mixed precision (bf16) runs the forward pass in 16-bit bfloat16 numbers while the "
            "weights, the loss and the optimizer stay 32-bit: about 1.5x faster for CNNs on a CPU "
            "with bf16 instructions, at the same accuracy. 'auto' uses it for CNNs when this "
            "computer's CPU has those instructions, and fp32 otherwise (shown in brackets).",
        )  # fmt: skip
        submitted = st.form_submit_button(
            "Train", type="primary", key="train_go", icon=":material/play_arrow:", width="stretch"
        )
        st.caption(f"Runs train on this server's {server_device()}, in a worker process.")
    if not submitted:
        return None
    return _config(_model(model, spec), data)


@functools.cache
def server_device() -> str:
    """What ``--device auto`` picks here, in words: 'CPU', 'CUDA GPU (NVIDIA H200)', ..."""
    from dlviz.runtime import resolve_device

    device = resolve_device("auto")
    if device.type == "cuda":
        import torch

        return f"CUDA GPU ({torch.cuda.get_device_name(device)})"
    return {"mps": "Apple MPS GPU"}.get(device.type, "CPU (no GPU here)")


def precision_label(precision: str) -> str:
    """'auto (bf16)', 'fp32', 'bf16': short enough for the picker (the help says the rest)."""
    if precision == "auto":
        return "auto (bf16)" if bf16_native() else "auto (fp32)"
    return precision


def _custom_spec_controls(model: str) -> ModelSpec:
    """Layers of a custom MLP or CNN (inside the form)."""
    cnn = model == "custom-cnn"
    st.markdown("**Your network**")
    a, b = st.columns(2)
    if cnn:
        n_conv = a.slider("Conv blocks", 1, 3, 2, key="train_conv_blocks", bind=BIND)
        ch = b.select_slider("Channels in the first block", CHANNELS, 16, key="train_channels", bind=BIND,
                             help="Each later block doubles them (capped at 64).")  # fmt: skip
        channels = tuple(min(64, ch * 2**i) for i in range(n_conv))
    n_hidden = a.slider("Hidden layers" + (" after the convs" if cnn else ""), 0 if cnn else 1, 4,
                        1 if cnn else 2, key="train_layers", bind=BIND)  # fmt: skip
    width = b.select_slider("Width of the first hidden layer", WIDTHS, 128, key="train_width", bind=BIND,
                            help="Each later layer halves it (at least 16).")  # fmt: skip
    hidden = tuple(max(16, width // 2**i) for i in range(n_hidden))
    from dlviz.activations import ACTIVATION_NAMES

    activation = a.selectbox("Activation", ACTIVATION_NAMES, index=ACTIVATION_NAMES.index("relu"),
                             key="train_act", bind=BIND)  # fmt: skip
    dropout = b.slider("Dropout", 0.0, 0.7, 0.0, 0.05, key="train_dropout", bind=BIND)
    batch_norm = a.checkbox("Batch norm", False, key="train_bn", bind=BIND)
    if cnn:
        return ModelSpec("cnn", hidden, activation, dropout, batch_norm, channels)
    return ModelSpec("mlp", hidden, activation, dropout, batch_norm)


def _config(model: str | ModelSpec, data: Dataset) -> TrainConfig | None:
    """The TrainConfig from the form's values; an st.error instead of a traceback if invalid."""
    try:
        return config_from_form(model, data)
    except ValueError as err:
        st.error(f"These settings cannot train: {err}")
        return None


def form_config(model: str, data: Dataset) -> TrainConfig | None:
    """The run the form shows now (a link's settings, say), for a preset; None if it is not one."""
    if model in CUSTOM:
        return None
    try:
        return config_from_form(model, data)
    except (KeyError, ValueError):
        return None


def config_from_form(model: str | ModelSpec, data: Dataset) -> TrainConfig:
    """The TrainConfig of the form's committed values (KeyError before the form was drawn,
    ValueError for settings that cannot train)."""
    s = st.session_state
    return preset_config(
        model,
        data.info.name,
        train_images=len(data.train_y),
        optimizer=s["train_opt"],
        lr=float(s["train_lr"]),
        momentum=float(s["train_momentum"]),
        weight_decay=float(s["train_wd"]),
        batch_size=int(s["train_batch"]),
        epochs=int(s["train_epochs"]),
        train_subset=int(s["train_subset"]),
        seed=int(s["train_seed"]),
        precision=str(s.get("train_precision", "auto")),
    )


def link_params(cfg: TrainConfig, n_train: int) -> dict[str, str]:
    """URL parameters that open the Training form on ``cfg`` (for links from other pages): each
    value written the way its widget shows it, so the page's widgets read them back."""
    if not isinstance(cfg.model, str) or cfg.model not in PRESETS:
        return {}
    subset = cfg.train_subset or n_train
    return {
        "train_dataset": DATASET_LABELS[cfg.dataset],
        "train_model": preset_label(cfg.model),
        "train_opt": LABELS[cfg.optimizer],
        "train_lr": number(cfg.lr),
        "train_momentum": str(cfg.momentum),
        "train_wd": number(cfg.weight_decay),
        "train_batch": str(cfg.batch_size),
        "train_epochs": str(cfg.epochs),
        "train_subset": f"all {count(subset)}" if subset == n_train else count(subset),
        "train_seed": str(cfg.seed),
        "train_precision": precision_label(cfg.precision),
    }
