"""One test per labour rule: a fixed roster is accepted or refused, exactly."""

from planner.check import evaluate
from planner.rules import names

from roster_helpers import as_roster, person, score_fixed, tiny, tpl


def week(sid: str, days, t: str = "D"):
    return [(sid, d, t) for d in days]


def test_max_shifts_per_template():
    p = tiny(staff=[person("kim", max_shifts={"D": 2})])
    assert score_fixed(p, week("kim", [0, 1])) == ("optimal", 0)
    assert score_fixed(p, week("kim", [0, 1, 3]))[0] == "infeasible"
    rules = {v.rule for v in evaluate(p, as_roster(week("kim", [0, 1, 3]))).violations}
    assert rules == {names.MAX_SHIFTS_TEMPLATE}


def test_max_minutes_total():
    p = tiny(staff=[person("kim", max_minutes_total=16 * 60)])
    assert score_fixed(p, week("kim", [0, 2]))[0] == "optimal"
    assert score_fixed(p, week("kim", [0, 2, 4]))[0] == "infeasible"


def test_min_minutes_total():
    p = tiny(staff=[person("kim", min_minutes_total=16 * 60)])
    assert score_fixed(p, week("kim", [0, 2]))[0] == "optimal"
    assert score_fixed(p, week("kim", [0]))[0] == "infeasible"


def test_max_minutes_per_week():
    p = tiny(num_days=14, staff=[person("kim", max_minutes_per_week=24 * 60)])
    assert score_fixed(p, week("kim", [0, 1, 2, 7, 8, 9]))[0] == "optimal"
    assert score_fixed(p, week("kim", [0, 1, 2, 3]))[0] == "infeasible"


def test_min_minutes_per_week_applies_to_full_weeks_only():
    p = tiny(num_days=10, staff=[person("kim", min_minutes_per_week=16 * 60)])
    assert score_fixed(p, week("kim", [0, 1]))[0] == "optimal"  # days 7-9: short week
    assert score_fixed(p, week("kim", [0]))[0] == "infeasible"


def test_max_consecutive_days():
    p = tiny(num_days=10, staff=[person("kim", max_consecutive_days=3)])
    assert score_fixed(p, week("kim", [0, 1, 2, 4, 5, 6]))[0] == "optimal"
    assert score_fixed(p, week("kim", [3, 4, 5, 6]))[0] == "infeasible"


def test_min_consecutive_days_exempts_runs_at_the_edges():
    p = tiny(num_days=10, staff=[person("kim", min_consecutive_days=3)])
    assert score_fixed(p, week("kim", [0, 4, 5, 6, 9]))[0] == "optimal"
    assert score_fixed(p, week("kim", [3, 4]))[0] == "infeasible"
    found = evaluate(p, as_roster(week("kim", [3, 4]))).violations
    assert [v.rule for v in found] == [names.MIN_CONSECUTIVE]


def test_min_consecutive_days_off():
    p = tiny(num_days=10, staff=[person("kim", min_consecutive_days_off=2)])
    assert score_fixed(p, week("kim", [1, 2, 5, 6, 8]))[0] == "infeasible"
    assert score_fixed(p, week("kim", [2, 3, 6, 7, 8]))[0] == "optimal"
    assert score_fixed(p, week("kim", [1, 2, 3, 4, 5, 6, 7, 8]))[0] == "optimal"  # edges


def test_max_weekends():
    p = tiny(num_days=14, staff=[person("kim", max_weekends=1)])
    assert score_fixed(p, week("kim", [5, 6]))[0] == "optimal"
    assert score_fixed(p, week("kim", [6, 12]))[0] == "infeasible"


def test_max_weekends_uses_calendar_dates():
    # Starting on a Thursday, days 2 and 3 are Saturday and Sunday.
    from datetime import date

    p = tiny(num_days=7, start=date(2025, 1, 9), staff=[person("kim", max_weekends=0)])
    assert score_fixed(p, week("kim", [0, 1, 4]))[0] == "optimal"
    assert score_fixed(p, week("kim", [3]))[0] == "infeasible"


def test_forbidden_sequence():
    from planner import ForbiddenSequence

    p = tiny(templates=[tpl("E", "07:00", "15:00"), tpl("L", "14:00", "22:00")],
             forbidden_sequences=[ForbiddenSequence("L", "E")])
    assert score_fixed(p, [("kim", 0, "E"), ("kim", 1, "L")])[0] == "optimal"
    assert score_fixed(p, [("kim", 0, "L"), ("kim", 1, "E")])[0] == "infeasible"
    assert score_fixed(p, [("kim", 0, "L"), ("kim", 2, "E")])[0] == "optimal"


def test_min_rest_from_clock_times():
    p = tiny(templates=[tpl("E", "07:00", "15:00"), tpl("L", "14:00", "22:00")],
             min_rest_minutes=11 * 60)
    assert score_fixed(p, [("kim", 0, "L"), ("kim", 1, "L")])[0] == "optimal"  # 16 h rest
    assert score_fixed(p, [("kim", 0, "L"), ("kim", 1, "E")])[0] == "infeasible"  # 9 h rest
    found = evaluate(p, as_roster([("kim", 0, "L"), ("kim", 1, "E")])).violations
    assert [v.rule for v in found] == [names.MIN_REST]


def test_one_shift_per_day_is_checked():
    p = tiny(templates=[tpl("E", "07:00", "11:00"), tpl("L", "14:00", "18:00")])
    found = evaluate(p, as_roster([("kim", 0, "E"), ("kim", 0, "L")])).violations
    assert [v.rule for v in found] == [names.ONE_SHIFT_PER_DAY]
