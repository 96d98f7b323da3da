"""The engine problem built from the database: exact counts on a tiny practice."""

import datetime as dt
from fractions import Fraction

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.roster_inputs import Away, Hire, InputInvalid, LaborRules, Levers, ScenarioInputs
from data.roster_problem import build_problem, hourly_segments, template_key
from data.roster_models import CoverageRequirement
from data.scenarios import default_inputs
from tests.data.roster_fixture import START, build_roster_practice


@pytest.fixture
def practice(engine):
    return build_roster_practice(engine)


def test_counts_on_the_small_practice(engine, practice):
    with Session(engine) as s:
        built = build_problem(s, START, 1, default_inputs(s, 1))
    p = built.problem
    assert sorted(built.people.values()) == ["Max Mills", "Mia Moss", "Rita Reyes"]  # the manager is not rostered
    assert len(p.templates) == 4  # Day and Morning, for MA and for RN
    assert {t.id for t in p.templates} == {template_key(practice[k], r) for k in ("day", "morning") for r in ("ma", "rn")}
    assert len(p.window_covers) == 2 * 4 * 5  # two roles, four hourly windows 08-12, five weekdays
    assert [(u.staff, u.day) for u in p.unavailability] == [(f"s{practice['mia']}", 2)]
    asked = sorted((q.staff, q.day, q.on) for q in p.requests)
    assert asked == [(f"s{practice['max']}", 3, False), (f"s{practice['max']}", 4, False)]
    assert built.ineligible == ["Rita Reyes (Registered nurse): RN license expires on 04 Mar 2026, "
                                "so cannot be rostered after that day"]
    assert p.budget.limit_cents == 300_000 and not p.budget.hard
    assert p.overtime.weekly_threshold_minutes == 40 * 60 and p.overtime.multiplier == Fraction(3, 2)
    assert p.min_rest_minutes == 600


def test_contracts_become_weekly_limits(engine, practice):
    with Session(engine) as s:
        p = build_problem(s, START, 1, default_inputs(s, 1)).problem
    mia, max_, rita = (p.person(f"s{practice[k]}") for k in ("mia", "max", "rita"))
    # Mia has leave this week: no weekly minimum. Max: 24 h contract less a day; at most 32 h.
    assert (mia.min_minutes_per_week, mia.max_minutes_per_week) == (0, 48 * 60)
    assert (max_.min_minutes_per_week, max_.max_minutes_per_week) == (16 * 60, 32 * 60)
    assert (rita.min_minutes_per_week, rita.pay_cents_per_hour) == (0, 4000)
    assert mia.max_minutes_per_day == 600 and mia.max_consecutive_days == 5


def test_levers_away_hire_and_demand(engine, practice):
    inputs = ScenarioInputs(rules=LaborRules(budget=None),
                            levers=Levers(away=[Away(practice["max"], START, START + dt.timedelta(days=1))],
                                          hires=[Hire("rn", 32, 41.5)], demand_pct=150))
    with Session(engine) as s:
        built = build_problem(s, START, 1, inputs)
    p = built.problem
    assert built.people["h1"] == "New Registered nurse (32 h)"
    hire = p.person("h1")
    assert hire.pay_cents_per_hour == 4150 and [sk.name for sk in hire.skills] == ["RN license"]
    assert sorted(u.day for u in p.unavailability if u.staff == f"s{practice['max']}") == [0, 1]
    ma_need = [c for c in p.window_covers if c.role == "ma"][0]
    assert (ma_need.required, ma_need.preferred) == (2, 3)  # 1 and 2, times 150%, rounded up
    assert p.budget is None


def test_hourly_segments_split_and_add_up():
    rows = [CoverageRequirement(start_time=dt.time(7, 45), end_time=dt.time(10), minimum=2, preferred=3),
            CoverageRequirement(start_time=dt.time(9), end_time=dt.time(11, 30), minimum=1, preferred=None)]
    assert hourly_segments(rows, 100) == [
        (465, 480, 2, 3), (480, 540, 2, 3), (540, 600, 3, 4), (600, 660, 1, 1), (660, 690, 1, 1)]
    assert hourly_segments(rows, 110)[2] == (540, 600, 4, 5)


@pytest.mark.parametrize(("rules", "field"), [
    (LaborRules(max_hours_per_day=0), "max_hours_per_day"),
    (LaborRules(max_hours_per_day=12, max_hours_per_week=10), "max_hours_per_week"),
    (LaborRules(min_rest_hours=-1), "min_rest_hours"),
    (LaborRules(overtime_multiplier=0.5), "overtime_multiplier"),
    (LaborRules(budget=0), "budget"),
])
def test_impossible_rules_are_refused(rules, field):
    with pytest.raises(InputInvalid) as refused:
        rules.validate()
    assert refused.value.field == field


def test_levers_are_checked():
    with pytest.raises(InputInvalid, match="cannot end before it starts"):
        Levers(away=[Away(1, START + dt.timedelta(days=2), START)]).validate(START, 1)
    with pytest.raises(InputInvalid, match="outside the scenario"):
        Levers(away=[Away(1, START + dt.timedelta(days=30), START + dt.timedelta(days=31))]).validate(START, 1)
    with pytest.raises(InputInvalid, match="hours per week"):
        Levers(hires=[Hire("ma", 0, 20)]).validate(START, 1)


def test_inputs_round_trip_through_json():
    inputs = ScenarioInputs(rules=LaborRules(budget=1234.5), location_ids=[2],
                            levers=Levers(away=[Away(3, START, START)], hires=[Hire("ma", 40, 20)], demand_pct=90))
    assert ScenarioInputs.from_json(inputs.to_json()) == inputs


def test_a_role_without_coverage_needs_can_still_be_rostered(engine, practice):
    from sqlalchemy import delete

    from data.models import Role
    from planner import validate

    with Session(engine) as s:
        rn = s.scalars(select(Role).where(Role.code == "rn")).one()
        s.execute(delete(CoverageRequirement).where(CoverageRequirement.role_id == rn.id))
        s.commit()
        p = build_problem(s, START, 1, default_inputs(s, 1)).problem
    assert {t.role for t in p.templates} == {"ma", "rn"}
    assert {c.role for c in p.window_covers} == {"ma"}
    assert validate(p) == []
