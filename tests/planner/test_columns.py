"""Column generation start (planner.columns): who qualifies, the master LP, the roster it gives."""

from dataclasses import replace
from datetime import time

from planner import Budget, Pin, ShiftCover, Status, Weights, WindowCover, evaluate, solve
from planner.build import build_model
from planner.columns import Master, Person, pattern_start, roster_patterns, separable
from planner.domain import Request, Unavailability
from planner.search import SearchParams

from roster_helpers import person, tiny, tpl
from bench_data import INSTANCES, needs_bench


def test_separable_only_without_budget_or_fairness():
    assert separable(tiny())
    assert separable(tiny(weights=Weights(pay=1), budget=Budget(limit_cents=10_000, hard=False)))
    assert not separable(tiny(budget=Budget(limit_cents=10_000, hard=True)))
    assert not separable(tiny(weights=Weights(over_budget_per_dollar=1),
                              budget=Budget(limit_cents=10_000, hard=False)))
    assert not separable(tiny(weights=Weights(fair_weekends=1)))
    assert not separable(tiny(weights=Weights(fair_hours=1)))


def three_days():
    """Kim and Lee, one day shift, one needed on each of three days (100 points per
    person short); Kim may work two shifts, Lee one; Kim asks for day 2 off, Lee for day 0."""
    staff = [person("kim", max_minutes_total=2 * 480), person("lee", max_minutes_total=480)]
    return tiny(num_days=3, staff=staff, shift_covers=[ShiftCover(d, "D", 1, under_weight=100)
                                                       for d in range(3)],
                requests=[Request("kim", 2, None, on=False, weight=10),
                          Request("lee", 0, None, on=False, weight=10)])


def test_pattern_start_finds_the_only_roster_that_fills_every_need_and_wish():
    p = three_days()
    m = build_model(p)
    found = pattern_start(m, [frozenset(), frozenset()], seconds=10, workers=1, seed=0)
    assert found.converged
    assert abs(found.value) < 1e-9
    assert found.patterns == [frozenset({(0, 0, 0), (0, 1, 0)}), frozenset({(1, 2, 0)})]
    assert abs(found.bound) < 1e-6  # the Lagrangian bound meets the roster: 0 is optimal
    assert found.short == 0.0


def test_the_lp_counts_the_people_short_where_someone_could_fill_the_need():
    """Kim and Lee may work three shifts each, one person is needed on each of seven
    days: the LP leaves exactly one person short. Day 7 needs one more while both are
    on leave: that need is short whatever happens and not counted."""
    staff = [person("kim", max_minutes_total=3 * 480), person("lee", max_minutes_total=3 * 480)]
    p = tiny(num_days=8, staff=staff, shift_covers=[ShiftCover(d, "D", 1, under_weight=100) for d in range(8)],
             unavailability=[Unavailability("kim", 7), Unavailability("lee", 7)])
    m = build_model(p)
    master = Master(m, 2)
    for e in range(2):
        master.add(e, frozenset(), 0)
    master.solve()
    assert master.short() == 7.0  # nobody works: the seven day needs, not the night one
    found = pattern_start(m, [frozenset(), frozenset()], seconds=10, workers=1, seed=0)
    assert found.converged and abs(found.short - 1.0) < 1e-9


def test_master_prices_a_need_nobody_else_can_fill_at_its_weight():
    """Empty patterns only: the LP leaves all three needs short (300 points), and each
    day's price is the weight of a person short (100)."""
    p = three_days()
    m = build_model(p)
    master = Master(m, 2)
    for e in range(2):
        master.add(e, frozenset(), 0)
    value, prices, _ = master.solve()
    assert value == 300.0
    assert prices == {(e, d, 0): 100.0 for e in range(2) for d in range(3)}
    assert not master.add(0, frozenset(), 0)  # the same pattern twice is refused
    # At these prices Kim's best is -200 (two days), Lee's -100 (one day, not day 0):
    # 300 for the needs' right-hand sides minus 300 is a bound of 0, the optimum.
    assert master.lagrangian([-200.0, -100.0]) == 0.0
    # A weaker bound for a person gives a weaker (still valid) overall bound.
    assert master.lagrangian([-300.0, -100.0]) == -100.0


