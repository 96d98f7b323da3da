"""Read and write the staff planner's inputs: shift templates, coverage
requirements, time off, shift wishes and the labor rules with the budget.

Every write checks its input first and raises ``InputInvalid`` (one field)
or ``RowsInvalid`` (a table: every bad row with its number and message) in
the manager's words; then nothing is written. A write that passes adds one
audit row per changed record (old -> new) and commits once, so a change and
its audit trail land together or not at all.

Tables are saved whole, the way the page edits them: the rows given replace
the rows of the locations in ``scope`` (rows with an ``id`` are updated,
rows without one are added, rows of the scope that are missing are removed).
``expected`` is the ``version`` the editor was loaded with; when someone else
saved in between, the save is refused instead of overwriting their change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from data import audit
from data.models import Location, Role, Staff
from data.planning_checks import (
    RowProblem,
    RowsInvalid,
    clock,
    format_weekdays,
    is_blank,
    minutes_of,
    parse_time,
    parse_weekdays,
    weekday_index,
    weekdays_to_db,
    whole_number,
)
from data.planning_checks import WEEKDAY_NAMES
from data.planning_staff import qualified_by_role, rostered_role
from data.roster_inputs import InputInvalid, LaborRules
from data.roster_models import (
    CoverageRequirement,
    PlannerSettings,
    PublishedShift,
    ScenarioShift,
    ShiftPreference,
    ShiftTemplate,
    TimeOff,
)

MIN_SHIFT_MINUTES = 60
MAX_BREAK_MINUTES = 240
MAX_PER_WINDOW = 50  # people of one role at once: more is a typing error, not a plan
MAX_TIME_OFF_DAYS = 366
MAX_WEEKLY_BUDGET = 10_000_000
TIME_OFF_KINDS = {"leave": "Leave", "unavailable": "Unavailable", "sick": "Sick"}
TIME_OFF_STATUSES = {"requested": "Requested", "approved": "Approved", "denied": "Denied"}


class TableChanged(InputInvalid):
    """Someone else saved the same table since it was loaded into the editor."""


@dataclass
class SaveResult:
    added: int = 0
    updated: int = 0
    removed: int = 0
    deactivated: int = 0  # removed rows that past rosters still use are kept, inactive
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed + self.deactivated

    def sentence(self) -> str:
        parts = [f"{n} {word}" for n, word in ((self.added, "added"), (self.updated, "changed"),
                                                (self.removed, "removed"), (self.deactivated, "made inactive"))
                 if n]
        return ("Saved: " + ", ".join(parts) + ".") if parts else "Nothing had changed."


def _version(values: Iterable[tuple]) -> str:
    digest = hashlib.sha1()
    for row in sorted(values, key=repr):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def _check_version(current: str, expected: str | None, what: str) -> None:
    if expected is not None and expected != current:
        raise TableChanged(what, f"Someone else saved the {what} since you opened them. Nothing was saved: "
                                 "reload the page to see their change, then make yours again.")


def _active_locations(s: Session) -> dict[int, str]:
    return {loc.id: loc.name for loc in s.scalars(select(Location).where(Location.active).order_by(Location.id))}


def _scope(s: Session, scope: Iterable[int] | None) -> list[int]:
    return sorted(_active_locations(s)) if scope is None else sorted(set(scope))


def _settings(s: Session) -> PlannerSettings | None:
    return s.get(PlannerSettings, 1)


def max_hours_per_day(s: Session) -> float:
    settings = _settings(s)
    return float(settings.max_hours_per_day) if settings is not None else LaborRules().max_hours_per_day


# --- shift templates ---------------------------------------------------------------------------

TEMPLATE_COLUMNS = ["id", "location_id", "location", "name", "start_time", "end_time", "unpaid_break_minutes",
                    "weekdays", "days", "paid_hours", "active"]


@dataclass
class TemplateRow:
    """One shift template as edited; values may be loose (text, floats) until checked."""

    id: int | None
    location_id: Any
    name: Any
    start_time: Any
    end_time: Any
    unpaid_break_minutes: Any = 0
    weekdays: Any = (0, 1, 2, 3, 4)
    active: Any = True


@dataclass(frozen=True)
class CheckedTemplate:
    id: int | None
    location_id: int
    name: str
    start_time: dt.time
    end_time: dt.time
    unpaid_break_minutes: int
    weekdays: tuple[int, ...]
    active: bool
    row: int = 0  # its number in the edited table, from 1

    @property
    def paid_hours(self) -> float:
        return (minutes_of(self.end_time) - minutes_of(self.start_time) - self.unpaid_break_minutes) / 60

    def db_values(self) -> dict[str, Any]:
        return {"location_id": self.location_id, "name": self.name, "start_time": self.start_time,
                "end_time": self.end_time, "unpaid_break_minutes": self.unpaid_break_minutes,
                "weekdays": weekdays_to_db(self.weekdays), "active": self.active}


def templates(s: Session, location_ids: Iterable[int] | None = None, *, include_inactive: bool = True) -> pd.DataFrame:
    """Shift templates ordered by location and start time (``weekdays`` as a tuple, ``days`` as "Mon-Fri")."""
    stmt = (select(ShiftTemplate).options(selectinload(ShiftTemplate.location))
            .order_by(ShiftTemplate.location_id, ShiftTemplate.start_time, ShiftTemplate.end_time, ShiftTemplate.id))
    if location_ids is not None:
        stmt = stmt.where(ShiftTemplate.location_id.in_(list(location_ids)))
    if not include_inactive:
        stmt = stmt.where(ShiftTemplate.active)
    rows = []
    for t in s.scalars(stmt):
        days = tuple(int(d) for d in t.weekdays.split(",") if d != "")
        paid = _paid_hours(t)
        rows.append({"id": t.id, "location_id": t.location_id, "location": t.location.name, "name": t.name,
                     "start_time": t.start_time, "end_time": t.end_time,
                     "unpaid_break_minutes": t.unpaid_break_minutes, "weekdays": days,
                     "days": format_weekdays(days), "paid_hours": paid, "active": t.active})
    return pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)


def templates_version(s: Session, location_ids: Iterable[int] | None = None) -> str:
    """A fingerprint of the templates of these locations, for ``save_templates(expected=...)``."""
    scope = _scope(s, location_ids)
    return _version(
        (t.id, t.location_id, t.name, clock(t.start_time), clock(t.end_time), t.unpaid_break_minutes, t.weekdays,
         t.active)
        for t in s.scalars(select(ShiftTemplate).where(ShiftTemplate.location_id.in_(scope)))
    )


def check_template(row: TemplateRow, locations: dict[int, str]) -> CheckedTemplate:
    """One template row, checked; raises ``InputInvalid`` naming the first bad field."""
    if is_blank(row.location_id) or int(row.location_id) not in locations:
        raise InputInvalid("location_id", "Choose the location that offers this shift.")
    start = parse_time(row.start_time, "start_time", "Start")
    end = parse_time(row.end_time, "end_time", "End")
    if end == start:
        raise InputInvalid("end_time", f"The shift starts and ends at {clock(start)}: it must last at least an hour.")
    if end < start:
        raise InputInvalid("end_time", f"The shift ends at {clock(end)}, before it starts at {clock(start)}. "
                                       "Shifts cannot run past midnight.")
    length = minutes_of(end) - minutes_of(start)
    if length < MIN_SHIFT_MINUTES:
        raise InputInvalid("end_time", f"The shift lasts {length} minutes; a shift must last at least an hour.")
    brk = whole_number(0 if is_blank(row.unpaid_break_minutes) else row.unpaid_break_minutes,
                       "unpaid_break_minutes", "Unpaid break (minutes)", low=0, high=MAX_BREAK_MINUTES)
    if brk >= length:
        raise InputInvalid("unpaid_break_minutes",
                           f"The unpaid break ({brk} min) is as long as the shift itself ({length} min).")
    if length - brk < MIN_SHIFT_MINUTES:
        raise InputInvalid("unpaid_break_minutes",
                           f"After its {brk}-minute unpaid break the shift pays only {length - brk} minutes; "
                           "a shift must pay at least an hour.")
    days = parse_weekdays(row.weekdays, "weekdays")
    name = "" if is_blank(row.name) else str(row.name).strip()
    if not name:
        name = f"{clock(start)}-{clock(end)}"
    if len(name) > 60:
        raise InputInvalid("name", "Keep the shift's name to 60 characters.")
    active = True if is_blank(row.active) else bool(row.active)
    return CheckedTemplate(None if is_blank(row.id) else int(row.id), int(row.location_id), name, start, end, brk,
                           days, active)


def check_templates(rows: list[TemplateRow], locations: dict[int, str],
                    max_hours_per_day: float) -> tuple[list[CheckedTemplate], list[RowProblem], list[str]]:
    """Check every row: (checked rows, problems, warnings). Rows count from 1.

    Problems: any bad field, two rows with the same name at one location,
    two rows with the same hours at one location on a common weekday.
    Warnings: a shift with more paid hours than the daily maximum (allowed,
    but the planner cannot give it to anyone until the maximum is raised).
    """
    checked: list[tuple[int, CheckedTemplate]] = []
    problems: list[RowProblem] = []
    for number, row in enumerate(rows, start=1):
        try:
            checked.append((number, replace(check_template(row, locations), row=number)))
        except InputInvalid as err:
            problems.append(RowProblem(number, err.field, str(err)))
    seen_names: dict[tuple[int, str], int] = {}
    seen_hours: list[tuple[int, CheckedTemplate]] = []
    warnings = []
    for number, t in checked:
        key = (t.location_id, t.name.casefold())
        if key in seen_names:
            problems.append(RowProblem(number, "name", f'Row {seen_names[key]} already has the name "{t.name}" '
                                                       f"at {locations[t.location_id]}."))
        else:
            seen_names[key] = number
        for other_number, other in seen_hours:
            same_hours = (other.location_id, other.start_time, other.end_time, other.unpaid_break_minutes) == (
                t.location_id, t.start_time, t.end_time, t.unpaid_break_minutes)
            if same_hours and set(other.weekdays) & set(t.weekdays):
                common = format_weekdays(sorted(set(other.weekdays) & set(t.weekdays)))
                problems.append(RowProblem(
                    number, "start_time",
                    f"Same hours as row {other_number} ({clock(t.start_time)}-{clock(t.end_time)} at "
                    f"{locations[t.location_id]} on {common}): remove one of them."))
                break
        seen_hours.append((number, t))
        if t.active and t.paid_hours > max_hours_per_day + 1e-9:
            warnings.append(f"Row {number} ({t.name}): {t.paid_hours:g} paid hours is more than the "
                            f"{max_hours_per_day:g}-hour daily maximum, so the planner cannot give this shift to "
                            "anyone until you raise the maximum in Labor rules.")
    problems.sort(key=lambda p: p.row)
    return [t for _, t in checked], problems, warnings


def save_templates(s: Session, rows: list[TemplateRow], *, scope: Iterable[int] | None, actor: str,
                   now: dt.datetime, expected: str | None = None) -> SaveResult:
    """Replace the templates of the ``scope`` locations (None = all) with ``rows``.

    A removed template that a scenario or the published roster still uses is
    kept but made inactive, so past rosters keep their shifts; wishes for a
    removed template are removed with it.
    """
    scope_ids = _scope(s, scope)
    _check_version(templates_version(s, scope_ids), expected, "shift templates")
    locations = _active_locations(s)
    checked, problems, warnings = check_templates(rows, locations, max_hours_per_day(s))
    existing = {t.id: t for t in s.scalars(select(ShiftTemplate).where(ShiftTemplate.location_id.in_(scope_ids)))}
    problems += _outside_scope(checked, existing, scope_ids, locations, "shifts")
    if problems:
        raise RowsInvalid("templates", sorted(problems, key=lambda p: p.row))
    result = SaveResult(warnings=warnings)
    kept = {t.id for t in checked if t.id is not None}
    for t in checked:
        if t.id is None:
            row = ShiftTemplate(**t.db_values())
            s.add(row)
            s.flush()
            _audit(s, actor, "shift_template.create", "shift_template", row.id, None, t.db_values(), now)
            result.added += 1
            continue
        row = existing[t.id]
        old, new = _template_values(row), t.db_values()
        if old != new:
            for key, value in new.items():
                setattr(row, key, value)
            _audit(s, actor, "shift_template.update", "shift_template", row.id, _diff(old, new), _diff(new, old), now)
            result.updated += 1
    for tid, row in existing.items():
        if tid in kept:
            continue
        used = s.scalar(select(func.count()).select_from(ScenarioShift).where(ScenarioShift.template_id == tid)) or 0
        used += s.scalar(select(func.count()).select_from(PublishedShift).where(PublishedShift.template_id == tid)) or 0
        wishes = s.scalars(select(ShiftPreference).where(ShiftPreference.template_id == tid)).all()
        for wish in wishes:
            _audit(s, actor, "shift_preference.delete", "shift_preference", wish.id, _wish_values(wish), None, now)
            s.delete(wish)
        if used:
            if row.active:
                row.active = False
                _audit(s, actor, "shift_template.deactivate", "shift_template", tid, {"active": True},
                       {"active": False, "why": "used by saved or published rosters"}, now)
                result.deactivated += 1
        else:
            _audit(s, actor, "shift_template.delete", "shift_template", tid, _template_values(row), None, now)
            s.delete(row)
            result.removed += 1
    if result.deactivated:
        result.warnings.append(f"{result.deactivated} removed shift{'s are' if result.deactivated > 1 else ' is'} "
                               "still used by saved or published rosters, so kept as inactive.")
    s.commit()
    return result


def _outside_scope(checked, existing: dict, scope_ids: list[int], locations: dict[int, str],
                   what: str) -> list[RowProblem]:
    """Rows of a location the editor does not show, or of records someone else removed."""
    problems = []
    for c in checked:
        if c.id is not None and c.id not in existing:
            problems.append(RowProblem(c.row, "id", "Someone else removed this row meanwhile; reload the page."))
        elif c.location_id not in scope_ids:
            problems.append(RowProblem(c.row, "location_id",
                                       f"{locations[c.location_id]} is not shown in this table; choose it (or all "
                                       f"locations) in the sidebar to edit its {what}."))
    return problems


def _template_values(row: ShiftTemplate) -> dict[str, Any]:
    return {"location_id": row.location_id, "name": row.name, "start_time": row.start_time,
            "end_time": row.end_time, "unpaid_break_minutes": row.unpaid_break_minutes,
            "weekdays": row.weekdays, "active": row.active}


def _diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in a.items() if b.get(k) != v}


def _audit(s: Session, actor: str, action: str, entity: str, entity_id: object, old, new, now: dt.datetime) -> None:
    audit.record(s, actor=actor, action=action, entity=entity, entity_id=entity_id, old=old, new=new, at=now)


# --- coverage requirements ---------------------------------------------------------------------

COVERAGE_COLUMNS = ["id", "location_id", "location", "weekday", "day", "start_time", "end_time", "role_id",
                    "role_code", "role", "minimum", "preferred"]


@dataclass
class CoverageRow:
    """One coverage requirement as edited: ``role_id`` people of a role, ``minimum``
    (hard) and ``preferred`` (nice to have, optional) during a weekday's window."""

    id: int | None
    location_id: Any
    weekday: Any
    start_time: Any
    end_time: Any
    role_id: Any
    minimum: Any
    preferred: Any = None


