"""Playground: build a small MLP, press Play, and watch it classify a 2-D dataset, live."""

from __future__ import annotations

from dlviz.ui import playground as ui

text = ui.text_sections("playground")
ui.page_header("Playground: watch a network learn, live", text["intro"])

data_cfg, model_cfg, settings = ui.playground_controls()
trainer, data = ui.get_trainer(data_cfg, model_cfg, settings)
ui.pause_when_hidden(trainer)  # nobody watches a hidden tab: its training thread pauses
ui.show_toolbar(trainer)
ui.show_live(trainer, data)
ui.show_hands_on(trainer, data_cfg)  # slow motion, editing a weight, your own CSV
ui.show_code(data_cfg, trainer)  # this run as a standalone PyTorch script (.py / .ipynb)
ui.show_notes(text, model_cfg.optimizer)
