"""An exported script as a list of cells, written out as a ``.py`` file or a Jupyter notebook.

A ``Script`` is a title, an introduction and ``Cell``s (a heading, a few sentences, code). The same
cells become a plain Python file (``to_python``: a docstring, then ``# %%`` cell markers that
VS Code, PyCharm and Jupytext read as notebook cells, with the prose as comments) and a notebook
(``to_notebook``: nbformat v4, a markdown cell before each code cell). Nothing here knows what the
code does; the generators are ``dlviz.export.training``, ``playground`` and ``descent``.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One step of a script: a short heading, what it does in words, and its code."""

    title: str
    text: str
    code: str


@dataclass(frozen=True)
class Script:
    """A whole exported script: title, introduction (plain text) and its cells in order."""

    title: str
    intro: str
    cells: tuple[Cell, ...]
    name: str = "dlviz_script"  # file name stem for downloads

    @property
    def code(self) -> str:
        """All code cells joined (what runs)."""
        return "\n\n".join(c.code.strip("\n") for c in self.cells) + "\n"


def quoted(text: str) -> str:
    """A string literal in double quotes (as ruff formats it)."""
    return json.dumps(text, ensure_ascii=False)


def call(head: str, args: list[str], indent: str = "", tail: str = ")") -> str:
    """``head`` + the arguments + ``tail`` on one line when it fits in 100 characters, else the
    arguments on their own line (ruff's layout)."""
    line = f"{indent}{head}{', '.join(args)}{tail}"
    if len(line) <= 100:
        return line
    inner = f"{indent}    {', '.join(args)}"
    if len(inner) > 100:  # one argument per line, with a trailing comma
        inner = "\n".join(f"{indent}    {a}," for a in args)
    return f"{indent}{head}\n{inner}\n{indent}{tail}"


def _comment(text: str, width: int = 96) -> str:
    """Plain text as ``#`` comment lines (paragraphs kept, each wrapped to ``width``)."""
    lines = []
    for paragraph in text.strip().split("\n\n"):
        lines += textwrap.wrap(" ".join(paragraph.split()), width - 2) or [""]
        lines.append("")
    return "\n".join(f"# {ln}".rstrip() for ln in lines[:-1])


def to_python(script: Script) -> str:
    """The script as one runnable ``.py`` file: docstring, then ``# %%`` cells with comments."""
    intro = "\n\n".join(
        textwrap.fill(" ".join(p.split()), 96) for p in script.intro.strip().split("\n\n")
    )
    parts = []
    for cell in script.cells:
        head = f"# %% {cell.title}"
        body = _comment(cell.text) if cell.text.strip() else ""
        parts.append("\n".join(x for x in (head, body, cell.code.strip("\n")) if x))
    return f'"""{script.title}\n\n{intro}\n"""\n\n' + "\n\n\n".join(parts) + "\n"


def to_notebook(script: Script) -> str:
    """The script as a Jupyter notebook (nbformat 4 JSON): a markdown cell before each code cell."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [new_markdown_cell(f"# {script.title}\n\n{script.intro.strip()}")]
    for cell in script.cells:
        text = f"### {cell.title}" + (f"\n\n{cell.text.strip()}" if cell.text.strip() else "")
        cells.append(new_markdown_cell(text))
        cells.append(new_code_cell(cell.code.strip("\n")))
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(notebook)
    return nbformat.writes(notebook)
