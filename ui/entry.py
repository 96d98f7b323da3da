"""Make sure every page runs inside ``app.py``'s frame.

Streamlit keeps a legacy mode for apps with a ``pages/`` folder: until
``st.navigation`` has been called once in the server process, a deep link
such as ``/wait_goal`` runs ``pages/wait_goal.py`` on its own, skipping the
entrypoint (page config, database set-up, navigation, and later the sign-in
gate). ``app.py`` switches that mode off as it starts, and the first line of
every page calls ``require_entrypoint``, which runs ``app.py`` in place of a
page that was started on its own (in the same script run, so a form that was
just submitted is not lost).
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parents[1] / "app.py"


def leave_legacy_pages_mode() -> None:
    """Called by ``app.py``: from now on Streamlit always runs the entrypoint."""
    PagesManager.uses_pages_directory = False


def require_entrypoint() -> None:
    """Called first by every page: run ``app.py`` instead if it was skipped."""
    if PagesManager.uses_pages_directory:
        leave_legacy_pages_mode()
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
