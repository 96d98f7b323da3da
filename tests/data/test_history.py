"""History aggregates computed in SQL, checked against hand-counted visits."""

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from data import history
from data.kpis import WaitRules
from data.models import Appointment
from tests.conftest import DAY

RULES = WaitRules(17, 12, 0.9, "roomed")


def add_visit(s, practice, day, hhmm, wait, provider="provider_a", status="checked_out", kind="follow_up"):
    start = dt.datetime.combine(day, dt.time(int(hhmm[:2]), int(hhmm[3:])))
    checked_in = start - dt.timedelta(minutes=5)
    seen = None if wait is None else checked_in + dt.timedelta(minutes=wait)
    s.add(Appointment(
        location_id=practice["location"], provider_id=practice[provider], patient_id=practice["patients"][0],
        visit_type_id=practice[kind], scheduled_at=start, duration_minutes=15, booked_at=start - dt.timedelta(days=3),
        status=status, checked_in_at=checked_in if status != "no_show" else None, roomed_at=seen,
        provider_at=seen + dt.timedelta(minutes=5) if seen else None,
        checked_out_at=seen + dt.timedelta(minutes=20) if seen else None,
        left_at=checked_in + dt.timedelta(minutes=40) if status == "left" else None,
        no_show_at=start + dt.timedelta(minutes=30) if status == "no_show" else None,
    ))


@pytest.fixture
def two_days(engine, small_practice):
    day2 = DAY + dt.timedelta(days=1)
    with Session(engine) as s:
        add_visit(s, small_practice, DAY, "09:00", 10)
        add_visit(s, small_practice, DAY, "09:30", 20)
        add_visit(s, small_practice, DAY, "10:00", 17, provider="provider_b", kind="new_patient")
        add_visit(s, small_practice, DAY, "10:15", None, status="left")
        add_visit(s, small_practice, DAY, "10:30", None, status="no_show")
        add_visit(s, small_practice, day2, "09:00", 5, provider="provider_b")
        add_visit(s, small_practice, day2, "14:00", 30, provider="provider_b")
        s.commit()
    return engine


def test_daily_share(two_days):
    with Session(two_days) as s:
        df = history.daily_share(s, DAY, DAY + dt.timedelta(days=1), None, RULES)
    assert df["judged"].tolist() == [4, 2]  # the no-show is not judged; the walk-out is
    assert df["within"].tolist() == [2, 1]  # 10 and 17 (exactly on target) count; 20 does not
    assert df["share_within"].tolist() == [0.5, 0.5]
    assert df["mean_wait"].round(6).tolist() == [pytest.approx(47 / 3), 17.5]


def test_hour_weekday(two_days):
    with Session(two_days) as s:
        df = history.hour_weekday(s, DAY, DAY + dt.timedelta(days=1), None, RULES)
    cells = {(r.weekday, r.hour): (r.judged, r.breaches) for r in df.itertuples()}
    assert cells == {("Mon", 9): (2, 1), ("Mon", 10): (2, 1), ("Tue", 9): (1, 0), ("Tue", 14): (1, 1)}


def test_by_provider_and_visit_type(two_days):
    with Session(two_days) as s:
        providers = history.by_provider(s, DAY, DAY + dt.timedelta(days=1), None, RULES)
        kinds = history.by_visit_type(s, DAY, DAY + dt.timedelta(days=1), None, RULES)
    assert providers[["provider", "judged", "breaches"]].values.tolist() == [["Dr. Alpha", 3, 2], ["Dr. Beta", 3, 1]]
    assert kinds[["visit_type", "judged", "within"]].values.tolist() == [["Follow-up", 5, 2], ["New patient", 1, 1]]


def test_period_summary_and_provider_definition(two_days):
    with Session(two_days) as s:
        roomed = history.period_summary(s, DAY, DAY + dt.timedelta(days=1), None, RULES)
        provider = history.period_summary(s, DAY, DAY + dt.timedelta(days=1), None, WaitRules(seen_definition="provider"))
    assert roomed["judged"] == 6
    assert roomed["median_wait"] == pytest.approx(17.0)  # 5, 10, 17, 20, 30
    assert roomed["share_within"] == pytest.approx(3 / 6)
    # With the provider five minutes after rooming: 15, 25, 22, 10, 35 -> 2 within 17 of 6 judged.
    assert provider["median_wait"] == pytest.approx(22.0)
    assert provider["share_within"] == pytest.approx(2 / 6)


def test_empty_period(two_days):
    with Session(two_days) as s:
        summary = history.period_summary(s, DAY - dt.timedelta(days=30), DAY - dt.timedelta(days=20), None, RULES)
        daily = history.daily_share(s, DAY - dt.timedelta(days=30), DAY - dt.timedelta(days=20), None, RULES)
    assert summary["judged"] == 0 and summary["share_within"] is None and summary["median_wait"] is None
    assert daily.empty
