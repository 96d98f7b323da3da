"""Coverage requirements derived from the booked appointments, and demand scaling.

Two pure steps, each unit-tested with exact numbers:

1. ``demand_by_hour``: from booked appointments (location, provider, start
   time) to providers in clinic (distinct providers with an appointment
   starting in the hour) and arrivals (appointments starting in the hour)
   per location, weekday and hour, averaged over the weeks looked at.
2. ``propose_coverage``: from that demand to requirements with the
   practice's ratios (``StaffingRatios``): medical assistants per provider in
   clinic, one front-desk person per so many arrivals an hour (at least one
   while the clinic is open), nurses per location while open. Consecutive
   hours that need the same numbers become one time window.

``scale_coverage`` multiplies a set of requirements by a percentage, rounding
up the way the planner's demand lever does (5 people at 110% is 6).
``booked_appointments`` is the only function here that reads the database.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Appointment, Role
from data.roster_inputs import InputInvalid

DEMAND_COLUMNS = ["location_id", "weekday", "hour", "providers", "arrivals"]
PROPOSAL_COLUMNS = ["location_id", "weekday", "start_time", "end_time", "role_code", "minimum", "preferred"]
NOT_DEMAND = ("cancelled",)  # a cancelled visit brings no one; a no-show still had a provider waiting


@dataclass(frozen=True)
class StaffingRatios:
    """How many staff the booked demand calls for, in the manager's terms."""

    ma_per_provider: float = 1.0  # minimum medical assistants per provider in clinic
    ma_preferred_per_provider: float = 1.2
    arrivals_per_front_desk: float = 12.0  # one front-desk person per this many arrivals an hour
    nurses_per_location: int = 1  # while the clinic is open
    ma_role: str = "ma"
    front_desk_role: str = "front_desk"
    nurse_role: str = "rn"

    def validate(self) -> None:
        if not 0 < self.ma_per_provider <= 5:
            raise InputInvalid("ma_per_provider", "Medical assistants per provider must be between 0.1 and 5.")
        if not self.ma_per_provider <= self.ma_preferred_per_provider <= 5:
            raise InputInvalid("ma_preferred_per_provider",
                               "The preferred ratio must be at least the minimum ratio, and at most 5.")
        if not 1 <= self.arrivals_per_front_desk <= 100:
            raise InputInvalid("arrivals_per_front_desk",
                               "Arrivals per front-desk person must be between 1 and 100 an hour.")
        if not 0 <= self.nurses_per_location <= 10 or int(self.nurses_per_location) != self.nurses_per_location:
            raise InputInvalid("nurses_per_location", "Nurses per location must be a whole number from 0 to 10.")


def _up(value: float) -> int:
    """Round up, ignoring float dust (2.0000000001 stays 2)."""
    return max(0, math.ceil(value - 1e-9))