def test_a_need_weighed_both_ways_is_one_row_whose_price_turns_negative_when_overstaffed():
    """One person needed on day 0 (100 a person short, 7 a person over): one equality
    row, not one each way. With both Kim and Lee on patterns that work day 0, the LP
    has one person over; the row's price is minus the over weight."""
    p = tiny(num_days=1, shift_covers=[ShiftCover(0, "D", 1, under_weight=100, over_weight=7)])
    master = Master(build_model(p), 2)
    assert master.sense == [0]
    for e in range(2):
        master.add(e, frozenset({(e, 0, 0)}), 0)
    value, prices, _ = master.solve()
    assert value == 7.0
    assert prices == {(0, 0, 0): -7.0, (1, 0, 0): -7.0}
    # At these prices staying off (0) beats working (0 + 7) for each: least 0 each,
    # and the row adds its price times one person: -7, below the optimum 0 (one works).
    assert master.lagrangian([0.0, 0.0]) == -7.0


def test_a_dual_rounded_past_an_unbounded_slack_is_clipped_to_its_cost():
    """Curtois 9 once had a bound of minus infinity: GLOP's dual of an overstaffing row
    strayed past minus the over weight. Clipped, the bound is finite and still valid."""
    p = tiny(num_days=1, shift_covers=[ShiftCover(0, "D", 1, under_weight=100, over_weight=7)])
    master = Master(build_model(p), 2)
    for e in range(2):
        master.add(e, frozenset({(e, 0, 0)}), 0)
    master.solve()
    master.duals[0] = -7.000001  # as a rounding might leave it
    assert master.lagrangian([0.0, 0.0]) == float("-inf")
    master._clip_unbounded()
    assert master.duals[0] == -7.0 and master.lagrangian([0.0, 0.0]) == -7.0


def test_shortest_path_and_cp_sat_pricings_work_side_by_side():
    """Kim's limit as weekly hours (two shifts a week) keeps her on the CP-SAT pricing,
    Lee's (one shift in all) on the shortest path: the same roster as with both on one."""
    p = three_days()
    p = replace(p, staff=[replace(p.staff[0], max_minutes_total=None, max_minutes_per_week=2 * 480),
                          p.staff[1]])
    assert Person(p, 0).path is None and Person(p, 1).path is not None
    found = pattern_start(build_model(p), [frozenset(), frozenset()], seconds=10, workers=2, seed=0)
    assert found.converged and abs(found.value) < 1e-9 and abs(found.bound) < 1e-6
    assert found.patterns == [frozenset({(0, 0, 0), (0, 1, 0)}), frozenset({(1, 2, 0)})]


def test_a_person_prices_patterns_with_their_own_rules_and_wishes():
    p = three_days()
    kim = Person(p, 0)
    patterns, least = kim.price({(0, d, 0): 100.0 for d in range(3)}, seconds=5, seed=0)
    work, cost = patterns[-1]
    assert work == frozenset({(0, 0, 0), (0, 1, 0)}) and cost == 0  # two shifts at most, day 2 off
    assert abs(least + 200.0) < 1e-6  # own cost 0 minus two days at 100


def test_a_person_fixed_to_work_or_barred_from_cells_prices_only_rosters_that_keep_them():
    """The dive's two branches (planner.dive): a cell fixed on or barred. Kim (two
    shifts at most, day 2 off wished) barred from day 0 works days 1 and 2 and pays
    her wish; a pin on the barred day, or a fixing no roster keeps, is refused."""
    p = three_days()
    kim = Person(p, 0)
    prices = {(0, d, 0): 100.0 for d in range(3)}
    assert kim.fix({}, frozenset({(0, 0)}))
    patterns, least = kim.price(prices, seconds=5, seed=0)
    assert patterns[-1] == (frozenset({(0, 1, 0), (0, 2, 0)}), 10) and abs(least + 190.0) < 1e-6
    assert kim.fix({2: 0}, frozenset({(0, 0)}))
    assert kim.price(prices, seconds=5, seed=0)[0][-1][0] == frozenset({(0, 1, 0), (0, 2, 0)})
    assert kim.fix({0: 0, 1: 0, 2: 0}) and kim.price(prices, seconds=5, seed=0)[0] == []  # three shifts
    pinned = Person(replace(p, pins=[Pin("kim", 0, "D")]), 0)
    assert not pinned.fix({}, frozenset({(0, 0)}))


