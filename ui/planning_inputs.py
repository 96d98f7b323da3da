"""The sections of the *Planning inputs* page: staff and eligibility, shift templates,
coverage requirements (with the proposal from appointments and demand scaling),
labor rules and budget, time off and wishes.

Each ``*_section`` draws one tab. Reads and writes go through ``data.planning_store``,
``data.planning_staff`` and ``data.coverage_derive``; this module only turns tables
into rows and back and shows what the data layer says, next to the table or field.

Edited tables follow one recipe (``_Editor``): the rows are read once per
"generation" and kept in the tab's session, so another manager's save cannot
shift the rows under the edits; a save sends the version it was read at, and
a refused save keeps the edits and lists every problem by row; a saved table
starts a new generation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data import coverage_derive as derive
from data import planning_staff, planning_store
from data.planning_checks import WEEKDAY_NAMES, RowProblem, clock, is_blank
from data.roster_inputs import InputInvalid, LaborRules
from ui import context

FULL_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- shared: running a write, showing what came back ------------------------------------------


def _write(action: Callable[[Any], Any]) -> tuple[Any, InputInvalid | None]:
    """Run ``action(session)`` as the signed-in person; a refusal comes back, never a stack trace."""
    from ui import access

    try:
        with context.session() as s:
            return action(s), None
    except InputInvalid as invalid:
        return None, invalid
    except access.NotAllowed as refused:
        return None, InputInvalid("actor", str(refused))
    except SQLAlchemyError:
        return None, InputInvalid("database", "The database refused the change (someone may have changed the same "
                                              "data a moment ago). Nothing was saved; reload the page and try again.")


def _flash(name: str, message: str, warnings: list[str] | None = None) -> None:
    """A success message (and warnings) to show after the rerun that follows a save."""
    st.session_state[f"{name}_flash"] = (message, list(warnings or []))


def _show_flash(name: str) -> None:
    flash = st.session_state.pop(f"{name}_flash", None)
    if flash:
        message, warnings = flash
        st.success(message, icon=":material/check_circle:")
        for warning in warnings:
            st.warning(warning, icon=":material/warning:")


def _md(text: object) -> str:
    return context.escape_markdown(text)


@dataclass
class _Editor:
    """One editable table: its rows for this generation, the version they were read at, its problems."""

    name: str
    scope: tuple[int, ...] | None

    @property
    def _gen(self) -> int:
        return st.session_state.get(f"{self.name}_gen", 0)

    @property
    def key(self) -> str:
        return f"{self.name}_editor_{self._gen}_{'all' if self.scope is None else '-'.join(map(str, self.scope))}"

    def base(self, load: Callable[[Any], tuple[pd.DataFrame, str]]) -> tuple[pd.DataFrame, str]:
        """The rows and version read when this generation started (read now if it just did)."""
        slot = f"{self.key}_base"
        if slot not in st.session_state:
            with context.session() as s:
                st.session_state[slot] = load(s)
        return st.session_state[slot]

    def restart(self) -> None:
        """Drop the edits and read the table again on the next run."""
        st.session_state.pop(f"{self.key}_base", None)
        st.session_state.pop(f"{self.name}_problems", None)
        st.session_state[f"{self.name}_gen"] = self._gen + 1

    def problems(self) -> tuple[str, list[str]] | None:
        return st.session_state.get(f"{self.name}_problems")

    def set_problems(self, headline: str, lines: list[str]) -> None:
        st.session_state[f"{self.name}_problems"] = (headline, lines)

    def show_problems(self) -> None:
        found = self.problems()
        if found:
            headline, lines = found
            st.error(headline + ("\n\n" + "\n".join(f"- {line}" for line in lines) if lines else ""),
                     icon=":material/error:")


def _row_labels(edited: pd.DataFrame, original_rows: int, describe: Callable[[pd.Series], str]) -> dict[int, str]:
    """Position (from 1) -> how the manager finds the row: its number in the table, or "new row k"."""
    labels = {}
    for position, (label, row) in enumerate(edited.iterrows(), start=1):
        number = int(label) if isinstance(label, (int, float)) and not pd.isna(label) else None
        if number is not None and number <= original_rows:
            where = f"Row {number}"
        else:
            where = f"New row {position - sum(1 for i in edited.index[:position] if _is_original(i, original_rows))}"
        what = describe(row)
        labels[position] = f"{where} ({what})" if what else where
    return labels


def _is_original(label: Any, original_rows: int) -> bool:
    return isinstance(label, (int, float)) and not pd.isna(label) and int(label) <= original_rows


def _problem_lines(problems: list[RowProblem], labels: dict[int, str], columns: dict[str, str]) -> list[str]:
    return [f"**{_md(labels.get(p.row, f'Row {p.row}'))}** · {_md(columns.get(p.field, p.field))}: {_md(p.message)}"
            for p in problems]


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows numbered from 1 in the table (new rows continue the numbering)."""
    out = frame.reset_index(drop=True)
    out.index = pd.RangeIndex(1, len(out) + 1)
    return out


def _cell(value: Any) -> Any:
    return None if is_blank(value) else value


# --- staff and eligibility ---------------------------------------------------------------------

