"""A tiny practice with planning inputs, for exact tests of the planning-input writes.

Two locations; a physician (not rostered), an office manager (not rostered);
three nurses (one valid license, one lapsed, one expiring in 19 days), two
medical assistants and an inactive one, one front-desk person, and a lab tech
whose only license has lapsed (so nobody is qualified as a tech).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data.models import Credential, Location, Provider, Role, Skill, Staff
from data.roster_models import CoverageRequirement, PlannerSettings, ShiftTemplate

TODAY = dt.date(2026, 3, 2)  # a Monday
NOW = dt.datetime(2026, 3, 2, 9, 30)


def build_planning_practice(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        main = Location(name="Main", address="1 Main St")
        river = Location(name="Riverside", address="2 River Rd")
        roles = {
            code: Role(code=code, name=name, is_provider=prov, is_clinical=True, required_credential=cred)
            for code, name, prov, cred in (
                ("physician", "Physician", True, "Medical license"),
                ("rn", "Registered nurse", False, "RN license"),
                ("ma", "Medical assistant", False, None),
                ("front_desk", "Front desk", False, None),
                ("tech", "Lab tech", False, "Tech license"),
                ("billing", "Billing", False, None),
                ("manager", "Office manager", False, None),
            )
        }
        ecg = Skill(code="ecg", name="ECG")
        s.add_all([main, river, ecg, *roles.values()])

        def person(first, last, role, *, loc=main, rate="20", hours="40", kind="full_time", active=True,
                   license=None):
            p = Staff(first_name=first, last_name=last, role=roles[role], home_location=loc, pay_rate=Decimal(rate),
                      contracted_hours=Decimal(hours), employment_type=kind, active=active)
            if license is not None:
                kind_, expires = license
                p.credentials.append(Credential(kind=kind_, number="X1", expires_on=expires))
            s.add(p)
            return p

        doc = person("Ann", "Alpha", "physician", rate="100", license=("Medical license", TODAY + dt.timedelta(400)))
        s.add(Provider(staff=doc, display_name="Dr. Alpha", degree="MD", default_location=main))
        rita = person("Rita", "Reyes", "rn", rate="40", license=("RN license", TODAY + dt.timedelta(days=300)))
        rita.skills.append(ecg)
        sam = person("Sam", "Stone", "rn", rate="38", license=("RN license", TODAY - dt.timedelta(days=6)))
        nina = person("Nina", "Novak", "rn", rate="39", loc=river, hours="24", kind="part_time",
                      license=("RN license", TODAY + dt.timedelta(days=19)))
        mia = person("Mia", "Moss", "ma", rate="19")
        mo = person("Mo", "Mills", "ma", rate="18.5", loc=river)
        carl = person("Carl", "Cole", "ma", rate="18", active=False)
        fran = person("Fran", "Fox", "front_desk", rate="17.5", hours="30", kind="part_time")
        tom = person("Tom", "Teller", "tech", rate="25", license=("Tech license", TODAY - dt.timedelta(days=40)))
        omar = person("Omar", "Oak", "manager", rate="48")
        bill = person("Bea", "Bell", "billing", rate="22")
        early = ShiftTemplate(location=main, name="Early", start_time=dt.time(7), end_time=dt.time(15, 30),
                              unpaid_break_minutes=30, weekdays="0,1,2,3,4")
        day = ShiftTemplate(location=river, name="Day", start_time=dt.time(8), end_time=dt.time(16, 30),
                            unpaid_break_minutes=30, weekdays="0,1,2,3,4")
        sat = ShiftTemplate(location=main, name="Saturday", start_time=dt.time(8), end_time=dt.time(12),
                            unpaid_break_minutes=0, weekdays="5")
        s.add_all([early, day, sat])
        s.add(CoverageRequirement(location=main, weekday=0, start_time=dt.time(8), end_time=dt.time(12),
                                  role=roles["ma"], minimum=2, preferred=3))
        s.add(CoverageRequirement(location=river, weekday=0, start_time=dt.time(8), end_time=dt.time(12),
                                  role=roles["rn"], minimum=1, preferred=None))
        s.add(PlannerSettings(id=1, weekly_budget=Decimal("10000"), budget_is_hard=False, updated_at=NOW))
        s.commit()
        ids = {"main": main.id, "river": river.id, "early": early.id, "day": day.id, "sat": sat.id}
        ids |= {f"role_{c}": r.id for c, r in roles.items()}
        ids |= {name: p.id for name, p in (("doc", doc), ("rita", rita), ("sam", sam), ("nina", nina), ("mia", mia),
                                           ("mo", mo), ("carl", carl), ("fran", fran), ("tom", tom),
                                           ("omar", omar), ("bea", bill))}
        return ids
