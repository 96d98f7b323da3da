"""How a roster looks on screen: grid, timeline, coverage heatmap, cost, fairness, penalties.

Chart builders are plain functions of DataFrames (tests call them); the
``render_*`` functions draw with Streamlit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ui.format import percent

SHIFT_COLOURS = {  # by start time: early, day, late, morning, afternoon
    "07:00": "#cfe2ff", "07:45": "#d1e7dd", "08:45": "#fde2c7", "12:30": "#e2d9f3",
}
ROLE_COLOURS = {"rn": "#1f77b4", "ma": "#2ca02c", "tech": "#9467bd", "front_desk": "#ff7f0e", "billing": "#8c564b"}


def _cell_style(value: str) -> str:
    if not value or value == "off 📌":
        return "color: #6c757d"
    text = value.replace("📌 ", "")
    colour = SHIFT_COLOURS.get(text[:5], "#e9ecef")
    weight = "font-weight: 700; border: 2px solid #0f6e6e;" if value.startswith("📌") else ""
    return f"background-color: {colour}; {weight}"


def render_grid(grid: pd.DataFrame, role_names: dict[str, str]) -> None:
    """Staff by days, coloured by shift; pinned (hand-edited) cells outlined."""
    shown = grid.copy()
    shown["Role"] = shown["Role"].map(lambda r: role_names.get(r, r))
    day_columns = [c for c in shown.columns if c != "Role"]
    styler = shown.style.map(_cell_style, subset=day_columns)
    st.dataframe(styler, width="stretch", height=min(40 + 35 * len(shown), 900),
                 column_config={c: st.column_config.TextColumn(width=92) for c in day_columns})
    st.caption("Each cell: shift times and location (M = Main Street, R = Riverside). "
               "📌 marks a manual edit that later solves keep.")


def timeline_chart(shifts: pd.DataFrame, role_names: dict[str, str]) -> alt.Chart:
    """Who works when, one bar per shift, coloured by role, one panel per location."""
    df = shifts.assign(role_name=shifts["role"].map(lambda r: role_names.get(r, r)))
    return (
        alt.Chart(df)
        .mark_bar(cornerRadius=2)
        .encode(
            x=alt.X("start_at:T", title=None, axis=alt.Axis(format="%a %d %H:%M")),
            x2="end_at:T",
            y=alt.Y("name:N", title=None, sort=alt.EncodingSortField("role", order="ascending")),
            color=alt.Color("role_name:N", title="Role"),
            row=alt.Row("location:N", title=None),
            tooltip=["name", "role_name", "location", "shift", alt.Tooltip("start_at:T", format="%a %d %b %H:%M"),
                     alt.Tooltip("end_at:T", format="%H:%M")],
        )
        .resolve_scale(y="independent")
        .properties(width=900)
    )


def coverage_heatmap(coverage: pd.DataFrame, role_names: dict[str, str]) -> alt.FacetChart:
    """Scheduled minus required per day and time window, one panel per role:
    red cells are gaps, blue cells people above the minimum."""
    df = coverage.assign(
        window=coverage["start"].map(lambda t: f"{t:%H:%M}") + "-" + coverage["end"].map(lambda t: f"{t:%H:%M}"),
        day=pd.to_datetime(coverage["date"]).dt.strftime("%a %d %b"),
        role_name=coverage["role"].map(lambda r: role_names.get(r, r)),
    )
    order = list(dict.fromkeys(df.sort_values("date")["day"]))
    base = alt.Chart().encode(
        x=alt.X("day:N", sort=order, title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("window:N", sort="ascending", title=None),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=0.5).encode(
        color=alt.Color("gap:Q", title="Scheduled − required", scale=alt.Scale(scheme="redblue", domainMid=0)),
        tooltip=["day", "window", "role_name", "required", "preferred", "scheduled", "gap"],
    )
    text = base.mark_text(fontSize=9).encode(text=alt.Text("gap:Q", format="+d"))
    return (
        alt.layer(rect, text, data=df)
        .properties(height=alt.Step(16))
        .facet(row=alt.Row("role_name:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left",
                                                                          labelFontWeight="bold")))
        .resolve_scale(y="independent")
    )


def render_cost(summary: dict[str, Any], role_names: dict[str, str]) -> None:
    cost = summary.get("cost")
    if not cost:
        st.info("No roster yet, so no cost.")
        return
    cells = st.columns(4)
    cells[0].metric("Total pay", f"${cost['total']:,.0f}", border=True)
    cells[1].metric("Regular", f"${cost['regular']:,.0f}", border=True)
    cells[2].metric("Overtime", f"${cost['overtime']:,.0f}", border=True)
    if cost.get("budget") is not None:
        left = cost["budget"] - cost["total"]
        cells[3].metric("Budget", f"${cost['budget']:,.0f}",
                        delta=f"${left:,.0f} left" if left >= 0 else f"${-left:,.0f} over",
                        delta_color="normal" if left >= 0 else "inverse", border=True)
    else:
        cells[3].metric("Budget", "none set", border=True)
    weeks = pd.DataFrame({"week": [f"Week {i + 1}" for i in range(len(cost["per_week"]))],
                          "pay": cost["per_week"]})
    chart = alt.Chart(weeks).mark_bar(color="#0f6e6e").encode(
        x=alt.X("week:N", title=None), y=alt.Y("pay:Q", title="Pay ($)"),
        tooltip=["week", alt.Tooltip("pay:Q", format="$,.0f")])
    if cost.get("budget") is not None and len(cost["per_week"]):
        line = alt.Chart(pd.DataFrame({"b": [cost["budget"] / len(cost["per_week"])]})).mark_rule(
            color="#b02a37", strokeDash=[6, 4]).encode(y="b:Q")
        chart = chart + line
    left, right = st.columns([3, 2])
    left.altair_chart(chart.properties(height=220, title="Pay per week (dashed: budget per week)"), width="stretch")
    by_role = pd.DataFrame([{"Role": role_names.get(k, k), "Pay": f"${v:,.0f}"} for k, v in cost["per_role"].items()])
    right.dataframe(by_role, hide_index=True, width="stretch")


def fairness_frame(summary: dict[str, Any], role_names: dict[str, str]) -> pd.DataFrame:
    people = pd.DataFrame(summary.get("people", []))
    if people.empty:
        return people
    return pd.DataFrame({
        "Person": people["name"], "Role": people["role"].map(lambda r: role_names.get(r, r)),
        "Shifts": people["shifts"], "Hours": people["hours"].round(1), "Overtime h": people["overtime_hours"].round(1),
        "Weekends": people["weekends"], "Late shifts": people["late_shifts"],
        "Pay": people["cost"].map(lambda v: f"${v:,.0f}"),
    }).sort_values(["Role", "Person"])


def render_penalties(summary: dict[str, Any]) -> None:
    """Every soft cost in plain words, grouped by rule, largest first."""
    penalties = summary.get("penalties", [])
    soft = [p for p in penalties if p["rule"] != "Wages"]
    if not soft:
        st.success("No rule is bent: every need, wish and limit is met.")
        return
    totals: dict[str, float] = defaultdict(float)
    counts = Counter()
    for p in soft:
        totals[p["rule"]] += p["points"]
        counts[p["rule"]] += 1
    for rule in sorted(totals, key=totals.get, reverse=True):
        with st.expander(f"{rule}: {counts[rule]} × — ${totals[rule] / 100:,.0f} of penalty"):
            for p in sorted((p for p in soft if p["rule"] == rule), key=lambda p: -p["points"])[:200]:
                st.text(p["sentence"])
            if counts[rule] > 200:
                st.caption(f"… and {counts[rule] - 200} more.")


def render_figures(figures: dict[str, Any] | None) -> None:
    """The numbers scenarios are compared on."""
    if not figures:
        return
    cells = st.columns(5)
    cells[0].metric("Pay", f"${figures['cost']:,.0f}" if figures.get("cost") is not None else "–", border=True)
    cells[1].metric("Overtime", f"{figures['overtime_hours']:,.1f} h", border=True)
    cells[2].metric("Coverage short", f"{figures['shortfall_hours']:,.1f} h", border=True,
                    help="Person-hours below the minimum staffing.")
    made = figures.get("requests_made") or 0
    cells[3].metric("Wishes granted", f"{figures['requests_granted']} of {made}",
                    delta=None if not made else percent(figures["requests_granted"] / made), delta_color="off",
                    border=True)
    spread = figures.get("fairness_spread") or {}
    cells[4].metric("Weekend / late spread", f"{spread.get('weekends', 0)} / {spread.get('late_shifts', 0)}",
                    border=True, help="Largest difference between two people of the same role in weekends "
                                      "worked and in late shifts.")


def day_label(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
