"""Wait-time goal: set it, and see how the practice has done against it."""

from ui.entry import require_entrypoint

require_entrypoint()


import datetime as dt

import pandas as pd
import streamlit as st

from data import history
from data.goals import SettingsInvalid, goal_introduced_on, goals, practice, rules_on, set_goal, set_practice_settings
from data.kpis import SEEN_DEFINITIONS, WaitRules
from ui import access, charts, context
from ui.format import minutes, percent

user = access.require_page(__file__)

PERIODS = {"Last 3 months": 91, "Last 6 months": 182, "Last 12 months": 365}


@st.cache_data(ttl=60, show_spinner=False)
def load_history(start: dt.date, end: dt.date, location_id: int | None, rules: WaitRules) -> dict:
    with context.session() as s:
        return {
            "daily": history.daily_share(s, start, end, location_id, rules),
            "cells": history.hour_weekday(s, start, end, location_id, rules),
            "providers": history.by_provider(s, start, end, location_id, rules),
            "types": history.by_visit_type(s, start, end, location_id, rules),
        }


@st.cache_data(ttl=60, show_spinner=False)
def load_before_after(goal_from: dt.date, weeks: int, location_id: int | None, rules: WaitRules) -> list[dict]:
    before = (goal_from - dt.timedelta(weeks=weeks), goal_from - dt.timedelta(days=1))
    after = (goal_from, min(goal_from + dt.timedelta(weeks=weeks) - dt.timedelta(days=1), context.now().date()))
    with context.session() as s:
        return [history.period_summary(s, *period, location_id, rules) for period in (before, after)]


today = context.now().date()
location_id = context.selected_location()
with context.session() as s:
    clinic = practice(s)
    rules = rules_on(s, today)
    all_goals = goals(s)
    introduced = goal_introduced_on(s)

st.title("Wait-time goal")
st.caption(
    f"Wait runs from check-in until the patient is {SEEN_DEFINITIONS[rules.seen_definition].lower()}. "
    "Every figure in ClinicOps uses this one definition."
)

current = st.columns(4)
current[0].metric("Target", f"{rules.target_minutes} min", border=True)
current[1].metric("Warning at", f"{rules.warning_minutes} min", border=True)
current[2].metric("Patients within target", percent(rules.target_share), border=True)
current[3].metric("In force since", f"{all_goals[-1].effective_from:%d %b %Y}" if all_goals else "No goal yet", border=True)

if access.can("goal.edit"):
    editor = st.expander("Change the goal or how waits are measured", icon=":material/edit:")
    edit_goal, edit_measure = editor.columns(2)
    with edit_goal.form("goal_form"):
        st.markdown("**The goal**")
        target = st.number_input("Target wait (minutes)", min_value=1, max_value=240, value=rules.target_minutes, step=1)
        warning = st.number_input(
            "Warn the front desk after (minutes)", min_value=0, max_value=239, value=rules.warning_minutes, step=1,
            help="The board turns amber at this wait, so staff can step in before the target is breached.",
        )
        share = st.number_input(
            "Share of patients within target (%)", min_value=1, max_value=100, value=round(rules.target_share * 100), step=1
        )
        starts = st.date_input("Takes effect from", value=today, format="YYYY-MM-DD")
        note = st.text_input("Note (optional)", max_chars=200)
        if st.form_submit_button("Save goal", type="primary"):
            try:
                with context.session() as s:
                    set_goal(s, target=target, warning=warning, share=share / 100, effective_from=starts,
                             actor=context.actor(), now=context.now(), note=note)
                st.cache_data.clear()
                st.success(f"Goal saved: {target} min, warning at {warning} min, {share}% of patients, from {starts:%d %b %Y}.")
                st.rerun()
            except SettingsInvalid as invalid:
                st.error(str(invalid))

    with edit_measure.form("measure_form"):
        st.markdown("**How waits are measured**")
        seen = st.radio(
            "A patient counts as seen when",
            options=list(SEEN_DEFINITIONS),
            format_func=SEEN_DEFINITIONS.get,
            index=list(SEEN_DEFINITIONS).index(clinic.seen_definition),
        )
        refresh = st.number_input(
            "Board refreshes every (seconds)", min_value=2, max_value=600, value=clinic.board_refresh_seconds, step=1
        )
        if st.form_submit_button("Save"):
            try:
                with context.session() as s:
                    set_practice_settings(s, seen_definition=seen, board_refresh_seconds=refresh,
                                          actor=context.actor(), now=context.now())
                st.cache_data.clear()
                st.rerun()
            except SettingsInvalid as invalid:
                st.error(str(invalid))
