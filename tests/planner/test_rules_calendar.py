"""Leave, pins and window needs with a skill: one test per rule."""

from datetime import date, time

from planner import Pin, Request, ShiftCover, Skill, Unavailability, WindowCover, solve
from planner.check import evaluate
from planner.rules import names

from roster_helpers import as_roster, person, tiny, tpl


def test_approved_leave_whole_day_and_partial():
    templates = [tpl("E", "07:00", "12:00"), tpl("L", "14:00", "22:00")]
    p = tiny(num_days=2, staff=[person("kim")], templates=templates,
             shift_covers=[ShiftCover(d, t, 1, under_weight=10) for d in range(2) for t in "EL"],
             unavailability=[Unavailability("kim", 0, reason="approved leave"),
                             Unavailability("kim", 1, time(13), time(23), reason="school run")])
    r = solve(p, time_limit=5, workers=1)
    # Day 0 nothing; day 1 only the early shift fits around the afternoon absence.
    assert [(a.day, a.template) for a in r.assignments] == [(1, "E")]
    assert r.objective == 3 * 10
    ev = evaluate(p, as_roster([("kim", 1, "L")]))
    assert [v.rule for v in ev.violations] == [names.LEAVE]


def test_pinned_assignment_is_kept_even_when_it_costs():
    p = tiny(num_days=3, pins=[Pin("kim", 1, "D"), Pin("lee", 2, None)],
             requests=[Request("kim", 1, None, on=False, weight=7)],
             shift_covers=[ShiftCover(2, "D", 1, under_weight=50)])
    r = solve(p, time_limit=5, workers=1)
    assert sorted((a.staff, a.day) for a in r.assignments) == [("kim", 1), ("kim", 2)]
    assert r.objective == 7
    ev = evaluate(p, as_roster([("kim", 2, "D"), ("lee", 2, "D")]))
    assert sorted(v.rule for v in ev.violations) == [names.PIN, names.PIN]


def test_window_need_with_a_skill_counts_only_valid_holders():
    staff = [person("kim", skills=[Skill("BLS", date(2025, 1, 6))]),
             person("lee", skills=[Skill("BLS")])]
    need = [WindowCover(d, None, time(9), time(10), None, 1, under_weight=10, skill="BLS")
            for d in range(2)]
    p = tiny(num_days=2, staff=staff, window_covers=need)
    # Kim's BLS lapses after Monday: on Tuesday only Lee counts.
    roster = [("kim", 0, "D"), ("kim", 1, "D")]
    ev = evaluate(p, as_roster(roster))
    assert [(pen.rule, pen.points) for pen in ev.penalties] == [(names.UNDERSTAFFED, 10)]
    r = solve(p, time_limit=5, workers=1)
    assert r.objective == 0 and ("lee", 1) in [(a.staff, a.day) for a in r.assignments]
