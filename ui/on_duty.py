"""Who is on duty now against who is needed, from the published roster."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data.demo.roster_publish import ensure_demo_roster
from data.published import on_duty_vs_required
from ui import context

STATUS_COLOURS = {"short": "#f8d7da", "below preferred": "#fff3cd", "ok": "#d1e7dd", "over": "#cfe2ff"}


@st.cache_data(ttl=30, show_spinner=False)
def _staffing(at: dt.datetime, location_id: int | None) -> pd.DataFrame:
    with context.session() as s:
        return on_duty_vs_required(s, at, location_id)


def render(location_id: int | None, now: dt.datetime, *, manager: bool) -> None:
    """The staffing panel of the live operations page (today only)."""
    with context.session() as s:
        solving = ensure_demo_roster(s, now)
    if solving:
        _staffing.clear()
    at = now.replace(second=0, microsecond=0)
    staffing = _staffing(at, location_id)
    st.subheader("Staff on duty now")
    if staffing.empty or staffing["on_duty"].sum() == 0 and (staffing["minimum"] == 0).all():
        if solving:
            st.info("The demo practice's roster for this week is being solved; who is on duty appears here "
                    "within a minute.", icon=":material/hourglass_top:")
        else:
            st.info("Nobody is on a published shift right now"
                    + (" and no coverage is needed at this hour." if staffing.empty else ".")
                    + (" Publish a roster in the Staff planner to see who is on duty." if manager else ""))
        return
    short = staffing[staffing["status"] == "short"]
    for row in short.itertuples():
        st.warning(f"**{row.location}: {row.short} {row.role_name.lower()}{'s' if row.short > 1 else ''} short "
                   f"right now** (needs {row.minimum}, {row.on_duty} on duty).", icon=":material/group_off:")
    table = pd.DataFrame({
        "Location": staffing["location"], "Role": staffing["role_name"], "On duty": staffing["on_duty"],
        "Needed": staffing["minimum"], "Preferred": staffing["preferred"], "Status": staffing["status"],
        "Who": staffing["names"],
    })
    styled = table.style.map(lambda v: f"background-color: {STATUS_COLOURS.get(v, '')}" if v in STATUS_COLOURS
                             else "", subset=["Status"])
    st.dataframe(styled, hide_index=True, width="stretch")
    st.caption(f"From the published roster at {at:%H:%M}; needs from the coverage requirements of a "
               f"{at:%A}.")
