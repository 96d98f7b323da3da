"""Reading the day's visits for the flow board and recording front-desk actions.

Writes are guarded twice: the state machine (``data.visit_flow``) refuses
impossible moves, and a version check refuses a change based on a stale view,
so two browsers acting on the same visit cannot overwrite each other.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data import audit
from data.models import Appointment, Location, Patient, Provider, VisitType
from data.visit_flow import STATUS_LABELS, STATUS_STAMP, TransitionRefused, check_transition

BOARD_COLUMNS = [
    "id",
    "version",
    "scheduled_at",
    "duration_minutes",
    "location_id",
    "location",
    "provider_id",
    "provider",
    "visit_type",
    "is_new_patient",
    "patient",
    "status",
    "booked_at",
    "checked_in_at",
    "roomed_at",
    "provider_at",
    "checked_out_at",
    "no_show_at",
    "cancelled_at",
    "left_at",
]


class VisitNotFound(LookupError):
    """The visit does not exist (or no longer exists)."""


class VisitConflict(RuntimeError):
    """Someone else changed the visit since this view was loaded."""


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min)
    return start, start + dt.timedelta(days=1)


def initials_expr():
    """Patient initials built in SQL, so full names never leave the database."""
    return func.upper(
        func.substr(Patient.first_name, 1, 1) + "." + func.substr(Patient.last_name, 1, 1) + "."
    )


def board_frame(
    session: Session,
    day: dt.date,
    location_id: int | None = None,
    provider_id: int | None = None,
    *,
    full_names: bool = False,
) -> pd.DataFrame:
    """One row per appointment on ``day``: what the flow board shows.

    Patients appear as initials unless ``full_names`` (only for signed-in
    staff screens, when the practice chose it; never for shared links)."""
    start, end = day_bounds(day)
    stmt = (
        select(
            Appointment.id,
            Appointment.version,
            Appointment.scheduled_at,
            Appointment.duration_minutes,
            Appointment.location_id,
            Location.name.label("location"),
            Appointment.provider_id,
            Provider.display_name.label("provider"),
            VisitType.name.label("visit_type"),
            VisitType.is_new_patient,
            (Patient.first_name + " " + Patient.last_name if full_names else initials_expr()).label("patient"),
            Appointment.status,
            Appointment.booked_at,
            Appointment.checked_in_at,
            Appointment.roomed_at,
            Appointment.provider_at,
            Appointment.checked_out_at,
            Appointment.no_show_at,
            Appointment.cancelled_at,
            Appointment.left_at,
        )
        .join(Location, Location.id == Appointment.location_id)
        .join(Provider, Provider.id == Appointment.provider_id)
        .join(VisitType, VisitType.id == Appointment.visit_type_id)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(Appointment.scheduled_at >= start, Appointment.scheduled_at < end)
        .order_by(Appointment.scheduled_at, Appointment.id)
    )
    if location_id is not None:
        stmt = stmt.where(Appointment.location_id == location_id)
    if provider_id is not None:
        stmt = stmt.where(Appointment.provider_id == provider_id)
    rows = session.execute(stmt).all()
    df = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    for column in BOARD_COLUMNS:
        if column.endswith("_at"):
            df[column] = pd.to_datetime(df[column])
    return df


def apply_action(
    session: Session,
    appointment_id: int,
    action_code: str,
    *,
    expected_version: int,
    actor: str,
    now: dt.datetime,
    at: dt.datetime | None = None,
) -> Appointment:
    """Record a front-desk action and its audit row, in one transaction.

    Raises:
        VisitNotFound: no such visit.
        TransitionRefused: the visit's status does not allow the action.
        VisitConflict: the visit changed since ``expected_version`` was read.
    Nothing is written when any of these is raised.
    """
    at = at or now
    visit = session.get(Appointment, appointment_id)
    if visit is None:
        raise VisitNotFound(f"Visit {appointment_id} was not found.")
    session.refresh(visit)
    if visit.version != expected_version:
        raise VisitConflict(_conflict_message(visit))
    previous_time = getattr(visit, STATUS_STAMP[visit.status])
    action = check_transition(visit.status, action_code, at, previous_time, now)
    old = {"status": visit.status, action.stamp: getattr(visit, action.stamp), "version": visit.version}
    result = session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.version == expected_version)
        .values({"status": action.to_status, action.stamp: at, "version": expected_version + 1})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        visit = session.get(Appointment, appointment_id)
        session.refresh(visit)
        raise VisitConflict(_conflict_message(visit))
    audit.record(
        session,
        actor=actor,
        action=f"visit.{action.code}",
        entity="appointment",
        entity_id=appointment_id,
        old=old,
        new={"status": action.to_status, action.stamp: at, "version": expected_version + 1},
        at=now,
    )
    session.commit()
    session.refresh(visit)
    return visit


def _conflict_message(visit: Appointment) -> str:
    label = STATUS_LABELS.get(visit.status, visit.status)
    stamp = getattr(visit, STATUS_STAMP[visit.status])
    when = f" at {stamp:%H:%M}" if stamp else ""
    return (
        f"Someone else updated this visit while you were looking at it: it is now "
        f"'{label}'{when}. The board has been refreshed; check it and try again."
    )


__all__ = [
    "BOARD_COLUMNS",
    "TransitionRefused",
    "VisitConflict",
    "VisitNotFound",
    "apply_action",
    "board_frame",
    "day_bounds",
]