STAFF_LABELS = {"pay_rate": "Pay rate", "contracted_hours": "Contracted hours", "employment_type": "Employment",
                "active": "Active", "id": "Person"}


def staff_section(today: dt.date) -> None:
    editor = _Editor("staff", None)

    def load(s):
        table = planning_staff.staff_table(s, today)
        table["employment"] = table["employment_type"].map(planning_staff.EMPLOYMENT_TYPES)
        table["status"] = table["eligibility"].map(
            {planning_staff.ELIGIBLE: "Yes", planning_staff.EXPIRING: "Yes, expires soon",
             planning_staff.INELIGIBLE: "No"})
        return _numbered(table), ""

    table, _ = editor.base(load)
    _show_flash("staff")
    active = table[table["active"]]
    blocked = active[active["eligibility"] == planning_staff.INELIGIBLE]
    expiring = active[active["eligibility"] == planning_staff.EXPIRING]
    cols = st.columns(4)
    cols[0].metric("Rostered staff", len(active), border=True,
                   help="Active people the planner can roster: everyone except providers and the office manager.")
    cols[1].metric("Not eligible", len(blocked), border=True)
    cols[2].metric(f"License expires within {planning_staff.WARN_WEEKS} weeks", len(expiring), border=True)
    cols[3].metric("Inactive", int((~table["active"]).sum()), border=True)
    for row in blocked.itertuples():
        st.error(f"**{_md(row.name)}** ({_md(row.role)}) cannot be rostered: {_md(row.reason)}",
                 icon=":material/badge:")
    for row in expiring.itertuples():
        st.warning(f"**{_md(row.name)}** ({_md(row.role)}): {_md(row.reason)}", icon=":material/schedule:")

    edited = st.data_editor(
        table,
        key=editor.key,
        num_rows="fixed",
        width="stretch",
        height=min(38 + 35 * len(table), 1100),
        hide_index=False,
        column_order=["name", "role", "status", "pay_rate", "employment", "contracted_hours", "active", "reason",
                      "credentials", "skills", "home_location"],
        column_config={
            "_index": st.column_config.NumberColumn("#", width=40),
            "name": st.column_config.TextColumn("Name", disabled=True, pinned=True),
            "role": st.column_config.TextColumn("Role", disabled=True),
            "home_location": st.column_config.TextColumn("Home location", disabled=True),
            "status": st.column_config.TextColumn("Eligible", disabled=True, width=120,
                                                  help="An expired or missing license blocks the role that needs it."),
            "reason": st.column_config.TextColumn("Why", disabled=True, width="medium"),
            "pay_rate": st.column_config.NumberColumn("Pay $/h", min_value=0.0, max_value=500.0, step=0.25,
                                                      format="$%.2f", required=True, width=85),
            "employment": st.column_config.SelectboxColumn(
                "Employment", options=list(planning_staff.EMPLOYMENT_TYPES.values()), required=True, width=110),
            "contracted_hours": st.column_config.NumberColumn("Hours/week", min_value=0.0, max_value=80.0,
                                                              step=0.5, format="%.1f", required=True, width=100,
                                                              help="Contracted hours per week."),
            "active": st.column_config.CheckboxColumn("Active", width=70),
            "credentials": st.column_config.TextColumn("Credentials", disabled=True, width="medium"),
            "skills": st.column_config.TextColumn("Skills", disabled=True),
        },
    )
    editor.show_problems()
    buttons = st.container(horizontal=True)
    left, right = buttons, buttons
    if left.button("Save staff changes", type="primary", icon=":material/save:", key="staff_save"):
        # Only the rows changed here are sent, so this table (read when the tab opened) cannot undo another
        # manager's change to someone else.
        fields = ["pay_rate", "contracted_hours", "employment", "active"]
        touched = [label for label in edited.index
                   if any(_cell(edited.at[label, f]) != _cell(table.at[label, f]) for f in fields)]
        edits = [planning_staff.StaffEdit(int(edited.at[label, "id"]), _cell(edited.at[label, "pay_rate"]),
                                          _cell(edited.at[label, "contracted_hours"]),
                                          _cell(edited.at[label, "employment"]), edited.at[label, "active"])
                 for label in touched]
        changed, invalid = _write(lambda s: planning_staff.save_staff(s, edits, actor=context.actor(),
                                                                      now=context.now()))
        if invalid is None:
            editor.restart()
            _flash("staff", f"Saved: {changed} {'person' if changed == 1 else 'people'} changed." if changed
                   else "Nothing had changed.")
            st.rerun()
        labels = {i: f"Row {label} ({edited.at[label, 'name']})" for i, label in enumerate(touched, 1)}
        lines = _problem_lines(getattr(invalid, "problems", []), labels, STAFF_LABELS)
        editor.set_problems(str(invalid), lines)
        st.rerun()
    if right.button("Discard changes", key="staff_discard"):
        editor.restart()
        st.rerun()


# --- shift templates ---------------------------------------------------------------------------

TEMPLATE_LABELS = {"location_id": "Location", "name": "Name", "start_time": "Start", "end_time": "End",
                   "unpaid_break_minutes": "Unpaid break", "weekdays": "Days", "active": "Active", "id": "Row"}


