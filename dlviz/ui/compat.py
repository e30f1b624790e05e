"""What dlviz uses from Streamlit's internals, in one place: each name here is not public API,
so a Streamlit upgrade may move it. It is imported without a fallback, and tests/unit/
test_compat.py checks it, so an upgrade that breaks it fails at import and in CI instead of
quietly switching a feature off.
"""

from __future__ import annotations

# Raised inside a script thread at its next st.* call when the learner clicks anything while the
# script runs (a rerun) or the session stops. The Training page catches it to keep a stopped run.
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

__all__ = ["ScriptControlException"]
