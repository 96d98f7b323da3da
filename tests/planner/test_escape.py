"""planner.escape: everyone re-planned with the understaffing as the only objective, kept only with fewer
people short overall; lns.sweep: the same over two weeks at a time; and when the LNS tries either to get
fewer short (lns.Stuck)."""

from __future__ import annotations

import random
import time

from planner import ShiftCover, evaluate
from planner.build import build_model
from planner.escape import AFTER_SECONDS, escape, short_days
from planner.lns import (ESCAPE, SWEEP, FixedCopies, Neighbourhoods, RunningSolves, Stuck, shift_cells, sub_solve,
                         sweep)
from planner.search import objective_of
from planner.solve import roster_from
from roster_helpers import person, tiny

SHIFT = 8 * 60


def _week(kim_most: int, lee_most: int):
    """One person needed every day of a week; Kim and Lee may work so many shifts each."""
    p = tiny(staff=[person("kim", max_minutes_total=kim_most * SHIFT),
                    person("lee", max_minutes_total=lee_most * SHIFT)],
             shift_covers=[ShiftCover(d, "D", 1, under_weight=100) for d in range(7)])
    m = build_model(p)
    return p, m, Neighbourhoods(m), shift_cells(m)


def _roster(m, cells, days: dict[int, list[int]]):
    """Lean-model values with person e on the given days, everything else settled exactly."""
    values = [0] * len(m.lean.proto.variables)
    for e, worked in days.items():
        for d in worked:
            values[cells[(e, d)][0]] = 1
    with RunningSolves(lambda: False) as running:
        _, _, settled, _ = sub_solve(FixedCopies(m.lean, cells), values, set(), set(), 2.0, running, random.Random(0))
    return settled


def _short(values, hood) -> int:
    return sum(values[i] for i, _, _ in hood.understaffing)


def test_a_roster_one_short_is_replanned_with_nobody_short_and_passes_the_checker():
    """Kim may work 4 shifts, Lee 3: seven, one a day. Kim on days 0-3 and Lee on 3-5 leave Sunday short
    (Thursday has two): the escape moves the cover so nobody is short."""
    p, m, hood, cells = _week(4, 3)
    base = _roster(m, cells, {0: [0, 1, 2, 3], 1: [3, 4, 5]})
    assert (_short(base, hood), short_days(base, hood.understaffing)) == (1, {6})
    with RunningSolves(lambda: False) as running:
        found, moved = escape(m.lean, cells, base, hood.understaffing, lambda: 30.0, running, random.Random(0), 2)
        assert found is not None and moved and _short(found, hood) == 0
        _, _, settled, obj = sub_solve(FixedCopies(m.lean, cells), found, set(), set(), 2.0, running, random.Random(0))
    assert obj == objective_of(m, settled) == 0
    ev = evaluate(p, roster_from(m, settled))
    assert ev.feasible and ev.score == 0
    assert sorted(a.day for a in roster_from(m, settled)) == list(range(7))


def test_an_escape_that_only_moves_the_shortfall_to_another_day_finds_nothing():
    """Kim and Lee may work 3 shifts each: six for seven days, so one day is short whatever happens. The
    first solve fills Sunday by leaving another day short; the second cannot do better than one short, and
    the answer says the shortfall only moved."""
    _, m, hood, cells = _week(3, 3)
    base = _roster(m, cells, {0: [0, 1, 2], 1: [3, 4, 5]})
    assert _short(base, hood) == 1
    with RunningSolves(lambda: False) as running:
        assert escape(m.lean, cells, base, hood.understaffing, lambda: 30.0, running, random.Random(0), 2) == (
            None, True)


def test_nothing_to_escape_when_nobody_is_short():
    _, m, hood, cells = _week(4, 3)
    base = _roster(m, cells, {0: [0, 1, 2, 3], 1: [4, 5, 6]})
    with RunningSolves(lambda: False) as running:
        assert escape(m.lean, cells, base, hood.understaffing, lambda: 30.0, running, random.Random(0), 2) == (
            None, False)


