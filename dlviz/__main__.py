"""``python -m dlviz``: see ``dlviz.cli``."""

from __future__ import annotations

import sys

from dlviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
