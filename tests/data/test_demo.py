"""The demo practice: deterministic, ordered timestamps, believable figures, live."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.bootstrap import prepare_database
from data.db import make_engine
from data.demo import advance, ensure_live_day
from data.demo.generate import goal_start
from data.models import Appointment, AuditEntry, Goal, Location, Provider, Staff
from data.visits import apply_action

NOW = dt.datetime(2026, 3, 4, 11, 20)  # a Wednesday, mid-morning


def build(tmp_path, name, months=2, now=NOW, seed=7):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    assert prepare_database(engine, now, demo=True, months=months, seed=seed)
    return engine


def appointments(engine) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.read_sql(select(Appointment).order_by(Appointment.id), c)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build(tmp_path_factory.mktemp("demo"), "demo.db")


def test_same_seed_same_practice(tmp_path, demo):
    again = build(tmp_path, "again.db")
    pd.testing.assert_frame_equal(appointments(demo), appointments(again))


def test_other_seed_other_visits(tmp_path, demo):
    other = build(tmp_path, "other.db", seed=8)
    assert not appointments(demo)["patient_id"].equals(appointments(other)["patient_id"])


def test_cast_sizes(demo):
    with Session(demo) as s:
        assert s.scalar(select(func.count(Location.id))) == 2
        assert s.scalar(select(func.count(Provider.id))) == 8
        assert s.scalar(select(func.count(Staff.id))) == 35


def test_timestamps_in_order(demo):
    df = appointments(demo)
    chain = ["checked_in_at", "roomed_at", "provider_at", "checked_out_at"]
    for earlier, later in zip(chain, chain[1:]):
        both = df[df[earlier].notna() & df[later].notna()]
        assert (both[later] >= both[earlier]).all(), f"{later} before {earlier}"
    assert (df["booked_at"] <= df["scheduled_at"]).all()
    left = df[df["status"] == "left"]
    assert (left["left_at"] >= left["checked_in_at"]).all()
    cancelled = df[df["status"] == "cancelled"]
    assert (cancelled["cancelled_at"] < cancelled["scheduled_at"]).all()


def test_statuses_match_their_timestamps(demo):
    df = appointments(demo)
    past = df[df["scheduled_at"] < pd.Timestamp(NOW.date())]
    assert set(past["status"]) == {"checked_out", "no_show", "cancelled", "left"}
    done = past[past["status"] == "checked_out"]
    assert done[["checked_in_at", "roomed_at", "provider_at", "checked_out_at"]].notna().all().all()
    assert past.loc[past["status"] == "no_show", "checked_in_at"].isna().all()


def test_realistic_rates(demo):
    df = appointments(demo)
    past = df[df["scheduled_at"] < pd.Timestamp(NOW.date())]
    shares = past["status"].value_counts(normalize=True)
    assert 0.07 <= shares["no_show"] <= 0.13
    assert 0.03 <= shares["cancelled"] <= 0.08
    # About 25 visits per provider-day on weekdays.
    per_day = past.groupby(past["scheduled_at"].dt.date).size()
    assert 120 <= per_day[per_day.index.map(lambda d: d.weekday() < 5)].median() <= 220


def test_goal_introduced_and_waits_fall_after_it(tmp_path):
    engine = build(tmp_path, "year.db", months=12)
    df = appointments(engine)
    with Session(engine) as s:
        goal_from = s.scalar(select(Goal.effective_from))
    assert goal_from == goal_start(NOW.date()) and goal_from.weekday() == 0
    seen = df[df["roomed_at"].notna()]
    wait = (seen["roomed_at"] - seen["checked_in_at"]).dt.total_seconds() / 60
    before = wait[seen["scheduled_at"] < pd.Timestamp(goal_from)]
    after = wait[(seen["scheduled_at"] >= pd.Timestamp(goal_from)) & (seen["scheduled_at"] < pd.Timestamp(NOW.date()))]
    assert 14 <= before.mean() <= 22  # US average wait is 18-21 minutes
    assert after.mean() < before.mean() - 4
    assert (after <= 17).mean() > (before <= 17).mean() + 0.15
    assert 40_000 <= len(df) <= 60_000


def test_today_is_live(demo):
    df = appointments(demo)
    today = df[df["scheduled_at"].dt.date == NOW.date()]
    assert len(today) > 100
    statuses = set(today["status"])
    assert {"checked_out", "scheduled"} <= statuses
    assert statuses & {"checked_in", "roomed", "with_provider"}
    # Nothing has happened in the future.
    for column in ("checked_in_at", "roomed_at", "provider_at", "checked_out_at", "no_show_at", "left_at"):
        assert (today[column].dropna() <= pd.Timestamp(NOW)).all()


def test_clock_moves_visits_and_front_desk_wins(tmp_path):
    engine = build(tmp_path, "live.db", months=1)
    with Session(engine) as s:
        waiting = s.scalars(select(Appointment).where(Appointment.status == "scheduled")
                            .where(Appointment.scheduled_at >= NOW).order_by(Appointment.scheduled_at)).first()
        apply_action(s, waiting.id, "no_show", expected_version=waiting.version, actor="desk", now=NOW)
        before = s.scalar(select(func.count(Appointment.id)).where(Appointment.status == "checked_out"))
        moved = advance(s, NOW + dt.timedelta(hours=2))
        after = s.scalar(select(func.count(Appointment.id)).where(Appointment.status == "checked_out"))
        s.expire_all()
        assert s.get(Appointment, waiting.id).status == "no_show"
        simulated = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.actor.like("Demo clinic%")))
    assert moved > 0 and after > before and simulated > 0


def test_demo_opened_at_night_still_has_patients_now(tmp_path):
    late = dt.datetime(2026, 3, 4, 22, 40)
    engine = build(tmp_path, "night.db", months=1, now=late)
    df = appointments(engine)
    today = df[df["scheduled_at"].dt.date == late.date()]
    near = today[(today["scheduled_at"] > pd.Timestamp(late) - pd.Timedelta(hours=2))
                 & (today["scheduled_at"] < pd.Timestamp(late) + pd.Timedelta(minutes=45))]
    assert len(near) > 10


def test_next_day_fills_the_gap_and_closes_yesterday(tmp_path):
    engine = build(tmp_path, "gap.db", months=1)
    later = NOW + dt.timedelta(days=5)
    with Session(engine) as s:
        ensure_live_day(s, later)
        open_before_today = s.scalar(
            select(func.count(Appointment.id))
            .where(Appointment.scheduled_at < dt.datetime.combine(later.date(), dt.time.min))
            .where(Appointment.status.in_(["checked_in", "roomed", "with_provider"]))
        )
        gap_days = {
            d.date() for d in s.scalars(select(Appointment.scheduled_at).where(
                Appointment.scheduled_at >= dt.datetime.combine(NOW.date() + dt.timedelta(days=1), dt.time.min),
                Appointment.scheduled_at < dt.datetime.combine(later.date(), dt.time.min)))
        }
    assert open_before_today == 0
    assert gap_days == {NOW.date() + dt.timedelta(days=n) for n in (1, 2, 3)}  # Thu, Fri, Sat; closed Sunday