def test_a_try_is_due_after_the_number_short_stalls_and_waits_longer_after_a_miss():
    """Twice as long after each try that found nothing (but not after an escape that only moved the
    shortfall to other days); the tries take turns, sweep then escape, and after such an escape
    only sweeps follow."""
    stuck = Stuck(short=3, now=0.0, least=1)
    assert not stuck.due(AFTER_SECONDS - 0.1) and stuck.due(AFTER_SECONDS)
    stuck.seen(2, now=5.0)  # one fewer short: the wait starts again
    assert not stuck.due(5.0 + AFTER_SECONDS - 0.1) and stuck.due(5.0 + AFTER_SECONDS)
    stuck.seen(4, now=9.0)  # more short (a better roster by its penalties) does not restart it
    assert stuck.due(5.0 + AFTER_SECONDS)
    assert stuck.next() == SWEEP
    stuck.tried(SWEEP, found=False, moved=False, now=20.0)  # nothing found: twice the wait
    assert not stuck.due(20.0 + 2 * AFTER_SECONDS - 0.1) and stuck.due(20.0 + 2 * AFTER_SECONDS)
    assert stuck.next() == ESCAPE
    stuck.tried(ESCAPE, found=True, moved=True, now=50.0)  # found: the same wait
    assert not stuck.due(50.0 + 2 * AFTER_SECONDS - 0.1) and stuck.due(50.0 + 2 * AFTER_SECONDS)
    assert stuck.next() == SWEEP
    stuck.tried(SWEEP, found=True, moved=False, now=60.0)
    assert stuck.next() == ESCAPE
    stuck.tried(ESCAPE, found=False, moved=True, now=80.0)  # only moved: no more escapes, the same wait
    assert not stuck.due(80.0 + 2 * AFTER_SECONDS - 0.1) and stuck.due(80.0 + 2 * AFTER_SECONDS)
    assert stuck.next() == SWEEP
    stuck.tried(SWEEP, found=False, moved=False, now=200.0)  # nothing found: twice the wait again
    assert not stuck.due(200.0 + 4 * AFTER_SECONDS - 0.1) and stuck.due(200.0 + 4 * AFTER_SECONDS)
    assert stuck.next() == SWEEP
    assert not Stuck(short=0, now=0.0, least=0).due(1000.0)  # nobody short: never


def test_no_escape_at_the_shortfall_the_lp_says_is_least_or_without_an_lp():
    """Curtois 9 keeps four people short (its LP: 3.7, rounded up to 4): escapes there only moved the
    shortfall and cost both cores. Without a column generation LP the least shortfall is unknown."""
    assert not Stuck(short=4, now=0.0, least=4).due(1000.0)
    assert Stuck(short=5, now=0.0, least=4).due(AFTER_SECONDS)
    assert not Stuck(short=5, now=0.0, least=None).due(1000.0)
    stuck = Stuck(short=5, now=0.0, least=4)
    stuck.seen(4, now=1.0)  # down to the least: no longer due
    assert not stuck.due(1000.0)


def _first_try(monkeypatch, least_short, workers: int):
    """The LNS from the week roster one short (Sunday), with no wait before a try: what it calls first (an
    escape, a sweep or neither) and how many are short at the end."""
    import planner.lns as lns_module

    monkeypatch.setattr(lns_module, "AFTER_SECONDS", 0.0)
    calls = []
    real_escape, real_pairs = lns_module.escape, Neighbourhoods.week_pairs

    def spy_escape(*args, **kwargs):
        calls.append(ESCAPE)
        return real_escape(*args, **kwargs)

    def spy_pairs(self, *args, **kwargs):
        calls.append(SWEEP)
        return real_pairs(self, *args, **kwargs)

    monkeypatch.setattr(lns_module, "escape", spy_escape)
    monkeypatch.setattr(Neighbourhoods, "week_pairs", spy_pairs)
    _, m, hood, cells = _week(4, 3)
    base = _roster(m, cells, {0: [0, 1, 2, 3], 1: [3, 4, 5]})
    final = lns_module.lns(m, m.lean, base, time.perf_counter() + 1.0, workers, 0, lambda obj, values: None,
                           lambda: False, objective_of, 0.2, None, least_short)
    return (calls[0] if calls else None), _short(final, hood)


