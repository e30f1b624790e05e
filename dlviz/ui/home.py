"""Home's pieces: the page header and texts (dlviz.ui.common) and the learning path, which is
drawn from the page registry so a new page appears on Home by itself."""

from __future__ import annotations

from dlviz.ui.common import load_text, page_header
from dlviz.ui.registry import learning_path

__all__ = ["learning_path", "load_text", "page_header"]