def demand_by_hour(appointments: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Providers in clinic and arrivals per location, weekday and hour, averaged over ``weeks``.

    Args:
        appointments: one row per booked appointment with ``location_id``,
            ``provider_id`` and ``scheduled_at`` (cancelled ones already left out).
        weeks: how many weeks the appointments span; each weekday's figures
            are divided by it (a week without bookings counts as zero).

    Returns:
        ``location_id, weekday, hour, providers, arrivals`` for every hour
        with at least one appointment, sorted.
    """
    if weeks < 1:
        raise InputInvalid("weeks", "Look at one week or more.")
    if appointments.empty:
        return pd.DataFrame(columns=DEMAND_COLUMNS)
    df = appointments[["location_id", "provider_id", "scheduled_at"]].copy()
    at = pd.to_datetime(df["scheduled_at"])
    df["date"], df["weekday"], df["hour"] = at.dt.date, at.dt.weekday, at.dt.hour
    per_day = (df.groupby(["location_id", "date", "weekday", "hour"])
               .agg(providers=("provider_id", "nunique"), arrivals=("provider_id", "size")).reset_index())
    out = per_day.groupby(["location_id", "weekday", "hour"])[["providers", "arrivals"]].sum().reset_index()
    out["providers"] = out["providers"] / weeks
    out["arrivals"] = out["arrivals"] / weeks
    out = out.astype({"location_id": int, "weekday": int, "hour": int})
    return out.sort_values(["location_id", "weekday", "hour"]).reset_index(drop=True)[DEMAND_COLUMNS]


def propose_coverage(demand: pd.DataFrame, ratios: StaffingRatios = StaffingRatios()) -> pd.DataFrame:
    """Coverage requirements for ``demand`` (``demand_by_hour``'s frame).

    Per open hour (an hour with a provider in clinic or an arrival):
    medical assistants = providers x ratio (preferred with the preferred
    ratio), front desk = arrivals / arrivals per person (at least 1), nurses
    = the fixed number per location. Fractions round up (2.4 providers need
    3 MAs). ``preferred`` is None when it would equal the minimum.

    Returns:
        ``location_id, weekday, start_time, end_time, role_code, minimum,
        preferred``, sorted by location, weekday, role and start.
    """
    ratios.validate()
    hourly: dict[tuple[int, int, str], dict[int, tuple[int, int | None]]] = {}
    for row in demand.itertuples(index=False):
        if row.providers <= 0 and row.arrivals <= 0:
            continue
        loc, wd, hour = int(row.location_id), int(row.weekday), int(row.hour)
        needs = []
        if row.providers > 0:
            ma = _up(row.providers * ratios.ma_per_provider)
            ma_pref = _up(row.providers * ratios.ma_preferred_per_provider)
            needs.append((ratios.ma_role, ma, ma_pref if ma_pref > ma else None))
        needs.append((ratios.front_desk_role, max(1, _up(row.arrivals / ratios.arrivals_per_front_desk)), None))
        if ratios.nurses_per_location:
            needs.append((ratios.nurse_role, int(ratios.nurses_per_location), None))
        for role, minimum, preferred in needs:
            hourly.setdefault((loc, wd, role), {})[hour] = (minimum, preferred)
    rows = []
    for (loc, wd, role), hours in hourly.items():
        start = None
        for hour in sorted(hours) + [None]:
            if start is not None and (hour is None or hour != prev + 1 or hours[hour] != hours[start]):
                minimum, preferred = hours[start]
                rows.append((loc, wd, dt.time(start), _hour_end(prev), role, minimum, preferred))
                start = None
            if hour is not None and start is None:
                start = hour
            prev = hour
    out = pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)
    out["preferred"] = out["preferred"].astype("Int64")
    return out.sort_values(["location_id", "weekday", "role_code", "start_time"]).reset_index(drop=True)


def _hour_end(hour: int) -> dt.time:
    return dt.time(23, 59) if hour >= 23 else dt.time(hour + 1)


def scale_coverage(frame: pd.DataFrame, percent: float) -> pd.DataFrame:
    """A copy of a requirements frame with ``minimum`` and ``preferred`` scaled by ``percent``.

    Rounded up (5 at 110% is 6, 1 at 50% is 1, 0 stays 0); a preferred level
    that ends up equal to the minimum is dropped (None).
    """
    try:
        pct = float(percent)
    except (TypeError, ValueError):
        raise InputInvalid("percent", "Enter the demand as a percentage, e.g. 110.") from None
    if not 10 <= pct <= 300:
        raise InputInvalid("percent", "Demand must be between 10% and 300% of today's requirements.")
    out = frame.copy()
    factor = pct / 100
    out["minimum"] = [_up(m * factor) for m in out["minimum"]]
    preferred = []
    for m, p in zip(out["minimum"], frame["preferred"]):
        value = None if pd.isna(p) else _up(p * factor)
        preferred.append(value if value is not None and value > m else None)
    out["preferred"] = pd.array(preferred, dtype="Int64")
    return out


def booked_appointments(s: Session, start: dt.date, end: dt.date,
                        location_ids: list[int] | None = None) -> pd.DataFrame:
    """Appointments (not cancelled) from ``start`` to ``end`` inclusive: location, provider, start time."""
    stmt = (select(Appointment.location_id, Appointment.provider_id, Appointment.scheduled_at)
            .where(Appointment.scheduled_at >= dt.datetime.combine(start, dt.time.min),
                   Appointment.scheduled_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min),
                   Appointment.status.not_in(NOT_DEMAND)))
    if location_ids is not None:
        stmt = stmt.where(Appointment.location_id.in_(location_ids))
    return pd.DataFrame(s.execute(stmt).all(), columns=["location_id", "provider_id", "scheduled_at"])


def demand_for_weeks(s: Session, first_monday: dt.date, weeks: int,
                     location_ids: list[int] | None = None) -> pd.DataFrame:
    """``demand_by_hour`` over ``weeks`` whole weeks from ``first_monday``."""
    last = first_monday + dt.timedelta(days=7 * weeks - 1)
    return demand_by_hour(booked_appointments(s, first_monday, last, location_ids), weeks)


def proposal_with_roles(s: Session, proposal: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The proposal with ``role_id`` and role names; rows for roles the practice
    does not have are dropped and named in the second value."""
    roles = {r.code: r for r in s.scalars(select(Role))}
    missing = sorted(set(proposal["role_code"]) - set(roles))
    out = proposal[proposal["role_code"].isin(list(roles))].copy()
    out["role_id"] = [roles[c].id for c in out["role_code"]]
    out["role"] = [roles[c].name for c in out["role_code"]]
    notes = [f'No role "{code}" in this practice; its rows were left out.' for code in missing]
    return out.reset_index(drop=True), notes


def weekly_person_hours(frame: pd.DataFrame) -> pd.DataFrame:
    """Person-hours a week per location and role: the minimum, and the preferred level
    (the minimum where no preferred level is set). Works on ``coverage()`` frames and proposals."""
    if frame.empty:
        return pd.DataFrame(columns=["location_id", "role", "minimum_hours", "preferred_hours"])
    hours = [(e.hour * 60 + e.minute - s.hour * 60 - s.minute) / 60 for s, e in zip(frame["start_time"],
                                                                                       frame["end_time"])]
    preferred = [m if pd.isna(p) else p for m, p in zip(frame["minimum"], frame["preferred"])]
    role = frame["role"] if "role" in frame else frame["role_code"]
    out = pd.DataFrame({"location_id": frame["location_id"], "role": role,
                        "minimum_hours": [h * m for h, m in zip(hours, frame["minimum"])],
                        "preferred_hours": [h * p for h, p in zip(hours, preferred)]})
    return out.groupby(["location_id", "role"], as_index=False)[["minimum_hours", "preferred_hours"]].sum()