def templates_section(scope: tuple[int, ...] | None, locations: dict[int, str]) -> None:
    editor = _Editor("templates", scope)

    def load(s):
        frame = planning_store.templates(s, scope)
        frame["days"] = [[WEEKDAY_NAMES[d] for d in days] for days in frame["weekdays"]]
        frame = frame[["id", "location", "name", "start_time", "end_time", "unpaid_break_minutes", "days",
                       "paid_hours", "active"]]
        return _numbered(frame), planning_store.templates_version(s, scope)

    table, version = editor.base(load)
    _show_flash("templates")
    st.caption("The shifts each location offers; the planner gives each person at most one of them a day. Add a "
               "shift in the empty row at the bottom; to remove one, tick it on the left and press the bin above "
               "the table (a shift an old roster used is kept, no longer offered). Shifts cannot run past midnight.")
    names = list(locations.values())
    default_location = locations[scope[0]] if scope and len(scope) == 1 else None
    edited = st.data_editor(
        table,
        key=editor.key,
        num_rows="dynamic",
        width="stretch",
        height=38 + 35 * (len(table) + 1) + 2,
        hide_index=False,
        column_order=["location", "name", "start_time", "end_time", "unpaid_break_minutes", "days", "paid_hours",
                      "active"],
        column_config={
            "_index": st.column_config.NumberColumn("#", width=40),
            "location": st.column_config.SelectboxColumn("Location", options=names, required=True,
                                                         default=default_location, width=105),
            "name": st.column_config.TextColumn("Name", max_chars=60, width=150,
                                                help="Left empty, the hours become the name."),
            "start_time": st.column_config.TimeColumn("Start", format="HH:mm", step=dt.timedelta(minutes=15),
                                                      required=True, width=70),
            "end_time": st.column_config.TimeColumn("End", format="HH:mm", step=dt.timedelta(minutes=15),
                                                    required=True, width=70),
            "unpaid_break_minutes": st.column_config.NumberColumn("Break (min)", min_value=0, max_value=240,
                                                                  step=5, default=0, width=90,
                                                                  help="Unpaid break in minutes."),
            "days": st.column_config.MultiselectColumn("Days", options=list(WEEKDAY_NAMES),
                                                       default=list(WEEKDAY_NAMES[:5]), width=205),
            "paid_hours": st.column_config.NumberColumn("Paid h", disabled=True, format="%.2f", width=70,
                                                        help="As saved: length less the unpaid break."),
            "active": st.column_config.CheckboxColumn("Offered", default=True, width=70,
                                                      help="Untick to stop offering a shift without deleting it."),
        },
    )
    editor.show_problems()
    buttons = st.container(horizontal=True)
    left, right = buttons, buttons
    if left.button("Save shifts", type="primary", icon=":material/save:", key="templates_save"):
        ids = {name: i for i, name in locations.items()}
        rows = [planning_store.TemplateRow(
            id=None if is_blank(r["id"]) else int(r["id"]), location_id=ids.get(r["location"]), name=_cell(r["name"]),
            start_time=_cell(r["start_time"]), end_time=_cell(r["end_time"]),
            unpaid_break_minutes=_cell(r["unpaid_break_minutes"]),
            weekdays=list(r["days"]) if isinstance(r["days"], (list, tuple)) or hasattr(r["days"], "tolist") else [],
            active=r["active"]) for _, r in edited.iterrows()]
        result, invalid = _write(lambda s: planning_store.save_templates(
            s, rows, scope=scope, actor=context.actor(), now=context.now(), expected=version))
        if invalid is None:
            editor.restart()
            _flash("templates", result.sentence(), result.warnings)
            st.rerun()
        labels = _row_labels(edited, len(table), lambda r: _template_words(r))
        editor.set_problems(str(invalid), _problem_lines(getattr(invalid, "problems", []), labels, TEMPLATE_LABELS))
        st.rerun()
    if right.button("Discard changes", key="templates_discard"):
        editor.restart()
        st.rerun()


def _template_words(row: pd.Series) -> str:
    name = _cell(row.get("name"))
    where = _cell(row.get("location"))
    return " at ".join(str(x) for x in (name, where) if x)


# --- coverage requirements ---------------------------------------------------------------------

COVERAGE_LABELS = {"location_id": "Location", "weekday": "Day", "start_time": "From", "end_time": "To",
                   "role_id": "Role", "minimum": "Minimum", "preferred": "Preferred", "id": "Row"}


