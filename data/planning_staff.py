"""The people the staff planner rosters, whether they may work their role, and
the contract fields a manager edits (pay rate, hours, employment type, active).

Providers keep their own clinic sessions and the office manager is not
rostered (``data.roster_problem``), so neither appears here. A role that
needs a credential (an RN license, say) needs it on file and unexpired: a
missing or expired one makes the person ineligible, with the reason; one
that expires within ``WARN_WEEKS`` is a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from data import audit
from data.models import Credential, Role, Staff
from data.planning_checks import RowProblem, RowsInvalid, amount, is_blank
from data.roster_inputs import InputInvalid
from data.roster_models import CoverageRequirement
from data.roster_problem import NOT_ROSTERED

WARN_WEEKS = 8
EMPLOYMENT_TYPES = {"full_time": "Full time", "part_time": "Part time", "per_diem": "Per diem"}
MAX_PAY_RATE = 500.0
MAX_CONTRACTED_HOURS = 80.0

ELIGIBLE, EXPIRING, INELIGIBLE = "Eligible", "Expires soon", "Not eligible"

STAFF_COLUMNS = [
    "id", "name", "role", "role_code", "home_location", "skills", "credentials", "pay_rate", "employment_type",
    "contracted_hours", "active", "eligible", "eligibility", "reason",
]


@dataclass(frozen=True)
class Eligibility:
    """Whether a person may work their role on ``today``, and why not (or what to watch)."""

    status: str  # ELIGIBLE, EXPIRING or INELIGIBLE
    reason: str = ""

    @property
    def eligible(self) -> bool:
        return self.status != INELIGIBLE


def rostered_role(role: Role) -> bool:
    return not role.is_provider and role.code not in NOT_ROSTERED


def eligibility(role: Role, credentials: list[Credential], today: dt.date, warn_weeks: int = WARN_WEEKS) -> Eligibility:
    """Eligibility for ``role`` from the person's credentials on ``today``."""
    kind = role.required_credential
    if not kind:
        return Eligibility(ELIGIBLE)
    held = [c for c in credentials if c.kind == kind]
    if not held:
        return Eligibility(INELIGIBLE, f"No {kind} on file; {role.name} needs one.")
    if any(c.expires_on is None for c in held):
        return Eligibility(ELIGIBLE)
    expiry = max(c.expires_on for c in held)
    if expiry < today:
        return Eligibility(INELIGIBLE, f"{kind} expired on {expiry:%d %b %Y}.")
    days = (expiry - today).days
    if days <= 7 * warn_weeks:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        return Eligibility(EXPIRING, f"{kind} expires on {expiry:%d %b %Y} ({when}); "
                                     "the planner will not roster them after that day.")
    return Eligibility(ELIGIBLE)


def _staff_rows(s: Session, *, active_only: bool = False) -> list[Staff]:
    stmt = (select(Staff).join(Role, Role.id == Staff.role_id)
            .where(Role.is_provider.is_(False), Role.code.not_in(sorted(NOT_ROSTERED)))
            .options(selectinload(Staff.role), selectinload(Staff.credentials), selectinload(Staff.skills),
                     selectinload(Staff.home_location))
            .order_by(Role.name, Staff.last_name, Staff.first_name, Staff.id))
    if active_only:
        stmt = stmt.where(Staff.active)
    return list(s.scalars(stmt).all())


def staff_table(s: Session, today: dt.date, *, warn_weeks: int = WARN_WEEKS) -> pd.DataFrame:
    """Everyone the planner rosters (active or not), one row each, with eligibility.

    Columns: ``id, name, role, role_code, home_location, skills, credentials,
    pay_rate, employment_type, contracted_hours, active, eligible,
    eligibility`` (Eligible / Expires soon / Not eligible) ``, reason``.
    """
    out = []
    for p in _staff_rows(s):
        e = eligibility(p.role, p.credentials, today, warn_weeks)
        creds = ", ".join(
            f"{c.kind} (expires {c.expires_on:%d %b %Y})" if c.expires_on else f"{c.kind} (no expiry)"
            for c in sorted(p.credentials, key=lambda c: c.kind)
        )
        out.append({
            "id": p.id, "name": p.full_name, "role": p.role.name, "role_code": p.role.code,
            "home_location": p.home_location.name if p.home_location else "",
            "skills": ", ".join(sorted(k.name for k in p.skills)), "credentials": creds,
            "pay_rate": float(p.pay_rate), "employment_type": p.employment_type,
            "contracted_hours": float(p.contracted_hours), "active": p.active,
            "eligible": e.eligible, "eligibility": e.status, "reason": e.reason,
        })
    return pd.DataFrame(out, columns=STAFF_COLUMNS)


