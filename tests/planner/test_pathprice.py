"""Shortest-path pricing: exact values on small fixtures, and the same optimum as
the CP-SAT pricing on random one-person problems, each roster judged by the checker."""

import itertools
import math
from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import Pin, Weights, evaluate
from planner.columns import Person, _own_cost
from planner.domain import Assignment, ForbiddenSequence, Request, ShiftTemplate, Unavailability
from planner.pathprice import PathPricer

from roster_helpers import MONDAY, person, tiny, tpl


def price_both(p, prices):
    """(shortest-path patterns and least, CP-SAT patterns and least) for person 0."""
    who = Person(p, 0)
    assert who.path is not None
    by_path = who.price(prices, seconds=5, seed=0)
    who.path = None
    return by_path, who.price(prices, seconds=5, seed=0), who


def reduced(pattern, prices):
    work, cost = pattern
    return cost - sum(prices.get(k, 0) for k in work)


def test_a_run_limit_leaves_one_day_off_in_seven():
    """Ten points a shift, at most three days in a row: six of seven days worked."""
    p = tiny(staff=[person("kim", max_consecutive_days=3)])
    (patterns, least), _, _ = price_both(p, {(0, d, 0): 10 for d in range(7)})
    work, cost = patterns[-1]
    assert len(work) == 6 and cost == 0
    assert round(least, 3) == -60


def test_two_days_off_in_a_row_cost_a_shift():
    p = tiny(staff=[person("kim", max_consecutive_days=3, min_consecutive_days_off=2)])
    (patterns, least), _, _ = price_both(p, {(0, d, 0): 10 for d in range(7)})
    assert sorted(d for _, d, _ in patterns[-1][0]) in ([0, 1, 2, 5, 6], [0, 1, 4, 5, 6])
    assert round(least, 3) == -50


def test_a_day_off_wish_and_a_shift_wish_are_the_persons_own_cost():
    """Working day 1 against a day-off wish of 15 does not pay at a price of 10; not
    working the wished shift on day 2 costs 4 whatever is worked instead."""
    late = tpl("L", "14:00", "22:00")
    p = tiny(num_days=3, templates=[tpl("D", "08:00", "16:00"), late], staff=[person("kim")],
             requests=[Request("kim", 1, None, on=False, weight=15),
                       Request("kim", 2, "L", on=True, weight=4)])
    prices = {(0, 0, 0): 10, (0, 1, 0): 10, (0, 2, 0): 10, (0, 2, 1): 3}
    (patterns, least), _, who = price_both(p, prices)
    work, cost = patterns[-1]
    assert work == frozenset({(0, 0, 0), (0, 2, 0)}) and cost == 4
    assert cost == _own_cost(who, work)
    assert round(least, 3) == -16


def test_rules_it_does_not_read_keep_cp_sat():
    day = tpl("D", "08:00", "16:00")
    weekly = tiny(staff=[person("kim", max_minutes_per_week=24 * 60)])
    paid = tiny(staff=[person("kim", pay_cents_per_hour=2000)], weights=Weights(pay=1))
    two_days = tiny(templates=[day], forbidden_sequences=[ForbiddenSequence("D", "D", gap_days=2)])
    for p in (weekly, paid, two_days):
        assert Person(p, 0).path is None
    assert Person(tiny(), 0).path is not None


def test_a_limit_on_one_template_is_counted_by_the_others_when_shifts_are_alike():
    """Eight shifts at most (of eight hours), at most six of them nights: the counter
    follows the day shifts up to two instead of the nights up to six, and the
    cheapest roster has six nights and two days."""
    d, n = ShiftTemplate("D", length_minutes=480), ShiftTemplate("N", length_minutes=480)
    kim = person("kim", max_minutes_total=8 * 480, max_shifts={"N": 6})
    p = tiny(num_days=14, templates=[d, n], staff=[kim])
    who = Person(p, 0)
    assert [(c.complement, c.limit, c.size) for c in who.path.counters] == [(True, 6, 3)]
    prices = {(0, day, 0): 5 for day in range(14)} | {(0, day, 1): 9 for day in range(14)}
    (patterns, least), (cp_patterns, cp_least), _ = price_both(p, prices)
    work = patterns[-1][0]
    assert sum(1 for _, _, t in work if t == 1) == 6 and len(work) == 8
    assert round(least, 3) == round(cp_least, 3) == -(6 * 9 + 2 * 5)


