"""How the published roster and a sick-call repair look on screen.

The grid has the planner grid's cell text ("07:45-17:00 M") and the exports'
shift colours, so the screen, the print view and the Excel file agree. Frame
builders are plain functions (tests call them).
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import streamlit as st

from data import exports
from data.published import day_label, published_periods, shift_times
from data.repair import RepairReport
from data.roster_tables import ROLE_ORDER
from ui.context import escape_markdown

CHANGE_WORDS = {"absent": "Away (sick call)", "added": "Extra shift", "removed": "Shift dropped",
                "moved": "Shift changed"}


def location_codes(names: list[str]) -> dict[str, str]:
    """Short location names for grid cells: the initial, or the whole name when two share an initial."""
    initials = [n[:1].upper() for n in names]
    return {n: (n[:1].upper() if initials.count(n[:1].upper()) == 1 else n) for n in names}


def grid_frame(shifts: pd.DataFrame, days: list[dt.date]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People (index: name) by days, like the planner's grid: a "Role" column (role code), then one column per
    day ("Mon 23") holding "07:45-17:00 M" (times and the location's code), "" when off.

    Returns the grid and a frame of the same shape with each cell's CSS (its shift's colour in the
    exports, so the screen, the print view and Excel agree).
    """
    columns = [f"{d:%a} {d.day}" for d in days]
    in_days = shifts[shifts["day"].isin(days)] if not shifts.empty else shifts
    if in_days.empty:
        empty = pd.DataFrame(columns=["Role", *columns])
        return empty, empty.copy()
    codes = location_codes(sorted(in_days["location"].unique()))
    colours = exports.shift_colours(in_days)
    people = in_days[["staff_id", "name", "role", "first_name", "last_name"]].drop_duplicates("staff_id")
    people = people.assign(rank=people["role"].map(lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99))
    people = people.sort_values(["rank", "last_name", "first_name", "staff_id"])
    names = _unique_names(people)
    grid = pd.DataFrame("", index=list(names.values()), columns=["Role", *columns])
    styles = pd.DataFrame("", index=grid.index, columns=grid.columns)
    for person in people.itertuples(index=False):
        grid.loc[names[person.staff_id], "Role"] = person.role
    for row in in_days.itertuples(index=False):
        column = columns[days.index(row.day)]
        grid.loc[names[row.staff_id], column] = f"{shift_times(row.start_at, row.end_at)} {codes[row.location]}"
        styles.loc[names[row.staff_id], column] = f"background-color: {colours[row.shift]}"
    return grid, styles


def _unique_names(people: pd.DataFrame) -> dict[int, str]:
    """Display names, with the staff id added when two people share a name."""
    counts = people["name"].value_counts()
    return {p.staff_id: p.name if counts[p.name] == 1 else f"{p.name} (#{p.staff_id})"
            for p in people.itertuples(index=False)}


def legend_html(shifts: pd.DataFrame) -> str:
    """Coloured chips naming each shift, as in the print view."""
    chips = "".join(
        f'<span style="background:{colour};border:1px solid #bbb;border-radius:4px;padding:1px 8px;'
        f'margin-right:6px;font-size:0.85rem;white-space:nowrap">{html.escape(name)}</span>'
        for name, colour in exports.shift_colours(shifts).items())
    return f"<div>{chips}</div>"


def render_grid(shifts: pd.DataFrame, days: list[dt.date], role_names: dict[str, str], today: dt.date) -> None:
    """The published roster, staff by days, coloured by shift, today's column marked, with a legend."""
    grid, styles = grid_frame(shifts, days)
    grid["Role"] = grid["Role"].map(lambda r: role_names.get(r, r))
    if today in days:
        column = grid.columns[1 + days.index(today)]
        grid = grid.rename(columns={column: f"{column} · today"})
        styles = styles.rename(columns={column: f"{column} · today"})
    day_columns = [c for c in grid.columns if c != "Role"]
    st.dataframe(grid.style.apply(lambda _: styles, axis=None), width="stretch",
                 height=min(40 + 35 * len(grid), 900),
                 column_config={"Role": st.column_config.TextColumn(width=165),
                                **{c: st.column_config.TextColumn(width=105) for c in day_columns}})
    in_days = shifts[shifts["day"].isin(days)]
    codes = location_codes(sorted(in_days["location"].unique()))
    legend = ", ".join(f"{code} = {name}" for name, code in codes.items() if code != name)
    st.html(legend_html(in_days))
    st.caption("Each cell: the shift's times" + (f" and location ({legend})" if legend else " and location")
               + "; an empty cell is a day off.")


