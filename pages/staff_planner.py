"""Staff planner: build a roster for the coming weeks, try what-ifs, publish."""

from ui.entry import require_entrypoint

require_entrypoint()

from ui import access  # noqa: E402

access.require_page(__file__)

import datetime as dt  # noqa: E402

import streamlit as st  # noqa: E402

from data.roster_inputs import Away, Hire, InputInvalid, ScenarioInputs  # noqa: E402
from data.roster_tables import coverage_frame, grid_frame, shifts_frame  # noqa: E402
from data.scenarios import (  # noqa: E402
    ScenarioNotFound,
    assignments,
    cells,
    clone_scenario,
    create_scenario,
    default_inputs,
    get_scenario,
    publish,
)
from ui import context, planner_state, roster_views, solver  # noqa: E402

st.title("Staff planner")
st.caption("Build the roster for the coming weeks against coverage needs, labor rules and budget; "
           "try what-ifs as separate scenarios; publish the one you choose.")

role_names = planner_state.role_names()
scenario_id = planner_state.scenario_picker()

# Keyed by the scenario shown: a new key is a new expander, so the form closes
# once the scenario it created is open (and stays open while there is none).
with st.expander("New scenario", icon=":material/add:", expanded=scenario_id is None,
                 key=f"new-scenario-{scenario_id}"):
    with st.form("new_scenario"):
        cols = st.columns([3, 2, 2])
        name = cols[0].text_input("Name", value=f"Roster from {planner_state.next_monday():%d %b}")
        start = cols[1].date_input("First day", value=planner_state.next_monday(), format="YYYY-MM-DD")
        weeks = cols[2].number_input("Weeks", min_value=1, max_value=8, value=4, step=1)
        if st.form_submit_button("Create", type="primary"):
            try:
                with context.session() as s:
                    created = create_scenario(s, name=name, start=start, weeks=weeks, inputs=default_inputs(s, int(weeks)),
                                              actor=context.actor(), now=context.now())
                planner_state.choose(created.id)
                st.rerun()
            except InputInvalid as invalid:
                st.error(str(invalid))

if scenario_id is None:
    st.info("Create a scenario to start: choose its first day and how many weeks it covers (1 to 8).")
    st.stop()

try:
    with context.session() as s:
        scenario = get_scenario(s, scenario_id)
        scenario_cells = cells(s, scenario_id)
except ScenarioNotFound as missing:
    st.error(str(missing))
    st.stop()
built = planner_state.built(scenario.id, scenario.updated_at)
inputs = ScenarioInputs.from_json(scenario.inputs)
end = scenario.start_date + dt.timedelta(days=7 * scenario.weeks - 1)

st.subheader(scenario.name)
st.caption(planner_state.describe(scenario, inputs, built))
for note in built.ineligible:
    st.warning(note, icon=":material/badge:")

# ---- what-if: clone with levers ---------------------------------------------------------------
with st.expander("What if…? Save a copy with a change", icon=":material/alt_route:"):
    staff = {k: v for k, v in built.people.items() if built.staff_ids.get(k)}
    with st.form("clone"):
        name = st.text_input("Name of the new scenario", value=f"{scenario.name} (what-if)")
        a, b = st.columns(2)
        away_person = a.selectbox("Someone away", options=[None, *staff], format_func=lambda k: "Nobody" if k is None
                                  else staff[k])
        away_dates = a.date_input("Away from – to", value=(scenario.start_date, scenario.start_date),
                                  min_value=scenario.start_date, max_value=end, format="YYYY-MM-DD")
        hire_role = b.selectbox("Hypothetical hire", options=[None, *role_names],
                                format_func=lambda r: "None" if r is None else role_names[r])
        hire_hours = b.number_input("Hire's hours per week", min_value=1.0, max_value=60.0, value=40.0, step=4.0)
        hire_rate = b.number_input("Hire's pay rate ($/h)", min_value=1.0, max_value=500.0, value=20.0, step=0.5)
        c, d = st.columns(2)
        demand = c.slider("Demand (% of the usual coverage need)", min_value=50, max_value=200,
                          value=int(inputs.levers.demand_pct), step=5)
        budget = d.number_input("Labor budget for the whole period ($, 0 = none)", min_value=0.0,
                                value=float(inputs.rules.budget or 0), step=500.0)
        max_week = c.number_input("Max hours per week", min_value=1.0, max_value=100.0,
                                  value=float(inputs.rules.max_hours_per_week), step=1.0)
        ot_after = d.number_input("Overtime after (hours per week)", min_value=0.0, max_value=100.0,
                                  value=float(inputs.rules.overtime_threshold_hours), step=1.0)
        if st.form_submit_button("Save as a new scenario", type="primary"):
            try:
                changed = ScenarioInputs.from_json(inputs.to_json())
                if away_person is not None:
                    if not isinstance(away_dates, tuple) or len(away_dates) != 2:
                        raise InputInvalid("away", "Choose both the first and the last day away.")
                    changed.levers.away.append(Away(built.staff_ids[away_person], away_dates[0], away_dates[1],
                                                    reason="away (what-if)"))
                if hire_role is not None:
                    changed.levers.hires.append(Hire(hire_role, hire_hours, hire_rate))
                changed.levers.demand_pct = float(demand)
                changed.rules.budget = float(budget) if budget > 0 else None
                changed.rules.max_hours_per_week = float(max_week)
                changed.rules.overtime_threshold_hours = float(ot_after)
                with context.session() as s:
                    clone = clone_scenario(s, scenario.id, name=name, inputs=changed, actor=context.actor(),
                                           now=context.now())
                planner_state.choose(clone.id)
                st.rerun()
            except InputInvalid as invalid:
                st.error(str(invalid))

