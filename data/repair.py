"""Sick-call repair of the published roster: record the absence, re-solve with few changes, publish.

``start_sick_call`` saves a repair scenario (kind ``"repair"``) over the
published period that holds the sick days: the published roster's cells (so
the solve starts from it) and the person away on those days. Only the cells
of the absent person's role in the weeks of the sick days are left to the
solver (plus any cell that now breaks a hard rule); every other cell, and
every day already over, is pinned as published. The solve itself is an
ordinary solve job; ``data.roster_problem`` adds the published roster as the
reference with a cost per changed cell, so inside that window the solver
moves as few people as it can. (With the cost per change alone, a repair of
a roster that was not solved to optimality re-plans dozens of unrelated
cells; see ``benchmarks/repair_speed.py``.)
``repair_report`` compares the result with the published roster (who covers,
every change, the cost difference, re-checked with ``planner.evaluate``) and
``publish_repair`` makes it the official roster through ``scenarios.publish``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from data import audit
from data.models import Location, Staff
from data.published import day_label, published_shifts, shift_times
from data.roster_inputs import Away, InputInvalid, ScenarioInputs
from data.roster_models import PublishedShift, Scenario, ScenarioShift, ShiftTemplate
from data.roster_problem import person_key, template_key
from data.scenarios import archive_scenario, assignments, build_for, cells, create_scenario, default_inputs
from data.scenarios import get_scenario, publish
from planner import Assignment, evaluate
from planner.check import cover_counts, cover_label

SICK_REASON = "sick call"
CHANGE_COLUMNS = ["staff_id", "name", "role_name", "day", "from", "to", "change", "covers"]


@dataclass(frozen=True)
class Period:
    """A published period: whole weeks from ``start``, and the scenario it was published from (if it still exists)."""

    start: dt.date
    weeks: int
    scenario_id: int | None

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=7 * self.weeks - 1)

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def published_periods_list(s: Session) -> list[Period]:
    """Every period the current published roster came from, newest publication first.

    A period is the publishing scenario's dates; when that scenario was
    deleted, the whole weeks spanned by its shifts.
    """
    rows = s.execute(
        select(PublishedShift.scenario_id, func.min(PublishedShift.day), func.max(PublishedShift.day),
               func.max(PublishedShift.published_at))
        .group_by(PublishedShift.scenario_id)
    ).all()
    out: list[tuple[dt.datetime, Period]] = []
    for scenario_id, first, last, published_at in rows:
        scenario = s.get(Scenario, scenario_id) if scenario_id is not None else None
        if scenario is not None and scenario.start_date <= first and last <= (
                scenario.start_date + dt.timedelta(days=7 * scenario.weeks - 1)):
            out.append((published_at, Period(scenario.start_date, scenario.weeks, scenario.id)))
        else:
            weeks = min(8, max(1, math.ceil(((last - first).days + 1) / 7)))
            out.append((published_at, Period(first, weeks, None)))
    out.sort(key=lambda item: item[0], reverse=True)
    return [period for _, period in out]


def _period_for(s: Session, staff_id: int, day: dt.date, periods: list[Period]) -> Period | None:
    """The published period holding ``day``: the one the person's shift came from, else the newest."""
    holding = [p for p in periods if p.holds(day)]
    if not holding:
        return None
    own = s.scalar(select(PublishedShift.scenario_id).where(PublishedShift.staff_id == staff_id,
                                                            PublishedShift.day == day))
    for period in holding:
        if own is not None and period.scenario_id == own:
            return period
    return holding[0]


