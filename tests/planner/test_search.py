"""The staged search (feasibility, coverage first, LNS, proof) on a small problem."""

from planner import ShiftCover, Status, evaluate, solve
from planner.search import SearchParams

from roster_helpers import person, tiny, tpl


def test_staged_search_with_lns_returns_a_checked_roster():
    staff = [person(f"p{i}", max_consecutive_days=3, min_consecutive_days_off=2,
                    max_weekends=1) for i in range(5)]
    templates = [tpl("E", "07:00", "15:00"), tpl("L", "14:00", "22:00")]
    covers = [ShiftCover(d, t, 2, under_weight=100, over_weight=1)
              for d in range(14) for t in ("E", "L")]
    p = tiny(num_days=14, staff=staff, templates=templates, shift_covers=covers)
    params = SearchParams(staged_min_variables=0, proof_share=0.3, lns_step_seconds=0.2)
    seen = []
    r = solve(p, time_limit=3, workers=2, seed=0, params=params,
              on_progress=lambda pr: seen.append(pr.objective))
    assert r.status in (Status.OPTIMAL, Status.FEASIBLE)
    ev = evaluate(p, r.assignments)
    assert ev.feasible
    assert float(ev.score) == r.objective
    assert seen == sorted(seen, reverse=True) and seen[-1] == r.objective
