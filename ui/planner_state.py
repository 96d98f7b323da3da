"""Planner page helpers: the scenario picker (kept in the URL), cached problems, edits."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy import select

from data.models import Role
from data.roster_inputs import InputInvalid, ScenarioInputs
from data.roster_problem import BuiltProblem, template_key
from data.scenarios import build_for, check, get_scenario, list_scenarios, set_cell, unpin_cell
from ui import context

PICKER_KEY = "planner_scenario"
PENDING_KEY = "planner_scenario_pending"
STATUS_WORDS = {"draft": "not solved", "solved": "solved", "published": "published"}


@st.cache_data(ttl=300)
def role_names() -> dict[str, str]:
    with context.session() as s:
        return {r.code: r.name for r in s.scalars(select(Role).order_by(Role.id)) if not r.is_provider}


def next_monday(today: dt.date | None = None) -> dt.date:
    today = today or context.now().date()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


def choose(scenario_id: int) -> None:
    """Show ``scenario_id`` on the next run (the picker itself cannot be set mid-run)."""
    st.session_state[PENDING_KEY] = scenario_id


def scenario_picker(label: str = "Scenario") -> int | None:
    """Pick a scenario; the choice lives in the URL (``?scenario=ID``) so links reopen it."""
    with context.session() as s:
        scenarios = list_scenarios(s)
    if scenarios.empty:
        return None
    ids = [int(i) for i in scenarios["id"]]
    labels = {
        # No status in the label: Streamlit keeps a keyed selectbox's old label text
        # on screen when only the label changes (the status shows under the heading).
        int(r.id): f"{r.name} · {r.start:%d %b}, {r.weeks} wk"
        for r in scenarios.itertuples()
    }
    pending = st.session_state.pop(PENDING_KEY, None)
    if pending in ids:
        st.session_state[PICKER_KEY] = pending
    if st.session_state.get(PICKER_KEY) not in ids:
        wanted = st.query_params.get("scenario")
        try:
            wanted_id = int(wanted) if wanted is not None else None
        except ValueError:
            wanted_id = None
        if wanted is not None and wanted_id not in ids:
            st.caption("The scenario in the link no longer exists; showing the latest one.")
        st.session_state[PICKER_KEY] = wanted_id if wanted_id in ids else ids[0]
    chosen = st.selectbox(label, options=ids, format_func=labels.get, key=PICKER_KEY)
    st.query_params["scenario"] = str(chosen)
    return chosen


@st.cache_resource(max_entries=16, show_spinner=False)
def built(scenario_id: int, updated_at: dt.datetime) -> BuiltProblem:
    """The engine problem for a scenario version (rebuilt when the scenario changes)."""
    with context.session() as s:
        return build_for(s, get_scenario(s, scenario_id))


def describe(scenario, inputs: ScenarioInputs, problem: BuiltProblem) -> str:
    end = scenario.start_date + dt.timedelta(days=7 * scenario.weeks - 1)
    r = inputs.rules
    parts = [
        STATUS_WORDS.get(scenario.status, scenario.status).capitalize(),
        f"{scenario.start_date:%a %d %b} – {end:%a %d %b %Y}",
        f"{len(problem.people)} people",
        f"max {r.max_hours_per_day:g} h/day, {r.max_hours_per_week:g} h/week",
        f"overtime after {r.overtime_threshold_hours:g} h × {r.overtime_multiplier:g}",
        f"rest {r.min_rest_hours:g} h",
        "budget " + (f"${r.budget:,.0f}{' (hard cap)' if r.budget_is_hard else ''}" if r.budget else "none"),
    ]
    levers = inputs.levers
    if levers.demand_pct != 100:
        parts.append(f"demand {levers.demand_pct:g}%")
    for a in levers.away:
        parts.append(f"{problem.people.get(f's{a.staff_id}', a.staff_id)} away {a.start:%d %b}–{a.end:%d %b}")
    for h in levers.hires:
        parts.append(f"+ hire: {h.role} {h.hours_per_week:g} h at ${h.rate:g}/h")
    if scenario.parent_id:
        parts.append(f"copy of scenario {scenario.parent_id}")
    return " · ".join(parts)


def edit_panel(scenario, problem: BuiltProblem, scenario_cells) -> None:
    """Hand edits: set any cell; the independent checker judges the result at once."""
    st.caption("Change a cell by hand. Your edits are pinned: later solves keep them. "
               "The checker below re-judges the whole roster after every edit.")
    people = list(problem.people)
    days = [scenario.start_date + dt.timedelta(days=i) for i in range(7 * scenario.weeks)]
    with st.form("edit_cell"):
        a, b, c = st.columns(3)
        person = a.selectbox("Person", options=people, format_func=problem.people.get)
        day = b.selectbox("Day", options=days, format_func=lambda d: f"{d:%a %d %b}")
        role = problem.person_role.get(person)
        options = [None] + sorted({t.id for key, t in problem.templates.items() if key.endswith(f":{role}")})
        labels = {t.id: f"{t.name} · {problem.locations.get(t.location_id, '')}" for t in problem.templates.values()}
        template_id = c.selectbox("Shift", options=options, format_func=lambda t: "Day off" if t is None else labels[t])
        if st.form_submit_button("Apply edit"):
            try:
                with context.session() as s:
                    set_cell(s, scenario.id, person, day, template_id, actor=context.actor(), now=context.now())
                st.rerun()
            except InputInvalid as invalid:
                st.error(str(invalid))
    with context.session() as s:
        _, evaluation = check(s, scenario.id)
    if evaluation.violations:
        st.error(f"**{len(evaluation.violations)} rule(s) broken by this roster:**")
        for v in evaluation.violations[:100]:
            st.text(f"• {v.rule}: {v.sentence}")
    else:
        st.success("The checker finds no broken rule in this roster.")
    pinned = [c for c in scenario_cells if c.pinned]
    if pinned:
        st.markdown(f"**Manual edits ({len(pinned)})**")
        labels = {(c.person, c.day): f"{problem.people.get(c.person, c.person)} · {c.day:%a %d %b} · "
                  f"{_cell_text(problem, c)}" for c in pinned}
        chosen = st.selectbox("Let the solver decide again", options=list(labels), format_func=labels.get,
                              key="unpin_choice")
        if st.button("Unpin"):
            with context.session() as s:
                unpin_cell(s, scenario.id, chosen[0], chosen[1], actor=context.actor(), now=context.now())
            st.rerun()


def _cell_text(problem: BuiltProblem, cell) -> str:
    if cell.template_id is None:
        return "day off"
    t = problem.templates.get(template_key(cell.template_id, problem.person_role.get(cell.person, "")))
    return t.name if t is not None else "shift"