def qualified_by_role(s: Session, today: dt.date) -> dict[str, tuple[list[str], list[str]]]:
    """Per rostered role code: (names of active people who may work it today,
    reasons of the active people who may not)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for p in _staff_rows(s, active_only=True):
        ok, blocked = out.setdefault(p.role.code, ([], []))
        e = eligibility(p.role, p.credentials, today, warn_weeks=0)
        if e.eligible:
            ok.append(p.full_name)
        else:
            blocked.append(f"{p.full_name}: {e.reason}")
    return out


@dataclass
class StaffEdit:
    """The editable fields of one person (as they come back from the table)."""

    id: int
    pay_rate: Any
    contracted_hours: Any
    employment_type: Any
    active: Any


def check_staff_edit(edit: StaffEdit) -> tuple[float, float, str, bool]:
    """The edit's values, checked; raises ``InputInvalid`` naming the field."""
    rate = amount(edit.pay_rate, "pay_rate", "Pay rate", low=0, high=MAX_PAY_RATE, unit="$")
    if rate == 0:
        raise InputInvalid("pay_rate", "The pay rate must be more than $0 per hour.")
    hours = amount(edit.contracted_hours, "contracted_hours", "Contracted hours", low=0, high=MAX_CONTRACTED_HOURS)
    kind = edit.employment_type
    if kind in EMPLOYMENT_TYPES.values():
        kind = next(k for k, v in EMPLOYMENT_TYPES.items() if v == kind)
    if kind not in EMPLOYMENT_TYPES:
        raise InputInvalid("employment_type", "Choose full time, part time or per diem.")
    if isinstance(edit.active, str) or is_blank(edit.active) or edit.active not in (True, False):  # numpy bools too
        raise InputInvalid("active", "Tick or untick Active.")
    return round(rate, 2), round(hours, 2), kind, bool(edit.active)


def save_staff(s: Session, edits: list[StaffEdit], *, actor: str, now: dt.datetime) -> int:
    """Save contract edits; returns how many people changed.

    Every row is checked first; any problem raises ``RowsInvalid`` (rows
    numbered from 1 in the order given) and nothing is saved. Deactivating
    the last active person of a role the coverage requirements still need is
    refused ("an empty staff list for a role").
    """
    people = {p.id: p for p in _staff_rows(s)}
    problems: list[RowProblem] = []
    checked: list[tuple[Staff, float, float, str, bool]] = []
    for row, edit in enumerate(edits, start=1):
        person = people.get(int(edit.id)) if not is_blank(edit.id) else None
        if person is None:
            problems.append(RowProblem(row, "id", "This person is not on the planner's staff list (any more)."))
            continue
        try:
            checked.append((person, *check_staff_edit(edit)))
        except InputInvalid as err:
            message = str(err)
            problems.append(RowProblem(row, err.field, f"{person.full_name}: {message[:1].lower()}{message[1:]}"))
    if not problems:
        problems = _empty_roles(s, people, {p.id: active for p, _, _, _, active in checked},
                                {p.id: row for row, (p, *_rest) in enumerate(checked, start=1)})
    if problems:
        raise RowsInvalid("staff", problems)
    changed = 0
    for person, rate, hours, kind, active in checked:
        old = {"pay_rate": float(person.pay_rate), "contracted_hours": float(person.contracted_hours),
               "employment_type": person.employment_type, "active": person.active}
        new = {"pay_rate": rate, "contracted_hours": hours, "employment_type": kind, "active": active}
        if old == new:
            continue
        person.pay_rate, person.contracted_hours = Decimal(f"{rate:.2f}"), Decimal(f"{hours:.2f}")
        person.employment_type, person.active = kind, active
        audit.record(s, actor=actor, action="staff.update", entity="staff", entity_id=person.id,
                     old={k: v for k, v in old.items() if new[k] != v},
                     new={k: v for k, v in new.items() if old[k] != v}, at=now)
        changed += 1
    s.commit()
    return changed


def _empty_roles(s: Session, people: dict[int, Staff], active_after: dict[int, bool],
                 row_of: dict[int, int]) -> list[RowProblem]:
    """Roles with coverage needs that would have nobody active after the edit."""
    needs: dict[str, int] = {}
    for code in s.scalars(select(Role.code).join(CoverageRequirement, CoverageRequirement.role_id == Role.id)
                          .where(CoverageRequirement.minimum > 0)):
        needs[code] = needs.get(code, 0) + 1
    problems = []
    by_role: dict[str, list[Staff]] = {}
    for p in people.values():
        by_role.setdefault(p.role.code, []).append(p)
    for code, members in by_role.items():
        if code not in needs:
            continue
        before = [p for p in members if p.active]
        after = [p for p in members if active_after.get(p.id, p.active)]
        if before and not after:
            role_name = members[0].role.name
            for p in before:
                if p.id in row_of:
                    problems.append(RowProblem(
                        row_of[p.id], "active",
                        f"{p.full_name}: nobody would be left as {role_name}, yet the coverage requirements need one "
                        f"({needs[code]} time window{'s' if needs[code] != 1 else ''}). Keep someone active or "
                        "remove those requirements first."))
    return sorted(problems, key=lambda p: p.row)
