"""The demo practice's planning inputs: shifts, coverage needs, rules, leave, wishes.

Sized so the planner has real trade-offs: Main Street needs five medical
assistants per session for five providers; one Riverside nurse's license has
lapsed, so Main Street nurses must cover; a few people asked for days off.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Location, Role, Staff
from data.roster_models import CoverageRequirement, PlannerSettings, ShiftPreference, ShiftTemplate, TimeOff

WEEKDAYS = "0,1,2,3,4"

TEMPLATES = (
    # name, start, end, unpaid break minutes, weekdays, locations (None = all)
    ("Early 07:00-15:30", "07:00", "15:30", 30, WEEKDAYS, None),
    ("Clinic day 07:45-17:00", "07:45", "17:00", 75, WEEKDAYS, None),
    ("Late 08:45-17:30", "08:45", "17:30", 45, WEEKDAYS, None),
    ("Morning 07:45-12:15", "07:45", "12:15", 0, WEEKDAYS, None),
    ("Afternoon 12:30-17:15", "12:30", "17:15", 0, WEEKDAYS, None),
    ("Saturday 07:45-12:15", "07:45", "12:15", 0, "5", ("Main Street",)),
)

COVERAGE = (
    # location, weekdays, start, end, role, minimum, preferred
    ("Main Street", WEEKDAYS, "07:45", "12:00", "front_desk", 2, 3),
    ("Main Street", WEEKDAYS, "12:00", "13:00", "front_desk", 1, 2),
    ("Main Street", WEEKDAYS, "13:00", "17:00", "front_desk", 2, 3),
    ("Main Street", WEEKDAYS, "08:00", "12:00", "ma", 5, 6),
    ("Main Street", WEEKDAYS, "13:00", "17:00", "ma", 5, 6),
    ("Main Street", WEEKDAYS, "08:00", "12:00", "rn", 1, 2),
    ("Main Street", WEEKDAYS, "13:00", "17:00", "rn", 1, 2),
    ("Main Street", WEEKDAYS, "08:00", "12:00", "tech", 1, None),
    ("Main Street", WEEKDAYS, "13:00", "15:30", "tech", 1, None),
    ("Main Street", WEEKDAYS, "09:00", "15:30", "billing", 1, 2),
    ("Main Street", "5", "07:45", "12:00", "front_desk", 1, None),
    ("Main Street", "5", "08:00", "12:00", "ma", 1, 2),
    ("Riverside", WEEKDAYS, "08:00", "12:00", "front_desk", 1, 2),
    ("Riverside", WEEKDAYS, "13:00", "17:00", "front_desk", 1, 2),
    ("Riverside", WEEKDAYS, "08:00", "12:00", "ma", 3, 4),
    ("Riverside", WEEKDAYS, "13:00", "17:00", "ma", 3, 4),
    ("Riverside", WEEKDAYS, "08:00", "12:00", "rn", 1, None),
    ("Riverside", WEEKDAYS, "13:00", "17:00", "rn", 1, None),
)

# (first, last, days from today, length in days, status, kind, reason)
TIME_OFF = (
    ("Megan", "Foster", 9, 5, "approved", "leave", "Vacation"),
    ("Thomas", "Reed", 16, 2, "approved", "leave", "Family event"),
    ("Sofia", "Herrera", 4, 1, "requested", "leave", "Appointment"),
    ("Rachel", "Green", 11, 3, "requested", "leave", "Long weekend"),
    ("Ethan", "Wright", 20, 1, "approved", "unavailable", "Course"),
    ("Laura", "Bennett", 23, 5, "requested", "leave", "Vacation"),
)

# (first, last, weekday or None, template name or None, wants to work, weight)
PREFERENCES = (
    ("Priya", "Nair", 4, None, False, 2),  # no Fridays
    ("Brandon", "Scott", None, "Afternoon 12:30-17:15", True, 2),
    ("Tyler", "Nguyen", None, "Early 07:00-15:30", False, 1),
    ("Jordan", "Hayes", 0, None, False, 2),  # no Mondays
    ("Luis", "Ramirez", 5, None, True, 3),  # likes Saturday mornings
)


def _t(hhmm: str) -> dt.time:
    hours, minutes = hhmm.split(":")
    return dt.time(int(hours), int(minutes))


def seed_roster_inputs(session: Session, today: dt.date) -> None:
    """Insert the demo's planning inputs (idempotent: only into empty tables)."""
    if session.scalars(select(ShiftTemplate.id).limit(1)).first() is not None:
        return
    locations = {loc.name: loc for loc in session.scalars(select(Location))}
    roles = {role.code: role for role in session.scalars(select(Role))}
    staff = {(p.first_name, p.last_name): p for p in session.scalars(select(Staff))}
    templates: dict[tuple[str, str], ShiftTemplate] = {}
    for name, start, end, brk, weekdays, only in TEMPLATES:
        for loc_name, loc in locations.items():
            if only is not None and loc_name not in only:
                continue
            row = ShiftTemplate(location=loc, name=name, start_time=_t(start), end_time=_t(end),
                                unpaid_break_minutes=brk, weekdays=weekdays)
            session.add(row)
            templates[(loc_name, name)] = row
    for loc_name, weekdays, start, end, role, minimum, preferred in COVERAGE:
        for weekday in (int(d) for d in weekdays.split(",")):
            session.add(CoverageRequirement(location=locations[loc_name], weekday=weekday, start_time=_t(start),
                                            end_time=_t(end), role=roles[role], minimum=minimum, preferred=preferred))
    created = dt.datetime.combine(today, dt.time(8, 0))
    for first, last, offset, days, status, kind, reason in TIME_OFF:
        start = today + dt.timedelta(days=offset)
        session.add(TimeOff(staff=staff[(first, last)], start_date=start, end_date=start + dt.timedelta(days=days - 1),
                            status=status, kind=kind, reason=reason, created_at=created))
    session.flush()
    for first, last, weekday, template_name, wants, weight in PREFERENCES:
        person = staff[(first, last)]
        template = templates.get((person.home_location.name, template_name)) if template_name else None
        session.add(ShiftPreference(staff_id=person.id, weekday=weekday,
                                    template_id=template.id if template else None,
                                    wants_to_work=wants, weight=weight))
    session.add(PlannerSettings(id=1, weekly_budget=Decimal("19000"), budget_is_hard=False,
                                updated_at=created))
    session.commit()