def start_sick_call(
    s: Session, staff_id: int, days: list[dt.date], *, actor: str, now: dt.datetime, time_note: str = "",
) -> Scenario:
    """Record a sick call as a repair scenario, ready to be solved.

    Args:
        staff_id: who is away.
        days: the days they will miss; each must be today or later, inside
            one published period, and a day they are rostered.
        time_note: optional note kept in the audit log.

    Returns:
        The saved repair scenario (status ``draft``); enqueue a solve job for it.

    Raises:
        InputInvalid: with a message for the manager; nothing is saved then.
    """
    wanted = sorted(set(days or []))
    if not wanted:
        raise InputInvalid("days", "Choose at least one day the person will miss.")
    person = s.get(Staff, staff_id)
    if person is None:
        raise InputInvalid("staff", "That person is not on the staff list.")
    periods = published_periods_list(s)
    if not periods:
        raise InputInvalid("days", "Nothing has been published yet: publish a roster before recording a sick call.")
    today = now.date()
    for day in wanted:
        if day < today:
            raise InputInvalid("days", f"{day_label(day)} is over; a sick call can only change today or later.")
    found = []
    for day in wanted:
        period = _period_for(s, staff_id, day, periods)
        if period is None:
            raise InputInvalid("days", f"{day_label(day)} is outside the published roster; nothing to repair.")
        found.append(period)
    period = found[0]
    if any(p != period for p in found):
        raise InputInvalid("days", "Those days fall in different published periods; record the sick call for "
                                   "each period separately.")
    rostered = set(s.scalars(select(PublishedShift.day).where(PublishedShift.staff_id == staff_id,
                                                              PublishedShift.day.in_(wanted))))
    for day in wanted:
        if day not in rostered:
            raise InputInvalid("days", f"{person.full_name} is not rostered on {day_label(day)}; nothing to repair.")

    parent = s.get(Scenario, period.scenario_id) if period.scenario_id is not None else None
    inputs = (ScenarioInputs.from_json(parent.inputs) if parent is not None
              else default_inputs(s, period.weeks))
    inputs.levers.away += [Away(staff_id, day, day, SICK_REASON) for day in wanted]
    shifts = s.scalars(select(PublishedShift).where(PublishedShift.day >= period.start,
                                                    PublishedShift.day <= period.end)).all()
    if inputs.location_ids and {row.location_id for row in shifts} - set(inputs.location_ids):
        inputs.location_ids = None  # publishing replaces every location's shifts of the period
    name = f"Sick call: {person.full_name}, {_days_text(wanted)}"[:120]
    scenario = create_scenario(s, name=name, start=period.start, weeks=period.weeks, inputs=inputs, actor=actor,
                               now=now, kind="repair", parent_id=parent.id if parent is not None else None)
    scenario_id = scenario.id
    try:
        away = {(staff_id, day) for day in wanted}
        published_cells = {(person_key(row.staff_id), row.day): row.template_id for row in shifts
                           if (row.staff_id, row.day) not in away}  # the solve starts with the absent person off
        built = build_for(s, scenario)  # before any cell is saved, so without pins
        frozen = _frozen_cells(built, period, published_cells, person_key(staff_id), wanted, today)
        for key in sorted(set(built.person_role) | {k for k, _ in published_cells}):
            for offset in range(7 * period.weeks):
                day = period.start + dt.timedelta(days=offset)
                template_id, pinned = published_cells.get((key, day)), (key, day) in frozen
                if template_id is not None or pinned:
                    s.add(ScenarioShift(scenario_id=scenario.id, person=key, day=day, template_id=template_id,
                                        pinned=pinned, source="published"))
        audit.record(s, actor=actor, action="roster.sick_call", entity="scenario", entity_id=scenario.id,
                     old=None, new={"staff_id": staff_id, "name": person.full_name,
                                    "days": ", ".join(d.isoformat() for d in wanted), "period_start": period.start,
                                    "weeks": period.weeks, "note": time_note}, at=now)
        s.commit()
    except Exception:
        # ``create_scenario`` has committed the scenario: do not leave it behind half made.
        s.rollback()
        s.execute(delete(Scenario).where(Scenario.id == scenario_id))
        s.commit()
        raise
    return scenario


