""" "Show the code" on the Gradient-descent page: the paths on screen as a PyTorch script."""

from __future__ import annotations

from functools import partial

from dlviz.descent.compare import DescentConfig
from dlviz.export import descent_script
from dlviz.ui.export import code_box, script_files, show_script


def show_code(config: DescentConfig) -> None:
    """The expander with the script of every optimizer's path (written only while open)."""
    box = code_box("gd_code")
    if box is None:
        return
    files = script_files(partial(descent_script, config), ("descent", config))
    note = "Its paths equal the ones drawn above to the last digit."
    if config.noise > 0:
        note += " The gradient noise comes from the same seed."
    show_script(box, "gd_code", files, note)
