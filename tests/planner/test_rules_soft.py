"""One test per soft rule: a fixed roster and the exact penalty it earns."""

from datetime import time
from fractions import Fraction

from planner import Budget, Overtime, Request, Role, ShiftCover, Skill, Weights, WindowCover
from planner.check import evaluate
from planner.rules import names

from roster_helpers import as_roster, person, score_fixed, tiny, tpl


def test_shift_cover_understaffed_and_overstaffed():
    p = tiny(staff=[person("kim"), person("lee"), person("max")],
             shift_covers=[ShiftCover(0, "D", 2, under_weight=100, over_weight=1),
                           ShiftCover(1, "D", 1, under_weight=100, over_weight=1)])
    roster = [("kim", 0, "D"), ("kim", 1, "D"), ("lee", 1, "D"), ("max", 1, "D")]
    assert score_fixed(p, roster) == ("optimal", 100 + 2)
    ev = evaluate(p, as_roster(roster))
    assert {pen.rule: pen.points for pen in ev.penalties} == {names.UNDERSTAFFED: 100,
                                                              names.OVERSTAFFED: 2}


def test_shift_cover_preferred_count():
    p = tiny(staff=[person("kim"), person("lee"), person("max")],
             shift_covers=[ShiftCover(0, "D", 1, under_weight=100, preferred=3,
                                      preferred_weight=10)])
    assert score_fixed(p, [("kim", 0, "D")]) == ("optimal", 20)
    assert score_fixed(p, []) == ("optimal", 100 + 20)


def test_hard_shift_cover():
    p = tiny(shift_covers=[ShiftCover(0, "D", 2, under_weight=None)])
    assert score_fixed(p, [("kim", 0, "D"), ("lee", 0, "D")])[0] == "optimal"
    assert score_fixed(p, [("kim", 0, "D")])[0] == "infeasible"


def test_window_cover_counts_people_spanning_the_window():
    roles = [Role("MA", "MA")]
    templates = [tpl("early", "07:30", "16:00", "MA", location="Main"),
                 tpl("late", "12:00", "20:00", "MA", location="Main"),
                 tpl("other", "07:00", "20:00", "MA", location="Annex")]
    staff = [person(s, roles=["MA"]) for s in ("kim", "lee", "max")]
    need = WindowCover(0, "Main", time(13), time(17), "MA", 3, under_weight=50)
    p = tiny(staff=staff, templates=templates, roles=roles, locations=["Main", "Annex"],
             window_covers=[need])
    # early ends 16:00 (does not span 13-17), other is at the Annex: only lee counts.
    roster = [("kim", 0, "early"), ("lee", 0, "late"), ("max", 0, "other")]
    assert score_fixed(p, roster) == ("optimal", 2 * 50)
    sentence = evaluate(p, as_roster(roster)).penalties[0].sentence
    assert sentence == "Mon 6 Jan 13:00-17:00 Main: 2 of 3 MAs missing."


def test_requests():
    p = tiny(templates=[tpl("E", "07:00", "15:00"), tpl("L", "14:00", "22:00")],
             requests=[Request("kim", 0, "E", on=True, weight=3),
                       Request("kim", 1, "L", on=False, weight=2),
                       Request("lee", 2, None, on=True, weight=5),
                       Request("lee", 3, None, on=False, weight=7)])
    assert score_fixed(p, [("kim", 0, "E"), ("lee", 2, "L")]) == ("optimal", 0)
    assert score_fixed(p, [("kim", 0, "L"), ("kim", 1, "L"), ("lee", 3, "E")]) == (
        "optimal", 3 + 2 + 5 + 7)


def test_wages_and_overtime_are_exact():
    # 6 x 8 h = 48 h in one week at $20.10/h: 48 h wages + 8 h at half rate premium.
    kim = person("kim", pay_cents_per_hour=2010)
    p = tiny(staff=[kim], weights=Weights(pay=1))
    status, objective = score_fixed(p, [("kim", d, "D") for d in range(6)])
    assert status == "optimal"
    assert objective == 48 * 2010 + 8 * 1005
    ev = evaluate(p, as_roster([("kim", d, "D") for d in range(6)]))
    assert ev.cost_cents == 48 * 2010 + 8 * 1005


def test_overtime_multiplier_and_threshold_are_parameters():
    kim = person("kim", pay_cents_per_hour=1000)
    p = tiny(staff=[kim], weights=Weights(pay=1),
             overtime=Overtime(weekly_threshold_minutes=16 * 60, multiplier=Fraction(2)))
    assert score_fixed(p, [("kim", d, "D") for d in range(3)]) == ("optimal", 24 * 1000 + 8 * 1000)