def _frozen_cells(built, period: Period, published: dict[tuple[str, dt.date], int], sick: str,
                  days: list[dt.date], today: dt.date) -> set[tuple[str, dt.date]]:
    """The cells a repair keeps exactly as published (pinned): everything except, from today on, the cells of
    the absent person's colleagues in the same role in the weeks of the sick days, the sick days themselves,
    and cells that now break a hard rule (new leave, a lapsed credential), which the solve may fix. Days
    that are over, and the absent person's other shifts, stay as they were."""
    start = period.start
    roster = [Assignment(key, (day - start).days, template_key(tid, built.person_role[key]))
              for (key, day), tid in published.items() if key in built.person_role]
    loose_people: set[str] = set()
    loose_cells: set[tuple[str, int]] = set()
    for violation in evaluate(built.problem, roster).violations:
        if violation.staff is None:
            continue
        if violation.day is None:
            loose_people.add(violation.staff)
        else:
            loose_cells.add((violation.staff, violation.day))
    role = built.person_role.get(sick)
    sick_weeks = {(day - start).days // 7 for day in days}
    frozen = set()
    for key, person_role in built.person_role.items():
        for offset in range(7 * period.weeks):
            day = start + dt.timedelta(days=offset)
            if (key, offset) in loose_cells:
                continue
            if key == sick:
                free = day in days  # their other shifts stay (their week has no minimum hours any more)
            else:
                free = key in loose_people or (person_role == role and offset // 7 in sick_weeks)
            if day < today or not free:
                frozen.add((key, day))
    return frozen


def _days_text(days: list[dt.date]) -> str:
    if len(days) <= 3:
        return ", ".join(day_label(d) for d in days)
    return f"{day_label(days[0])} to {day_label(days[-1])} ({len(days)} days)"


def sick_absences(s: Session, scenario: Scenario) -> list[tuple[int, dt.date]]:
    """The (staff id, day) absences this repair added to what its parent already had."""
    mine = ScenarioInputs.from_json(scenario.inputs).levers.away
    parent = s.get(Scenario, scenario.parent_id) if scenario.parent_id is not None else None
    inherited = ScenarioInputs.from_json(parent.inputs).levers.away if parent is not None else []
    before = {(a.staff_id, a.start, a.end, a.reason) for a in inherited}
    out = []
    for a in mine:
        if (a.staff_id, a.start, a.end, a.reason) in before or (parent is None and a.reason != SICK_REASON):
            continue
        day = a.start
        while day <= a.end:
            out.append((a.staff_id, day))
            day += dt.timedelta(days=1)
    return sorted(set(out))


@dataclass
class RepairReport:
    """A repair compared with the published roster, in the manager's terms."""

    scenario_id: int
    name: str
    status: str  # the scenario's: draft, solved, published, archived
    solved: bool  # the solve produced a roster
    absences: list[tuple[int, dt.date]]
    changes: pd.DataFrame  # CHANGE_COLUMNS, one row per changed cell
    wages_before: float | None = None  # dollars, the published roster as it stands
    wages_after: float | None = None
    overtime_hours_before: float | None = None
    overtime_hours_after: float | None = None
    short_hours_uncovered: float | None = None  # below the minimum if nobody covered the absence
    short_hours_after: float | None = None
    still_short: list[str] = field(default_factory=list)  # the absent role's gaps on the sick days
    violations: list[str] = field(default_factory=list)  # hard rules the repair breaks (should be none)
    conflict: list[str] = field(default_factory=list)  # why no repair exists, from the engine
    relax: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def wages_difference(self) -> float | None:
        if self.wages_before is None or self.wages_after is None:
            return None
        return round(self.wages_after - self.wages_before, 2)

    @property
    def covers(self) -> pd.DataFrame:
        return self.changes[self.changes["covers"]]


def _label(start_at: dt.datetime, end_at: dt.datetime, location: str) -> str:
    return f"{shift_times(start_at, end_at)} {location}"


def repair_report(s: Session, scenario_id: int) -> RepairReport:
    """Compare a repair scenario's cells with the published roster of its period.

    Wages, overtime and coverage of both rosters are recomputed by the
    independent checker on the repair's own problem, so the two figures are
    comparable. ``changes`` is empty until the repair has been solved.
    """
    scenario = get_scenario(s, scenario_id)
    if scenario.kind != "repair":
        raise InputInvalid("scenario", "That scenario is not a sick-call repair.")
    absences = sick_absences(s, scenario)
    summary = scenario.summary or {}
    conflict = summary.get("conflict") or {}
    report = RepairReport(
        scenario_id=scenario.id, name=scenario.name, status=scenario.status,
        solved=bool(summary.get("figures")), absences=absences,
        changes=pd.DataFrame(columns=CHANGE_COLUMNS),
        conflict=list(conflict.get("sentences", [])), relax=list(conflict.get("relax", [])),
        message="; ".join(summary.get("errors", []) or []),
    )
    if not report.solved:
        return report
    start = scenario.start_date
    end = start + dt.timedelta(days=7 * scenario.weeks - 1)
    published = published_shifts(s, start, end)
    built = build_for(s, scenario)
    problem = built.problem
    scenario_cells = cells(s, scenario.id)

    # Every changed cell.
    info = {row.staff_id: (row.name, row.role_name) for row in published.itertuples(index=False)}
    repair_staff = [int(c.person[1:]) for c in scenario_cells if c.person.startswith("s")]
    for person in s.scalars(select(Staff).options(selectinload(Staff.role)).where(Staff.id.in_(repair_staff))):
        info.setdefault(person.id, (person.full_name, person.role.name))
    labels = {t.id: _label(dt.datetime.combine(start, t.start_time), dt.datetime.combine(start, t.end_time),
                           location)
              for t, location in s.execute(select(ShiftTemplate, Location.name)
                                           .join(Location, Location.id == ShiftTemplate.location_id))}
    before = {(row.staff_id, row.day): (row.template_id, _label(row.start_at, row.end_at, row.location))
              for row in published.itertuples(index=False)}
    after = {(int(c.person[1:]), c.day): (c.template_id, labels.get(c.template_id, f"shift {c.template_id}"))
             for c in scenario_cells if c.template_id is not None and c.person.startswith("s")}
    sick = set(absences)
    sick_days = {day for _, day in absences}
    rows = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[1], info.get(k[0], ("", ""))[0], k[0])):
        old, new = before.get(key), after.get(key)
        if (old and old[0]) == (new and new[0]):
            continue
        staff_id, day = key
        if key in sick:
            change = "absent"
        elif old is None:
            change = "added"
        elif new is None:
            change = "removed"
        else:
            change = "moved"
        name, role_name = info.get(staff_id, (f"Staff {staff_id}", ""))
        rows.append({"staff_id": staff_id, "name": name, "role_name": role_name, "day": day,
                     "from": old[1] if old else "off", "to": new[1] if new else "off", "change": change,
                     "covers": day in sick_days and change in ("added", "moved")})
    report.changes = pd.DataFrame(rows, columns=CHANGE_COLUMNS)

    # Figures of both rosters, by the independent checker.
    def as_assignments(frame: pd.DataFrame, drop: set[tuple[int, dt.date]]) -> list[Assignment]:
        out = []
        for row in frame.itertuples(index=False):
            role = built.person_role.get(person_key(row.staff_id))
            if role is None or (row.staff_id, row.day) in drop:
                continue
            out.append(Assignment(person_key(row.staff_id), (row.day - start).days,
                                  template_key(row.template_id, role)))
        return out

    published_roster = as_assignments(published, set())
    uncovered_roster = as_assignments(published, sick)
    repaired = assignments(built, scenario, scenario_cells)
    ev_before, ev_after = evaluate(problem, published_roster), evaluate(problem, repaired)
    report.wages_before = round(float(ev_before.cost_cents) / 100, 2)
    report.wages_after = round(float(ev_after.cost_cents) / 100, 2)
    report.overtime_hours_before = round(sum(w.overtime_minutes for w in ev_before.pay) / 60, 2)
    report.overtime_hours_after = round(sum(w.overtime_minutes for w in ev_after.pay) / 60, 2)
    report.short_hours_uncovered = _short_hours(problem, uncovered_roster)
    report.short_hours_after = _short_hours(problem, repaired)
    day_index = {(d - start).days for d in sick_days}
    roles = {built.person_role.get(person_key(staff_id)) for staff_id, _ in absences}
    for cover, n in cover_counts(problem, repaired):
        if n < cover.required and cover.day in day_index and getattr(cover, "role", None) in roles:
            where, who = cover_label(problem, cover)
            report.still_short.append(f"{where}: {cover.required - n} of {cover.required} {who} missing.")
    report.violations = [v.sentence for v in ev_after.violations]
    return report


