"""Construction heuristic, window sub-problems and the large-problem search."""

import random
from dataclasses import replace

from hypothesis import event, given
from hypothesis import strategies as st

from planner import Assignment, Status, evaluate, solve
from planner.construct import construct
from planner.curtois import parse
from planner.search import SearchParams
from planner.subproblem import decomposable, solve_fixed_model, window_problem

from test_properties import PROPERTY, problems


def curtois_text(seed: int, staff: int = 6, days: int = 28, shifts: int = 3) -> str:
    """A small random instance in the benchmark format (tight contracts, run rules, weekends)."""
    rnd = random.Random(seed)
    ids = [f"s{i}" for i in range(shifts)]
    lines = ["SECTION_HORIZON", str(days), "", "SECTION_SHIFTS"]
    for i, t in enumerate(ids):
        follow = "|".join(u for u in ids[:i] if rnd.random() < 0.4)
        lines.append(f"{t},{rnd.choice([360, 480, 600])},{follow}")
    lines += ["", "SECTION_STAFF"]
    for e in range(staff):
        most = "|".join(f"{t}={rnd.choice([days, days, days // 4, 0])}" for t in ids[1:])
        top = days * 480 * rnd.choice([5, 6]) // 10
        lines.append(f"E{e},{most},{top},{top * rnd.choice([4, 6]) // 10},{rnd.randint(3, 6)},"
                     f"{rnd.randint(1, 3)},{rnd.randint(1, 3)},{rnd.randint(1, days // 7)}")
    lines += ["", "SECTION_DAYS_OFF"]
    for e in range(staff):
        lines.append(f"E{e}," + ",".join(str(d) for d in rnd.sample(range(days), 2)))
    lines += ["", "SECTION_SHIFT_ON_REQUESTS"]
    for e in range(staff):
        for d in rnd.sample(range(days), 3):
            lines.append(f"E{e},{d},{rnd.choice(ids)},{rnd.randint(1, 3)}")
    lines += ["", "SECTION_SHIFT_OFF_REQUESTS"]
    for e in range(staff):
        for d in rnd.sample(range(days), 2):
            lines.append(f"E{e},{d},{rnd.choice(ids)},{rnd.randint(1, 3)}")
    lines += ["", "SECTION_COVER"]
    for d in range(days):
        for t in ids:
            lines.append(f"{d},{t},{rnd.randint(0, 2)},100,1")
    return "\n".join(lines) + "\n"


def per_person_only(p):
    """The same problem with every rule that spans people made soft."""
    covers = [replace(c, under_weight=50 if c.under_weight is None else c.under_weight,
                      over_weight=3 if c.over_weight is None else c.over_weight)
              for c in p.shift_covers]
    budget = None if p.budget is not None and p.budget.hard else p.budget
    return replace(p, shift_covers=covers, budget=budget)


@PROPERTY
@given(problems())
def test_construction_is_checker_valid_exactly_when_a_roster_exists(p):
    p = per_person_only(p)
    roster = construct(p, seed=0)
    exists = solve(p, time_limit=10, workers=1, seed=0, explain=False).status is Status.OPTIMAL
    event("roster exists" if exists else "no roster exists")
    if exists:
        assert roster is not None
        ev = evaluate(p, roster)
        assert ev.violations == [], [v.sentence for v in ev.violations]
    else:
        assert roster is None


@PROPERTY
@given(st.integers(0, 10**6))
def test_construction_on_benchmark_shaped_instances(seed):
    p = parse(curtois_text(seed))
    roster = construct(p, seed=seed)
    # Whether a roster exists does not depend on needs and wishes: without them
    # the solver proves it at once.
    rules_only = replace(p, shift_covers=[], requests=[])
    status = solve(rules_only, time_limit=10, workers=1, seed=0, explain=False).status
    assert status in (Status.OPTIMAL, Status.INFEASIBLE)
    event(status.value)
    if status is Status.OPTIMAL:
        assert roster is not None and evaluate(p, roster).feasible
    else:
        assert roster is None


@PROPERTY
@given(st.integers(0, 10**6), st.data())
def test_window_subproblem_patches_exactly(seed, data):
    """A sub-problem's roster patched into the whole one: valid, and the score moves by the same amount."""
    p = parse(curtois_text(seed, staff=7, days=35))
    roster = construct(p, seed=seed)
    if roster is None:
        return
    assert decomposable(p)
    cells = {(a.staff, a.day): a.template for a in roster}
    people = sorted(data.draw(st.sets(st.integers(0, 6), min_size=1, max_size=4)))
    week = data.draw(st.integers(0, 4))
    sub, a0 = window_problem(p, cells, people, 7 * week, 7 * week + 7)
    ids = {s.id for s in sub.staff}
    old = [Assignment(s, d - a0, t) for (s, d), t in cells.items()
           if s in ids and a0 <= d < a0 + sub.num_days]
    before = evaluate(sub, old)
    assert before.feasible, [v.sentence for v in before.violations]
    new = solve_fixed_model(sub, old, 2.0, seed=seed)
    assert new is not None
    after = evaluate(sub, new)
    assert after.feasible
    patched = {k: v for k, v in cells.items()
               if not (k[0] in ids and 7 * week <= k[1] < 7 * week + 7)}
    for a in new:
        if 7 * week <= a.day + a0 < 7 * week + 7:
            patched[(a.staff, a.day + a0)] = a.template
    whole = evaluate(p, [Assignment(s, d, t) for (s, d), t in patched.items()])
    assert whole.feasible, [v.sentence for v in whole.violations]
    assert whole.score - evaluate(p, roster).score == after.score - before.score
    event("improved" if after.score < before.score else "same")


def test_large_problem_search_returns_a_checked_roster_within_the_limit():
    p = parse(curtois_text(7, staff=12, days=56, shifts=4))
    seen = []
    r = solve(p, time_limit=4, workers=2, seed=0, explain=False,
              params=SearchParams(large_variables=0), on_progress=lambda pr: seen.append(pr),
              progress_rosters=True)
    assert r.status is Status.FEASIBLE
    ev = evaluate(p, r.assignments)
    assert ev.feasible and float(ev.score) == r.objective
    assert seen and seen[-1].objective == r.objective
    assert all(float(evaluate(p, pr.assignments).score) == pr.objective for pr in seen)
    assert [x.objective for x in seen] == sorted((x.objective for x in seen), reverse=True)
    assert r.wall_time < 4.5


def test_people_with_a_contract_minimum_are_placed_before_those_without():
    """Kim must work five days a week anyway; Lee has no minimum. Placed first, Lee
    would take every day and Kim's five would be paid twice over: Kim goes first,
    and Lee covers only the two days Kim cannot."""
    from planner import ShiftCover, Weights

    from roster_helpers import person, tiny

    p = tiny(staff=[person("lee", pay_cents_per_hour=3000),
                    person("kim", pay_cents_per_hour=3000, min_minutes_per_week=5 * 480,
                           max_minutes_per_week=5 * 480)],
             shift_covers=[ShiftCover(d, "D", 1, under_weight=100_000) for d in range(7)],
             weights=Weights(pay=1))
    for seed in range(10):
        roster = construct(p, seed=seed)
        worked = {s: sorted(a.day for a in roster if a.staff == s) for s in ("kim", "lee")}
        assert len(worked["kim"]) == 5 and len(worked["lee"]) == 2, (seed, worked)
        assert sorted(worked["kim"] + worked["lee"]) == list(range(7)), (seed, worked)
