"""Which provider works where and when in the demo practice, day by day."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from data.demo.day_sim import ProviderDay
from data.demo.reference import FIXED_HOLIDAYS


@dataclass(frozen=True)
class ProviderProfile:
    provider_id: int
    location_id: int
    workdays: tuple[int, ...]
    pace: float
    lunch_return_minutes: float


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def is_holiday(day: dt.date) -> bool:
    """US holidays the demo clinic closes on."""
    if (day.month, day.day) in FIXED_HOLIDAYS:
        return True
    return day in {
        _last_weekday(day.year, 5, 0),  # Memorial Day
        _nth_weekday(day.year, 9, 0, 1),  # Labor Day
        _nth_weekday(day.year, 11, 3, 4),  # Thanksgiving
    }


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes))


def clinic_days(
    day: dt.date,
    profiles: list[ProviderProfile],
    seed: int,
    goal_from: dt.date,
    force_open: bool = False,
) -> list[ProviderDay]:
    """The provider-days the demo clinic runs on ``day``.

    Weekdays: each provider on their usual days (with an occasional day of
    leave), 08:00-12:00 and 13:00-17:00. Saturdays: one Main Street provider,
    08:00-12:00. Sundays and holidays: closed, unless ``force_open`` (the
    demo's live "today" always has a clinic running).
    """
    rng = random.Random(f"{seed}:leave:{day.isoformat()}")
    weekday = day.weekday()
    closed = weekday == 6 or is_holiday(day)
    goal_active = day >= goal_from
    if closed and not force_open:
        return []
    if weekday == 5 and not force_open:
        main = [p for p in profiles if p.location_id == profiles[0].location_id]
        p = main[(day.isocalendar().week) % len(main)]
        return [_provider_day(p, ((_at(day, "08:00"), _at(day, "12:00")),), goal_active)]
    days = []
    for p in profiles:
        if not force_open and (weekday not in p.workdays or rng.random() < 0.05):
            continue
        sessions = ((_at(day, "08:00"), _at(day, "12:00")), (_at(day, "13:00"), _at(day, "17:00")))
        days.append(_provider_day(p, sessions, goal_active))
    return days


def anchored_block(
    start: dt.datetime, profiles: list[ProviderProfile], goal_from: dt.date
) -> list[ProviderDay]:
    """A full clinic (every provider) running from ``start``, kept within the day.

    This is how the live demo looks busy at any hour: a four-hour session,
    an hour for lunch, then three more hours, cut off before midnight.
    """
    day = start.date()
    last = dt.datetime.combine(day, dt.time(23, 40))
    morning_end = min(last, start + dt.timedelta(hours=4))
    sessions = [(start, morning_end)]
    if morning_end + dt.timedelta(hours=2) <= last:
        sessions.append((morning_end + dt.timedelta(hours=1), min(last, morning_end + dt.timedelta(hours=4))))
    return [_provider_day(p, tuple(sessions), day >= goal_from) for p in profiles]


def _provider_day(p: ProviderProfile, sessions, goal_active: bool) -> ProviderDay:
    return ProviderDay(
        provider_id=p.provider_id,
        location_id=p.location_id,
        sessions=sessions,
        pace=p.pace,
        lunch_return_minutes=p.lunch_return_minutes,
        goal_active=goal_active,
    )