def _short_hours(problem, roster: list[Assignment]) -> float:
    """Person-hours below the minimum coverage."""
    total = 0.0
    for cover, n in cover_counts(problem, roster):
        if n < cover.required and hasattr(cover, "start"):
            minutes = (cover.end.hour * 60 + cover.end.minute) - (cover.start.hour * 60 + cover.start.minute)
            total += (cover.required - n) * minutes / 60
    return round(total, 2)


def repair_changes(s: Session, scenario_id: int) -> pd.DataFrame:
    """Every changed cell of a repair against the published roster (``CHANGE_COLUMNS``).

    ``change`` is "absent" (the sick person's shift), "added", "removed" or
    "moved"; ``covers`` marks the shifts taken on a sick day. The cost
    difference is in ``attrs``: wages_before, wages_after, wages_difference
    (dollars), short_hours_uncovered, short_hours_after. See ``repair_report``.
    """
    report = repair_report(s, scenario_id)
    frame = report.changes.copy()
    frame.attrs.update(wages_before=report.wages_before, wages_after=report.wages_after,
                       wages_difference=report.wages_difference,
                       short_hours_uncovered=report.short_hours_uncovered,
                       short_hours_after=report.short_hours_after)
    return frame


def open_repairs(s: Session) -> list[Scenario]:
    """Repairs recorded but not yet published or discarded, newest first."""
    return list(s.scalars(select(Scenario).where(Scenario.kind == "repair", Scenario.status.in_(("draft", "solved")))
                          .order_by(Scenario.id.desc())))


