"""Wait-time math: one definition of "wait", bands against the goal, today's KPIs.

Wait runs from check-in until the patient is *seen*; the practice chooses
whether seen means roomed by clinical staff (``"roomed"``, the default) or
with the provider (``"provider"``). Every figure on every page goes through
``seen_column`` so that the choice is made in exactly one place.

Pure pandas over a frame of visits (one row per appointment, the timestamp
columns of ``data.models.Appointment``), so the math is tested on hand-built
visits with exact expected values.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from data.visit_flow import FINAL_STATUSES, STATUS_STAMP, Status

SEEN_DEFINITIONS = {
    "roomed": "Roomed by clinical staff",
    "provider": "With the provider",
}

# Board bands, in the words the front desk uses.
ON_TRACK = "On track"
WARNING = "Warning"
BREACHED = "Breached"
MET = "Met goal"
NOT_ARRIVED = "Not arrived"
CLOSED = "Closed"


@dataclass(frozen=True)
class WaitRules:
    """The goal the board measures against, and what counts as seen."""

    target_minutes: int = 17
    warning_minutes: int = 12
    target_share: float = 0.90
    seen_definition: str = "roomed"


def seen_column(seen_definition: str) -> str:
    """The timestamp column that ends a wait under the practice's definition."""
    if seen_definition not in SEEN_DEFINITIONS:
        raise ValueError(f"Unknown seen definition {seen_definition!r}")
    return "roomed_at" if seen_definition == "roomed" else "provider_at"


def waiting_statuses(seen_definition: str) -> frozenset[str]:
    """Statuses in which a checked-in patient is still waiting to be seen."""
    if seen_column(seen_definition) == "roomed_at":
        return frozenset({Status.CHECKED_IN})
    return frozenset({Status.CHECKED_IN, Status.ROOMED})


def _minutes(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 60.0


def annotate_visits(visits: pd.DataFrame, rules: WaitRules, now: dt.datetime) -> pd.DataFrame:
    """Add the board's derived columns to a frame of visits.

    Adds ``seen_at``, ``waiting`` (still waiting now), ``wait_min`` (so far, or
    final), ``minutes_left`` (before the target is breached, waiting patients
    only), ``in_status_min``, ``band`` and ``urgency`` (sort key, lowest first).
    """
    df = visits.copy()
    now_ts = pd.Timestamp(now)
    seen_col = seen_column(rules.seen_definition)
    waiting_now = df["status"].isin(waiting_statuses(rules.seen_definition))
    seen_at = df[seen_col]
    # Someone roomed-then-left under the "provider" definition was never seen.
    end = seen_at.where(seen_at.notna(), df["left_at"])
    end = end.where(~waiting_now, now_ts)
    df["seen_at"] = seen_at
    df["waiting"] = waiting_now
    df["wait_min"] = _minutes(pd.to_datetime(end) - pd.to_datetime(df["checked_in_at"]))
    df["minutes_left"] = (rules.target_minutes - df["wait_min"]).where(waiting_now)
    stamps = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
    for status, column in STATUS_STAMP.items():
        stamps = stamps.mask(df["status"] == status, pd.to_datetime(df[column]))
    in_status = _minutes(now_ts - stamps)
    df["in_status_min"] = in_status.where(~df["status"].isin(FINAL_STATUSES | {Status.SCHEDULED}))
    df["band"] = [
        _band(status, waiting, wait, rules)
        for status, waiting, wait in zip(df["status"], waiting_now, df["wait_min"], strict=True)
    ]
    df["urgency"] = _urgency(df, waiting_now)
    return df


def _band(status: str, waiting: bool, wait: float, rules: WaitRules) -> str:
    if status == Status.SCHEDULED:
        return NOT_ARRIVED
    if status in (Status.NO_SHOW, Status.CANCELLED):
        return CLOSED
    if wait is None or (isinstance(wait, float) and math.isnan(wait)):
        return CLOSED
    if wait > rules.target_minutes:
        return BREACHED
    if waiting:
        return WARNING if wait >= rules.warning_minutes else ON_TRACK
    if status == Status.LEFT:
        return BREACHED  # walked out before being seen: the goal was not met
    return MET


def _urgency(df: pd.DataFrame, waiting_now: pd.Series) -> pd.Series:
    """Waiting patients first, most overdue first; then visits in progress,
    then patients still to arrive in appointment order, then closed visits."""
    in_progress = df["status"].isin({Status.CHECKED_IN, Status.ROOMED, Status.WITH_PROVIDER}) & ~waiting_now
    group = pd.Series(3, index=df.index)
    group[df["status"] == Status.SCHEDULED] = 2
    group[in_progress] = 1
    group[waiting_now] = 0
    # Within waiting: fewer minutes left is more urgent. Elsewhere: by appointment time.
    appt = pd.to_datetime(df["scheduled_at"])
    minutes_from_midnight = (appt - appt.dt.normalize()).dt.total_seconds() / 60.0
    secondary = df["minutes_left"].where(waiting_now, minutes_from_midnight)
    return group * 100_000 + secondary.fillna(0)


@dataclass(frozen=True)
class TodayKpis:
    """Today's headline figures for the operations page."""

    waiting_now: int
    seen: int
    no_shows: int
    left_without_seen: int
    median_wait: float | None
    p90_wait: float | None
    share_within_target: float | None
    longest_current_wait: float | None
    breached_now: int


def today_kpis(annotated: pd.DataFrame, rules: WaitRules) -> TodayKpis:
    """KPIs over an ``annotate_visits`` frame.

    Median and 90th percentile are over completed waits (patients seen).
    Share within target counts patients seen within the target among those
    seen plus those who left without being seen (a walk-out is a miss).
    """
    seen = annotated[annotated["seen_at"].notna() & annotated["checked_in_at"].notna()]
    left = annotated[(annotated["status"] == Status.LEFT) & annotated["seen_at"].isna()]
    waiting = annotated[annotated["waiting"]]
    waits = seen["wait_min"]
    judged = len(seen) + len(left)
    within = int((waits <= rules.target_minutes).sum())
    return TodayKpis(
        waiting_now=len(waiting),
        seen=len(seen),
        no_shows=int((annotated["status"] == Status.NO_SHOW).sum()),
        left_without_seen=len(left),
        median_wait=float(waits.median()) if len(waits) else None,
        p90_wait=float(waits.quantile(0.9)) if len(waits) else None,
        share_within_target=within / judged if judged else None,
        longest_current_wait=float(waiting["wait_min"].max()) if len(waiting) else None,
        breached_now=int((waiting["wait_min"] > rules.target_minutes).sum()),
    )


def queue_by_provider(annotated: pd.DataFrame) -> pd.DataFrame:
    """Patients waiting now and still to arrive, per provider."""
    df = annotated.assign(
        waiting_now=annotated["waiting"].astype(int),
        still_to_come=(annotated["status"] == Status.SCHEDULED).astype(int),
        breached=(annotated["waiting"] & (annotated["band"] == BREACHED)).astype(int),
    )
    out = (
        df.groupby("provider", as_index=False)[["waiting_now", "breached", "still_to_come"]]
        .sum()
        .sort_values(["waiting_now", "breached", "provider"], ascending=[False, False, True])
    )
    return out.reset_index(drop=True)
