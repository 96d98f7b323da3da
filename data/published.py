"""The published (official) roster: who works when, what was published, who is on duty now.

Reads ``published_shifts`` into plain DataFrames for the roster page, the
exports and the live operations page. Nothing here writes; publishing is
``data.scenarios.publish`` and repairs are ``data.repair``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import Location, Role, Staff
from data.roster_models import CoverageRequirement, PublishedShift, Scenario, ShiftTemplate
from data.roster_tables import ROLE_ORDER

SHIFT_COLUMNS = [
    "staff_id", "name", "first_name", "last_name", "role", "role_name", "location_id", "location",
    "location_address", "template_id", "shift", "day", "start_at", "end_at", "break_minutes", "paid_hours",
    "scenario_id", "published_at",
]

ON_DUTY_COLUMNS = [
    "location_id", "location", "role", "role_name", "on_duty", "names", "minimum", "preferred", "short", "over",
    "status",
]


def published_shifts(
    s: Session, start: dt.date, end: dt.date, location_id: int | None = None, staff_id: int | None = None,
) -> pd.DataFrame:
    """One row per published shift between ``start`` and ``end`` (both included).

    Columns are ``SHIFT_COLUMNS``; ordered by day, start time, location and
    last name. ``paid_hours`` is the shift's length less its unpaid break.
    """
    stmt = (
        select(PublishedShift.staff_id, Staff.first_name, Staff.last_name, Role.code, Role.name,
               PublishedShift.location_id, Location.name, Location.address, PublishedShift.template_id,
               ShiftTemplate.name,
               PublishedShift.day, PublishedShift.start_at, PublishedShift.end_at,
               ShiftTemplate.unpaid_break_minutes, PublishedShift.scenario_id, PublishedShift.published_at)
        .join(Staff, Staff.id == PublishedShift.staff_id)
        .join(Role, Role.id == Staff.role_id)
        .join(Location, Location.id == PublishedShift.location_id)
        .join(ShiftTemplate, ShiftTemplate.id == PublishedShift.template_id)
        .where(PublishedShift.day >= start, PublishedShift.day <= end)
        .order_by(PublishedShift.day, PublishedShift.start_at, PublishedShift.location_id, Staff.last_name,
                  Staff.first_name, Staff.id)
    )
    if location_id is not None:
        stmt = stmt.where(PublishedShift.location_id == location_id)
    if staff_id is not None:
        stmt = stmt.where(PublishedShift.staff_id == staff_id)
    rows = []
    for (sid, first, last, role, role_name, loc_id, loc, address, tid, shift, day, start_at, end_at, brk,
         scenario_id, published_at) in s.execute(stmt):
        paid = ((end_at - start_at).total_seconds() / 60 - brk) / 60
        rows.append((sid, f"{first} {last}", first, last, role, role_name, loc_id, loc, address or "", tid, shift,
                     day, start_at, end_at, brk, round(paid, 2), scenario_id, published_at))
    return pd.DataFrame(rows, columns=SHIFT_COLUMNS)


def published_range(s: Session) -> tuple[dt.date, dt.date] | None:
    """First and last day with a published shift, or None when nothing is published."""
    first, last = s.execute(select(func.min(PublishedShift.day), func.max(PublishedShift.day))).one()
    return None if first is None else (first, last)


def published_periods(s: Session, start: dt.date, end: dt.date, location_id: int | None = None) -> pd.DataFrame:
    """Which scenarios the shifts between two dates come from: who published them, when, and how many shifts.

    Columns: scenario_id, name, kind, start, end, published_at, published_by, shifts, first_day, last_day.
    ``start``/``end`` are the scenario's own dates; ``first_day``/``last_day`` the shifts in the range.
    """
    stmt = (
        select(PublishedShift.scenario_id, func.count(PublishedShift.id), func.min(PublishedShift.day),
               func.max(PublishedShift.day), func.max(PublishedShift.published_at))
        .where(PublishedShift.day >= start, PublishedShift.day <= end)
        .group_by(PublishedShift.scenario_id)
    )
    if location_id is not None:
        stmt = stmt.where(PublishedShift.location_id == location_id)
    rows = []
    for scenario_id, count, first, last, published_at in s.execute(stmt):
        scenario = s.get(Scenario, scenario_id) if scenario_id is not None else None
        rows.append({
            "scenario_id": scenario_id,
            "name": scenario.name if scenario else "(scenario deleted)",
            "kind": scenario.kind if scenario else None,
            "start": scenario.start_date if scenario else None,
            "end": scenario.start_date + dt.timedelta(days=7 * scenario.weeks - 1) if scenario else None,
            "published_at": (scenario.published_at if scenario and scenario.published_at else published_at),
            "published_by": scenario.published_by if scenario else None,
            "shifts": count, "first_day": first, "last_day": last,
        })
    columns = ["scenario_id", "name", "kind", "start", "end", "published_at", "published_by", "shifts",
               "first_day", "last_day"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("first_day", kind="stable").reset_index(drop=True) if len(frame) else frame


def day_label(day: dt.date) -> str:
    """``Tue 3 Mar``."""
    return f"{day:%a} {day.day} {day:%b}"


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def shift_times(start_at: dt.datetime, end_at: dt.datetime) -> str:
    return f"{start_at:%H:%M}-{end_at:%H:%M}"


def roster_by_person(shifts: pd.DataFrame, days: list[dt.date], *, with_location: bool = True) -> pd.DataFrame:
    """The roster grid: one row per person, one column per day (``dt.date``), totals at the end.

    A cell holds the shift's times (and location when ``with_location``),
    e.g. ``"07:45-17:00 Main Street"``; an empty string is a day off.
    Columns: staff_id, name, role_name, *days, shifts, hours. People are
    sorted by role (nurses, MAs, techs, front desk, billing, then others) and
    last name. Pure: works on ``published_shifts`` output.
    """
    columns = ["staff_id", "name", "role_name", *days, "shifts", "hours"]
    if shifts.empty:
        return pd.DataFrame(columns=columns)
    in_days = shifts[shifts["day"].isin(days)]
    people = in_days[["staff_id", "name", "role", "role_name", "first_name", "last_name"]].drop_duplicates("staff_id")
    people = (people.assign(rank=people["role"].map(lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99))
              .sort_values(["rank", "role_name", "last_name", "first_name", "staff_id"]))
    cells: dict[tuple[int, dt.date], str] = {}
    for row in in_days.itertuples(index=False):
        label = shift_times(row.start_at, row.end_at) + (f" {row.location}" if with_location else "")
        cells[(row.staff_id, row.day)] = label
    totals = in_days.groupby("staff_id").agg(shifts=("day", "count"), hours=("paid_hours", "sum"))
    out = []
    for person in people.itertuples(index=False):
        record = {"staff_id": person.staff_id, "name": person.name, "role_name": person.role_name}
        for day in days:
            record[day] = cells.get((person.staff_id, day), "")
        record["shifts"] = int(totals.loc[person.staff_id, "shifts"])
        record["hours"] = round(float(totals.loc[person.staff_id, "hours"]), 2)
        out.append(record)
    return pd.DataFrame(out, columns=columns)


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def on_duty_vs_required(s: Session, at: dt.datetime, location_id: int | None = None) -> pd.DataFrame:
    """People on a published shift at ``at`` against the coverage requirement of that weekday and time.

    One row per location and role that has either a requirement in force at
    ``at`` or someone on duty. Overlapping requirement windows add up (as in
    the planner). ``at`` is the practice's local wall-clock time, like the
    published shifts; a shift covers ``start_at <= at < end_at`` and a
    requirement window ``start_time <= at < end_time``.

    Columns (``ON_DUTY_COLUMNS``): location_id, location, role, role_name,
    on_duty (people), names ("Ann Alpha, Ben Beta", by last name), minimum,
    preferred (the minimum when none is set), short (people below the
    minimum), over (people above the preferred level) and status: "short",
    "below preferred", "ok", "over", or "not required" (people on duty while
    no requirement is in force, e.g. over lunch).
    """
    at = at.replace(tzinfo=None)
    locations = {loc.id: loc.name for loc in s.scalars(select(Location).where(Location.active))}
    if location_id is not None:
        locations = {i: n for i, n in locations.items() if i == location_id}
    roles = {r.id: r for r in s.scalars(select(Role))}
    need: dict[tuple[int, int], list[int]] = {}
    minute = at.hour * 60 + at.minute
    requirements = s.scalars(select(CoverageRequirement).where(
        CoverageRequirement.weekday == at.weekday(), CoverageRequirement.location_id.in_(list(locations))))
    for r in requirements:
        if _minute(r.start_time) <= minute < _minute(r.end_time):
            totals = need.setdefault((r.location_id, r.role_id), [0, 0])
            totals[0] += r.minimum
            totals[1] += r.preferred if r.preferred is not None else r.minimum
    on_duty: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
    shifts = s.execute(
        select(PublishedShift.location_id, Staff.role_id, Staff.first_name, Staff.last_name)
        .join(Staff, Staff.id == PublishedShift.staff_id)
        .where(PublishedShift.start_at <= at, PublishedShift.end_at > at,
               PublishedShift.location_id.in_(list(locations)))
    )
    for loc_id, role_id, first, last in shifts:
        on_duty.setdefault((loc_id, role_id), []).append((last, first, f"{first} {last}"))
    rows = []
    for loc_id, role_id in sorted(set(need) | set(on_duty),
                                  key=lambda k: (k[0], roles[k[1]].name if k[1] in roles else "")):
        minimum, preferred = need.get((loc_id, role_id), (0, 0))
        people = sorted(on_duty.get((loc_id, role_id), []))
        count = len(people)
        role = roles.get(role_id)
        if count < minimum:
            status = "short"
        elif preferred == 0:
            status = "not required"
        elif count < preferred:
            status = "below preferred"
        elif count > preferred:
            status = "over"
        else:
            status = "ok"
        rows.append({
            "location_id": loc_id, "location": locations[loc_id], "role": role.code if role else None,
            "role_name": role.name if role else None, "on_duty": count, "names": ", ".join(p[2] for p in people),
            "minimum": minimum, "preferred": preferred, "short": max(0, minimum - count),
            "over": max(0, count - preferred), "status": status,
        })
    return pd.DataFrame(rows, columns=ON_DUTY_COLUMNS)