def test_the_bound_pass_prices_by_a_shortest_path_too_slow_for_the_rounds(monkeypatch):
    """A person whose state grid passes the speed limit is priced by CP-SAT in the
    rounds, but by the exact shortest path in the last pass, whose value is the bound
    (Curtois 8: CP-SAT's bound at 0.2 s was 12 below one night worker's optimum)."""
    from planner import pathprice

    monkeypatch.setattr(pathprice, "MOST_STATES", 1)
    p = three_days()
    kim = Person(p, 0)
    assert kim.path is None and kim.exact is not None
    patterns, least = kim.price({(0, d, 0): 100.0 for d in range(3)}, seconds=5, seed=0, exact=True)
    assert patterns[-1] == (frozenset({(0, 0, 0), (0, 1, 0)}), 0) and abs(least + 200.0) < 1e-6
    asked = []
    price = Person.price

    def recorded(self, prices, seconds, seed, exact=False):
        asked.append(exact)
        return price(self, prices, seconds, seed, exact)

    monkeypatch.setattr(Person, "price", recorded)
    found = pattern_start(build_model(p), [frozenset(), frozenset()], seconds=10, workers=1, seed=0)
    assert found.converged and abs(found.bound) < 1e-6
    assert asked[-2:] == [True, True] and not any(asked[:-2])  # only the last pass is exact


def test_window_needs_and_pay_are_priced_in_internal_units():
    """Pay makes the internal scale 120 per point; a window need counts the people
    whose shift spans it; one person is enough, so the cheaper one works."""
    staff = [person("kim", pay_cents_per_hour=2000), person("lee", pay_cents_per_hour=3000)]
    day = tpl("D", "08:00", "16:00", location="Main")
    p = tiny(num_days=1, staff=staff, templates=[day], locations=["Main"], weights=Weights(pay=1),
             window_covers=[WindowCover(0, "Main", time(9), time(12), None, 1, under_weight=100_000)])
    m = build_model(p)
    found = pattern_start(m, [frozenset(), frozenset()], seconds=10, workers=1, seed=0)
    assert found.converged
    assert found.patterns == [frozenset({(0, 0, 0)}), frozenset()]
    assert round(found.value) == 8 * 2000 * m.scale  # Kim's eight hours, in internal units
    assert round(found.bound) == 8 * 2000 * m.scale


def test_the_search_starts_the_lns_from_the_pattern_roster(monkeypatch):
    import planner.columns as columns

    calls = []
    real = columns.pattern_start

    def spy(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(columns, "pattern_start", spy)
    staff = [person(f"p{i}", max_consecutive_days=3, min_consecutive_days_off=2, max_weekends=1)
             for i in range(5)]
    templates = [tpl("E", "07:00", "15:00"), tpl("L", "14:00", "22:00")]
    covers = [ShiftCover(d, t, 2, under_weight=100, over_weight=1) for d in range(14) for t in ("E", "L")]
    p = tiny(num_days=14, staff=staff, templates=templates, shift_covers=covers)
    r = solve(p, time_limit=4, workers=2, seed=0,
              params=SearchParams(staged_min_variables=0, lns_step_seconds=0.2))
    assert len(calls) == 1 and 0.7 < calls[0] <= 0.2 * 4  # a fifth of the search time
    ev = evaluate(p, r.assignments)
    assert ev.feasible and float(ev.score) == r.objective
    calls.clear()
    solve(p, time_limit=2, workers=1, seed=0,
          params=SearchParams(staged_min_variables=0, lns_step_seconds=0.2, pattern_share=0))
    assert calls == []


def short_fortnight():
    """Four people who may each work eight of fourteen days, two needed on each of two
    shifts a day (56 shifts, 32 workable), and search settings for a seconds-long solve."""
    staff = [person(f"p{i}", max_minutes_total=8 * 480) for i in range(4)]
    templates = [tpl("E", "07:00", "15:00"), tpl("L", "15:00", "23:00")]
    covers = [ShiftCover(d, t, 2, under_weight=100, over_weight=1) for d in range(14) for t in ("E", "L")]
    return (tiny(num_days=14, staff=staff, templates=templates, shift_covers=covers),
            SearchParams(staged_min_variables=0, lns_step_seconds=0.2, probe_seconds=0.01,
                         probe_most_seconds=0.01))


def test_the_lns_is_told_how_many_short_the_lp_leaves(monkeypatch):
    """Four people who may each work eight of fourteen days, two needed on each of two
    shifts a day: 56 shifts needed, 32 workable, so the LP leaves 24 short, which the
    LNS takes for the least possible (its escapes wait for more). With weekend
    fairness on there is no column generation, so no such count."""
    import planner.search as search

    seen = []
    real = search.lns

    def spy(*args, **kwargs):
        seen.append(args[11] if len(args) > 11 else kwargs.get("least_short"))
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "lns", spy)
    p, params = short_fortnight()
    solve(p, time_limit=3, workers=2, seed=0, params=params)
    solve(replace(p, weights=Weights(fair_weekends=1)), time_limit=3, workers=2, seed=0, params=params)
    assert seen[-1] is None and seen[:-1] in ([24], [24, 24])  # [24, 24]: after a dive (planner.dive)