@dataclass(frozen=True)
class CheckedCoverage:
    id: int | None
    location_id: int
    weekday: int
    start_time: dt.time
    end_time: dt.time
    role_id: int
    minimum: int
    preferred: int | None
    row: int = 0  # its number in the edited table, from 1

    def db_values(self) -> dict[str, Any]:
        return {"location_id": self.location_id, "weekday": self.weekday, "start_time": self.start_time,
                "end_time": self.end_time, "role_id": self.role_id, "minimum": self.minimum,
                "preferred": self.preferred}


def coverage(s: Session, location_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Coverage requirements ordered by location, weekday, role and start."""
    stmt = (select(CoverageRequirement)
            .options(selectinload(CoverageRequirement.location), selectinload(CoverageRequirement.role))
            .order_by(CoverageRequirement.location_id, CoverageRequirement.weekday, CoverageRequirement.role_id,
                      CoverageRequirement.start_time, CoverageRequirement.id))
    if location_ids is not None:
        stmt = stmt.where(CoverageRequirement.location_id.in_(list(location_ids)))
    rows = [{"id": r.id, "location_id": r.location_id, "location": r.location.name, "weekday": r.weekday,
             "day": WEEKDAY_NAMES[r.weekday], "start_time": r.start_time, "end_time": r.end_time,
             "role_id": r.role_id, "role_code": r.role.code, "role": r.role.name, "minimum": r.minimum,
             "preferred": r.preferred} for r in s.scalars(stmt)]
    frame = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    frame["preferred"] = frame["preferred"].astype("Int64")
    return frame


def coverage_rows(frame: pd.DataFrame) -> list[CoverageRow]:
    """Rows of a ``coverage()``-shaped frame as ``CoverageRow`` (for saving a proposal or a scaled copy)."""
    return [CoverageRow(None if is_blank(r.get("id")) else int(r["id"]), r["location_id"], r["weekday"],
                        r["start_time"], r["end_time"], r["role_id"], r["minimum"],
                        None if is_blank(r.get("preferred")) else r["preferred"])
            for r in frame.to_dict("records")]


def coverage_version(s: Session, location_ids: Iterable[int] | None = None) -> str:
    scope = _scope(s, location_ids)
    return _version(
        (r.id, r.location_id, r.weekday, clock(r.start_time), clock(r.end_time), r.role_id, r.minimum, r.preferred)
        for r in s.scalars(select(CoverageRequirement).where(CoverageRequirement.location_id.in_(scope)))
    )


def rostered_roles(s: Session) -> dict[int, Role]:
    """Roles the planner rosters (not providers, not the office manager), by id."""
    return {r.id: r for r in s.scalars(select(Role).order_by(Role.name)) if rostered_role(r)}


def check_coverage_row(row: CoverageRow, locations: dict[int, str], roles: dict[int, Role]) -> CheckedCoverage:
    """One requirement, checked field by field; raises ``InputInvalid``."""
    if is_blank(row.location_id) or int(row.location_id) not in locations:
        raise InputInvalid("location_id", "Choose the location.")
    weekday = weekday_index(row.weekday, "weekday")
    start = parse_time(row.start_time, "start_time", "Start")
    end = parse_time(row.end_time, "end_time", "End")
    if end == start:
        raise InputInvalid("end_time", f"The window starts and ends at {clock(start)}: it must last some time.")
    if end < start:
        raise InputInvalid("end_time", f"The window ends at {clock(end)}, before it starts at {clock(start)}.")
    if is_blank(row.role_id) or int(row.role_id) not in roles:
        raise InputInvalid("role_id", "Choose a role the planner rosters (providers keep their own schedules).")
    minimum = whole_number(row.minimum, "minimum", "Minimum", low=0, high=MAX_PER_WINDOW)
    preferred = whole_number(row.preferred, "preferred", "Preferred", low=0, high=MAX_PER_WINDOW, required=False)
    if preferred is not None and preferred < minimum:
        raise InputInvalid("preferred", f"Preferred ({preferred}) cannot be less than the minimum ({minimum}).")
    if preferred == minimum:
        preferred = None
    return CheckedCoverage(None if is_blank(row.id) else int(row.id), int(row.location_id), weekday, start, end,
                           int(row.role_id), minimum, preferred)


def check_coverage(rows: list[CoverageRow], locations: dict[int, str], roles: dict[int, Role],
                   staffed: dict[str, tuple[list[str], list[str]]],
                   ) -> tuple[list[CheckedCoverage], list[RowProblem], list[str]]:
    """Check every requirement: (checked rows, problems, warnings).

    Problems: any bad field; a role nobody active holds; a role whose active
    people all lack a valid credential (who and why); two windows of the same
    role at one location and weekday that overlap (their needs would add up).
    Warnings: more people needed at once than the role has.
    ``staffed`` is ``qualified_by_role()``.
    """
    checked: list[tuple[int, CheckedCoverage]] = []
    problems: list[RowProblem] = []
    warnings: list[str] = []
    for number, row in enumerate(rows, start=1):
        try:
            c = replace(check_coverage_row(row, locations, roles), row=number)
        except InputInvalid as err:
            problems.append(RowProblem(number, err.field, str(err)))
            continue
        role = roles[c.role_id]
        qualified, blocked = staffed.get(role.code, ([], []))
        if max(c.minimum, c.preferred or 0) > 0 and not qualified:
            if not blocked:
                problems.append(RowProblem(number, "role_id", f"Nobody active works as {role.name}, so no one can "
                                                              "cover this need. Add or reactivate someone first."))
            else:
                problems.append(RowProblem(number, "role_id",
                                           f"No one is qualified to work as {role.name}: " + "; ".join(blocked)))
            continue
        checked.append((number, c))
    warned: set[tuple[str, int]] = set()
    by_key: dict[tuple[int, int, int], list[tuple[int, CheckedCoverage]]] = {}
    for number, c in checked:
        for other_number, other in by_key.get((c.location_id, c.weekday, c.role_id), []):
            if c.start_time < other.end_time and other.start_time < c.end_time:
                how = "is the same window as" if (c.start_time, c.end_time) == (other.start_time, other.end_time) \
                    else "overlaps"
                problems.append(RowProblem(
                    number, "start_time",
                    f"{WEEKDAY_NAMES[c.weekday]} {clock(c.start_time)}-{clock(c.end_time)} {how} row {other_number} "
                    f"({clock(other.start_time)}-{clock(other.end_time)}) for {roles[c.role_id].name} at "
                    f"{locations[c.location_id]}. Give each time window one row."))
                break
        by_key.setdefault((c.location_id, c.weekday, c.role_id), []).append((number, c))
        role = roles[c.role_id]
        people = len(staffed.get(role.code, ([], []))[0])
        need = c.minimum
        if need > people and (role.code, need) not in warned:
            warned.add((role.code, need))
            warnings.append(f"Row {number}: needs {need} people as {role.name} at once, but only {people} can work "
                            "that role; the planner will report the shortfall.")
    problems.sort(key=lambda p: p.row)
    return [c for _, c in checked], problems, warnings


def save_coverage(s: Session, rows: list[CoverageRow], *, scope: Iterable[int] | None, actor: str, now: dt.datetime,
                  expected: str | None = None, action: str = "coverage.update") -> SaveResult:
    """Replace the coverage requirements of the ``scope`` locations (None = all) with ``rows``."""
    scope_ids = _scope(s, scope)
    _check_version(coverage_version(s, scope_ids), expected, "coverage requirements")
    locations = _active_locations(s)
    checked, problems, warnings = check_coverage(rows, locations, rostered_roles(s),
                                                 qualified_by_role(s, now.date()))
    existing = {r.id: r for r in s.scalars(select(CoverageRequirement)
                                           .where(CoverageRequirement.location_id.in_(scope_ids)))}
    problems += _outside_scope(checked, existing, scope_ids, locations, "coverage")
    if problems:
        raise RowsInvalid("coverage", sorted(problems, key=lambda p: p.row))
    result = SaveResult(warnings=warnings)
    kept = {c.id for c in checked if c.id is not None}
    for c in checked:
        if c.id is None:
            row = CoverageRequirement(**c.db_values())
            s.add(row)
            s.flush()
            _audit(s, actor, "coverage.create", "coverage_requirement", row.id, None, c.db_values(), now)
            result.added += 1
            continue
        row = existing[c.id]
        old, new = _coverage_values(row), c.db_values()
        if old != new:
            for key, value in new.items():
                setattr(row, key, value)
            _audit(s, actor, action, "coverage_requirement", row.id, _diff(old, new), _diff(new, old), now)
            result.updated += 1
    for rid, row in existing.items():
        if rid not in kept:
            _audit(s, actor, "coverage.delete", "coverage_requirement", rid, _coverage_values(row), None, now)
            s.delete(row)
            result.removed += 1
    s.commit()
    return result


def replace_coverage(s: Session, location_ids: Iterable[int], rows: list[CoverageRow], *, actor: str,
                     now: dt.datetime, role_ids: Iterable[int] | None = None) -> SaveResult:
    """Replace the requirements of ``location_ids`` with ``rows`` (e.g. a proposal from the appointments).

    With ``role_ids``, only the requirements of those roles are replaced; the
    other roles' requirements at those locations stay as they are.
    """
    scope = sorted(set(location_ids))
    if not scope:
        raise InputInvalid("locations", "Choose at least one location.")
    outside = [r for r in rows if not is_blank(r.location_id) and int(r.location_id) not in scope]
    if outside:
        raise InputInvalid("locations", "The proposal has rows for a location you did not choose.")
    fresh = [CoverageRow(None, r.location_id, r.weekday, r.start_time, r.end_time, r.role_id, r.minimum, r.preferred)
             for r in rows]
    if role_ids is not None:
        replaced = set(role_ids)
        strays = [r for r in fresh if not is_blank(r.role_id) and int(r.role_id) not in replaced]
        if strays:
            raise InputInvalid("roles", "The proposal has rows for a role it was not meant to replace.")
        kept = s.scalars(select(CoverageRequirement).where(CoverageRequirement.location_id.in_(scope),
                                                           CoverageRequirement.role_id.not_in(sorted(replaced)))
                         .order_by(CoverageRequirement.id))
        fresh += [CoverageRow(r.id, r.location_id, r.weekday, r.start_time, r.end_time, r.role_id, r.minimum,
                              r.preferred) for r in kept]
    return save_coverage(s, fresh, scope=scope, actor=actor, now=now, action="coverage.update")


def _coverage_values(row: CoverageRequirement) -> dict[str, Any]:
    return {"location_id": row.location_id, "weekday": row.weekday, "start_time": row.start_time,
            "end_time": row.end_time, "role_id": row.role_id, "minimum": row.minimum, "preferred": row.preferred}


# --- time off ----------------------------------------------------------------------------------

TIME_OFF_COLUMNS = ["id", "staff_id", "name", "role", "start_date", "end_date", "days", "kind", "status", "reason",
                    "created_at"]


def time_off(s: Session, *, from_day: dt.date, statuses: Iterable[str] | None = None) -> pd.DataFrame:
    """Time off that ends on or after ``from_day``, earliest first."""
    stmt = (select(TimeOff, Staff, Role).join(Staff, Staff.id == TimeOff.staff_id).join(Role, Role.id == Staff.role_id)
            .where(TimeOff.end_date >= from_day).order_by(TimeOff.start_date, Staff.last_name, TimeOff.id))
    if statuses is not None:
        stmt = stmt.where(TimeOff.status.in_(list(statuses)))
    rows = [{"id": t.id, "staff_id": p.id, "name": p.full_name, "role": r.name, "start_date": t.start_date,
             "end_date": t.end_date, "days": (t.end_date - t.start_date).days + 1, "kind": t.kind,
             "status": t.status, "reason": t.reason, "created_at": t.created_at}
            for t, p, r in s.execute(stmt).all()]
    return pd.DataFrame(rows, columns=TIME_OFF_COLUMNS)


def _person(s: Session, staff_id: Any) -> Staff:
    person = None if is_blank(staff_id) else s.get(Staff, int(staff_id))
    if person is None or not rostered_role(person.role):
        raise InputInvalid("staff", "Choose a person from the staff list.")
    if not person.active:
        raise InputInvalid("staff", f"{person.full_name} is not active; reactivate them in the staff table first.")
    return person


def _span(first: dt.date, last: dt.date) -> str:
    if first == last:
        return f"{first:%a %d %b %Y}"
    return f"{first:%d %b} - {last:%d %b %Y}"


def add_time_off(s: Session, *, staff_id: Any, start: Any, end: Any, kind: str, status: str, reason: str = "",
                 actor: str, now: dt.datetime) -> int:
    """Record leave, unavailability or sickness; approved is a hard rule for the planner, requested a wish.

    Returns the new row's id. Refused: no person, dates missing or ending
    before they start, over a year long, an unknown kind or status, or an
    overlap with that person's other (not denied) time off.
    """
    person = _person(s, staff_id)
    if not isinstance(start, dt.date):
        raise InputInvalid("start_date", "Choose the first day off.")
    if not isinstance(end, dt.date):
        raise InputInvalid("end_date", "Choose the last day off.")
    if isinstance(start, dt.datetime) or isinstance(end, dt.datetime):
        start, end = (d.date() if isinstance(d, dt.datetime) else d for d in (start, end))
    if end < start:
        raise InputInvalid("end_date", f"The time off ends on {end:%d %b %Y}, before it starts on {start:%d %b %Y}.")
    if (end - start).days + 1 > MAX_TIME_OFF_DAYS:
        raise InputInvalid("end_date", "Time off cannot be longer than a year; make the person inactive instead.")
    if kind not in TIME_OFF_KINDS:
        raise InputInvalid("kind", "Choose leave, unavailable or sick.")
    if status not in ("requested", "approved"):
        raise InputInvalid("status", "New time off is either requested (a wish) or approved (a rule).")
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise InputInvalid("reason", "Keep the reason to 200 characters.")
    _no_overlap(s, person, start, end, None)
    row = TimeOff(staff_id=person.id, start_date=start, end_date=end, kind=kind, status=status, reason=reason,
                  created_at=now)
    s.add(row)
    s.flush()
    _audit(s, actor, "time_off.create", "time_off", row.id, None,
           {"staff": person.full_name, "start_date": start, "end_date": end, "kind": kind, "status": status,
            "reason": reason}, now)
    s.commit()
    return row.id


def _no_overlap(s: Session, person: Staff, start: dt.date, end: dt.date, skip_id: int | None) -> None:
    clash = s.scalars(select(TimeOff).where(TimeOff.staff_id == person.id, TimeOff.status != "denied",
                                            TimeOff.start_date <= end, TimeOff.end_date >= start,
                                            TimeOff.id != (skip_id or -1))
                      .order_by(TimeOff.start_date)).first()
    if clash is not None:
        raise InputInvalid("start_date", f"{person.full_name} already has {TIME_OFF_KINDS[clash.kind].lower()} "
                                         f"{_span(clash.start_date, clash.end_date)} ({clash.status}); change or "
                                         "remove that entry instead of adding an overlapping one.")


def set_time_off_status(s: Session, time_off_id: int, status: str, *, actor: str, now: dt.datetime) -> None:
    """Approve or deny a request (or put it back to requested)."""
    if status not in TIME_OFF_STATUSES:
        raise InputInvalid("status", "Choose approved, denied or requested.")
    row = s.get(TimeOff, time_off_id)
    if row is None:
        raise InputInvalid("time_off", "That time off no longer exists; reload the page.")
    if row.status == status:
        return
    if status != "denied":
        _no_overlap(s, s.get(Staff, row.staff_id), row.start_date, row.end_date, row.id)
    old = row.status
    row.status = status
    verb = {"approved": "approve", "denied": "deny", "requested": "reopen"}[status]
    _audit(s, actor, f"time_off.{verb}", "time_off", row.id, {"status": old}, {"status": status}, now)
    s.commit()


def delete_time_off(s: Session, time_off_id: int, *, actor: str, now: dt.datetime) -> None:
    row = s.get(TimeOff, time_off_id)
    if row is None:
        raise InputInvalid("time_off", "That time off no longer exists; reload the page.")
    _audit(s, actor, "time_off.delete", "time_off", row.id,
           {"staff_id": row.staff_id, "start_date": row.start_date, "end_date": row.end_date, "kind": row.kind,
            "status": row.status, "reason": row.reason}, None, now)
    s.delete(row)
    s.commit()


# --- shift wishes ------------------------------------------------------------------------------

WISH_COLUMNS = ["id", "staff_id", "name", "role", "weekday", "day", "template_id", "shift", "wants_to_work",
                "weight", "wish"]


def wishes(s: Session) -> pd.DataFrame:
    """Standing shift wishes, by person."""
    stmt = (select(ShiftPreference, Staff, Role).join(Staff, Staff.id == ShiftPreference.staff_id)
            .join(Role, Role.id == Staff.role_id).order_by(Staff.last_name, Staff.first_name, ShiftPreference.id))
    names = {t.id: (t.name, t.location.name) for t in
             s.scalars(select(ShiftTemplate).options(selectinload(ShiftTemplate.location)))}
    rows = []
    for w, p, r in s.execute(stmt).all():
        shift = f"{names[w.template_id][0]} ({names[w.template_id][1]})" if w.template_id in names else ""
        rows.append({"id": w.id, "staff_id": p.id, "name": p.full_name, "role": r.name, "weekday": w.weekday,
                     "day": WEEKDAY_NAMES[w.weekday] if w.weekday is not None else "",
                     "template_id": w.template_id, "shift": shift, "wants_to_work": w.wants_to_work,
                     "weight": w.weight, "wish": describe_wish(w.wants_to_work, w.weekday, shift)})
    return pd.DataFrame(rows, columns=WISH_COLUMNS)


def describe_wish(wants: bool, weekday: int | None, shift: str) -> str:
    """ "Wants to work Saturdays", "Rather not work Early 07:00-15:30 (Main Street) on Mondays"."""
    verb = "Wants to work" if wants else "Rather not work"
    day = f"{_FULL[weekday]}s" if weekday is not None else ""
    if shift and day:
        return f"{verb} {shift} on {day}"
    return f"{verb} {shift or day}"


_FULL = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _wish_values(w: ShiftPreference) -> dict[str, Any]:
    return {"staff_id": w.staff_id, "weekday": w.weekday, "template_id": w.template_id,
            "wants_to_work": w.wants_to_work, "weight": w.weight}


def add_wish(s: Session, *, staff_id: Any, weekday: Any, template_id: Any, wants_to_work: bool, weight: Any,
             actor: str, now: dt.datetime) -> int:
    """Add a standing wish: a weekday, a shift, or a shift on a weekday, to work or not.

    Refused: no person; neither a weekday nor a shift; a weekday outside
    Mon-Sun; a shift that does not exist, is inactive or is not offered on
    that weekday; a weight outside 1-10; a second wish for the same person,
    weekday and shift.
    """
    person = _person(s, staff_id)
    day = None if is_blank(weekday) else weekday_index(weekday, "weekday")
    template = None
    if not is_blank(template_id):
        template = s.get(ShiftTemplate, int(template_id))
        if template is None or not template.active:
            raise InputInvalid("template", "That shift does not exist (any more); choose another.")
        offered = [int(d) for d in template.weekdays.split(",") if d != ""]
        if day is not None and day not in offered:
            raise InputInvalid("weekday", f"{template.name} is offered on {format_weekdays(offered)} only, "
                                          f"not on {_FULL[day]}s.")
    if day is None and template is None:
        raise InputInvalid("weekday", "Choose a weekday, a shift, or both.")
    weight_i = whole_number(weight, "weight", "Weight", low=1, high=10)
    clash = s.scalars(select(ShiftPreference).where(
        ShiftPreference.staff_id == person.id,
        ShiftPreference.weekday.is_(None) if day is None else ShiftPreference.weekday == day,
        ShiftPreference.template_id.is_(None) if template is None else ShiftPreference.template_id == template.id,
    )).first()
    if clash is not None:
        how = "to work" if clash.wants_to_work else "not to work"
        raise InputInvalid("weekday", f"{person.full_name} already has this wish ({how}, weight {clash.weight}); "
                                      "remove it first to change it.")
    wish = ShiftPreference(staff_id=person.id, weekday=day, template_id=template.id if template else None,
                           wants_to_work=bool(wants_to_work), weight=weight_i)
    s.add(wish)
    s.flush()
    _audit(s, actor, "shift_preference.create", "shift_preference", wish.id, None, _wish_values(wish), now)
    s.commit()
    return wish.id


def delete_wish(s: Session, wish_id: int, *, actor: str, now: dt.datetime) -> None:
    wish = s.get(ShiftPreference, wish_id)
    if wish is None:
        raise InputInvalid("wish", "That wish no longer exists; reload the page.")
    _audit(s, actor, "shift_preference.delete", "shift_preference", wish.id, _wish_values(wish), None, now)
    s.delete(wish)
    s.commit()


# --- labor rules and budget --------------------------------------------------------------------


def labor_rules(s: Session) -> LaborRules:
    """The practice's labor rules; ``budget`` is the weekly budget (None = no budget)."""
    return LaborRules.from_settings(_settings(s), weeks=1)


def save_labor_rules(s: Session, rules: LaborRules, *, actor: str, now: dt.datetime) -> list[str]:
    """Save the labor rules with ``rules.budget`` as the weekly budget; returns warnings.

    ``LaborRules.validate`` names the field of the first problem (a budget of
    $0 included); nothing is saved then.
    """
    rules.validate()
    if rules.budget is not None and rules.budget > MAX_WEEKLY_BUDGET:
        raise InputInvalid("budget", f"A weekly labor budget over ${MAX_WEEKLY_BUDGET:,} is not plausible; "
                                     "check the number.")
    if rules.budget_is_hard and rules.budget is None:
        raise InputInvalid("budget_is_hard", "Enter a weekly budget to make it a hard cap.")
    settings = _settings(s)
    if settings is None:
        settings = PlannerSettings(id=1)
        s.add(settings)
        old = None
    else:
        old = _settings_values(settings)
    rules.apply_to(settings, 1, now)
    new = _settings_values(settings)
    if old != new:
        _audit(s, actor, "planner_settings.update", "planner_settings", 1,
               _diff(old, new) if old else None, _diff(new, old or {}), now)
    s.commit()
    warnings = []
    long_shifts = [f"{t.name} ({t.location.name}, {_paid_hours(t):g} h)"
                   for t in s.scalars(select(ShiftTemplate).where(ShiftTemplate.active)
                                      .options(selectinload(ShiftTemplate.location))
                                      .order_by(ShiftTemplate.location_id, ShiftTemplate.start_time))
                   if _paid_hours(t) > rules.max_hours_per_day + 1e-9]
    if long_shifts:
        warnings.append(f"These shifts are longer than {rules.max_hours_per_day:g} paid hours, so the planner "
                        f"cannot give them to anyone: {', '.join(long_shifts)}.")
    if rules.overtime_threshold_hours > rules.max_hours_per_week:
        warnings.append(f"Overtime starts after {rules.overtime_threshold_hours:g} hours but nobody may work more "
                        f"than {rules.max_hours_per_week:g}, so overtime never applies.")
    return warnings


def _paid_hours(t: ShiftTemplate) -> float:
    return (minutes_of(t.end_time) - minutes_of(t.start_time) - t.unpaid_break_minutes) / 60


def _settings_values(row: PlannerSettings) -> dict[str, Any]:
    return {"max_hours_per_day": float(row.max_hours_per_day), "max_hours_per_week": float(row.max_hours_per_week),
            "min_rest_hours": float(row.min_rest_hours), "max_consecutive_days": row.max_consecutive_days,
            "max_weekends_per_4_weeks": row.max_weekends_per_4_weeks,
            "overtime_threshold_hours": float(row.overtime_threshold_hours),
            "overtime_multiplier": float(row.overtime_multiplier),
            "weekly_budget": None if row.weekly_budget is None else float(row.weekly_budget),
            "budget_is_hard": row.budget_is_hard}


# --- lookups for the forms ---------------------------------------------------------------------


def staff_choices(s: Session) -> dict[int, str]:
    """Active rostered people for pickers: id -> "Name (Role)"."""
    stmt = (select(Staff).join(Role, Role.id == Staff.role_id).where(Staff.active)
            .options(selectinload(Staff.role)).order_by(Staff.last_name, Staff.first_name))
    return {p.id: f"{p.full_name} ({p.role.name})" for p in s.scalars(stmt) if rostered_role(p.role)}


def template_choices(s: Session) -> dict[int, str]:
    """Active templates for pickers: id -> "Early 07:00-15:30 (Main Street, Mon-Fri)"."""
    stmt = (select(ShiftTemplate).where(ShiftTemplate.active).options(selectinload(ShiftTemplate.location))
            .order_by(ShiftTemplate.location_id, ShiftTemplate.start_time))
    return {t.id: f"{t.name} ({t.location.name}, {format_weekdays(t.weekdays)})" for t in s.scalars(stmt)}


def locations(s: Session) -> dict[int, str]:
    return _active_locations(s)


__all__ = [
    "CoverageRow", "InputInvalid", "RowProblem", "RowsInvalid", "SaveResult", "TableChanged", "TemplateRow",
    "add_time_off", "add_wish", "check_coverage", "check_templates", "coverage", "coverage_rows", "coverage_version",
    "delete_time_off", "delete_wish", "labor_rules", "locations", "replace_coverage", "rostered_roles",
    "save_coverage", "save_labor_rules", "save_templates", "set_time_off_status", "staff_choices",
    "template_choices", "templates", "templates_version", "time_off", "wishes",
]
