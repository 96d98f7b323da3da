"""Property tests: the solver and the independent checker agree on random small problems."""

from datetime import time
from fractions import Fraction

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planner import (
    Assignment,
    Budget,
    ForbiddenSequence,
    Problem,
    Request,
    Role,
    ShiftCover,
    Skill,
    Staff,
    Status,
    Unavailability,
    Weights,
    WindowCover,
    evaluate,
    solve,
    validate,
)
from planner.domain import ShiftTemplate

from planner.rules import names
from roster_helpers import MONDAY, fixed

SHAPES = [(7, 15), (8, 16), (12, 20), (14, 22), (8, 12)]
ROLES = [Role("RN", "RN", ["RN license"]), Role("MA", "MA")]


@st.composite
def problems(draw) -> Problem:
    days = draw(st.sampled_from([5, 7, 9]))
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3, unique=True))
    templates = [ShiftTemplate(f"t{i}", start=time(a), end=time(b), role=draw(st.sampled_from(
        [None, "RN", "MA"])), location="Main", late=b >= 20,
        unpaid_break_minutes=draw(st.sampled_from([0, 30])))
        for i, (a, b) in enumerate(shapes)]
    staff = []
    for i in range(draw(st.integers(2, 4))):
        roles = draw(st.lists(st.sampled_from(["RN", "MA"]), max_size=2, unique=True))
        expiry = draw(st.sampled_from([None, MONDAY.replace(day=8)]))
        staff.append(Staff(
            id=f"s{i}", roles=roles, skills=[Skill("RN license", expiry)],
            pay_cents_per_hour=draw(st.sampled_from([0, 1500, 2010])),
            employment=draw(st.sampled_from(["full_time", "part_time"])),
            overtime_exempt=draw(st.booleans()),
            max_minutes_per_week=draw(st.sampled_from([None, 24 * 60, 40 * 60])),
            min_minutes_total=draw(st.sampled_from([0, 0, 8 * 60])),
            max_consecutive_days=draw(st.sampled_from([None, 2, 3])),
            min_consecutive_days=draw(st.sampled_from([1, 2])),
            min_consecutive_days_off=draw(st.sampled_from([1, 2])),
            max_weekends=draw(st.sampled_from([None, 0, 1])),
            max_shifts={t.id: draw(st.integers(0, 3)) for t in templates if draw(st.booleans())}))
    ids = [s.id for s in staff]
    tids = [t.id for t in templates]
    day = st.integers(0, days - 1)
    weight = st.integers(0, 9)
    shift_covers = [ShiftCover(d, t, draw(st.integers(0, 2)),
                               under_weight=draw(st.sampled_from([None, 5, 50])),
                               over_weight=draw(st.sampled_from([None, 0, 1, 3])),
                               preferred=draw(st.sampled_from([None, 2, 3])),
                               preferred_weight=draw(st.sampled_from([0, 2])))
                    for d in range(days) for t in tids if draw(st.integers(0, 2)) == 0]
    window_covers = [WindowCover(draw(day), "Main", time(h), time(h + 1),
                                 draw(st.sampled_from([None, "RN", "MA"])), draw(st.integers(1, 2)),
                                 under_weight=draw(st.sampled_from([7, 40])),
                                 over_weight=draw(st.sampled_from([0, 2])),
                                 skill=draw(st.sampled_from([None, "RN license"])))
                     for h in draw(st.lists(st.integers(7, 21), max_size=3))]
    unavailability = [Unavailability(draw(st.sampled_from(ids)), draw(day),
                                      *draw(st.sampled_from([(None, None), (time(13), time(23))])))
                      for _ in range(draw(st.integers(0, 3)))]
    requests = [Request(draw(st.sampled_from(ids)), draw(day),
                        draw(st.sampled_from([None] + tids)), draw(st.booleans()), draw(weight))
                for _ in range(draw(st.integers(0, 4)))]
    sequences = [ForbiddenSequence(a, b) for a in tids for b in tids if draw(st.integers(0, 4)) == 0]
    reference = [Assignment(draw(st.sampled_from(ids)), d, draw(st.sampled_from(tids)))
                 for d in range(days) if draw(st.booleans())]
    budget = draw(st.sampled_from([None, Budget(30_000), Budget(60_000, hard=True)]))
    weights = Weights(pay=draw(st.sampled_from([0, 1])),
                      over_budget_per_dollar=draw(st.sampled_from([0, 3])),
                      change=draw(st.sampled_from([0, 4])),
                      fair_weekends=draw(st.sampled_from([0, 5])),
                      fair_late=draw(st.sampled_from([0, 3])),
                      fair_hours=draw(st.sampled_from([0, 2])))
    p = Problem(start=MONDAY, num_days=days, templates=templates, staff=staff, roles=ROLES,
                locations=["Main"], shift_covers=shift_covers, window_covers=window_covers,
                unavailability=unavailability, requests=requests, forbidden_sequences=sequences,
                min_rest_minutes=draw(st.sampled_from([0, 11 * 60])), budget=budget,
                reference=reference, weights=weights)
    return p


def _cell_refused(p: Problem, a: Assignment) -> bool:
    refused = {names.QUALIFIED, names.LEAVE}
    return any(v.rule in refused for v in evaluate(p, [a]).violations)


PROPERTY = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(problems())
def test_solver_rosters_pass_the_checker_with_the_same_score(p):
    assert validate(p) == []
    r = solve(p, time_limit=10, workers=1, seed=0, explain=False)
    assert r.status in (Status.OPTIMAL, Status.INFEASIBLE)
    event(r.status.value)
    if r.status is Status.OPTIMAL:
        ev = evaluate(p, r.assignments)
        assert ev.violations == []
        assert abs(float(ev.score) - r.objective) < 1e-6
        assert r.objective == r.bound


@settings(PROPERTY, max_examples=80)
@given(problems(), st.data())
def test_fixed_random_roster_solver_and_checker_agree(p, data):
    """Pin a random roster: the solver accepts it exactly when the checker finds no violation."""
    cells = []
    for s in p.staff:
        for d in range(p.num_days):
            # Mostly cells the person may work (per the checker), so that rules get exercised.
            ok = [t.id for t in p.templates
                  if not _cell_refused(p, Assignment(s.id, d, t.id))
                  or data.draw(st.integers(0, 49)) == 0]
            t = data.draw(st.sampled_from([None, None, None] + ok))
            if t is not None:
                cells.append((s.id, d, t))
    q = fixed(p, cells)
    roster = [Assignment(*c) for c in cells]
    ev = evaluate(p, roster)
    if validate(q):
        # Pins the person may never work are refused up front; the checker sees why.
        assert not ev.feasible
        event("pins refused by validation")
        return
    r = solve(q, time_limit=10, workers=1, seed=0, explain=False)
    event("feasible roster" if ev.feasible else "roster breaks a hard rule")
    assert (r.status is Status.OPTIMAL) == ev.feasible, [v.sentence for v in ev.violations]
    if ev.feasible:
        assert sorted(r.assignments, key=str) == sorted(roster, key=str)
        assert Fraction(r.objective).limit_denominator(10**6) == ev.score
