"""The wait-time goal and the practice-wide settings that every figure uses.

Goals are dated: a new goal takes effect from its date and history keeps the
old ones, so charts can show when the goal was introduced and what changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data import audit
from data.kpis import SEEN_DEFINITIONS, WaitRules
from data.models import Goal, Practice

DEFAULT_RULES = WaitRules()


class SettingsInvalid(ValueError):
    """A form value that cannot be saved; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class GoalView:
    effective_from: dt.date
    wait_target_minutes: int
    warning_minutes: int
    target_share: float
    created_by: str
    note: str


def practice(session: Session) -> Practice:
    """The practice row, created with defaults on a new database."""
    row = session.get(Practice, 1)
    if row is None:
        row = Practice(id=1, name="Our practice", seen_definition="roomed", board_refresh_seconds=10)
        session.add(row)
        session.commit()
    return row


def goals(session: Session) -> list[GoalView]:
    """All goals, oldest first."""
    rows = session.scalars(select(Goal).order_by(Goal.effective_from, Goal.id)).all()
    return [
        GoalView(g.effective_from, g.wait_target_minutes, g.warning_minutes, g.target_share, g.created_by, g.note)
        for g in rows
    ]


def goal_on(session: Session, day: dt.date) -> GoalView | None:
    """The goal in force on ``day`` (the latest one that started on or before it)."""
    in_force = [g for g in goals(session) if g.effective_from <= day]
    return in_force[-1] if in_force else None


def goal_introduced_on(session: Session) -> dt.date | None:
    first = session.scalars(select(Goal.effective_from).order_by(Goal.effective_from).limit(1)).first()
    return first


def rules_on(session: Session, day: dt.date) -> WaitRules:
    """What the board measures against on ``day``: the goal then in force
    (or the current defaults before any goal existed) and the practice's
    definition of seen."""
    # Before any goal existed, history is judged against the first goal set.
    goal = goal_on(session, day) or _first_goal(session)
    seen = practice(session).seen_definition
    if goal is None:
        return WaitRules(
            DEFAULT_RULES.target_minutes, DEFAULT_RULES.warning_minutes, DEFAULT_RULES.target_share, seen
        )
    return WaitRules(goal.wait_target_minutes, goal.warning_minutes, goal.target_share, seen)


def _first_goal(session: Session) -> GoalView | None:
    all_goals = goals(session)
    return all_goals[0] if all_goals else None


def validate_goal(target: object, warning: object, share: object) -> tuple[int, int, float]:
    """Check a goal form in the manager's words; returns the clean values."""
    try:
        target_i = int(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SettingsInvalid("target", "The wait target must be a whole number of minutes.") from None
    if not 1 <= target_i <= 240:
        raise SettingsInvalid("target", "The wait target must be between 1 and 240 minutes.")
    try:
        warning_i = int(warning)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SettingsInvalid("warning", "The warning time must be a whole number of minutes.") from None
    if not 0 <= warning_i < target_i:
        raise SettingsInvalid(
            "warning", f"The warning must come before the target: between 0 and {target_i - 1} minutes."
        )
    try:
        share_f = float(share)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SettingsInvalid("share", "The target share must be a percentage.") from None
    if not 0 < share_f <= 1:
        raise SettingsInvalid("share", "The target share must be more than 0% and at most 100%.")
    return target_i, warning_i, share_f


def set_goal(
    session: Session,
    *,
    target: object,
    warning: object,
    share: object,
    effective_from: dt.date,
    actor: str,
    now: dt.datetime,
    note: str = "",
) -> GoalView:
    """Save a goal from ``effective_from`` (replacing one that starts that same day)."""
    target_i, warning_i, share_f = validate_goal(target, warning, share)
    existing = session.scalars(select(Goal).where(Goal.effective_from == effective_from)).first()
    new_values = {
        "effective_from": effective_from,
        "wait_target_minutes": target_i,
        "warning_minutes": warning_i,
        "target_share": share_f,
    }
    if existing is None:
        goal = Goal(**new_values, created_at=now, created_by=actor, note=note)
        session.add(goal)
        session.flush()
        old = None
    else:
        goal = existing
        old = {k: getattr(goal, k) for k in new_values}
        for key, value in new_values.items():
            setattr(goal, key, value)
        goal.note = note or goal.note
    audit.record(
        session, actor=actor, action="goal.set", entity="goal", entity_id=goal.id,
        old=old, new=new_values, at=now,
    )
    session.commit()
    return GoalView(effective_from, target_i, warning_i, share_f, goal.created_by, goal.note)


def set_practice_settings(
    session: Session,
    *,
    seen_definition: str,
    board_refresh_seconds: object,
    actor: str,
    now: dt.datetime,
) -> Practice:
    """Change what "seen" means and how often the board refreshes."""
    if seen_definition not in SEEN_DEFINITIONS:
        raise SettingsInvalid("seen_definition", "Choose when a patient counts as seen.")
    try:
        refresh = int(board_refresh_seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SettingsInvalid("refresh", "The refresh interval must be a whole number of seconds.") from None
    if not 2 <= refresh <= 600:
        raise SettingsInvalid("refresh", "The refresh interval must be between 2 and 600 seconds.")
    row = practice(session)
    old = {"seen_definition": row.seen_definition, "board_refresh_seconds": row.board_refresh_seconds}
    new = {"seen_definition": seen_definition, "board_refresh_seconds": refresh}
    if old == new:
        return row
    row.seen_definition = seen_definition
    row.board_refresh_seconds = refresh
    audit.record(session, actor=actor, action="practice.settings", entity="practice", entity_id=1,
                 old=old, new=new, at=now)
    session.commit()
    return row
