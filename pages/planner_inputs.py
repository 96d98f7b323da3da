"""Planning inputs: what the staff planner works from, edited by the manager.

Staff and their eligibility, the shifts each location offers, the coverage
each location needs (typed in, proposed from the booked appointments, or
scaled), the labor rules and budget, time off and shift wishes. Bad input is
refused with a message next to the table or field, and nothing is saved.
"""

from ui.entry import require_entrypoint

require_entrypoint()

from ui import access  # noqa: E402

access.require_page(__file__)

import streamlit as st  # noqa: E402

from ui import context, planning_inputs  # noqa: E402

today = context.now().date()
locations = context.locations()
location_id = context.selected_location()
scope = None if location_id is None else (location_id,)
where = "all locations" if location_id is None else locations[location_id]

st.title("Planning inputs")
st.caption(f"What the staff planner builds rosters from. Shifts and coverage show {where} (change it in the "
           "sidebar). Every change is checked before it is saved and recorded in the audit log.")

staff_tab, shifts_tab, coverage_tab, rules_tab, leave_tab = st.tabs(
    ["Staff and eligibility", "Shift templates", "Coverage needs", "Labor rules and budget", "Time off and wishes"],
    key="tab", bind="query-params")
with staff_tab:
    planning_inputs.staff_section(today)
with shifts_tab:
    planning_inputs.templates_section(scope, locations)
with coverage_tab:
    planning_inputs.coverage_section(scope, locations, today)
with rules_tab:
    planning_inputs.rules_section()
with leave_tab:
    st.subheader("Time off")
    planning_inputs.time_off_section(today)
    st.divider()
    st.subheader("Shift wishes")
    planning_inputs.wishes_section()