@st.composite
def one_person(draw):
    days = draw(st.sampled_from([7, 9, 14]))
    length = st.sampled_from([240, 480, 600])
    count = draw(st.integers(1, 3))
    clocks = draw(st.booleans())  # clock times and a minimum rest between shifts
    if clocks:
        spans = [("06:00", "14:00"), ("14:00", "22:00"), ("10:00", "20:00")]
        templates = [tpl(f"t{i}", *spans[i]) for i in range(count)]
    else:
        weekdays = st.one_of(st.none(), st.lists(st.integers(0, 6), min_size=1, max_size=6, unique=True))
        templates = [ShiftTemplate(f"t{i}", length_minutes=draw(length), weekdays=draw(weekdays))
                     for i in range(count)]
    tids = [t.id for t in templates]
    kim = person(
        "kim",
        min_minutes_total=draw(st.sampled_from([0, 0, 960, 1920])),
        max_minutes_total=draw(st.sampled_from([None, 2400, 3840])),
        max_consecutive_days=draw(st.sampled_from([None, 1, 2, 3, 5])),
        min_consecutive_days=draw(st.sampled_from([1, 2, 3])),
        min_consecutive_days_off=draw(st.sampled_from([1, 2, 3])),
        max_weekends=draw(st.sampled_from([None, 0, 1])),
        max_shifts={t: draw(st.integers(0, 4)) for t in tids if draw(st.booleans())})
    day = st.integers(0, days - 1)
    wish = st.builds(Request, st.just("kim"), day, st.sampled_from([None] + tids), st.booleans(),
                     st.integers(0, 5))
    sequences = [ForbiddenSequence(a, b) for a in tids for b in tids if draw(st.integers(0, 3)) == 0]
    pins = [Pin("kim", d, draw(st.sampled_from([None] + tids)))
            for d in draw(st.lists(day, max_size=2, unique=True))]
    reference = [Assignment("kim", d, draw(st.sampled_from(tids)))
                 for d in draw(st.lists(day, max_size=3, unique=True))]
    p = tiny(num_days=days, start=MONDAY + timedelta(days=draw(st.integers(0, 6))),
             templates=templates, staff=[kim],
             requests=draw(st.lists(wish, max_size=4)), forbidden_sequences=sequences, pins=pins,
             unavailability=[Unavailability("kim", d) for d in draw(st.lists(day, max_size=2))],
             reference=reference, weights=Weights(change=draw(st.sampled_from([0, 3]))),
             min_rest_minutes=draw(st.sampled_from([0, 11 * 60, 16 * 60])) if clocks else 0)
    prices = {(0, d, i): draw(st.integers(0, 12)) for d in range(days) for i in range(len(tids))}
    return p, prices


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_person())
def test_the_shortest_path_finds_the_cp_sat_optimum_and_its_rosters_keep_every_rule(case):
    p, prices = case
    (patterns, least), (cp_patterns, cp_least), who = price_both(p, prices)
    if not cp_patterns:  # no roster keeps this person's rules
        assert patterns == [] and least == float("-inf")
        return
    best = min(reduced(x, prices) for x in cp_patterns)
    assert abs(cp_least - best) < 1e-6  # integral prices: CP-SAT proves its optimum
    assert patterns and abs(least - best) < 1e-3
    assert reduced(patterns[-1], prices) == best
    # a pin to a shift the person may not work binds neither pricing (validation
    # turns such a problem away before any solving)
    index = {t.id: i for i, t in enumerate(p.templates)}
    pins = [x for x in p.pins if x.template is None or (0, x.day, index[x.template]) in who.cells]
    for work, cost in patterns:
        roster = [Assignment("kim", d, p.templates[t].id) for _, d, t in work]
        assert evaluate(replace(p, pins=pins), roster).feasible
        assert cost == _own_cost(who, work)


def test_the_state_grid_has_a_ceiling():
    """A horizon whose grid would be too large is left to CP-SAT (returns None)."""
    many = [ShiftTemplate(f"t{i}", length_minutes=60 + i) for i in range(6)]
    kim = person("kim", max_minutes_total=364 * 600, max_weekends=20,
                 max_shifts={t.id: 300 for t in many})
    p = tiny(num_days=364, templates=many, staff=[kim])
    options = [list(range(6)) for _ in range(364)]
    assert PathPricer.build(p, 0, options, [False] * 364) is None


def test_a_long_horizon_keeps_every_day_within_a_memory_ceiling():
    """Every day's values are kept for the walk back: a year of days with a state grid
    that one month could afford is left to CP-SAT."""
    d, n = ShiftTemplate("D", length_minutes=480), ShiftTemplate("N", length_minutes=480)
    kim = person("kim", max_minutes_total=200 * 480, max_consecutive_days=5, min_consecutive_days_off=2,
                 max_weekends=30)
    options = [[0, 1] for _ in range(364)]
    year = PathPricer.build(tiny(num_days=364, templates=[d, n], staff=[kim]), 0, options, [False] * 364)
    assert year is None  # 2 x 6 x 201 x 31 = 74 772 states a day, 27 million in all
    month = PathPricer.build(tiny(num_days=28, templates=[d, n], staff=[kim]), 0, options[:28], [False] * 28)
    assert month is not None