def coverage_section(scope: tuple[int, ...] | None, locations: dict[int, str], today: dt.date) -> None:
    editor = _Editor("coverage", scope)
    with context.session() as s:
        roles = planning_store.rostered_roles(s)
    role_ids = {r.name: i for i, r in roles.items()}

    def load(s):
        frame = planning_store.coverage(s, scope)
        frame = frame[["id", "location", "day", "start_time", "end_time", "role", "minimum", "preferred"]]
        return _numbered(frame), planning_store.coverage_version(s, scope)

    table, version = editor.base(load)
    _show_flash("coverage")
    st.caption("How many people of each role each location needs, per weekday and time window. The minimum is a "
               "hard need (a gap is reported); the preferred level is filled when it fits the budget. One row per "
               "window: windows of one role may not overlap.")
    default_location = locations[scope[0]] if scope and len(scope) == 1 else None
    edited = st.data_editor(
        table,
        key=editor.key,
        num_rows="dynamic",
        width="stretch",
        height=min(38 + 35 * (len(table) + 1) + 2, 600),
        hide_index=False,
        column_order=["location", "day", "start_time", "end_time", "role", "minimum", "preferred"],
        column_config={
            "_index": st.column_config.NumberColumn("#", width=40),
            "location": st.column_config.SelectboxColumn("Location", options=list(locations.values()), required=True,
                                                         default=default_location),
            "day": st.column_config.SelectboxColumn("Day", options=list(WEEKDAY_NAMES), required=True),
            "start_time": st.column_config.TimeColumn("From", format="HH:mm", step=dt.timedelta(minutes=15),
                                                      required=True),
            "end_time": st.column_config.TimeColumn("To", format="HH:mm", step=dt.timedelta(minutes=15),
                                                    required=True),
            "role": st.column_config.SelectboxColumn("Role", options=list(role_ids), required=True),
            "minimum": st.column_config.NumberColumn("Minimum", min_value=0, max_value=50, step=1, required=True),
            "preferred": st.column_config.NumberColumn("Preferred", min_value=0, max_value=50, step=1,
                                                       help="Optional: more people when the budget allows."),
        },
    )
    editor.show_problems()
    buttons = st.container(horizontal=True)
    left, right = buttons, buttons
    if left.button("Save coverage", type="primary", icon=":material/save:", key="coverage_save"):
        ids = {name: i for i, name in locations.items()}
        rows = [planning_store.CoverageRow(
            id=None if is_blank(r["id"]) else int(r["id"]), location_id=ids.get(r["location"]),
            weekday=_cell(r["day"]), start_time=_cell(r["start_time"]), end_time=_cell(r["end_time"]),
            role_id=role_ids.get(r["role"]), minimum=_cell(r["minimum"]), preferred=_cell(r["preferred"]))
            for _, r in edited.iterrows()]
        result, invalid = _write(lambda s: planning_store.save_coverage(
            s, rows, scope=scope, actor=context.actor(), now=context.now(), expected=version))
        if invalid is None:
            editor.restart()
            _flash("coverage", result.sentence(), result.warnings)
            st.rerun()
        labels = _row_labels(edited, len(table), _coverage_words)
        editor.set_problems(str(invalid), _problem_lines(getattr(invalid, "problems", []), labels, COVERAGE_LABELS))
        st.rerun()
    if right.button("Discard changes", key="coverage_discard"):
        editor.restart()
        st.rerun()

    with st.expander("Propose coverage from the booked appointments", icon=":material/auto_awesome:",
                     key="coverage_propose_open"):
        _proposal(scope, locations, today, editor)
    with st.expander("Scale demand up or down", icon=":material/percent:", key="coverage_scale_open"):
        _scaling(scope, locations, editor)


