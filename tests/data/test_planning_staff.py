"""The planner's staff list: who is rostered, eligibility with reasons, contract edits."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import AuditEntry, Credential, Role, Staff
from data.planning_checks import RowProblem, RowsInvalid
from data.planning_staff import EXPIRING, INELIGIBLE, StaffEdit, eligibility, save_staff, staff_table
from tests.data.planning_practice import NOW, TODAY, build_planning_practice

RN = Role(code="rn", name="Registered nurse", required_credential="RN license")


def license_(expires: dt.date | None) -> Credential:
    return Credential(kind="RN license", number="1", expires_on=expires)


def test_missing_license_makes_a_person_ineligible():
    e = eligibility(RN, [Credential(kind="BLS", number="1", expires_on=None)], TODAY)
    assert (e.eligible, e.status, e.reason) == (False, INELIGIBLE, "No RN license on file; Registered nurse needs one.")


def test_expired_license_makes_a_person_ineligible():
    e = eligibility(RN, [license_(TODAY - dt.timedelta(days=1))], TODAY)
    assert (e.eligible, e.reason) == (False, "RN license expired on 01 Mar 2026.")


def test_license_expiring_within_eight_weeks_is_a_warning():
    soon, later = eligibility(RN, [license_(TODAY + dt.timedelta(days=56))], TODAY), \
        eligibility(RN, [license_(TODAY + dt.timedelta(days=57))], TODAY)
    assert (soon.eligible, soon.status, soon.reason) == (
        True, EXPIRING,
        "RN license expires on 27 Apr 2026 (in 56 days); the planner will not roster them after that day.")
    assert (later.status, later.reason) == ("Eligible", "")


def test_the_newest_of_several_licenses_counts():
    assert eligibility(RN, [license_(TODAY - dt.timedelta(days=300)), license_(TODAY + dt.timedelta(days=300))],
                       TODAY).status == "Eligible"


def test_staff_table_lists_rostered_people_with_eligibility_and_edits_are_checked_and_audited(engine):
    ids = build_planning_practice(engine)
    with Session(engine) as s:
        table = staff_table(s, TODAY)
        # No physician (a provider), no office manager; the inactive MA is listed.
        assert table[["name", "role", "home_location", "pay_rate", "employment_type", "contracted_hours", "active",
                      "eligibility"]].values.tolist() == [
            ["Bea Bell", "Billing", "Main", 22.0, "full_time", 40.0, True, "Eligible"],
            ["Fran Fox", "Front desk", "Main", 17.5, "part_time", 30.0, True, "Eligible"],
            ["Tom Teller", "Lab tech", "Main", 25.0, "full_time", 40.0, True, "Not eligible"],
            ["Carl Cole", "Medical assistant", "Main", 18.0, "full_time", 40.0, False, "Eligible"],
            ["Mo Mills", "Medical assistant", "Riverside", 18.5, "full_time", 40.0, True, "Eligible"],
            ["Mia Moss", "Medical assistant", "Main", 19.0, "full_time", 40.0, True, "Eligible"],
            ["Nina Novak", "Registered nurse", "Riverside", 39.0, "part_time", 24.0, True, "Expires soon"],
            ["Rita Reyes", "Registered nurse", "Main", 40.0, "full_time", 40.0, True, "Eligible"],
            ["Sam Stone", "Registered nurse", "Main", 38.0, "full_time", 40.0, True, "Not eligible"],
        ]
        reasons = dict(zip(table["name"], table["reason"]))
        assert reasons["Sam Stone"] == "RN license expired on 24 Feb 2026."
        assert reasons["Nina Novak"] == ("RN license expires on 21 Mar 2026 (in 19 days); the planner will not roster "
                                         "them after that day.")
        assert dict(zip(table["name"], table["credentials"]))["Rita Reyes"] == "RN license (expires 27 Dec 2026)"
        assert dict(zip(table["name"], table["skills"]))["Rita Reyes"] == "ECG"

        before = [(p.id, p.pay_rate, p.contracted_hours, p.employment_type, p.active)
                  for p in s.scalars(select(Staff).order_by(Staff.id))]
        bad = [
            StaffEdit(ids["mia"], 0, 40, "full_time", False),
            StaffEdit(ids["mo"], 18.5, 90, "full_time", False),
            StaffEdit(ids["fran"], 17.5, 30, "zero_hours", True),
            StaffEdit(ids["rita"], -3, 40, "full_time", True),
            StaffEdit(ids["nina"], 39, 24, "part_time", "yes"),
        ]
        with pytest.raises(RowsInvalid) as err:
            save_staff(s, bad, actor="M", now=NOW)
        assert err.value.problems == [
            RowProblem(1, "pay_rate", "Mia Moss: the pay rate must be more than $0 per hour."),
            RowProblem(2, "contracted_hours", "Mo Mills: the contracted hours must be between 0 and 80."),
            RowProblem(3, "employment_type", "Fran Fox: choose full time, part time or per diem."),
            RowProblem(4, "pay_rate", "Rita Reyes: the pay rate cannot be negative."),
            RowProblem(5, "active", "Nina Novak: tick or untick Active."),
        ]
        # An empty staff list for a role the coverage needs: both active MAs switched off.
        with pytest.raises(RowsInvalid) as err:
            save_staff(s, [StaffEdit(ids["mia"], 19, 40, "full_time", False),
                           StaffEdit(ids["mo"], 18.5, 40, "full_time", False)], actor="M", now=NOW)
        assert [(p.row, p.field) for p in err.value.problems] == [(1, "active"), (2, "active")]
        assert err.value.problems[0].message == (
            "Mia Moss: nobody would be left as Medical assistant, yet the coverage requirements need one "
            "(1 time window). Keep someone active or remove those requirements first.")
        s.rollback()
        assert [(p.id, p.pay_rate, p.contracted_hours, p.employment_type, p.active)
                for p in s.scalars(select(Staff).order_by(Staff.id))] == before
        assert s.scalars(select(AuditEntry)).first() is None

        changed = save_staff(s, [StaffEdit(ids["mia"], 19.75, 32, "Part time", np.True_),
                                 StaffEdit(ids["mo"], 18.5, 40, "full_time", np.False_),
                                 StaffEdit(ids["fran"], 17.5, 30, "part_time", True)], actor="M", now=NOW)
        assert changed == 2
    with Session(engine) as s:
        mia = s.get(Staff, ids["mia"])
        assert (float(mia.pay_rate), float(mia.contracted_hours), mia.employment_type) == (19.75, 32.0, "part_time")
        assert s.get(Staff, ids["mo"]).active is False
        assert [(a.action, a.entity_id, a.old_value, a.new_value) for a in s.scalars(select(AuditEntry))] == [
            ("staff.update", str(ids["mia"]),
             {"pay_rate": 19.0, "contracted_hours": 40.0, "employment_type": "full_time"},
             {"pay_rate": 19.75, "contracted_hours": 32.0, "employment_type": "part_time"}),
            ("staff.update", str(ids["mo"]), {"active": True}, {"active": False}),
        ]
