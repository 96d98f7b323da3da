"""Wait-time history aggregated in SQL: by day, hour x weekday, provider, visit type.

A visit is *judged* when the patient checked in and was either seen or left
without being seen; a walk-out counts as a breach. All history is judged
against one target (the current goal's), so before and after the goal's
introduction are compared on the same yardstick.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Integer, and_, case, cast, extract, func, or_, select
from sqlalchemy.orm import Session

from data.kpis import WaitRules, seen_column
from data.models import Appointment, Provider, VisitType
from data.sqlfuncs import day_of, minutes_between
from data.visit_flow import Status

WEEKDAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


def _measures(rules: WaitRules):
    seen_at = getattr(Appointment, seen_column(rules.seen_definition))
    wait = minutes_between(Appointment.checked_in_at, seen_at)
    within = case((and_(seen_at.is_not(None), wait <= rules.target_minutes), 1), else_=0)
    return seen_at, wait, within


def _judged(start: dt.date, end: dt.date, location_id: int | None, rules: WaitRules):
    """WHERE clauses for judged visits scheduled from ``start`` to ``end`` inclusive."""
    seen_at, _, _ = _measures(rules)
    clauses = [
        Appointment.scheduled_at >= dt.datetime.combine(start, dt.time.min),
        Appointment.scheduled_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min),
        Appointment.checked_in_at.is_not(None),
        or_(seen_at.is_not(None), Appointment.status == Status.LEFT),
    ]
    if location_id is not None:
        clauses.append(Appointment.location_id == location_id)
    return clauses


def _grouped(session: Session, labels: list, start, end, location_id, rules, joins=()) -> pd.DataFrame:
    _, wait, within = _measures(rules)
    stmt = select(
        *labels,
        func.count().label("judged"),
        func.sum(within).label("within"),
        func.avg(wait).label("mean_wait"),
    )
    for target, onclause in joins:
        stmt = stmt.join(target, onclause)
    stmt = stmt.select_from(Appointment).where(*_judged(start, end, location_id, rules))
    stmt = stmt.group_by(*labels).order_by(*labels)
    df = pd.DataFrame(session.execute(stmt).all(), columns=[*(label.key for label in labels), "judged", "within", "mean_wait"])
    df["judged"] = df["judged"].astype(int)
    df["within"] = df["within"].fillna(0).astype(int)
    df["breaches"] = df["judged"] - df["within"]
    df["share_within"] = (df["within"] / df["judged"]).where(df["judged"] > 0)
    df["breach_rate"] = 1 - df["share_within"]
    df["mean_wait"] = df["mean_wait"].astype(float)
    return df


def daily_share(session: Session, start: dt.date, end: dt.date, location_id: int | None, rules: WaitRules) -> pd.DataFrame:
    """One row per clinic day: judged visits, share within target, mean wait."""
    df = _grouped(session, [day_of(Appointment.scheduled_at).label("day")], start, end, location_id, rules)
    df["day"] = pd.to_datetime(df["day"])
    return df


def hour_weekday(session: Session, start: dt.date, end: dt.date, location_id: int | None, rules: WaitRules) -> pd.DataFrame:
    """Mean wait and breach rate by weekday and hour of the appointment."""
    labels = [
        cast(extract("dow", Appointment.scheduled_at), Integer).label("dow"),
        cast(extract("hour", Appointment.scheduled_at), Integer).label("hour"),
    ]
    df = _grouped(session, labels, start, end, location_id, rules)
    df["weekday"] = df["dow"].map(lambda d: WEEKDAY_NAMES[int(d)])
    return df


def by_provider(session: Session, start: dt.date, end: dt.date, location_id: int | None, rules: WaitRules) -> pd.DataFrame:
    labels = [Provider.display_name.label("provider")]
    joins = [(Provider, Provider.id == Appointment.provider_id)]
    return _grouped(session, labels, start, end, location_id, rules, joins)


def by_visit_type(session: Session, start: dt.date, end: dt.date, location_id: int | None, rules: WaitRules) -> pd.DataFrame:
    labels = [VisitType.name.label("visit_type")]
    joins = [(VisitType, VisitType.id == Appointment.visit_type_id)]
    return _grouped(session, labels, start, end, location_id, rules, joins)


def waits(session: Session, start: dt.date, end: dt.date, location_id: int | None, rules: WaitRules) -> pd.Series:
    """Completed waits in minutes (patients seen), for medians and percentiles."""
    seen_at, wait, _ = _measures(rules)
    stmt = select(wait).where(*_judged(start, end, location_id, rules), seen_at.is_not(None))
    return pd.Series([row[0] for row in session.execute(stmt)], dtype=float)


def period_summary(session: Session, start: dt.date, end: dt.date, location_id: int | None, rules: WaitRules) -> dict:
    """Headline figures for one period: judged, share within target, median, p90."""
    totals = _grouped(session, [], start, end, location_id, rules)
    done = waits(session, start, end, location_id, rules)
    judged = int(totals["judged"].iloc[0]) if len(totals) else 0
    return {
        "start": start,
        "end": end,
        "judged": judged,
        "share_within": float(totals["share_within"].iloc[0]) if judged else None,
        "median_wait": float(done.median()) if len(done) else None,
        "p90_wait": float(done.quantile(0.9)) if len(done) else None,
        "mean_wait": float(totals["mean_wait"].iloc[0]) if judged else None,
    }