def test_overtime_exempt_staff_are_paid_straight_time():
    kim = person("kim", pay_cents_per_hour=1000, overtime_exempt=True)
    p = tiny(staff=[kim], weights=Weights(pay=1))
    assert score_fixed(p, [("kim", d, "D") for d in range(6)]) == ("optimal", 48 * 1000)


def test_unpaid_break_is_not_paid():
    kim = person("kim", pay_cents_per_hour=1200)
    p = tiny(staff=[kim], templates=[tpl("D", "08:00", "17:00", unpaid_break_minutes=60)],
             weights=Weights(pay=1))
    assert score_fixed(p, [("kim", 0, "D")]) == ("optimal", 8 * 1200)


def test_labour_budget_soft_per_started_dollar():
    kim = person("kim", pay_cents_per_hour=1000)
    p = tiny(staff=[kim], budget=Budget(limit_cents=15_950), weights=Weights(over_budget_per_dollar=7))
    # 16 h = $160.00, $0.50 over: one started dollar.
    assert score_fixed(p, [("kim", 0, "D"), ("kim", 1, "D")]) == ("optimal", 7)


def test_labour_budget_hard_cap():
    kim = person("kim", pay_cents_per_hour=1000)
    p = tiny(staff=[kim], budget=Budget(limit_cents=16_000, hard=True))
    assert score_fixed(p, [("kim", 0, "D"), ("kim", 1, "D")])[0] == "optimal"
    assert score_fixed(p, [("kim", d, "D") for d in range(3)])[0] == "infeasible"


def test_fair_weekends():
    staff = [person("kim", roles=["RN"]), person("lee", roles=["RN"]), person("max", roles=["MA"])]
    p = tiny(num_days=14, staff=staff, weights=Weights(fair_weekends=10))
    # kim 2 weekends, lee 0 -> spread 2; max is alone in his group.
    roster = [("kim", 5, "D"), ("kim", 13, "D"), ("max", 6, "D")]
    assert score_fixed(p, roster) == ("optimal", 20)


def test_fair_late_shifts():
    staff = [person("kim", roles=["RN"]), person("lee", roles=["RN"])]
    p = tiny(staff=staff, templates=[tpl("E", "07:00", "15:00"),
                                     tpl("L", "14:00", "22:00", late=True)],
             weights=Weights(fair_late=4))
    assert score_fixed(p, [("kim", 0, "L"), ("kim", 1, "L"), ("lee", 2, "L"),
                           ("lee", 3, "E")]) == ("optimal", 4)


def test_fair_hours():
    staff = [person("kim", roles=["RN"]), person("lee", roles=["RN"])]
    p = tiny(staff=staff, templates=[tpl("D", "08:00", "16:00"), tpl("H", "08:00", "12:30")],
             weights=Weights(fair_hours=6))
    # 8 h versus 4.5 h: spread 3.5 h x 6 points.
    assert score_fixed(p, [("kim", 0, "D"), ("lee", 0, "H")]) == ("optimal", 21)


def test_changes_from_reference():
    from planner.domain import Assignment

    p = tiny(reference=[Assignment("kim", 0, "D"), Assignment("lee", 1, "D")],
             weights=Weights(change=5))
    assert score_fixed(p, [("kim", 0, "D"), ("lee", 1, "D")]) == ("optimal", 0)
    # kim off on 0 (1 change), lee moved from day 1 to day 2 (2 changes).
    assert score_fixed(p, [("lee", 2, "D")]) == ("optimal", 15)


def test_expired_credential_makes_person_ineligible():
    from datetime import date

    role = Role("RN", "RN", ["RN license"])
    kim = person("kim", roles=["RN"], skills=[Skill("RN license", date(2025, 1, 7))])
    p = tiny(staff=[kim], roles=[role], templates=[tpl("D", "08:00", "16:00", "RN")],
             shift_covers=[ShiftCover(d, "D", 1, under_weight=10) for d in range(3)])
    # valid through Tue 7 Jan: works Mon and Tue, Wednesday stays short.
    from planner import solve

    r = solve(p, time_limit=5, workers=1)
    assert [(a.day, a.template) for a in r.assignments] == [(0, "D"), (1, "D")]
    assert r.objective == 10
    ev = evaluate(p, as_roster([("kim", 2, "D")]))
    assert [v.rule for v in ev.violations] == [names.QUALIFIED]
    assert "expired" in ev.violations[0].sentence
