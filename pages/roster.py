"""Published roster: the official roster, its exports, and sick-call repairs."""

from ui.entry import require_entrypoint

require_entrypoint()

from ui import access  # noqa: E402

access.require_page(__file__)

import datetime as dt  # noqa: E402
import logging  # noqa: E402

import streamlit as st  # noqa: E402

from data import exports  # noqa: E402
from data.published import day_label, days_between, published_range, published_shifts, shift_times  # noqa: E402
from data.repair import (  # noqa: E402
    discard_repair,
    open_repairs,
    publish_repair,
    repair_report,
    stale_reason,
    start_sick_call,
)
from data.roster_inputs import InputInvalid  # noqa: E402
from data.scenarios import ScenarioNotFound, get_scenario  # noqa: E402
from ui import context, planner_state, published_views, solver  # noqa: E402

log = logging.getLogger("clinicops.roster")
REPAIR_KEY = "roster_repair"
NOTICE_KEY = "roster_notice"

st.title("Published roster")
st.caption("The roster staff work from. Choose the weeks to see, export or print them, and when someone calls "
           "in sick, repair the roster with as few changes as possible and publish the repair.")

now = context.now()
today = now.date()
location_id = context.selected_location()
location_name = context.locations().get(location_id, "All locations")
with context.session() as s:
    published = published_range(s)

if published is None:
    st.info("Nothing has been published yet. Build a roster on the **Staff planner** page, solve it and press "
            "**Publish this roster**; it then appears here.", icon=":material/calendar_month:")
    st.page_link("pages/staff_planner.py", label="Open the staff planner", icon=":material/event:")
    st.stop()

notice = st.session_state.pop(NOTICE_KEY, None)
if notice:
    st.success(notice, icon=":material/check_circle:")

# ---- period ---------------------------------------------------------------------------------------
anchor = context.selected_day()
if not published[0] <= anchor <= published[1]:
    anchor = today if published[0] <= today <= published[1] else max(published[0], min(today, published[1]))
controls = st.columns([2, 1, 3], vertical_alignment="bottom")
start = controls[0].date_input("Week starting", value=anchor - dt.timedelta(days=anchor.weekday()),
                               key="roster_start", format="YYYY-MM-DD")
weeks = int(controls[1].number_input("Weeks", min_value=1, max_value=8, value=2, step=1, key="roster_weeks"))
controls[2].markdown(f":material/location_on: **{context.escape_markdown(location_name)}** "
                     "(change the location in the sidebar)")
end = start + dt.timedelta(days=7 * weeks - 1)
days = days_between(start, end)

with context.session() as s:
    shifts = published_shifts(s, start, end, location_id)
    published_views.render_publications(s, start, end, location_id)

where = "" if location_id is None else f" at {location_name}"
if shifts.empty:
    st.info(f"No published shifts from {day_label(start)} to {day_label(end)} {end.year}{where}. "
            f"The published roster runs from {day_label(published[0])} {published[0].year} to "
            f"{day_label(published[1])} {published[1].year}.", icon=":material/event_busy:")
