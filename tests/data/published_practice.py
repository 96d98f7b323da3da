"""A tiny two-location practice for the published roster, on-duty and sick-call tests.

Main (1 Main St) and Riverside (9 River Rd); medical assistants Ann Alpha
($20/h), Ben Beta ($22/h) and Cara Cole ($30/h) at Main, front desk Dan Dole
($18/h) at Riverside, nurse Eve Eden ($40/h) at Main; everyone per diem (no
minimum hours), so the cheapest qualified person wins each shift. Templates,
weekdays: Main "Day 08:00-16:00" and "Late 12:00-20:00", Riverside "Day
08:00-16:00", each with a 30-minute unpaid break. Coverage requirements are
added by each test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.models import Location, Practice, Role, Staff
from data.roster_models import CoverageRequirement, PublishedShift, Scenario, ShiftTemplate

START = dt.date(2026, 3, 2)  # a Monday
PUBLISHED_AT = dt.datetime(2026, 2, 27, 16, 0)


def build_clinic(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        s.add(Practice(id=1, name="Two Sites Clinic"))
        main = Location(name="Main", address="1 Main St")
        river = Location(name="Riverside", address="9 River Rd")
        ma = Role(code="ma", name="Medical assistant", is_clinical=True)
        rn = Role(code="rn", name="Registered nurse", is_clinical=True)
        desk = Role(code="front_desk", name="Front desk")
        manager = Role(code="manager", name="Office manager")
        s.add_all([main, river, ma, rn, desk, manager])

        def person(first: str, last: str, role: Role, home: Location, rate: str) -> Staff:
            row = Staff(first_name=first, last_name=last, role=role, home_location=home, pay_rate=Decimal(rate),
                        contracted_hours=Decimal("0"), employment_type="per_diem")
            s.add(row)
            return row

        ann = person("Ann", "Alpha", ma, main, "20")
        ben = person("Ben", "Beta", ma, main, "22")
        cara = person("Cara", "Cole", ma, main, "30")
        dan = person("Dan", "Dole", desk, river, "18")
        eve = person("Eve", "Eden", rn, main, "40")
        s.add(Staff(first_name="Bea", last_name="Boss", role=manager, home_location=main, pay_rate=Decimal("50")))
        day = ShiftTemplate(location=main, name="Day 08:00-16:00", start_time=dt.time(8), end_time=dt.time(16),
                            unpaid_break_minutes=30)
        late = ShiftTemplate(location=main, name="Late 12:00-20:00", start_time=dt.time(12), end_time=dt.time(20),
                             unpaid_break_minutes=30)
        river_day = ShiftTemplate(location=river, name="Day 08:00-16:00", start_time=dt.time(8),
                                  end_time=dt.time(16), unpaid_break_minutes=30)
        s.add_all([day, late, river_day])
        s.commit()
        return {"main": main.id, "river": river.id, "ma": ma.id, "rn": rn.id, "front_desk": desk.id,
                "ann": ann.id, "ben": ben.id, "cara": cara.id, "dan": dan.id, "eve": eve.id,
                "day": day.id, "late": late.id, "river_day": river_day.id}


def require(engine: Engine, location: int, weekday: int, start: str, end: str, role: int, minimum: int,
            preferred: int | None) -> None:
    with Session(engine) as s:
        s.add(CoverageRequirement(location_id=location, weekday=weekday, start_time=dt.time.fromisoformat(start),
                                  end_time=dt.time.fromisoformat(end), role_id=role, minimum=minimum,
                                  preferred=preferred))
        s.commit()


def publish_by_hand(engine: Engine, shifts: list[tuple[int, int, int, dt.date]], *, start: dt.date = START,
                    weeks: int = 1, name: str = "Hand roster", at: dt.datetime = PUBLISHED_AT) -> int:
    """A published scenario and its shifts ``(staff, location, template, day)`` written directly."""
    with Session(engine) as s:
        scenario = Scenario(name=name, start_date=start, weeks=weeks, kind="plan", status="published", inputs={},
                            summary={"figures": {}}, created_at=at, created_by="test", updated_at=at,
                            published_at=at, published_by="Test Manager")
        s.add(scenario)
        s.flush()
        templates = {t.id: t for t in s.scalars(select(ShiftTemplate))}
        for staff_id, location_id, template_id, day in shifts:
            t = templates[template_id]
            s.add(PublishedShift(staff_id=staff_id, location_id=location_id, template_id=template_id, day=day,
                                 start_at=dt.datetime.combine(day, t.start_time),
                                 end_at=dt.datetime.combine(day, t.end_time), scenario_id=scenario.id,
                                 published_at=at))
        s.commit()
        return scenario.id
