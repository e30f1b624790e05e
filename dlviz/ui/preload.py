"""Every module the pages share, imported once, before any page script renders anything.

Why: plotly (like narwhals and Streamlit's dataframe helpers) looks optional libraries up in
``sys.modules`` instead of importing them; ``_plotly_utils.optional_imports.get_module("pandas",
should_load=False)`` is ``sys.modules.get("pandas")``, called by the figure validators and the
JSON encoder. Python puts a module in ``sys.modules`` *before* running its body, so while one
learner's first visit imports pandas, a chart drawn for another learner finds a half-made pandas
and raises "partially initialized module 'pandas' has no attribute 'Series'". Python's import lock
only guards ``import`` statements: a thread that reaches ``import pandas`` waits until pandas is
complete; a ``sys.modules`` lookup does not wait.

How: app.py imports this module before its first ``st`` call, and every page run goes through
app.py (the ``st.navigation`` frame); pages also pass ``dlviz.ui.common.page_header``, which
imports it too, because a fresh server runs a deep link's page without app.py until app.py has
run once. So the first run imports all of this, and any run that starts meanwhile blocks on this
module's import lock until all of it is complete. Plain ``streamlit run app.py`` has no earlier
hook (``st.App``'s lifespan hook needs a different entrypoint). Only imports here, no work.
It costs the very first page load of a server about a second (measured with
``python -m benchmarks.cold_start``) and saves as much on the first visit of a heavier page.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil

# Third-party modules that pages import lazily or that plotly / Streamlit probe in sys.modules.
import narwhals  # noqa: F401
import numpy  # noqa: F401
import pandas  # noqa: F401
import pandas.io.formats.style  # noqa: F401  # DataFrame.style (jinja2) for st.dataframe
import PIL.Image  # noqa: F401
import plotly.graph_objects  # noqa: F401
import plotly.io  # noqa: F401
import plotly.subplots  # noqa: F401
import pyarrow  # noqa: F401  # st.dataframe / st.table serialise through Arrow
import sklearn.datasets  # noqa: F401
import sklearn.metrics  # noqa: F401
import sklearn.model_selection  # noqa: F401
import torch  # noqa: F401
import torchvision.datasets  # noqa: F401

with contextlib.suppress(ImportError):  # optional: plotly's faster JSON engine
    import orjson  # noqa: F401

# dlviz's own modules, all of them (the library is small): a new page or module needs no entry here.
import dlviz  # noqa: E402

_SKIP = {"dlviz.__main__", "dlviz.ui.preload"}
for _module in pkgutil.walk_packages(dlviz.__path__, "dlviz."):
    if _module.name not in _SKIP:
        importlib.import_module(_module.name)