else:
    st.caption("Read-only for your account: the practice manager sets the goal.")

st.divider()
st.subheader("History")
period = st.segmented_control("Period", options=list(PERIODS), default="Last 12 months", key="goal_period")
# History ends yesterday: today is still running and lives on the operations page.
start = today - dt.timedelta(days=PERIODS[period or "Last 12 months"])
data = load_history(start, today - dt.timedelta(days=1), location_id, rules)
if data["daily"].empty:
    st.info("No checked-in visits in this period yet: history appears here once patients are seen.")
    st.stop()

judged = int(data["daily"]["judged"].sum())
within = int(data["daily"]["within"].sum())
st.caption(
    f"{judged:,} patients checked in and seen (or who left without being seen) since {start:%d %b %Y}; "
    f"{within / judged:.0%} within {rules.target_minutes} min. All history is judged against the current target."
)
st.markdown("**Daily share of patients seen within target**")
st.altair_chart(charts.daily_share_chart(data["daily"], rules.target_share, introduced), width="stretch")

heat, by_provider = st.columns(2)
with heat:
    st.markdown("**Mean wait by hour and weekday**")
    st.altair_chart(charts.wait_heatmap(data["cells"]), width="stretch")
with by_provider:
    st.markdown("**Share within target by provider**")
    st.altair_chart(charts.provider_chart(data["providers"], rules.target_share), width="stretch")

st.markdown("**Where we breach**")


def breach_table(frame: pd.DataFrame, label_column: str, label: str) -> pd.DataFrame:
    top = frame[frame["judged"] >= 20].sort_values("breaches", ascending=False).head(6)
    return pd.DataFrame(
        {
            label: top[label_column],
            "Breaches": top["breaches"],
            "Breach rate": top["breach_rate"].map(percent),
            "Mean wait": top["mean_wait"].map(minutes),
        }
    )


hours = data["cells"].assign(slot=lambda d: d["weekday"] + " " + d["hour"].map("{:02d}:00".format))
tables = st.columns(3)
tables[0].dataframe(breach_table(hours, "slot", "Hour"), hide_index=True, width="stretch")
tables[1].dataframe(breach_table(data["providers"], "provider", "Provider"), hide_index=True, width="stretch")
tables[2].dataframe(breach_table(data["types"], "visit_type", "Visit type"), hide_index=True, width="stretch")

st.markdown("**Before and after the goal was introduced**")
if introduced is None or introduced > today:
    st.info("The practice has no goal in force yet, so there is nothing to compare.")
else:
    weeks = st.slider("Weeks on each side", min_value=2, max_value=26, value=8, key="goal_weeks")
    before, after = load_before_after(introduced, weeks, location_id, rules)
    rows = []
    for label, key, fmt in (
        ("Within target", "share_within", percent),
        ("Median wait", "median_wait", minutes),
        ("90th percentile wait", "p90_wait", minutes),
        ("Patients", "judged", lambda v: f"{v:,}"),
    ):
        rows.append({"Measure": label, f"{weeks} weeks before": fmt(before[key]), f"{weeks} weeks after": fmt(after[key])})
    cols = st.columns([2, 3])
    cols[0].dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if before["share_within"] is not None and after["share_within"] is not None:
        change = (after["share_within"] - before["share_within"]) * 100
        cols[1].metric(
            f"Change in share within {rules.target_minutes} min since {introduced:%d %b %Y}",
            percent(after["share_within"]), delta=f"{change:+.0f} percentage points", border=True,
        )