else:
    role_names = planner_state.role_names()
    figures = st.columns(3)
    figures[0].metric("People rostered", shifts["staff_id"].nunique())
    figures[1].metric("Shifts", len(shifts))
    figures[2].metric("Paid hours", f"{shifts['paid_hours'].sum():,.1f}")
    published_views.render_grid(shifts, days, role_names, today)

    # ---- exports ----------------------------------------------------------------------------------
    stem = f"roster-{start:%Y%m%d}-{end:%Y%m%d}" + ("" if location_id is None else f"-location{location_id}")
    title = f"Published roster · {location_name}"
    tz = exports.practice_timezone()
    st.markdown("**Export and print**")
    buttons = st.columns(5)
    buttons[0].download_button("CSV", data=lambda: exports.roster_csv(shifts), file_name=f"{stem}.csv",
                               mime="text/csv", icon=":material/table:", on_click="ignore", width="stretch")
    buttons[1].download_button(
        "Excel", data=lambda: exports.roster_xlsx(shifts, days, title=title), file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/grid_on:",
        on_click="ignore", width="stretch")
    buttons[2].download_button(
        "Print view", data=lambda: exports.print_html(shifts, start, end, title=title, generated_at=now),
        file_name=f"{stem}.html", mime="text/html", icon=":material/print:", on_click="ignore", width="stretch",
        help="A page to open in the browser and print (landscape, one week per page).")
    buttons[3].download_button("Calendars (.zip)", data=lambda: exports.ics_zip(shifts, tz=tz),
                               file_name=f"{stem}-calendars.zip", mime="application/zip",
                               icon=":material/folder_zip:", on_click="ignore", width="stretch",
                               help="One .ics calendar file per staff member, to import into their calendar.")
    people = shifts.drop_duplicates("staff_id").sort_values(["last_name", "first_name"])
    names = dict(zip(people["staff_id"].astype(int), people["name"]))
    with buttons[4].popover("One person's calendar", icon=":material/event:", width="stretch"):
        chosen = st.selectbox("Staff member", options=list(names), format_func=names.get, key="ics_person")
        own = shifts[shifts["staff_id"] == chosen]
        st.download_button(f"Download {names[chosen]}'s .ics", data=lambda: exports.staff_ics(own, tz=tz),
                           file_name=exports.ics_filename(names[chosen], chosen), mime="text/calendar",
                           icon=":material/download:", on_click="ignore")
        st.caption(f"{len(own)} shift{'s' if len(own) != 1 else ''} in these weeks.")

# ---- sick call ------------------------------------------------------------------------------------
st.divider()
st.subheader("Sick call")


@st.cache_data(ttl=600, show_spinner="Comparing the repair with the published roster…")
def cached_report(scenario_id: int, updated_at: dt.datetime, status: str):
    with context.session() as s:
        return repair_report(s, scenario_id)


def current_repair():
    """The repair shown: this tab's, else the newest one recorded and not yet published or discarded."""
    with context.session() as s:
        wanted = st.session_state.get(REPAIR_KEY)
        if wanted is not None:
            try:
                scenario = get_scenario(s, wanted)
                if scenario.kind == "repair" and scenario.status in ("draft", "solved"):
                    return scenario
            except ScenarioNotFound:
                pass
            st.session_state.pop(REPAIR_KEY, None)
        waiting = open_repairs(s)
        return waiting[0] if waiting else None


def act(action, *args) -> str | None:
    """Run a write in the signed-in person's name; a message for the manager when it is refused."""
    try:
        with context.session() as s:
            action(s, *args, actor=context.actor(), now=context.now())
    except (InputInvalid, ScenarioNotFound, access.NotAllowed) as refused:
        return str(refused)
    except Exception:  # noqa: BLE001 - a sentence for the manager, the details in the server log
        log.exception("%s failed", getattr(action, "__name__", action))
        return "That did not work and nothing was changed; the server log has the details."
    return None