def publication_lines(periods: pd.DataFrame) -> list[str]:
    """One markdown line per publication that the shown shifts come from."""
    lines = []
    for p in periods.itertuples(index=False):
        what = "Sick-call repair" if p.kind == "repair" else "Roster"
        dates = (f"{day_label(p.start)} to {day_label(p.end)}" if p.start is not None
                 else f"{day_label(p.first_day)} to {day_label(p.last_day)}")
        who = f" by {escape_markdown(p.published_by)}" if p.published_by else ""
        when = f"{p.published_at:%a %d %b %Y %H:%M}" if p.published_at is not None else "an unknown time"
        lines.append(f"{what} **{escape_markdown(p.name)}** ({dates}): published {when}{who} · "
                     f"{p.shifts} shift{'s' if p.shifts != 1 else ''} in view")
    return lines


def render_publications(s, start: dt.date, end: dt.date, location_id: int | None = None) -> None:
    periods = published_periods(s, start, end, location_id)
    for line in publication_lines(periods):
        st.markdown(f":material/verified: {line}")


def changes_frame(report: RepairReport) -> pd.DataFrame:
    """The repair's changes as the manager reads them."""
    c = report.changes
    return pd.DataFrame({
        "Day": c["day"].map(day_label), "Person": c["name"], "Role": c["role_name"],
        "Published": c["from"], "Repair": c["to"], "Change": c["change"].map(CHANGE_WORDS),
    })


def cover_sentences(report: RepairReport) -> list[str]:
    out = []
    for row in report.covers.to_dict("records"):
        instead = f" (instead of {row['from']})" if row["change"] == "moved" else ""
        out.append(f"**{escape_markdown(row['name'])}** works {escape_markdown(row['to'])} on "
                   f"{day_label(row['day'])}{escape_markdown(instead)}")
    return out


def money_delta(value: float | None) -> str:
    """``+$12.50``, ``-$288.00`` or ``$0.00`` (a plain minus, so Streamlit colours the delta)."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def render_report(report: RepairReport) -> None:
    """Who covers, the figures before and after, every change, anything still short."""
    changed = report.changes[report.changes["change"] != "absent"]
    cells = st.columns(4)
    cells[0].metric("People moved", changed["staff_id"].nunique(), border=True,
                    help="Everyone whose roster differs from the published one, apart from the person away.")
    cells[1].metric("Cells changed", len(changed), border=True)
    cells[2].metric("Cost difference", money_delta(report.wages_difference), border=True,
                    help=f"Wages and overtime of the whole period: ${report.wages_before:,.2f} as published, "
                         f"${report.wages_after:,.2f} with this repair (the absent person's shifts are not paid).")
    gained = report.short_hours_uncovered - report.short_hours_after
    cells[3].metric("Short of minimum", f"{report.short_hours_after:g} h", border=True,
                    delta=f"{-gained:+g} h vs no cover" if gained else None, delta_color="inverse",
                    help=f"Person-hours below the minimum staffing in the period; with nobody covering it would "
                         f"be {report.short_hours_uncovered:g} h.")
    covers = cover_sentences(report)
    if covers:
        st.markdown("**Who covers**\n\n" + "\n".join(f"- {line}" for line in covers))
    elif not report.still_short:
        st.info("Nobody needs to cover: the minimum staffing is met without this person.",
                icon=":material/check_circle:")
    if report.still_short:
        st.warning("**Still short after the repair** (nobody qualified and within the rules is free):\n\n"
                   + "\n".join(f"- {escape_markdown(line)}" for line in report.still_short),
                   icon=":material/warning:")
    if report.violations:
        st.error("The checker found broken rules in this repair; do not publish it:\n\n"
                 + "\n".join(f"- {escape_markdown(v)}" for v in report.violations))
    st.markdown(f"**Every change** ({len(report.changes)})")
    away = len(report.changes) - len(changed)
    if away:
        # The list counts the absence itself; the figures above do not, which read as a contradiction.
        shifts = "shift" if away == 1 else f"{away} shifts"
        st.caption(f"Includes the {shifts} of the person away, which the figures above leave out.")
    st.dataframe(changes_frame(report), hide_index=True, width="stretch")