def _coverage_words(row: pd.Series) -> str:
    parts = [_cell(row.get("location")), _cell(row.get("day")), _cell(row.get("role"))]
    start, end = _cell(row.get("start_time")), _cell(row.get("end_time"))
    if isinstance(start, dt.time) and isinstance(end, dt.time):
        parts.insert(2, f"{clock(start)}-{clock(end)}")
    return " ".join(str(p) for p in parts if p)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _proposal(scope: tuple[int, ...] | None, locations: dict[int, str], today: dt.date, editor: _Editor) -> None:
    st.caption("Counts providers in clinic (distinct providers with an appointment starting in the hour) and "
               "arrivals per location, weekday and hour, then proposes medical assistants per provider, front desk "
               "per arrivals (at least one while open) and nurses per location while open. Fractions round up.")
    with st.form("proposal_form"):
        a, b, c = st.columns(3)
        source = a.radio("Appointments to count", ["Average of past weeks", "One booked week"], key="prop_source")
        weeks = a.number_input("Past weeks to average", min_value=1, max_value=26, value=4, step=1, key="prop_weeks")
        week_of = a.date_input("Booked week starting", value=_monday(today) + dt.timedelta(days=7),
                               format="YYYY-MM-DD", key="prop_week")
        chosen = b.multiselect("Locations", options=list(locations), format_func=locations.get,
                               default=list(scope) if scope else list(locations), key="prop_locations")
        ma = b.number_input("Medical assistants per provider (minimum)", min_value=0.1, max_value=5.0, value=1.0,
                            step=0.1, key="prop_ma")
        ma_pref = b.number_input("… preferred", min_value=0.1, max_value=5.0, value=1.2, step=0.1, key="prop_ma_pref")
        per_desk = c.number_input("Arrivals per hour per front-desk person", min_value=1.0, max_value=100.0,
                                  value=12.0, step=1.0, key="prop_desk")
        nurses = c.number_input("Nurses per location while open", min_value=0, max_value=10, value=1, step=1,
                                key="prop_rn")
        submitted = st.form_submit_button("Propose", icon=":material/auto_awesome:")
    if submitted:
        if not chosen:
            st.session_state["proposal"] = {"error": "Choose at least one location."}
        else:
            if source == "One booked week":
                first, count, what = _monday(week_of), 1, f"bookings of the week of {_monday(week_of):%d %b %Y}"
            else:
                first = _monday(today) - dt.timedelta(weeks=int(weeks))
                count, what = int(weeks), f"average of the {int(weeks)} weeks from {first:%d %b %Y}"
            ratios = derive.StaffingRatios(ma_per_provider=ma, ma_preferred_per_provider=ma_pref,
                                           arrivals_per_front_desk=per_desk, nurses_per_location=int(nurses))
            try:
                with context.session() as s:
                    demand = derive.demand_for_weeks(s, first, count, list(chosen))
                    proposal, notes = derive.proposal_with_roles(s, derive.propose_coverage(demand, ratios))
                st.session_state["proposal"] = {"frame": proposal, "notes": notes, "what": what,
                                                "locations": sorted(chosen), "appointments": demand["arrivals"].sum()
                                                * count}
            except InputInvalid as invalid:
                st.session_state["proposal"] = {"error": str(invalid)}
    found = st.session_state.get("proposal")
    if not found:
        return
    if "error" in found:
        st.error(found["error"])
        return
    proposal: pd.DataFrame = found["frame"]
    for note in found["notes"]:
        st.caption(note)
    if proposal.empty:
        st.info(f"No appointments in the {found['what']}, so there is nothing to propose. Choose past weeks or "
                "another week.")
        return
    st.markdown(f"From the {_md(found['what'])} ({int(round(found['appointments']))} appointments).")
    role_ids = sorted(int(r) for r in proposal["role_id"].unique())
    with context.session() as s:
        everything = planning_store.coverage(s, found["locations"])
    current = everything[everything["role_id"].isin(role_ids)]
    others = sorted(set(everything["role"]) - set(current["role"]))
    if others:
        st.caption(f"Only {', '.join(sorted(set(proposal['role'])))} are derived; the requirements for "
                   f"{', '.join(others)} stay as they are.")
    hours_now = derive.weekly_person_hours(current)
    hours_new = derive.weekly_person_hours(proposal)
    summary = hours_now.merge(hours_new, on=["location_id", "role"], how="outer", suffixes=("_now", "_new")).fillna(0)
    summary.insert(0, "Location", summary.pop("location_id").map(locations))
    summary = summary.rename(columns={"role": "Role", "minimum_hours_now": "Minimum now (h/week)",
                                      "minimum_hours_new": "Minimum proposed", "preferred_hours_now": "Preferred now",
                                      "preferred_hours_new": "Preferred proposed"})
    st.dataframe(summary[["Location", "Role", "Minimum now (h/week)", "Minimum proposed", "Preferred now",
                          "Preferred proposed"]], hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.0f") for c in summary.columns
                                if c not in ("Location", "Role")})
    a, b = st.columns(2)
    where = a.selectbox("Compare at", options=found["locations"], format_func=locations.get, key="prop_where")
    day = b.selectbox("On", options=range(7), format_func=lambda d: FULL_DAYS[d], key="prop_day")
    st.altair_chart(needs_chart(current, proposal, where, day), width="stretch")
    left, right = st.columns(2)
    left.markdown("**Now**")
    left.dataframe(_window_table(current, where, day), hide_index=True, width="stretch")
    right.markdown("**Proposed**")
    right.dataframe(_window_table(proposal, where, day), hide_index=True, width="stretch")
    names = ", ".join(locations[i] for i in found["locations"])
    if st.button(f"Replace these roles' coverage at {names} with the proposal", type="primary",
                 icon=":material/published_with_changes:", key="prop_apply"):
        rows = planning_store.coverage_rows(proposal.assign(id=None))
        result, invalid = _write(lambda s: planning_store.replace_coverage(
            s, found["locations"], rows, actor=context.actor(), now=context.now(), role_ids=role_ids))
        if invalid is None:
            st.session_state.pop("proposal", None)
            editor.restart()
            _flash("coverage", f"Applied the proposal to {names}. " + result.sentence(), result.warnings)
            st.rerun()
        problems = getattr(invalid, "problems", [])
        lines = [f"{_md(_coverage_words(_proposal_row(proposal, p.row, locations)))}: {_md(p.message)}"
                 if p.row <= len(proposal) else f"An existing requirement: {_md(p.message)}" for p in problems]
        st.error(str(invalid) + ("\n\n" + "\n".join(f"- {line}" for line in lines) if lines else ""))


def _proposal_row(frame: pd.DataFrame, position: int, locations: dict[int, str]) -> pd.Series:
    row = frame.iloc[position - 1]
    return pd.Series({"location": locations.get(row["location_id"]), "day": WEEKDAY_NAMES[row["weekday"]],
                      "start_time": row["start_time"], "end_time": row["end_time"], "role": row["role"]})