repair = current_repair()
if repair is None:
    st.caption("Mark someone absent on days of the published roster: the solver moves as few other people as it "
               "can to cover, and you see who covers, every change and the cost before publishing it.")
    sick_from = max(start, today)
    upcoming = shifts[(shifts["day"] >= sick_from)] if not shifts.empty else shifts
    if upcoming.empty:
        st.info("Nobody is rostered from today on in the weeks shown; choose current weeks above to record a "
                "sick call.", icon=":material/info:")
    else:
        staff = upcoming.drop_duplicates("staff_id").sort_values(["last_name", "first_name"])
        labels = {int(r.staff_id): f"{r.name} ({r.role_name})" for r in staff.itertuples(index=False)}
        cols = st.columns([2, 3, 1], vertical_alignment="bottom")
        person = cols[0].selectbox("Who is off sick", options=list(labels), format_func=labels.get, key="sick_person")
        own = upcoming[upcoming["staff_id"] == person]
        day_labels = {r.day: f"{day_label(r.day)} · {shift_times(r.start_at, r.end_at)} {r.location}"
                      for r in own.itertuples(index=False)}
        default = [d for d in day_labels if d == today] or list(day_labels)[:1]
        sick_days = cols[1].multiselect("Shifts they will miss", options=list(day_labels), default=default,
                                        format_func=day_labels.get, key=f"sick_days_{person}")
        limit = cols[2].selectbox("Time limit (s)", options=solver.TIME_LIMITS, index=0, key="sick_limit",
                                  help="How long the solver may look for the repair with the fewest changes.")
        if st.button("Find cover", type="primary", icon=":material/healing:"):
            try:
                with context.session() as s:
                    created = start_sick_call(s, person, sick_days, actor=context.actor(), now=context.now())
            except (InputInvalid, access.NotAllowed) as refused:
                st.error(str(refused), icon=":material/error:")
            except Exception:  # noqa: BLE001 - a sentence for the manager, the details in the server log
                log.exception("could not record a sick call for staff %s on %s", person, sick_days)
                st.error("The sick call could not be recorded (nothing was saved). Try again; if it fails again, "
                         "the server log has the details.", icon=":material/error:")
            else:
                problem = solver.start_solve(created.id, limit)
                st.session_state[REPAIR_KEY] = created.id
                if problem:
                    st.session_state[NOTICE_KEY] = f"The sick call is recorded, but the solve did not start: {problem}"
                st.rerun()
    st.stop()

# ---- the open repair ------------------------------------------------------------------------------
st.markdown(f"**{context.escape_markdown(repair.name)}** · recorded {repair.created_at:%a %d %b %H:%M} by "
            f"{context.escape_markdown(repair.created_by)}")
job = solver.current_job(repair.id)
running = solver.is_active(job)


@st.fragment(run_every=1.0 if running else None)
def repair_progress() -> None:
    solver.progress_panel(repair.id, shown_running=running)


repair_progress()
if running:
    st.stop()

try:
    report = cached_report(repair.id, repair.updated_at, repair.status)
except Exception:  # noqa: BLE001 - the manager gets a sentence; the details go to the server log
    log.exception("could not compare repair %s with the published roster", repair.id)
    report = None
if report is None:
    st.error("This repair could not be compared with the published roster. Discard it and record the sick call "
             "again; if that fails too, the server log has the details.", icon=":material/error:")
elif job is None:
    st.info("This repair has not been solved yet.")
    if st.button("Find cover", type="primary", icon=":material/healing:"):
        problem = solver.start_solve(repair.id, solver.TIME_LIMITS[0])
        if problem:
            st.error(problem)
        else:
            st.rerun()
elif job.status == "failed":
    st.error(f"The repair could not be solved: {job.message}", icon=":material/error:")
elif report.conflict:
    st.error("**No repair satisfies every rule.** " + " ".join(report.conflict), icon=":material/block:")
    if report.relax:
        st.info("What would help: " + " ".join(report.relax), icon=":material/lightbulb:")
elif not report.solved:
    st.warning(job.message or "No repair was found within the time limit; try again with more time.",
               icon=":material/hourglass_disabled:")
else:
    st.caption(f"Solver: {job.message}")
    published_views.render_report(report)

actions = st.columns([2, 2, 4])
with context.session() as s:
    stale = stale_reason(s, repair)
if stale:
    st.warning(stale, icon=":material/sync_problem:")
if actions[0].button("Publish repair", type="primary", icon=":material/publish:",
                     disabled=report is None or not report.solved or bool(report.violations) or bool(stale)
                     or repair.status != "solved"):
    problem = act(publish_repair, repair.id)
    if problem:
        st.error(problem, icon=":material/error:")
    else:
        st.session_state.pop(REPAIR_KEY, None)
        st.session_state[NOTICE_KEY] = (f"Repair published: {repair.name}. The roster below is the new official "
                                        "roster.")
        st.rerun()
if actions[1].button("Discard this repair", icon=":material/delete:"):
    problem = act(discard_repair, repair.id)
    if problem:
        st.error(problem, icon=":material/error:")
    else:
        st.session_state.pop(REPAIR_KEY, None)
        st.session_state[NOTICE_KEY] = "Repair discarded; the published roster is unchanged."
        st.rerun()
