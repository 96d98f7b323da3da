"""Simulate one provider's clinic day: bookings, arrivals, rooming, the provider.

Waits in the demo come out of a small queue, not from a random number per
visit, so they behave like a real clinic's: they build up through the
morning as a slow provider falls behind, peak again after a late return from
lunch, and fall once the practice adopts its wait-time goal (rooms turned
over faster, medical assistants stepping in as a timer runs down).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MIN = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class VisitKind:
    id: int
    minutes: int
    is_new_patient: bool
    weight: float


@dataclass(frozen=True)
class ProviderDay:
    """One provider's sessions on one day, and how that provider runs."""

    provider_id: int
    location_id: int
    sessions: tuple[tuple[dt.datetime, dt.datetime], ...]
    pace: float = 1.0
    lunch_return_minutes: float = 0.0
    goal_active: bool = False


@dataclass
class PlannedVisit:
    """A booked visit with what will happen to it (or did, for history)."""

    provider_id: int
    location_id: int
    patient_id: int
    visit_type_id: int
    scheduled_at: dt.datetime
    duration_minutes: int
    booked_at: dt.datetime
    outcome: str = "seen"  # seen, no_show, cancelled, left
    arrive_at: dt.datetime | None = None
    room_at: dt.datetime | None = None
    provider_at: dt.datetime | None = None
    checkout_at: dt.datetime | None = None
    resolve_at: dt.datetime | None = None  # when a no-show, cancellation or walk-out is recorded


def _minutes(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(minutes=rng.uniform(low, high))


def book_day(
    rng: random.Random,
    day: ProviderDay,
    kinds: Sequence[VisitKind],
    pick_patient: Callable[[], int],
) -> list[PlannedVisit]:
    """Fill the provider's sessions with appointments, as a booking system would."""
    weekday = day.sessions[0][0].weekday()
    fill = {0: 0.97, 1: 0.93, 2: 0.9, 3: 0.91, 4: 0.86, 5: 0.95}.get(weekday, 0.9)
    shortest = min(k.minutes for k in kinds)
    short = [k for k in kinds if k.minutes == shortest]
    visits: list[PlannedVisit] = []
    for start, end in day.sessions:
        t = start
        while t + dt.timedelta(minutes=shortest) <= end:
            kind = rng.choices(kinds, weights=[k.weight for k in kinds])[0]
            if t + dt.timedelta(minutes=kind.minutes) > end:
                kind = rng.choice(short)
            if rng.random() < fill:
                visits.append(_booking(rng, day, kind, t, pick_patient))
            # Monday mornings: sick patients squeezed into already-full slots.
            if weekday == 0 and t.hour < 11 and rng.random() < 0.18:
                visits.append(_booking(rng, day, short[-1], t, pick_patient, lead_days=0))
            t += dt.timedelta(minutes=kind.minutes)
    return visits


def _booking(rng, day, kind, at, pick_patient, lead_days=None) -> PlannedVisit:
    lead = rng.choice((0, 1, 2, 3, 7, 14, 21, 30, 45)) if lead_days is None else lead_days
    booked = at - dt.timedelta(days=lead, hours=rng.uniform(1, 9))
    return PlannedVisit(
        provider_id=day.provider_id,
        location_id=day.location_id,
        patient_id=pick_patient(),
        visit_type_id=kind.id,
        scheduled_at=at,
        duration_minutes=kind.minutes,
        booked_at=booked,
        outcome="new" if kind.is_new_patient else "seen",
    )


def play_day(rng: random.Random, day: ProviderDay, visits: list[PlannedVisit]) -> list[PlannedVisit]:
    """Decide outcomes and run the day's queue; fills every planned time."""
    weekday = day.sessions[0][0].weekday()
    arrivals: list[PlannedVisit] = []
    for v in visits:
        is_new = v.outcome == "new"
        v.outcome = "seen"
        lead_days = (v.scheduled_at - v.booked_at).days
        if rng.random() < 0.06 and lead_days >= 1:
            v.outcome = "cancelled"
            v.resolve_at = v.scheduled_at - _minutes(rng, 90, 60 * 40)
            continue
        no_show = 0.085 * (1.5 if is_new else 1.0) * (1.2 if weekday == 0 else 1.0) * (1.4 if lead_days > 28 else 1.0)
        if rng.random() < no_show:
            v.outcome = "no_show"
            v.resolve_at = v.scheduled_at + _minutes(rng, 20, 40)
            continue
        early = rng.gauss(11 if is_new else 8, 7)
        if rng.random() < 0.13:
            early = -rng.uniform(2, 22)  # arrives late
        v.arrive_at = v.scheduled_at - dt.timedelta(minutes=early)
        arrivals.append(v)
    _run_queue(rng, day, arrivals)
    return visits


def _run_queue(rng: random.Random, day: ProviderDay, arrivals: list[PlannedVisit]) -> None:
    """First come, first roomed: a patient is roomed when a room is free and the
    provider's medical assistant has finished the previous intake; the provider
    sees roomed patients in turn and runs behind when visits overrun."""
    goal = day.goal_active
    # Before the goal, staff room a patient close to the slot time; after it,
    # they room as soon as a room is free and step in as a timer runs down.
    early_rooming = 6 if goal else 0
    ma_delay = (0.5, 3.0) if goal else (2.0, 9.0)
    intake = (3.0, 6.0) if goal else (4.0, 9.0)  # MA's vitals; a float MA helps after the goal
    room_free = [day.sessions[0][0] - dt.timedelta(minutes=30)] * 2
    heapq.heapify(room_free)
    provider_free = day.sessions[0][0]
    ma_free = day.sessions[0][0] - dt.timedelta(minutes=15)
    lunch_end = day.sessions[1][0] if len(day.sessions) > 1 else None

    def ready(v: PlannedVisit) -> dt.datetime:
        return max(v.arrive_at, v.scheduled_at - dt.timedelta(minutes=early_rooming))

    for v in sorted(arrivals, key=ready):
        checked_in = v.arrive_at + _minutes(rng, 0.5, 2.5)
        v.arrive_at = checked_in
        afternoon = lunch_end is not None and v.scheduled_at >= lunch_end
        if afternoon:
            # The medical assistant is back from lunch a little after the session starts.
            ma_free = max(ma_free, lunch_end + _minutes(rng, 2, 16) if not goal else lunch_end + _minutes(rng, 0, 4))
        room = heapq.heappop(room_free)
        roomed = max(ready(v), checked_in, room, ma_free) + _minutes(rng, *ma_delay)
        wait = (roomed - checked_in).total_seconds() / 60
        if wait > 40 and rng.random() < 0.2:
            v.outcome = "left"
            v.resolve_at = checked_in + _minutes(rng, 30, min(wait, 55))
            heapq.heappush(room_free, room)
            continue
        v.room_at = roomed
        ma_free = roomed + _minutes(rng, *intake)
        start = ma_free
        if afternoon:
            start = max(start, lunch_end + dt.timedelta(minutes=day.lunch_return_minutes))
        start = max(start, provider_free)
        v.provider_at = start
        service = v.duration_minutes * 0.85 * day.pace * math.exp(rng.gauss(0, 0.25))
        charting = rng.uniform(1.5, 4.0)  # notes and orders between patients
        provider_free = start + dt.timedelta(minutes=service + charting)
        v.checkout_at = start + dt.timedelta(minutes=service) + _minutes(rng, 2, 6)
        heapq.heappush(room_free, v.checkout_at)
