"""ClinicOps: the operations dashboard and staff planner for a medical office.

Entrypoint and frame: page config, the database, navigation and the shared
sidebar. Each view lives in ``pages/``.
"""

import streamlit as st

from ui.context import engine, shared_sidebar
from ui.entry import leave_legacy_pages_mode

leave_legacy_pages_mode()

st.set_page_config(page_title="ClinicOps", page_icon=":material/local_hospital:", layout="wide")

engine()  # create or upgrade the database before any page reads it

navigation = st.navigation(
    {
        "Today": [
            st.Page("pages/operations.py", title="Live operations", icon=":material/monitor_heart:",
                    url_path="operations", default=True),
        ],
        "Goals": [
            st.Page("pages/wait_goal.py", title="Wait-time goal", icon=":material/timer:", url_path="wait_goal"),
        ],
    }
)
shared_sidebar()
navigation.run()
