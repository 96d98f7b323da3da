"""Compare scenarios side by side, see what changed, and ask how many people a role needs."""

from ui.entry import require_entrypoint

require_entrypoint()

from ui import access  # noqa: E402

access.require_page(__file__)

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from data.roster_inputs import InputInvalid  # noqa: E402
from data.roster_tables import diff_frame  # noqa: E402
from data.scenarios import cells, get_scenario, list_scenarios  # noqa: E402
from data.staffing import STAFFING_PREFIX, ask_staffing_question, staffing_answer  # noqa: E402
from ui import context, planner_state, solver  # noqa: E402
from ui.format import percent  # noqa: E402

st.title("Compare scenarios")
role_names = planner_state.role_names()
with context.session() as s:
    scenarios = list_scenarios(s)
solved = scenarios[scenarios["figures"].notna()]
if len(solved) < 2:
    st.info("Solve at least two scenarios in the staff planner to compare them "
            "(for example a plan and a copy with someone away).")
    st.stop()

labels = {int(r.id): f"{r.name} ({r.start:%d %b}, {r.weeks} wk)" for r in solved.itertuples()}
ids = list(labels)
wanted = []
for part in str(st.query_params.get("compare", "")).split(","):
    try:
        if int(part) in ids:
            wanted.append(int(part))
    except ValueError:
        continue
chosen = st.multiselect("Scenarios (two to four)", options=ids, default=wanted[:4] or ids[:2],
                        format_func=labels.get, max_selections=4, key="compare_ids")
st.query_params["compare"] = ",".join(str(i) for i in chosen)
if len(chosen) < 2:
    st.info("Pick at least two scenarios.")
    st.stop()

rows = []
for sid in chosen:
    f = solved.loc[solved["id"] == sid, "figures"].iloc[0]
    spread = f.get("fairness_spread") or {}
    made = f.get("requests_made") or 0
    rows.append({
        "Scenario": labels[sid], "Pay ($)": f.get("cost") or 0.0, "Overtime (h)": f.get("overtime_hours", 0.0),
        "Coverage short (h)": f.get("shortfall_hours", 0.0), "Below preferred (h)": f.get("below_preferred_hours", 0.0),
        "Wishes granted": f.get("requests_granted", 0), "Wishes made": made,
        "Wishes granted (%)": (f.get("requests_granted", 0) / made) if made else None,
        "Weekend spread": spread.get("weekends", 0), "Late-shift spread": spread.get("late_shifts", 0),
    })
table = pd.DataFrame(rows)
st.dataframe(
    table.assign(**{"Wishes granted (%)": table["Wishes granted (%)"].map(percent)}),
    hide_index=True, width="stretch",
    column_config={"Pay ($)": st.column_config.NumberColumn(format="dollar"),
                   "Overtime (h)": st.column_config.NumberColumn(format="%.1f"),
                   "Coverage short (h)": st.column_config.NumberColumn(format="%.1f"),
                   "Below preferred (h)": st.column_config.NumberColumn(format="%.1f")},
)

measures = ["Pay ($)", "Overtime (h)", "Coverage short (h)", "Wishes granted", "Weekend spread"]
long = table.melt(id_vars="Scenario", value_vars=measures, var_name="Measure", value_name="Value")
chart = alt.Chart(long).mark_bar().encode(
    x=alt.X("Value:Q", title=None), y=alt.Y("Scenario:N", title=None), color=alt.Color("Scenario:N", legend=None),
    row=alt.Row("Measure:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
    tooltip=["Scenario", "Measure", alt.Tooltip("Value:Q", format=",.1f")],
).resolve_scale(x="independent").properties(height=24 * len(chosen), width=600)
st.altair_chart(chart)

st.subheader("What changed between two scenarios")
a, b = st.columns(2)
first = a.selectbox("First", options=chosen, format_func=labels.get, key="diff_a")
second = b.selectbox("Second", options=[i for i in chosen if i != first], format_func=labels.get, key="diff_b")
with context.session() as s:
    sa, sb = get_scenario(s, first), get_scenario(s, second)
    ca, cb = cells(s, first), cells(s, second)
if (sa.start_date, sa.weeks) != (sb.start_date, sb.weeks):
    st.caption("These two cover different dates; only days in both are compared.")
diff = diff_frame((planner_state.built(sa.id, sa.updated_at), sa.start_date, ca),
                  (planner_state.built(sb.id, sb.updated_at), sb.start_date, cb))
overlap = set(pd.date_range(sa.start_date, periods=7 * sa.weeks).date) & set(
    pd.date_range(sb.start_date, periods=7 * sb.weeks).date)
diff = diff[diff["Day"].isin(overlap)]
st.caption(f"{len(diff)} cell(s) differ.")
st.dataframe(diff.rename(columns={"First": labels[first], "Second": labels[second]}), hide_index=True,
             width="stretch", height=min(38 + 35 * max(len(diff), 1), 500))

st.subheader("How many more people would we need?")
st.caption("The optimizer re-solves the chosen scenario with one, two, … extra people of a role and reports the "
           "coverage shortfall and the pay for each; the smallest number that meets coverage is the answer.")
plannable = [int(r.id) for r in solved.itertuples() if not str(r.name).startswith(STAFFING_PREFIX)]
with st.form("staffing"):
    c1, c2, c3, c4, c5 = st.columns(5)
    base = c1.selectbox("Starting from", options=plannable or ids, format_func=labels.get)
    role = c2.selectbox("Role", options=list(role_names), format_func=role_names.get)
    most = c3.number_input("Up to how many extra", min_value=1, max_value=4, value=2)
    hours = c4.number_input("Hours per week each", min_value=1.0, max_value=60.0, value=40.0, step=4.0)
    rate = c5.number_input("Pay rate ($/h)", min_value=1.0, max_value=500.0, value=20.0, step=0.5)
    limit = st.select_slider("Time limit per solve (s)", options=solver.TIME_LIMITS, value=20)
    if st.form_submit_button("Ask the optimizer", type="primary"):
        solver.ensure_worker()
        try:
            with context.session() as s:
                created = ask_staffing_question(s, base, role, int(most), hours, rate, limit,
                                                actor=context.actor(), now=context.now())
            st.session_state["staffing_base"] = base
            st.success(f"Queued {len(created)} solves; results appear below as they finish.")
        except InputInvalid as invalid:
            st.error(str(invalid))


@st.fragment(run_every=2.0)
def staffing_results() -> None:
    base_id = st.session_state.get("staffing_base")
    if base_id is None:
        return
    with context.session() as s:
        answer = staffing_answer(s, base_id)
    if answer.table.empty:
        return
    st.dataframe(answer.table, hide_index=True, width="stretch")
    if answer.pending:
        st.caption(f"{answer.pending} solve(s) still running…")
    elif answer.sentence:
        st.success(answer.sentence, icon=":material/group_add:")


staffing_results()
