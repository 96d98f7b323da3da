"""Build the rostering engine's ``Problem`` from the practice database.

The one place where database rows become planner dataclasses: staff with
their roles, credentials and contracts; shift templates per location and
role; hourly coverage windows; leave, wishes, pins and the published roster
for repairs; the labor rules, budget and what-if levers of a scenario.

Objective weights are in points where one point is one cent of wages, so a
manager can read them as dollars: an uncovered person-hour costs $250, a
preferred extra person-hour is worth $30, a broken wish $25 per weight unit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from data.models import Credential, Location, Role, Staff
from data.roster_inputs import ScenarioInputs
from data.roster_models import CoverageRequirement, PublishedShift, ShiftPreference, ShiftTemplate, TimeOff
from planner import (
    Assignment,
    Budget,
    Overtime,
    Pin,
    Problem,
    Request,
    Skill,
    Unavailability,
    Weights,
    WindowCover,
)
from planner import Role as PlanRole
from planner import ShiftTemplate as PlanTemplate
from planner import Staff as PlanStaff

UNCOVERED_HOUR_POINTS = 25_000  # $250 per person-hour short of the minimum
PREFERRED_HOUR_POINTS = 3_000  # $30 per person-hour short of the preferred level
WISH_POINTS = 2_500  # $25 per unit of a wish's weight
CHANGE_POINTS = 5_000  # $50 per changed cell when repairing a published roster
LATE_SHIFT_ENDS_AT = dt.time(17, 15)
# Roles the staff planner rosters: providers keep their own clinic sessions.
NOT_ROSTERED = {"manager"}


def person_key(staff_id: int) -> str:
    return f"s{staff_id}"


def hire_key(index: int) -> str:
    return f"h{index + 1}"


def template_key(template_id: int, role: str) -> str:
    return f"t{template_id}:{role}"


def parse_template_key(key: str) -> tuple[int, str]:
    tid, role = key[1:].split(":", 1)
    return int(tid), role


@dataclass
class BuiltProblem:
    """The problem and what the pages need to talk about it."""

    problem: Problem
    people: dict[str, str]  # planner person id -> display name
    person_role: dict[str, str]  # planner person id -> role code
    staff_ids: dict[str, int | None]  # planner person id -> staff id (None for a hire)
    templates: dict[str, ShiftTemplate]  # planner template id -> database template
    locations: dict[int, str]
    ineligible: list[str] = field(default_factory=list)  # "Kim Alvarez: RN license expired 21 Nov"


def build_problem(
    session: Session,
    start: dt.date,
    weeks: int,
    inputs: ScenarioInputs,
    *,
    pins: list[tuple[str, dt.date, int | None]] = (),
    repair_against_published: bool = False,
) -> BuiltProblem:
    """The rostering problem for ``weeks`` from ``start`` under ``inputs``.

    Args:
        pins: manual cells ``(person, day, template id or None for a day off)``
            that the solver must keep.
        repair_against_published: add the published roster of the period as
            the reference, with a cost per changed cell (sick-call repair).
    """
    num_days = 7 * weeks
    end = start + dt.timedelta(days=num_days - 1)
    rules = inputs.rules
    locations = {loc.id: loc.name for loc in session.scalars(select(Location).where(Location.active))}
    if inputs.location_ids:
        locations = {i: n for i, n in locations.items() if i in inputs.location_ids}
    roles = {r.code: r for r in session.scalars(select(Role))}
    rostered_roles = {code for code, r in roles.items() if not r.is_provider and code not in NOT_ROSTERED}

    needs = _needs(session, locations, rostered_roles)
    staff_rows = session.scalars(
        select(Staff).where(Staff.active).options(selectinload(Staff.credentials), selectinload(Staff.skills),
                                                  selectinload(Staff.role)).order_by(Staff.id)
    ).all()
    # Shifts exist for every role that has a need or a person: someone whose role
    # has no coverage need can still be rostered to meet their contract.
    needed_roles = {role for (_, _, role) in needs} | {p.role.code for p in staff_rows if p.role.code in rostered_roles}
    db_templates = session.scalars(
        select(ShiftTemplate).where(ShiftTemplate.active, ShiftTemplate.location_id.in_(list(locations)))
        .order_by(ShiftTemplate.location_id, ShiftTemplate.start_time, ShiftTemplate.id)
    ).all()
    templates: dict[str, ShiftTemplate] = {}
    plan_templates = []
    for t in db_templates:
        for role in sorted(needed_roles):
            key = template_key(t.id, role)
            templates[key] = t
            plan_templates.append(PlanTemplate(
                id=key, name=f"{t.name} {locations[t.location_id]}", start=t.start_time, end=t.end_time,
                unpaid_break_minutes=t.unpaid_break_minutes, location=locations[t.location_id], role=role,
                late=t.end_time >= LATE_SHIFT_ENDS_AT, weekdays=[int(d) for d in t.weekdays.split(",") if d != ""],
            ))

    leave = session.scalars(
        select(TimeOff).where(TimeOff.start_date <= end, TimeOff.end_date >= start, TimeOff.status != "denied")
    ).all()
    away_days: dict[int, set[int]] = {}
    unavailability: list[Unavailability] = []
    requests: list[Request] = []
    for entry in leave:
        for day in _days_in(entry.start_date, entry.end_date, start, num_days):
            if entry.status == "approved":
                unavailability.append(Unavailability(person_key(entry.staff_id), day, reason=entry.reason or entry.kind))
                away_days.setdefault(entry.staff_id, set()).add(day)
            else:
                requests.append(Request(person_key(entry.staff_id), day, None, on=False, weight=2 * WISH_POINTS))
    for a in inputs.levers.away:
        for day in _days_in(a.start, a.end, start, num_days):
            unavailability.append(Unavailability(person_key(a.staff_id), day, reason=a.reason))
            away_days.setdefault(a.staff_id, set()).add(day)

    people: dict[str, str] = {}
    person_role: dict[str, str] = {}
    staff_ids: dict[str, int | None] = {}
    plan_staff: list[PlanStaff] = []
    ineligible: list[str] = []
    for s in staff_rows:
        if s.role.code not in rostered_roles:
            continue
        key = person_key(s.id)
        people[key], person_role[key], staff_ids[key] = s.full_name, s.role.code, s.id
        blocked = set(away_days.get(s.id, set()))
        required = s.role.required_credential
        if required:
            held = [c for c in s.credentials if c.kind == required]
            reason, last_day = _credential_problem(held, required, start, end)
            if reason:
                ineligible.append(f"{s.full_name} ({s.role.name}): {reason}")
                blocked.update(range(max(0, (last_day - start).days + 1) if last_day else 0, num_days))
        plan_staff.append(_plan_staff(s, key, rules, weeks, blocked))
    for i, hire in enumerate(inputs.levers.hires):
        key = hire_key(i)
        role = roles.get(hire.role)
        label = hire.label or f"New {role.name if role else hire.role} ({hire.hours_per_week:g} h)"
        people[key], person_role[key], staff_ids[key] = label, hire.role, None
        plan_staff.append(_plan_hire(key, label, hire, role, rules, weeks))

    requests += _wishes(session, start, num_days, person_role, [t.id for t in db_templates])
    covers = _window_covers(needs, start, num_days, locations, inputs.levers.demand_pct)
    plan_pins = [Pin(person, (day - start).days, template_key(tid, person_role[person]) if tid is not None else None)
                 for person, day, tid in pins if person in person_role and 0 <= (day - start).days < num_days]
    reference: list[Assignment] = []
    if repair_against_published:
        for row in session.scalars(select(PublishedShift).where(PublishedShift.day >= start, PublishedShift.day <= end)):
            role = person_role.get(person_key(row.staff_id))
            if role:
                reference.append(Assignment(person_key(row.staff_id), (row.day - start).days,
                                            template_key(row.template_id, role)))
    budget = None
    if rules.budget is not None:
        budget = Budget(limit_cents=round(rules.budget * 100), hard=rules.budget_is_hard)
    problem = Problem(
        start=start, num_days=num_days, templates=plan_templates, staff=plan_staff,
        roles=[PlanRole(id=code, name=roles[code].name,
                        required_skills=[roles[code].required_credential] if roles[code].required_credential else [])
               for code in sorted(needed_roles) if code in roles],
        locations=list(locations.values()), window_covers=covers, unavailability=unavailability,
        requests=requests, pins=plan_pins, min_rest_minutes=round(rules.min_rest_hours * 60),
        overtime=Overtime(round(rules.overtime_threshold_hours * 60), Fraction(str(rules.overtime_multiplier))),
        budget=budget, reference=reference,
        weights=Weights(pay=1, over_budget_per_dollar=100, change=CHANGE_POINTS if reference else 0,
                        fair_weekends=2_000, fair_late=500, fair_hours=0),
        name=f"{weeks}-week roster from {start:%d %b %Y}",
    )
    return BuiltProblem(problem, people, person_role, staff_ids, templates, locations, ineligible)


def _days_in(first: dt.date, last: dt.date, start: dt.date, num_days: int) -> list[int]:
    lo = max((first - start).days, 0)
    hi = min((last - start).days, num_days - 1)
    return list(range(lo, hi + 1))


def _credential_problem(
    held: list[Credential], kind: str, start: dt.date, end: dt.date
) -> tuple[str | None, dt.date | None]:
    """Why a required credential limits someone in the horizon, and its last valid day."""
    if not held:
        return f"no {kind} on file, so cannot be rostered in this role", None
    if any(c.expires_on is None for c in held):
        return None, None
    expiry = max(c.expires_on for c in held)
    if expiry >= end:
        return None, None
    if expiry < start:
        return f"{kind} expired on {expiry:%d %b %Y}, so cannot be rostered in this role", expiry
    return f"{kind} expires on {expiry:%d %b %Y}, so cannot be rostered after that day", expiry


def _plan_staff(s: Staff, key: str, rules, weeks: int, blocked: set[int]) -> PlanStaff:
    contracted = float(s.contracted_hours)
    week_cap = rules.max_hours_per_week
    if s.employment_type == "part_time":
        week_cap = min(week_cap, contracted + 8)
    # Full- and part-timers get at least their contract less one day a week;
    # a week with leave, an absence or a lapsed credential has no minimum.
    weekly_min = max(0.0, contracted - 8) if s.employment_type != "per_diem" else 0.0
    weeks_with_leave = {day // 7 for day in blocked}
    return PlanStaff(
        id=key, name=s.full_name, roles=[s.role.code],
        skills=[Skill(c.kind, c.expires_on) for c in s.credentials] + [Skill(k.code) for k in s.skills],
        pay_cents_per_hour=round(float(s.pay_rate) * 100), employment=s.employment_type,
        min_minutes_per_week=0 if weeks_with_leave else round(weekly_min * 60),
        min_minutes_total=round(weekly_min * 60) * (weeks - len(weeks_with_leave)) if weeks_with_leave else 0,
        max_minutes_per_week=round(week_cap * 60),
        max_minutes_per_day=round(rules.max_hours_per_day * 60),
        max_consecutive_days=rules.max_consecutive_days,
        max_weekends=math.ceil(rules.max_weekends_per_4_weeks * weeks / 4),
    )


def _plan_hire(key: str, label: str, hire, role: Role | None, rules, weeks: int) -> PlanStaff:
    skills = [Skill(role.required_credential)] if role is not None and role.required_credential else []
    return PlanStaff(
        id=key, name=label, roles=[hire.role], skills=skills, pay_cents_per_hour=round(hire.rate * 100),
        employment="full_time" if hire.hours_per_week >= 32 else "part_time",
        max_minutes_per_week=round(min(rules.max_hours_per_week, hire.hours_per_week + 8) * 60),
        max_minutes_per_day=round(rules.max_hours_per_day * 60),
        max_consecutive_days=rules.max_consecutive_days,
        max_weekends=math.ceil(rules.max_weekends_per_4_weeks * weeks / 4),
    )


def _needs(session: Session, locations: dict[int, str], rostered: set[str]):
    """Coverage requirements by (location id, weekday, role)."""
    out: dict[tuple[int, int, str], list[CoverageRequirement]] = {}
    rows = session.scalars(
        select(CoverageRequirement).options(selectinload(CoverageRequirement.role))
        .where(CoverageRequirement.location_id.in_(list(locations)))
    ).all()
    for r in rows:
        if r.role.code in rostered:
            out.setdefault((r.location_id, r.weekday, r.role.code), []).append(r)
    return out


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _clock(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)


def hourly_segments(rows: list[CoverageRequirement], demand_pct: float) -> list[tuple[int, int, int, int]]:
    """Split requirement windows at every hour and at their own edges.

    Returns ``(start minute, end minute, minimum, preferred)`` per segment,
    needs of overlapping windows added up, counts scaled by ``demand_pct``
    (rounded up: 5 MAs at 110% is 6).
    """
    cuts = set()
    for r in rows:
        a, b = _minute(r.start_time), _minute(r.end_time)
        cuts.update({a, b})
        cuts.update(range((a // 60 + 1) * 60, b, 60))
    points = sorted(cuts)
    segments = []
    for a, b in zip(points, points[1:]):
        minimum = preferred = 0
        for r in rows:
            if _minute(r.start_time) <= a and b <= _minute(r.end_time):
                minimum += r.minimum
                preferred += r.preferred if r.preferred is not None else r.minimum
        if minimum or preferred:
            scale = demand_pct / 100
            segments.append((a, b, math.ceil(minimum * scale - 1e-9), math.ceil(preferred * scale - 1e-9)))
    return segments


def _window_covers(needs, start: dt.date, num_days: int, locations: dict[int, str], demand_pct: float):
    covers = []
    for day in range(num_days):
        weekday = (start + dt.timedelta(days=day)).weekday()
        for (loc_id, wd, role), rows in sorted(needs.items()):
            if wd != weekday:
                continue
            for a, b, minimum, preferred in hourly_segments(rows, demand_pct):
                hours = (b - a) / 60
                covers.append(WindowCover(
                    day=day, location=locations[loc_id], start=_clock(a), end=_clock(b), role=role,
                    required=minimum, under_weight=round(UNCOVERED_HOUR_POINTS * hours),
                    preferred=preferred if preferred > minimum else None,
                    preferred_weight=round(PREFERRED_HOUR_POINTS * hours), over_weight=0,
                ))
    return covers


def _wishes(session: Session, start: dt.date, num_days: int, person_role: dict[str, str],
            template_ids: list[int]) -> list[Request]:
    """Standing wishes as weighted requests.

    A weekday wish asks to work (or not) that weekday. A shift wish ("wants
    afternoons", "no early shifts") means: when working, work that shift (or
    not that one), so it becomes a request not to work the other shifts (or
    that one) on every day it applies.
    """
    out = []
    for p in session.scalars(select(ShiftPreference).order_by(ShiftPreference.id)):
        key = person_key(p.staff_id)
        role = person_role.get(key)
        if role is None:
            continue
        if p.template_id is None:
            avoid = None
        elif p.wants_to_work:
            avoid = [t for t in template_ids if t != p.template_id]
        else:
            avoid = [p.template_id]
        for day in range(num_days):
            if p.weekday is not None and (start + dt.timedelta(days=day)).weekday() != p.weekday:
                continue
            weight = p.weight * WISH_POINTS
            if avoid is None:
                out.append(Request(key, day, None, on=p.wants_to_work, weight=weight))
            else:
                out.extend(Request(key, day, template_key(t, role), on=False, weight=weight) for t in avoid)
    return out