def test_the_lns_sweeps_first_when_more_are_short_than_the_lp_says(monkeypatch):
    """With one worker as with two: the escape, which takes both cores, comes second."""
    assert _first_try(monkeypatch, least_short=0, workers=2) == (SWEEP, 0)
    assert _first_try(monkeypatch, least_short=0, workers=1) == (SWEEP, 0)


def test_no_try_at_the_lp_count_or_without_it(monkeypatch):
    """The LNS still fills Sunday by its own steps."""
    for least in (1, None):
        assert _first_try(monkeypatch, least_short=least, workers=2) == (None, 0)


def _three_weeks():
    """One person needed every day of three weeks; Kim may work 11 shifts and Lee 10: 21, one a day."""
    p = tiny(num_days=21, staff=[person("kim", max_minutes_total=11 * SHIFT),
                                 person("lee", max_minutes_total=10 * SHIFT)],
             shift_covers=[ShiftCover(d, "D", 1, under_weight=100) for d in range(21)])
    m = build_model(p)
    return p, m, Neighbourhoods(m), shift_cells(m)


# Both on Monday of the first week, so the last Sunday (day 20) is short and each is at their most.
KIM_LEE_DOUBLED = {0: [0, 1, 2, 3, 7, 8, 9, 10, 14, 15, 16], 1: [0, 4, 5, 6, 11, 12, 13, 17, 18, 19]}


def test_week_pairs_each_hold_a_week_with_someone_short():
    """From the horizon's start: weeks 0, 1 and 2; the last Sunday is short, so (0, 2) and (1, 2), never
    (0, 1), whose days cannot change the shortfall; a horizon's last days make a short week of their own,
    and a horizon of one week is one "pair"."""
    _, m, hood, cells = _three_weeks()
    base = _roster(m, cells, KIM_LEE_DOUBLED)
    assert _short(base, hood) == 1
    pairs = hood.week_pairs(random.Random(0), base)
    assert sorted(sorted(days) for days in pairs) == [list(range(0, 7)) + list(range(14, 21)),
                                                      list(range(7, 21))]
    nobody_short = _roster(m, cells, {0: list(range(11)), 1: list(range(11, 21))})
    assert hood.week_pairs(random.Random(0), nobody_short) == []
    p10 = tiny(num_days=10, shift_covers=[ShiftCover(d, "D", 1, under_weight=100) for d in range(10)])
    m10 = build_model(p10)
    hood10, cells10 = Neighbourhoods(m10), shift_cells(m10)
    nobody_on = _roster(m10, cells10, {})
    assert [sorted(days) for days in hood10.week_pairs(random.Random(0), nobody_on)] == [list(range(10))]
    _, m7, hood7, cells7 = _week(4, 3)  # one week: the week itself
    one_short = _roster(m7, cells7, {0: [0, 1, 2, 3], 1: [3, 4, 5]})
    assert [sorted(days) for days in hood7.week_pairs(random.Random(0), one_short)] == [list(range(7))]