def stale_reason(s: Session, scenario: Scenario) -> str | None:
    """Why publishing this repair would overwrite a newer publication, or None."""
    end = scenario.start_date + dt.timedelta(days=7 * scenario.weeks - 1)
    latest = s.scalar(select(func.max(PublishedShift.published_at)).where(
        PublishedShift.day >= scenario.start_date, PublishedShift.day <= end))
    if latest is not None and latest > scenario.created_at:
        return (f"The published roster for these dates changed at {latest:%d %b %H:%M}, after this sick call was "
                "recorded; discard this repair and record the sick call again so that change is kept.")
    return None


def publish_repair(s: Session, scenario_id: int, *, actor: str, now: dt.datetime) -> int:
    """Publish a solved repair as the official roster of its period. Returns the shifts published."""
    scenario = get_scenario(s, scenario_id)
    if scenario.kind != "repair":
        raise InputInvalid("scenario", "That scenario is not a sick-call repair.")
    if scenario.status == "published":
        raise InputInvalid("publish", "This repair is already published.")
    reason = stale_reason(s, scenario)
    if reason:
        raise InputInvalid("publish", reason)
    count = publish(s, scenario_id, actor=actor, now=now)
    audit.record(s, actor=actor, action="roster.repair_publish", entity="scenario", entity_id=scenario_id,
                 old=None, new={"name": scenario.name, "shifts": count}, at=now)
    s.commit()
    return count


def discard_repair(s: Session, scenario_id: int, *, actor: str, now: dt.datetime) -> None:
    """Drop an unpublished repair (audited)."""
    scenario = get_scenario(s, scenario_id)
    if scenario.kind != "repair":
        raise InputInvalid("scenario", "That scenario is not a sick-call repair.")
    archive_scenario(s, scenario_id, actor=actor, now=now)


__all__ = [
    "CHANGE_COLUMNS", "Period", "RepairReport", "discard_repair", "open_repairs",
    "publish_repair", "published_periods_list", "repair_changes", "repair_report", "sick_absences",
    "start_sick_call", "stale_reason",
]
