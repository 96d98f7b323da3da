"""A scenario's roster as tables the pages draw: grid, shifts, coverage, changes.

Pure functions of a ``BuiltProblem`` and a scenario's cells, so they are
tested with exact values and shared by the planner, compare and roster pages.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.roster_problem import BuiltProblem, template_key
from data.roster_models import ShiftTemplate
from data.scenarios import Cell
from planner import Assignment
from planner.check import cover_counts

ROLE_ORDER = ["rn", "ma", "tech", "front_desk", "billing"]


def short_label(template: ShiftTemplate, location_name: str) -> str:
    """Cell text: the shift's clock times and the location's initial, e.g. '07:45-17:00 M'."""
    return f"{template.start_time:%H:%M}-{template.end_time:%H:%M} {location_name[:1]}"


def person_label(built: BuiltProblem, person: str) -> str:
    return built.people.get(person, person)


def _person_order(built: BuiltProblem) -> list[str]:
    def key(person: str) -> tuple:
        role = built.person_role.get(person, "")
        rank = ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
        return rank, person.startswith("h"), built.people.get(person, person)

    return sorted(built.people, key=key)


def shifts_frame(built: BuiltProblem, start: dt.date, cells: list[Cell]) -> pd.DataFrame:
    """One row per worked shift: who, role, where, when, pinned."""
    rows = []
    for c in cells:
        if c.template_id is None or c.person not in built.people:
            continue
        key = template_key(c.template_id, built.person_role[c.person])
        t = built.templates.get(key)
        if t is None:
            continue
        location = built.locations.get(t.location_id, "")
        paid = ((t.end_time.hour * 60 + t.end_time.minute) - (t.start_time.hour * 60 + t.start_time.minute)
                - t.unpaid_break_minutes) / 60
        rows.append({
            "person": c.person, "name": built.people[c.person], "role": built.person_role[c.person],
            "location": location, "day": c.day, "template_id": t.id, "shift": t.name,
            "start_at": dt.datetime.combine(c.day, t.start_time), "end_at": dt.datetime.combine(c.day, t.end_time),
            "paid_hours": paid, "pinned": c.pinned, "label": short_label(t, location),
        })
    columns = ["person", "name", "role", "location", "day", "template_id", "shift", "start_at", "end_at",
               "paid_hours", "pinned", "label"]
    return pd.DataFrame(rows, columns=columns)


def grid_frame(built: BuiltProblem, start: dt.date, weeks: int, cells: list[Cell]) -> pd.DataFrame:
    """People (rows) by days (columns); each cell the shift label, '' when off.

    Pinned cells carry a leading '📌'; a pinned day off shows as 'off 📌'.
    """
    days = [start + dt.timedelta(days=i) for i in range(7 * weeks)]
    columns = [f"{d:%a} {d.day}" for d in days]
    people = _person_order(built)
    grid = pd.DataFrame("", index=[person_label(built, p) for p in people], columns=columns)
    by_person = {p: person_label(built, p) for p in people}
    shifts = shifts_frame(built, start, cells)
    for row in shifts.itertuples():
        col = columns[(row.day - start).days]
        grid.loc[by_person[row.person], col] = ("📌 " if row.pinned else "") + row.label
    for c in cells:
        if c.template_id is None and c.pinned and c.person in by_person:
            grid.loc[by_person[c.person], columns[(c.day - start).days]] = "off 📌"
    grid.insert(0, "Role", [built.person_role.get(p, "") for p in people])
    grid.index.name = "Person"
    return grid


def coverage_frame(built: BuiltProblem, assignments: list[Assignment]) -> pd.DataFrame:
    """Every coverage window: required, preferred and scheduled people."""
    p = built.problem
    rows = []
    for cover, scheduled in cover_counts(p, assignments):
        if not hasattr(cover, "start"):
            continue
        preferred = cover.preferred if cover.preferred is not None else cover.required
        rows.append({
            "date": p.date_of(cover.day), "location": cover.location, "role": cover.role,
            "start": cover.start, "end": cover.end,
            "hours": ((cover.end.hour * 60 + cover.end.minute) - (cover.start.hour * 60 + cover.start.minute)) / 60,
            "required": cover.required, "preferred": preferred, "scheduled": scheduled,
            "gap": scheduled - cover.required,
        })
    columns = ["date", "location", "role", "start", "end", "hours", "required", "preferred", "scheduled", "gap"]
    return pd.DataFrame(rows, columns=columns)


def diff_frame(first: tuple[BuiltProblem, dt.date, list[Cell]],
               second: tuple[BuiltProblem, dt.date, list[Cell]]) -> pd.DataFrame:
    """Cells that differ between two rosters: person, day, first shift, second shift."""
    def labels(built: BuiltProblem, start: dt.date, cells: list[Cell]) -> dict[tuple[str, dt.date], str]:
        frame = shifts_frame(built, start, cells)
        return {(r.person, r.day): f"{r.label} ({r.shift})" for r in frame.itertuples()}

    la, lb = labels(*first), labels(*second)
    names = {**second[0].people, **first[0].people}
    roles = {**second[0].person_role, **first[0].person_role}
    rows = []
    for key in sorted(set(la) | set(lb), key=lambda k: (k[1], names.get(k[0], k[0]))):
        if la.get(key) != lb.get(key):
            person, day = key
            rows.append({"Day": day, "Person": names.get(person, person), "Role": roles.get(person, ""),
                         "First": la.get(key, "off"), "Second": lb.get(key, "off")})
    return pd.DataFrame(rows, columns=["Day", "Person", "Role", "First", "Second"])
