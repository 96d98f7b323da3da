"""Keep the demo practice live: today's schedule exists and moves with the clock.

Today's visits are inserted as *booked* appointments with a script
(``DemoStep``) of when each patient will arrive, be roomed, see the provider
and leave. ``advance`` copies a step into the visit once the clock passes it,
through the same version check as a front-desk click, so a manual action
always wins and the simulator never overwrites it.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from data import audit
from data.demo.day_sim import PlannedVisit, book_day, play_day
from data.demo.generate import DemoCast, insert_history, load_cast, patient_picker, plan_day
from data.demo.schedule import anchored_block
from data.models import Appointment, DemoStep, Practice
from data.visit_flow import STATUS_STAMP, Status
from data.visits import day_bounds

SIMULATOR = "Demo clinic (simulated)"


REGULAR_HOURS = (dt.time(9, 30), dt.time(16, 0))


def ensure_live_day(session: Session, now: dt.datetime) -> None:
    """Bring a demo practice up to ``now``: fill missed days, plan today, advance.

    Between 09:30 and 16:00 today is a regular clinic day (08:00-17:00). At
    any other hour, and whenever the clinic has gone quiet, a block of clinic
    hours anchored to the current time is added, so the board is always live.
    Does nothing for a real practice.
    """
    practice = session.get(Practice, 1)
    if practice is None or not practice.is_demo:
        return
    today = now.date()
    cast: DemoCast | None = None
    if practice.demo_day is None or practice.demo_day < today:
        cast = load_cast(session)
        last_done = practice.demo_day or today - dt.timedelta(days=1)
        _finish_open_visits(session, before=day_bounds(last_done)[1])
        if last_done < today - dt.timedelta(days=1):
            insert_history(session, cast, last_done + dt.timedelta(days=1), today - dt.timedelta(days=1))
        if REGULAR_HOURS[0] <= now.time() <= REGULAR_HOURS[1]:
            _insert_live(session, plan_day(cast, today, force_open=True), now)
        practice.demo_day = today
        session.commit()
    if not _clinic_busy(session, now):
        start = _block_start(session, now)
        if start + dt.timedelta(hours=1) <= dt.datetime.combine(today, dt.time(23, 40)):
            _insert_live(session, _plan_block(cast or load_cast(session), start), now)
            session.commit()
    advance(session, now)


def _appointments_between(session: Session, start: dt.datetime, end: dt.datetime) -> bool:
    found = session.scalars(
        select(Appointment.id)
        .where(Appointment.scheduled_at >= start, Appointment.scheduled_at < end)
        .limit(1)
    ).first()
    return found is not None


def _clinic_busy(session: Session, now: dt.datetime) -> bool:
    """Patients booked both in the last two hours and in the coming hour."""
    day_start = day_bounds(now.date())[0]
    recent = _appointments_between(session, max(day_start, now - dt.timedelta(hours=2)), now)
    coming = _appointments_between(session, now, now + dt.timedelta(hours=1))
    return recent and coming


def _block_start(session: Session, now: dt.datetime) -> dt.datetime:
    """Three hours ago, but after today's last booked slot, on a 20-minute mark."""
    day_start, day_end = day_bounds(now.date())
    latest = session.scalar(
        select(func.max(Appointment.scheduled_at)).where(
            Appointment.scheduled_at >= day_start, Appointment.scheduled_at < day_end
        )
    )
    start = max(day_start, now - dt.timedelta(hours=3))
    if latest is not None:
        start = max(start, latest + dt.timedelta(minutes=40))
    start = start.replace(second=0, microsecond=0)
    return start + dt.timedelta(minutes=(-start.minute) % 20)


def _plan_block(cast: DemoCast, start: dt.datetime) -> list[PlannedVisit]:
    visits = []
    for provider_day in anchored_block(start, cast.profiles, cast.goal_from):
        rng = random.Random(f"{cast.seed}:{start.isoformat()}:{provider_day.provider_id}")
        booked = book_day(rng, provider_day, cast.kinds, patient_picker(rng, cast.patient_ids))
        visits.extend(play_day(rng, provider_day, booked))
    return visits


