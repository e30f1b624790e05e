""" "Show the code" on the Playground: the network on screen, trained as far, as a PyTorch script."""

from __future__ import annotations

from functools import partial

from dlviz.display import count
from dlviz.export import playground_script
from dlviz.playground.data import DataConfig
from dlviz.playground.session import Trainer
from dlviz.ui.export import code_box, script_files, show_script
from dlviz.ui.playground import own_data

UNTRAINED_EPOCHS = 100
"""Epochs the script trains while the Playground is still at epoch 0."""


def show_code(data_cfg: DataConfig, trainer: Trainer) -> None:
    """The expander with the script of this run: data, features, network, seed, optimizer, and
    as many epochs as the trainer has done (written only while it is open)."""
    box = code_box("pg_code")
    if box is None:
        return
    epochs = trainer.epoch or UNTRAINED_EPOCHS
    settings = trainer.settings
    key = ("playground", data_cfg, trainer.model_cfg, settings.lr, settings.batch_size,
           settings.l2, settings.l1, epochs)  # fmt: skip
    files = script_files(
        partial(playground_script, data_cfg, trainer.model_cfg, settings, epochs), key
    )
    if trainer.epoch:
        note = (
            f"It trains {count(epochs)} epochs, as many as this run has done (Pause to update "
            "the count), with the current learning rate, batch size and L2 throughout: if you "
            "changed them while it trained, press Reset and train again to compare."
        )
    else:
        note = f"This run has not trained yet, so the script trains {count(epochs)} epochs."
    if own_data.edited():
        note += (
            " It draws the generated dataset: the points you added, removed or uploaded are not "
            "in it, so its numbers differ from this page's."
        )
    show_script(box, "pg_code", files, note)
