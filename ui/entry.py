"""Make sure every page runs inside ``app.py``'s frame.

Streamlit keeps a legacy mode for apps with a ``pages/`` folder: until
``st.navigation`` has been called once in the server process, a deep link
such as ``/wait_goal`` runs ``pages/wait_goal.py`` on its own, skipping the
entrypoint (page config, database set-up, navigation, and later the sign-in
gate). The first line of every page calls ``require_entrypoint`` so such a
run switches the legacy mode off and restarts through ``app.py``.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_entrypoint() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