def test_a_sweep_tries_weeks_apart_before_weeks_side_by_side():
    """The wide steps already free weeks side by side (fortnights); whatever the draw, the pair apart
    (weeks 0 and 2) comes before the pair side by side (1 and 2); over four weeks short in week 0, the
    pairs apart (0-2, 0-3) in either order come before 0-1."""
    _, m, hood, cells = _three_weeks()
    base = _roster(m, cells, KIM_LEE_DOUBLED)
    for seed in range(8):
        assert [sorted(days) for days in hood.week_pairs(random.Random(seed), base)] == [
            list(range(0, 7)) + list(range(14, 21)), list(range(7, 21))]
    p28 = tiny(num_days=28, shift_covers=[ShiftCover(d, "D", 1, under_weight=100) for d in range(28)])
    m28 = build_model(p28)
    hood28, cells28 = Neighbourhoods(m28), shift_cells(m28)
    short_in_week_0 = _roster(m28, cells28, {0: list(range(7, 28, 2)), 1: list(range(8, 28, 2)) + [0]})
    orders = set()
    for seed in range(8):
        pairs = hood28.week_pairs(random.Random(seed), short_in_week_0)
        weeks = [tuple(sorted({d // 7 for d in days})) for days in pairs]
        assert sorted(weeks[:2]) == [(0, 2), (0, 3)] and weeks[2] == (0, 1)
        orders.add(tuple(weeks))
    assert len(orders) == 2  # the pairs apart are drawn in either order


def test_on_a_long_horizon_a_third_of_a_sweeps_pairs_are_side_by_side():
    """Sixteen weeks, nobody working, every week short: 105 pairs apart and 15 side by side. A pass
    takes ``SWEEP_MOST_PAIRS`` (12): the first 8 apart, then 4 side by side, none twice."""
    p = tiny(num_days=112, shift_covers=[ShiftCover(d, "D", 1, under_weight=100) for d in range(112)])
    m = build_model(p)
    hood, cells = Neighbourhoods(m), shift_cells(m)
    nobody_on = _roster(m, cells, {})
    for seed in range(4):
        weeks = [tuple(sorted({d // 7 for d in days}))
                 for days in hood.week_pairs(random.Random(seed), nobody_on)]
        assert len(weeks) == len(set(weeks)) == 12
        assert [b - a > 1 for a, b in weeks] == [True] * 8 + [False] * 4


def test_a_sweep_frees_two_weeks_apart_where_weeks_side_by_side_cannot_help():
    """Both are at their most and Monday has two: only re-planning the first and the last week together
    moves a shift from Monday to the last Sunday. The roster found is offered to ``take``, and the sweep
    stops there, nobody short; it passes the checker."""
    p, m, hood, cells = _three_weeks()
    base = _roster(m, cells, KIM_LEE_DOUBLED)
    copies = FixedCopies(m.lean, cells)
    offered = []

    def take(values, obj):
        offered.append((_short(values, hood), obj, values))
        return values

    with RunningSolves(lambda: False) as running:
        for weeks in ((0, 1), (1, 2)):
            days = {d for w in weeks for d in range(7 * w, 7 * w + 7)}
            _, _, found, _ = sub_solve(copies, base, {0, 1}, days, 5.0, running, random.Random(0),
                                       hood.shortfall_terms, lambda: 5.0)
            assert found is not None and _short(found, hood) == 1
        assert sweep(copies, hood, base, 0, 1.0, lambda: 30.0, running, random.Random(0), take)
    assert [(short, obj) for short, obj, _ in offered] == [(0, 0)]
    ev = evaluate(p, roster_from(m, offered[0][2]))
    assert ev.feasible and ev.score == 0 and sorted(a.day for a in roster_from(m, offered[0][2])) == list(range(21))


def test_a_sweep_ends_when_its_roster_is_not_taken_or_at_the_least_short():
    _, m, hood, cells = _three_weeks()
    base = _roster(m, cells, KIM_LEE_DOUBLED)
    copies = FixedCopies(m.lean, cells)
    offered = []

    def refuse(values, obj):
        offered.append(obj)
        return None

    with RunningSolves(lambda: False) as running:
        assert not sweep(copies, hood, base, 0, 1.0, lambda: 30.0, running, random.Random(0), refuse)
        assert offered == [0]
        assert not sweep(copies, hood, base, 1, 1.0, lambda: 30.0, running, random.Random(0), refuse)
    assert offered == [0]  # one short is the least: nothing tried