def _insert_live(session: Session, visits: list[PlannedVisit], now: dt.datetime) -> None:
    for v in visits:
        appt = Appointment(
            location_id=v.location_id,
            provider_id=v.provider_id,
            patient_id=v.patient_id,
            visit_type_id=v.visit_type_id,
            scheduled_at=v.scheduled_at,
            duration_minutes=v.duration_minutes,
            booked_at=min(v.booked_at, now),
            status=Status.SCHEDULED,
        )
        session.add(appt)
        session.flush()
        session.execute(
            insert(DemoStep).values(
                appointment_id=appt.id,
                outcome=v.outcome,
                arrive_at=v.arrive_at,
                room_at=v.room_at,
                provider_at=v.provider_at,
                checkout_at=v.checkout_at,
                resolve_at=v.resolve_at,
            )
        )


# status -> (step column, outcome it applies to or None for any, new status)
_NEXT_STEP: dict[str, list[tuple[str, str | None, str]]] = {
    Status.SCHEDULED: [
        ("resolve_at", "cancelled", Status.CANCELLED),
        ("resolve_at", "no_show", Status.NO_SHOW),
        ("arrive_at", None, Status.CHECKED_IN),
    ],
    Status.CHECKED_IN: [("resolve_at", "left", Status.LEFT), ("room_at", None, Status.ROOMED)],
    Status.ROOMED: [("provider_at", None, Status.WITH_PROVIDER)],
    Status.WITH_PROVIDER: [("checkout_at", None, Status.CHECKED_OUT)],
}


def advance(session: Session, now: dt.datetime) -> int:
    """Apply every scripted step that is due by ``now``; returns how many."""
    start, end = day_bounds(now.date())
    rows = session.execute(
        select(Appointment, DemoStep)
        .join(DemoStep, DemoStep.appointment_id == Appointment.id)
        .where(Appointment.scheduled_at >= start - dt.timedelta(days=1), Appointment.scheduled_at < end)
        .where(Appointment.status.in_(list(_NEXT_STEP)))
    ).all()
    applied = 0
    for appt, step in rows:
        applied += _advance_one(session, appt, step, now)
    session.commit()
    return applied


def _advance_one(session: Session, appt: Appointment, step: DemoStep, now: dt.datetime) -> int:
    applied = 0
    status, version = appt.status, appt.version
    previous = getattr(appt, STATUS_STAMP[status])
    while status in _NEXT_STEP:
        move = _due_move(status, step, now)
        if move is None:
            break
        column, new_status = move
        at = max(getattr(step, column), previous) if previous else getattr(step, column)
        stamp = STATUS_STAMP[new_status]
        result = session.execute(
            update(Appointment)
            .where(Appointment.id == appt.id, Appointment.version == version)
            .values({"status": new_status, stamp: at, "version": version + 1})
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            break  # someone acted on this visit meanwhile: theirs stands
        audit.record(session, actor=SIMULATOR, action=f"visit.{new_status}", entity="appointment",
                     entity_id=appt.id, old={"status": status}, new={"status": new_status, stamp: at}, at=at)
        status, version, previous = new_status, version + 1, at
        applied += 1
    return applied


def _due_move(status: str, step: DemoStep, now: dt.datetime) -> tuple[str, str] | None:
    for column, outcome, new_status in _NEXT_STEP[status]:
        when = getattr(step, column)
        if when is None or (outcome is not None and step.outcome != outcome):
            continue
        return (column, new_status) if when <= now else None
    return None


def _finish_open_visits(session: Session, before: dt.datetime) -> None:
    """Play yesterday's scripts to the end, so history holds no half-open visits."""
    rows = session.execute(
        select(Appointment, DemoStep)
        .join(DemoStep, DemoStep.appointment_id == Appointment.id)
        .where(Appointment.scheduled_at < before)
        .where(Appointment.status.in_(list(_NEXT_STEP)))
    ).all()
    for appt, step in rows:
        _advance_one(session, appt, step, dt.datetime.max)