def test_the_lns_keeps_the_dived_templates_only_while_another_is_left_to_move(monkeypatch):
    """A dive over every template (Curtois 7) leaves the kept LNS nothing to move,
    so the search goes straight on to the free one."""
    import planner.search as search

    real = search._pattern_values
    kept = []
    monkeypatch.setattr(search, "_keep_dived", lambda m, lean, values, dived, *a: kept.append(dived) or values)
    p, params = short_fortnight()
    for dived in ({0, 1}, {1}):
        monkeypatch.setattr(search, "_pattern_values",
                            lambda *a, dived=frozenset(dived): real(*a)[:2] + (dived,))
        r = solve(p, time_limit=2, workers=2, seed=0, params=params)
        assert evaluate(p, r.assignments).feasible
    assert kept == [frozenset({1})]


def test_the_pattern_bound_proves_a_separable_roster_optimal():
    """Four people who may each work eight of fourteen days, two needed on each of two
    shifts a day: at best 24 people short (2400 points), which the column generation
    bound proves (the bound probe is given almost no time)."""
    staff = [person(f"p{i}", max_minutes_total=8 * 480) for i in range(4)]
    templates = [tpl("E", "07:00", "15:00"), tpl("L", "15:00", "23:00")]
    covers = [ShiftCover(d, t, 2, under_weight=100, over_weight=1) for d in range(14) for t in ("E", "L")]
    p = tiny(num_days=14, staff=staff, templates=templates, shift_covers=covers)
    r = solve(p, time_limit=20, workers=2, seed=0,
              params=SearchParams(staged_min_variables=0, lns_step_seconds=0.2, probe_seconds=0.01,
                                  probe_most_seconds=0.01))
    assert r.objective == 2400 and r.bound == 2400 and r.gap == 0.0
    assert r.status is Status.OPTIMAL  # proven, so the search ended before its limit


class _GivesUp:
    """GLOP behind a master that reports ABNORMAL unless its parameters are one of ``works_with``."""

    def __init__(self, lp, works_with: set[str]) -> None:
        self.lp, self.works_with, self.current, self.set = lp, works_with, "", []

    def SetSolverSpecificParametersAsString(self, text: str) -> bool:  # noqa: N802 (pywraplp's name)
        self.set.append(text)
        self.current = text
        return self.lp.SetSolverSpecificParametersAsString(text)

    def Solve(self) -> int:  # noqa: N802
        from ortools.linear_solver import pywraplp

        code = self.lp.Solve()
        return code if self.current in self.works_with else pywraplp.Solver.ABNORMAL

    def __getattr__(self, name):
        return getattr(self.lp, name)


def test_a_master_solve_glop_gives_up_on_is_solved_again_without_its_presolve():
    from planner.columns import RETRY_PARAMETERS

    p = three_days()
    m = build_model(p)
    master = Master(m, 2)
    for e in range(2):
        master.add(e, frozenset(), 0)
    master.lp = _GivesUp(master.lp, {RETRY_PARAMETERS})
    value, prices, _ = master.solve()
    assert value == 300.0 and prices == {(e, d, 0): 100.0 for e in range(2) for d in range(3)}
    assert master.lp.set == [RETRY_PARAMETERS, ""]  # back to GLOP's defaults for the next round
    master.lp.works_with = set()
    assert master.solve() is None  # given up on twice: no prices


@needs_bench
def test_column_generation_on_curtois_12_gets_past_the_master_solve_glop_gave_up_on():
    """Seed 81's 16th master solve: GLOP's default settings gave up on it, and the
    column generation returned nothing (no LP count, no bound)."""
    from planner import curtois
    from planner.search import _constructed_start, _without_flow

    m = build_model(curtois.load(INSTANCES / "Instance12.txt"))
    values = _constructed_start(m, _without_flow(m), 81, 2.0)
    found = pattern_start(m, roster_patterns(m, values), seconds=4, workers=2, seed=81)
    assert found is not None and found.rounds > 16 and found.short > 0
