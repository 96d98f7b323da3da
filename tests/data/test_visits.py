"""Front-desk actions on a real database: persisted, audited, guarded."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import Appointment, AuditEntry
from data.visit_flow import TransitionRefused
from data.visits import VisitConflict, VisitNotFound, apply_action, board_frame
from tests.conftest import DAY

AT = lambda hhmm: dt.datetime.combine(DAY, dt.time(int(hhmm[:2]), int(hhmm[3:])))  # noqa: E731


def book(engine, practice, hhmm="09:00", provider="provider_a", patient=0) -> int:
    with Session(engine) as s:
        appt = Appointment(
            location_id=practice["location"], provider_id=practice[provider],
            patient_id=practice["patients"][patient], visit_type_id=practice["follow_up"],
            scheduled_at=AT(hhmm), duration_minutes=15, booked_at=AT("07:00"), status="scheduled",
        )
        s.add(appt)
        s.commit()
        return appt.id


def audit_count(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count(AuditEntry.id)))


def test_check_in_persists_with_timestamp_version_and_audit(engine, small_practice):
    visit_id = book(engine, small_practice)
    with Session(engine) as s:
        apply_action(s, visit_id, "check_in", expected_version=1, actor="Rachel (front desk)", now=AT("08:52"))
    with Session(engine) as s:
        visit = s.get(Appointment, visit_id)
        assert (visit.status, visit.checked_in_at, visit.version) == ("checked_in", AT("08:52"), 2)
        entry = s.scalars(select(AuditEntry)).one()
    assert entry.actor == "Rachel (front desk)"
    assert entry.action == "visit.check_in"
    assert entry.entity_id == str(visit_id)
    assert entry.old_value == {"status": "scheduled", "checked_in_at": None, "version": 1}
    assert entry.new_value == {"status": "checked_in", "checked_in_at": "2026-03-02T08:52:00", "version": 2}


def test_impossible_transition_writes_nothing(engine, small_practice):
    visit_id = book(engine, small_practice)
    with Session(engine) as s, pytest.raises(TransitionRefused, match="has not checked in yet"):
        apply_action(s, visit_id, "check_out", expected_version=1, actor="x", now=AT("09:00"))
    with Session(engine) as s:
        visit = s.get(Appointment, visit_id)
        assert (visit.status, visit.checked_out_at, visit.version) == ("scheduled", None, 1)
    assert audit_count(engine) == 0


def test_rooming_a_no_show_writes_nothing(engine, small_practice):
    visit_id = book(engine, small_practice)
    with Session(engine) as s:
        apply_action(s, visit_id, "no_show", expected_version=1, actor="x", now=AT("09:30"))
    with Session(engine) as s, pytest.raises(TransitionRefused, match="no-show"):
        apply_action(s, visit_id, "room", expected_version=2, actor="x", now=AT("09:31"))
    with Session(engine) as s:
        assert s.get(Appointment, visit_id).roomed_at is None
    assert audit_count(engine) == 1


def test_stale_version_is_a_conflict_and_writes_nothing(engine, small_practice):
    visit_id = book(engine, small_practice)
    with Session(engine) as s:
        apply_action(s, visit_id, "check_in", expected_version=1, actor="desk 1", now=AT("08:55"))
    # A second browser still shows the visit as scheduled (version 1).
    with Session(engine) as s, pytest.raises(VisitConflict, match="Someone else updated this visit.*'Checked in' at 08:55"):
        apply_action(s, visit_id, "no_show", expected_version=1, actor="desk 2", now=AT("09:30"))
    with Session(engine) as s:
        visit = s.get(Appointment, visit_id)
        assert (visit.status, visit.no_show_at, visit.version) == ("checked_in", None, 2)
    assert audit_count(engine) == 1


def test_two_browsers_at_once_one_wins_the_other_sees_a_conflict(engine, small_practice):
    visit_id = book(engine, small_practice)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def desk(action: str) -> None:
        with Session(engine) as s:
            barrier.wait()
            try:
                apply_action(s, visit_id, action, expected_version=1, actor=action, now=AT("09:01"))
                outcomes.append("ok")
            except VisitConflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=desk, args=(a,)) for a in ("check_in", "no_show")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    with Session(engine) as s:
        assert s.get(Appointment, visit_id).version == 2
    assert audit_count(engine) == 1


def test_unknown_visit(engine, small_practice):
    with Session(engine) as s, pytest.raises(VisitNotFound):
        apply_action(s, 999_999, "check_in", expected_version=1, actor="x", now=AT("09:00"))


def test_board_shows_initials_only_and_filters(engine, small_practice):
    book(engine, small_practice, "09:00", "provider_a", 0)
    book(engine, small_practice, "09:15", "provider_b", 1)
    with Session(engine) as s:
        everyone = board_frame(s, DAY)
        only_b = board_frame(s, DAY, provider_id=small_practice["provider_b"])
        next_day = board_frame(s, DAY + dt.timedelta(days=1))
    assert everyone["patient"].tolist() == ["J.S.", "O.K."]
    assert not any("Jane" in str(v) or "Smith" in str(v) for v in everyone.to_numpy().ravel())
    assert only_b["provider"].tolist() == ["Dr. Beta"]
    assert next_day.empty