def _cheapest_by_checker(p, who, prices) -> float:
    """Least checker score minus prices over every roster of the person that keeps
    every hard rule, by enumeration: a reading of the rules apart from the model's."""
    index = {t.id: i for i, t in enumerate(p.templates)}
    q = replace(p, pins=[x for x in p.pins if x.template is None or (0, x.day, index[x.template]) in who.cells])
    days = [[None] + [t for t, _ in who.m.cells[0][d].options] for d in range(p.num_days)]
    best = math.inf
    for choice in itertools.product(*days):
        roster = [Assignment("kim", d, p.templates[j].id) for d, j in enumerate(choice) if j is not None]
        ev = evaluate(q, roster)
        if ev.feasible:
            best = min(best, float(ev.score) - sum(prices[(0, d, j)] for d, j in enumerate(choice)
                                                   if j is not None))
    return best


@st.composite
def short_horizon(draw):
    """Three to six days from any weekday, fractional and negative prices (an equality
    row's price is negative when its need is overstaffed)."""
    p, _ = draw(one_person())
    p = replace(p, num_days=draw(st.integers(3, 6)), templates=p.templates[:2])
    tids = {t.id for t in p.templates}
    days = range(p.num_days)
    s = p.staff[0]
    p = replace(p, staff=[replace(s, max_shifts={t: n for t, n in s.max_shifts.items() if t in tids})],
                requests=[r for r in p.requests if r.day in days and r.template in tids | {None}],
                forbidden_sequences=[f for f in p.forbidden_sequences if {f.first, f.then} <= tids],
                pins=[x for x in p.pins if x.day in days and x.template in tids | {None}],
                unavailability=[u for u in p.unavailability if u.day in days],
                reference=[a for a in p.reference if a.day in days and a.template in tids])
    price = st.one_of(st.integers(-5, 12), st.floats(-3, 12, allow_nan=False).map(lambda x: round(x, 3)))
    return p, {(0, d, i): draw(price) for d in days for i in range(len(p.templates))}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(short_horizon())
def test_the_shortest_path_finds_the_cheapest_roster_the_checker_allows(case):
    p, prices = case
    who = Person(p, 0)
    assert who.path is not None
    patterns, least = who.price(prices, seconds=5, seed=0)
    best = _cheapest_by_checker(p, who, prices)
    if best == math.inf:
        assert patterns == []
        return
    assert abs(least - best) < 1e-6 and abs(reduced(patterns[-1], prices) - best) < 1e-6
    for work, cost in patterns:
        roster = [Assignment("kim", d, p.templates[t].id) for _, d, t in work]
        assert cost == evaluate(replace(p, pins=[]), roster).score  # own cost: the checker's score


def test_every_rule_the_model_builds_is_one_the_shortest_path_reads_or_turns_away():
    """The shortest path re-reads the person's rules; a new rule builder must be read
    there too (or make ``PathPricer.build`` return None) before this list grows."""
    from planner.rules import HARD_RULES, SOFT_RULES

    read = {"approved_leave", "pinned_assignments", "max_shifts_per_template", "max_minutes_total",
            "min_minutes_total", "max_consecutive_days", "min_consecutive_days",
            "min_consecutive_days_off", "max_weekends", "forbidden_sequences", "min_rest",
            "requests", "changes_from_reference"}
    turned_away = {"max_minutes_per_week", "min_minutes_per_week", "wages_and_overtime"}
    not_a_persons = {"shift_cover", "window_cover", "labour_budget", "fair_weekends",
                     "fair_late_shifts", "fair_hours"}  # the needs, and what column generation never runs with
    assert {f.__name__ for f in HARD_RULES + SOFT_RULES} == read | turned_away | not_a_persons


def test_the_warm_up_compiles_the_pass_a_pricing_runs():
    """Column generation warms the compiled pass before its first round, whose time
    decides whether it goes on; a warm-up with other argument types would compile a
    second version and leave the first round to pay for the real one."""
    from planner import pathprice

    pathprice.warm_up()
    compiled = list(pathprice._forward.signatures)
    assert len(compiled) == 1
    d, n = ShiftTemplate("D", length_minutes=480), ShiftTemplate("N", length_minutes=480)
    kim = person("kim", max_minutes_total=8 * 480, max_shifts={"N": 6}, max_weekends=1)
    who = Person(tiny(num_days=14, templates=[d, n], staff=[kim]), 0)
    who.price({(0, day, 1): 9 for day in range(14)}, seconds=5, seed=0)
    assert list(pathprice._forward.signatures) == compiled
