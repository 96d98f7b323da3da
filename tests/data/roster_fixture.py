"""A tiny practice to plan: exact counts for the problem builder, fast solves.

One location "Main"; roles MA (no credential) and RN (needs an RN license);
Mia (MA, full time), Max (MA, part time 24 h), Rita (RN, license expires on
day 3 of the horizon); templates Day 08:00-16:30 (30 min unpaid) and Morning
08:00-12:00, weekdays; coverage MA 08:00-12:00 min 1 pref 2 and RN
08:00-12:00 min 1, weekdays; Mia has approved leave on Wednesday, Max asked
for Thursday off and wishes no Fridays.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data.models import Credential, Location, Practice, Role, Staff
from data.roster_models import CoverageRequirement, PlannerSettings, ShiftPreference, ShiftTemplate, TimeOff

START = dt.date(2026, 3, 2)  # a Monday
NOW = dt.datetime(2026, 2, 20, 9, 0)


def build_roster_practice(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        s.add(Practice(id=1, name="Plan Clinic"))
        main = Location(name="Main", address="1 Main St")
        ma = Role(code="ma", name="Medical assistant", is_clinical=True)
        rn = Role(code="rn", name="Registered nurse", is_clinical=True, required_credential="RN license")
        manager = Role(code="manager", name="Office manager")
        s.add_all([main, ma, rn, manager])
        mia = Staff(first_name="Mia", last_name="Moss", role=ma, home_location=main, pay_rate=Decimal("20"),
                    contracted_hours=Decimal("40"), employment_type="full_time")
        max_ = Staff(first_name="Max", last_name="Mills", role=ma, home_location=main, pay_rate=Decimal("18"),
                     contracted_hours=Decimal("24"), employment_type="part_time")
        rita = Staff(first_name="Rita", last_name="Reyes", role=rn, home_location=main, pay_rate=Decimal("40"),
                     contracted_hours=Decimal("0"), employment_type="per_diem")
        rita.credentials.append(Credential(kind="RN license", number="RN1", expires_on=START + dt.timedelta(days=2)))
        boss = Staff(first_name="Bea", last_name="Boss", role=manager, home_location=main, pay_rate=Decimal("50"))
        s.add_all([mia, max_, rita, boss])
        day = ShiftTemplate(location=main, name="Day", start_time=dt.time(8), end_time=dt.time(16, 30),
                            unpaid_break_minutes=30)
        morning = ShiftTemplate(location=main, name="Morning", start_time=dt.time(8), end_time=dt.time(12))
        s.add_all([day, morning])
        for weekday in range(5):
            s.add(CoverageRequirement(location=main, weekday=weekday, start_time=dt.time(8), end_time=dt.time(12),
                                      role=ma, minimum=1, preferred=2))
            s.add(CoverageRequirement(location=main, weekday=weekday, start_time=dt.time(8), end_time=dt.time(12),
                                      role=rn, minimum=1, preferred=None))
        s.add(TimeOff(staff=mia, start_date=START + dt.timedelta(days=2), end_date=START + dt.timedelta(days=2),
                      status="approved", kind="leave", reason="Dentist", created_at=NOW))
        s.add(TimeOff(staff=max_, start_date=START + dt.timedelta(days=3), end_date=START + dt.timedelta(days=3),
                      status="requested", kind="leave", reason="", created_at=NOW))
        s.flush()
        s.add(ShiftPreference(staff_id=max_.id, weekday=4, template_id=None, wants_to_work=False, weight=2))
        s.add(PlannerSettings(id=1, max_hours_per_day=Decimal("10"), max_hours_per_week=Decimal("48"),
                              min_rest_hours=Decimal("10"), max_consecutive_days=5, max_weekends_per_4_weeks=2,
                              overtime_threshold_hours=Decimal("40"), overtime_multiplier=Decimal("1.5"),
                              weekly_budget=Decimal("3000"), budget_is_hard=False, updated_at=NOW))
        s.commit()
        return {"mia": mia.id, "max": max_.id, "rita": rita.id, "day": day.id, "morning": morning.id,
                "location": main.id}