# ---- solve --------------------------------------------------------------------------------------
job = solver.current_job(scenario.id)
if solver.ended_since_read(job, scenario.summary):
    st.rerun()  # the solve ended after the scenario was read above: show its final roster
running = solver.is_active(job)
controls = st.columns([2, 1, 3], vertical_alignment="bottom")
limit = controls[0].select_slider("Time limit (seconds)", options=solver.TIME_LIMITS, value=20, key="solve_limit",
                                  disabled=running)
if controls[1].button("Solve", type="primary", icon=":material/play_arrow:", disabled=running, width="stretch"):
    problem = solver.start_solve(scenario.id, limit)
    if problem:
        st.error(problem)
    else:
        st.rerun()


@st.fragment(run_every=1.0 if running else None)
def live_progress() -> None:
    solver.progress_panel(scenario.id, shown_running=running, follow_roster=True,
                          shown_saved_at=(scenario.summary or {}).get("saved_at"))


live_progress()
if job is not None and job.status in ("done", "stopped", "failed") and job.message:
    (st.error if job.status == "failed" else st.caption)(
        f"Last solve ({job.finished_at:%d %b %H:%M}, {job.status}): {job.message}"
        + (f" First roster after {job.first_roster_s:.1f} s." if job.first_roster_s else ""))

summary = scenario.summary or {}
conflict = summary.get("conflict")
if summary.get("errors"):
    st.error("The inputs need fixing before a roster can be made:\n\n" + "\n".join(f"- {e}" for e in summary["errors"]))
if conflict:
    st.error("**No roster can satisfy every rule.** " + " ".join(conflict["sentences"]), icon=":material/block:")
    if conflict.get("relax"):
        st.info("What would help: " + " ".join(conflict["relax"]), icon=":material/lightbulb:")

if not scenario_cells:
    if not running:
        st.info("No roster yet: press **Solve**.")
    st.stop()

if running and summary.get("interim"):
    st.caption("The best roster so far, shown again every few seconds while the solver improves it: "
               "its figures can trail the live numbers above.")
elif summary.get("interim"):
    st.warning("This roster is from a solve that did not finish; solve again before publishing.",
               icon=":material/warning:")
roster_views.render_figures(summary.get("figures"))
tabs = st.tabs(["Roster", "Timeline", "Coverage", "Cost", "Fairness", "Penalties", "Edit"])
with tabs[0]:
    roster_views.render_grid(grid_frame(built, scenario.start_date, scenario.weeks, scenario_cells), role_names)
with tabs[1]:
    shifts = shifts_frame(built, scenario.start_date, scenario_cells)
    week = st.selectbox("Week", options=list(range(scenario.weeks)), key="timeline_week",
                        format_func=lambda w: f"Week of {scenario.start_date + dt.timedelta(weeks=w):%d %b}")
    first = scenario.start_date + dt.timedelta(weeks=week)
    in_week = shifts[(shifts["day"] >= first) & (shifts["day"] < first + dt.timedelta(days=7))]
    if in_week.empty:
        st.info("No shifts that week.")
    else:
        st.altair_chart(roster_views.timeline_chart(in_week, role_names))
with tabs[2]:
    coverage = coverage_frame(built, assignments(built, scenario, scenario_cells))
    location = st.selectbox("Location", options=sorted(coverage["location"].unique()), key="cov_location")
    subset = coverage[coverage["location"] == location]
    short = subset[subset["gap"] < 0]
    st.caption(f"{len(short)} time window(s) short of the minimum ({(-short['gap'] * short['hours']).sum():.1f} "
               f"person-hours), {int((subset['scheduled'] > subset['preferred']).sum())} above the preferred level.")
    st.altair_chart(roster_views.coverage_heatmap(subset, role_names))
with tabs[3]:
    roster_views.render_cost(summary, role_names)
with tabs[4]:
    st.dataframe(roster_views.fairness_frame(summary, role_names), hide_index=True, width="stretch")
with tabs[5]:
    roster_views.render_penalties(summary)
with tabs[6]:
    planner_state.edit_panel(scenario, built, scenario_cells)

st.divider()
if scenario.status == "published":
    st.success(f"Published on {scenario.published_at:%d %b %Y %H:%M} by {scenario.published_by}.")
elif running:
    st.caption("Publishing is possible once the solve has finished.")
elif scenario.status == "solved" and not summary.get("interim"):
    if scenario.published_at is not None:
        st.caption(f"Changed since it was published on {scenario.published_at:%d %b %H:%M}: the roster published "
                   "then stays the official one until you publish this version.")
    if st.button("Publish this roster", icon=":material/publish:", type="primary"):
        try:
            with context.session() as s:
                count = publish(s, scenario.id, actor=context.actor(), now=context.now())
            st.success(f"Published {count} shifts from {scenario.start_date:%d %b} to {end:%d %b}.")
            st.rerun()
        except InputInvalid as invalid:
            st.error(str(invalid))
else:
    st.caption("Solve again after changing inputs or edits, then publish.")