def _window_table(frame: pd.DataFrame, location_id: int, weekday: int) -> pd.DataFrame:
    part = frame[(frame["location_id"] == location_id) & (frame["weekday"] == weekday)]
    part = part.sort_values(["role", "start_time"])
    return pd.DataFrame({
        "Role": part["role"], "From": [clock(t) for t in part["start_time"]],
        "To": [clock(t) for t in part["end_time"]], "Minimum": part["minimum"],
        "Preferred": ["" if pd.isna(p) else int(p) for p in part["preferred"]],
    })


def needs_chart(current: pd.DataFrame, proposal: pd.DataFrame, location_id: int, weekday: int) -> alt.Chart:
    """People needed (minimum) per hour and role, now against proposed, for one location and weekday."""
    rows = []
    for label, frame in (("Now", current), ("Proposed", proposal)):
        part = frame[(frame["location_id"] == location_id) & (frame["weekday"] == weekday)]
        for r in part.itertuples():
            minute = r.start_time.hour * 60 + r.start_time.minute
            end = r.end_time.hour * 60 + r.end_time.minute
            while minute < end:
                rows.append({"version": label, "role": r.role, "hour": minute // 60, "minimum": r.minimum})
                minute = (minute // 60 + 1) * 60
    data = pd.DataFrame(rows, columns=["version", "role", "hour", "minimum"])
    data = data.groupby(["version", "role", "hour"], as_index=False)["minimum"].max()
    data["time"] = [f"{h:02d}:00" for h in data["hour"]]
    return (alt.Chart(data).mark_line(point=True, interpolate="step-after")
            .encode(x=alt.X("time:O", title=None), y=alt.Y("minimum:Q", title="People needed (minimum)"),
                    color=alt.Color("version:N", title=None, scale=alt.Scale(range=["#6c757d", "#0f6e6e"])),
                    strokeDash=alt.StrokeDash("version:N", legend=None),
                    facet=alt.Facet("role:N", title=None, columns=3),
                    tooltip=["version", "role", "time", "minimum"])
            .properties(height=140, width=280))


def _scaling(scope: tuple[int, ...] | None, locations: dict[int, str], editor: _Editor) -> None:
    names = ", ".join(locations[i] for i in (scope or tuple(locations)))
    st.caption(f"Multiply the saved minimum and preferred numbers of {names} by a percentage (rounded up). This "
               "changes the saved requirements; for a what-if, use the demand lever on a scenario instead.")
    percent = st.number_input("Demand (% of today's requirements)", min_value=10, max_value=300, value=100, step=5,
                              key="scale_pct")
    with context.session() as s:
        current = planning_store.coverage(s, scope)
    try:
        scaled = derive.scale_coverage(current, percent)
    except InputInvalid as invalid:
        st.error(str(invalid))
        return
    changed = (scaled["minimum"] != current["minimum"]) | (
        scaled["preferred"].fillna(-1) != current["preferred"].fillna(-1))
    if not changed.any():
        st.caption("At this percentage nothing changes.")
        return
    preview = pd.DataFrame({
        "Location": current["location"], "Day": current["day"],
        "Window": [f"{clock(a)}-{clock(b)}" for a, b in zip(current["start_time"], current["end_time"])],
        "Role": current["role"],
        "Minimum": [f"{a} → {b}" if a != b else str(a) for a, b in zip(current["minimum"], scaled["minimum"])],
        "Preferred": [f"{_num(a)} → {_num(b)}" if _num(a) != _num(b) else _num(a)
                      for a, b in zip(current["preferred"], scaled["preferred"])],
    })[changed.to_numpy()]
    st.dataframe(preview, hide_index=True, width="stretch", height=min(38 + 35 * len(preview), 320))
    if st.button(f"Apply {percent}% to {names}", type="primary", key="scale_apply"):
        rows = planning_store.coverage_rows(scaled)
        result, invalid = _write(lambda s: planning_store.save_coverage(
            s, rows, scope=scope, actor=context.actor(), now=context.now(), action="coverage.scale"))
        if invalid is None:
            editor.restart()
            st.session_state.pop("scale_pct", None)
            _flash("coverage", f"Scaled to {percent}%. " + result.sentence(), result.warnings)
            st.rerun()
        st.error(str(invalid) + "".join(f"\n- {_md(p)}" for p in getattr(invalid, "problems", [])))


def _num(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else str(int(value))


# --- labor rules and budget --------------------------------------------------------------------

def rules_section() -> None:
    with context.session() as s:
        rules = planning_store.labor_rules(s)
    _show_flash("rules")
    st.caption("The rules every roster must keep, and the weekly labor budget. The planner's scenarios start from "
               "these; a what-if can change them for one scenario only.")
    slots: dict[str, Any] = {}
    with st.form("rules_form"):
        a, b = st.columns(2)
        with a:
            st.markdown("**Working time**")
            day = st.number_input("Maximum hours per day", min_value=0.0, max_value=24.0, step=0.5,
                                  value=rules.max_hours_per_day, key="rules_day")
            slots["max_hours_per_day"] = st.empty()
            week = st.number_input("Maximum hours per week", min_value=0.0, max_value=100.0, step=1.0,
                                   value=rules.max_hours_per_week, key="rules_week")
            slots["max_hours_per_week"] = st.empty()
            rest = st.number_input("Minimum rest between shifts (hours)", min_value=0.0, max_value=24.0, step=0.5,
                                   value=rules.min_rest_hours, key="rules_rest")
            slots["min_rest_hours"] = st.empty()
            consecutive = st.number_input("Maximum consecutive working days", min_value=0, max_value=14, step=1,
                                          value=int(rules.max_consecutive_days), key="rules_consecutive")
            slots["max_consecutive_days"] = st.empty()
            weekends = st.number_input("Weekends worked per 4 weeks (at most)", min_value=0, max_value=4, step=1,
                                       value=int(rules.max_weekends_per_4_weeks), key="rules_weekends")
            slots["max_weekends_per_4_weeks"] = st.empty()
        with b:
            st.markdown("**Pay and budget**")
            ot_after = st.number_input("Overtime after (hours per week)", min_value=0.0, max_value=100.0, step=1.0,
                                       value=rules.overtime_threshold_hours, key="rules_ot_after")
            slots["overtime_threshold_hours"] = st.empty()
            ot_rate = st.number_input("Overtime pay multiplier", min_value=0.0, max_value=3.0, step=0.05,
                                      value=rules.overtime_multiplier, key="rules_ot_rate", format="%.2f")
            slots["overtime_multiplier"] = st.empty()
            budget = st.number_input("Weekly labor budget ($)", min_value=0.0, max_value=100_000_000.0, step=500.0,
                                     value=rules.budget, placeholder="No budget", key="rules_budget",
                                     help="Wages of everyone rostered in one week. Leave empty for no budget; "
                                          "a scenario's budget is this times its number of weeks.")
            slots["budget"] = st.empty()
            hard = st.checkbox("The budget is a hard cap (never exceed it)", value=rules.budget_is_hard,
                               key="rules_hard",
                               help="Otherwise going over costs a penalty and the planner reports by how much.")
            slots["budget_is_hard"] = st.empty()
        submitted = st.form_submit_button("Save rules", type="primary", icon=":material/save:")
    if not submitted:
        return
    entered = LaborRules(max_hours_per_day=float(day), max_hours_per_week=float(week), min_rest_hours=float(rest),
                         max_consecutive_days=int(consecutive), max_weekends_per_4_weeks=int(weekends),
                         overtime_threshold_hours=float(ot_after), overtime_multiplier=float(ot_rate),
                         budget=None if budget is None else float(budget), budget_is_hard=bool(hard))
    warnings, invalid = _write(lambda s: planning_store.save_labor_rules(s, entered, actor=context.actor(),
                                                                        now=context.now()))
    if invalid is not None:
        (slots.get(invalid.field) or st).error(f"{invalid} Nothing was saved.", icon=":material/error:")
        return
    _flash("rules", "Labor rules and budget saved.", warnings)
    st.rerun()


# --- time off and wishes -----------------------------------------------------------------------


def time_off_section(today: dt.date) -> None:
    _show_flash("time_off")
    with context.session() as s:
        upcoming = planning_store.time_off(s, from_day=today)
        people = planning_store.staff_choices(s)
    st.caption("Approved time off is a hard rule: the planner never rosters the person on those days. A request is "
               "a wish the planner tries to honour; approve or deny it here.")
    if upcoming.empty:
        st.info("No time off from today on.")
    else:
        shown = pd.DataFrame({
            "Person": upcoming["name"], "Role": upcoming["role"], "From": upcoming["start_date"],
            "To": upcoming["end_date"], "Days": upcoming["days"],
            "Kind": upcoming["kind"].map(planning_store.TIME_OFF_KINDS),
            "Status": upcoming["status"].map({"approved": "Approved (a rule)", "requested": "Requested (a wish)",
                                              "denied": "Denied"}),
            "Reason": upcoming["reason"],
        })
        st.dataframe(shown, hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 360),
                     column_config={"From": st.column_config.DateColumn(format="ddd D MMM YYYY"),
                                    "To": st.column_config.DateColumn(format="ddd D MMM YYYY")})
        entries = {int(r.id): f"{r.name}: {r.start_date:%d %b}" + (f" – {r.end_date:%d %b}" if r.days > 1 else "")
                   + f" ({r.kind}, {r.status})" for r in upcoming.itertuples()}
        pending = [i for i, r in zip(upcoming["id"], upcoming["status"]) if r == "requested"]
        a, b, c, d = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
        chosen = a.selectbox("Decide or remove", options=[int(i) for i in pending] + [int(i) for i in upcoming["id"]
                                                                                        if int(i) not in pending],
                             format_func=entries.get, key="time_off_pick")
        for column, label, status in ((b, "Approve", "approved"), (c, "Deny", "denied")):
            if column.button(label, key=f"time_off_{status}", width="stretch"):
                _, invalid = _write(lambda s, status=status: planning_store.set_time_off_status(
                    s, chosen, status, actor=context.actor(), now=context.now()))
                if invalid is None:
                    _flash("time_off", f"{entries[chosen].split(' (')[0]}: {status}.")
                    st.rerun()
                st.error(str(invalid))
        if d.button("Remove", key="time_off_remove", width="stretch"):
            _, invalid = _write(lambda s: planning_store.delete_time_off(s, chosen, actor=context.actor(),
                                                                         now=context.now()))
            if invalid is None:
                _flash("time_off", f"Removed {entries[chosen]}.")
                st.rerun()
            st.error(str(invalid))

    st.markdown("**Add time off**")
    slots: dict[str, Any] = {}
    with st.form("time_off_form", clear_on_submit=False):
        a, b, c = st.columns([2, 1, 1])
        person = a.selectbox("Person", options=list(people), format_func=people.get, index=None,
                             placeholder="Choose a person", key="time_off_person")
        slots["staff"] = a.empty()
        first = b.date_input("First day off", value=today + dt.timedelta(days=7), format="YYYY-MM-DD",
                             key="time_off_first")
        slots["start_date"] = b.empty()
        last = c.date_input("Last day off", value=today + dt.timedelta(days=7), format="YYYY-MM-DD",
                            key="time_off_last")
        slots["end_date"] = c.empty()
        a, b, c = st.columns([1, 2, 2])
        kind = a.selectbox("Kind", options=list(planning_store.TIME_OFF_KINDS),
                           format_func=planning_store.TIME_OFF_KINDS.get, key="time_off_kind")
        slots["kind"] = a.empty()
        status = b.radio("Status", options=["approved", "requested"], horizontal=True, key="time_off_status",
                         format_func={"approved": "Approved (the planner must respect it)",
                                      "requested": "Requested (a wish)"}.get)
        slots["status"] = b.empty()
        reason = c.text_input("Reason (optional)", max_chars=200, key="time_off_reason")
        slots["reason"] = c.empty()
        if st.form_submit_button("Add time off", icon=":material/event_busy:"):
            new_id, invalid = _write(lambda s: planning_store.add_time_off(
                s, staff_id=person, start=first, end=last, kind=kind, status=status, reason=reason,
                actor=context.actor(), now=context.now()))
            if invalid is None:
                _flash("time_off", f"Added {planning_store.TIME_OFF_KINDS[kind].lower()} for {people[person]}, "
                                   f"{first:%d %b} – {last:%d %b %Y} ({status}).")
                st.rerun()
            (slots.get(invalid.field) or st).error(str(invalid), icon=":material/error:")


def wishes_section() -> None:
    _show_flash("wishes")
    with context.session() as s:
        listed = planning_store.wishes(s)
        people = planning_store.staff_choices(s)
        shifts = planning_store.template_choices(s)
    st.caption("Standing wishes: a weekday, a shift, or a shift on a weekday, to work or not. The planner honours "
               "them when it can; the weight (1-10) says how much a wish matters against the others.")
    if listed.empty:
        st.info("No wishes recorded.")
    else:
        st.dataframe(pd.DataFrame({"Person": listed["name"], "Role": listed["role"], "Wish": listed["wish"],
                                   "Weight": listed["weight"]}),
                     hide_index=True, width="stretch", height=min(38 + 35 * len(listed), 300))
        a, b = st.columns([4, 1], vertical_alignment="bottom")
        labels = {int(r.id): f"{r.name}: {r.wish}" for r in listed.itertuples()}
        chosen = a.selectbox("Remove a wish", options=list(labels), format_func=labels.get, key="wish_pick")
        if b.button("Remove", key="wish_remove", width="stretch"):
            _, invalid = _write(lambda s: planning_store.delete_wish(s, chosen, actor=context.actor(),
                                                                     now=context.now()))
            if invalid is None:
                _flash("wishes", f"Removed: {labels[chosen]}.")
                st.rerun()
            st.error(str(invalid))

    st.markdown("**Add a wish**")
    slots: dict[str, Any] = {}
    with st.form("wish_form"):
        a, b, c = st.columns([2, 1, 2])
        person = a.selectbox("Person", options=list(people), format_func=people.get, index=None,
                             placeholder="Choose a person", key="wish_person")
        slots["staff"] = a.empty()
        weekday = b.selectbox("Weekday", options=[None, *range(7)], key="wish_weekday",
                              format_func=lambda d: "Any day" if d is None else FULL_DAYS[d])
        slots["weekday"] = b.empty()
        template = c.selectbox("Shift", options=[None, *shifts], key="wish_template",
                               format_func=lambda t: "Any shift" if t is None else shifts[t])
        slots["template"] = c.empty()
        a, b = st.columns([2, 3])
        wants = a.radio("Wish", options=[True, False], horizontal=True, key="wish_wants",
                        format_func=lambda w: "Wants to work" if w else "Would rather not work")
        weight = b.slider("Weight", min_value=1, max_value=10, value=2, key="wish_weight")
        slots["weight"] = b.empty()
        if st.form_submit_button("Add wish", icon=":material/favorite:"):
            _, invalid = _write(lambda s: planning_store.add_wish(
                s, staff_id=person, weekday=weekday, template_id=template, wants_to_work=wants, weight=weight,
                actor=context.actor(), now=context.now()))
            if invalid is None:
                _flash("wishes", f"Added a wish for {people[person]}.")
                st.rerun()
            (slots.get(invalid.field) or st).error(str(invalid), icon=":material/error:")


__all__ = ["coverage_section", "needs_chart", "rules_section", "staff_section", "templates_section",
           "time_off_section", "wishes_section"]
