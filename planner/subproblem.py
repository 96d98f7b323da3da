"""Sub-problems of a roster: some people over some weeks, everything else held fixed.

``window_problem`` cuts a ``Problem`` down to a few people over a window of
whole pay weeks, plus margin weeks on each side pinned to the incumbent
roster. Everything outside is folded in: contract totals, per-template
limits and weekends are reduced by what the person works outside the
sub-horizon, and every need in the window counts only what the people left
out already provide (its required and preferred counts lowered by that, so
they may become zero or negative). With margins longer than any run rule and
than the longest forbidden sequence, a roster is valid for the sub-problem
exactly when, patched into the incumbent, it is valid for the whole problem,
and the two objectives differ by a constant. It needs an objective that adds
up per person-week (no budget, no fairness terms).

The sub-problem is an ordinary ``Problem``, so it is built by the same rule
builders and judged by the same checker: the huge-instance search
(``planner.search.huge_solve``) is one engine, not a second solver.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace

from ortools.sat.python import cp_model

from planner.domain import Assignment, Pin, Problem, Weights, minute_of_day
from planner.construct import rest_pairs


def decomposable(p: Problem) -> bool:
    """True when the objective is a sum over person-weeks and needs (see module doc)."""
    w = p.weights
    return p.budget is None and not (w.fair_weekends or w.fair_late or w.fair_hours)


def margin_days(p: Problem, people: list[int]) -> int:
    reach = max([g for _, g in rest_pairs(p)] + [0])
    runs = 0
    for e in people:
        s = p.staff[e]
        runs = max(runs, (s.max_consecutive_days or 0), s.min_consecutive_days,
                   s.min_consecutive_days_off)
    return max(runs + 1, reach)


def _counts_toward(p: Problem, c, tid: str, staff) -> bool:
    t = p.template(tid)
    if not t.has_clock:
        return False
    if c.location is not None and t.location != c.location:
        return False
    if c.role is not None and t.role != c.role:
        return False
    if minute_of_day(t.start) > minute_of_day(c.start) or minute_of_day(t.end) < minute_of_day(c.end):
        return False
    if c.skill is not None:
        held = staff.skill(c.skill)
        if held is None or not held.valid_on(p.date_of(c.day)):
            return False
    return True


def window_problem(p: Problem, cells: dict[tuple[str, int], str], people: list[int],
                   first: int, last: int) -> tuple[Problem, int]:
    """Sub-problem freeing ``people`` on days ``first``..``last - 1``; returns it and its day 0.

    ``first`` and ``last`` are rounded out to pay weeks; ``cells`` maps
    (staff id, day) to the template worked in the incumbent roster.
    """
    h = p.num_days
    first = (first // 7) * 7
    last = min(h, -(-last // 7) * 7)
    pad = -(-margin_days(p, people) // 7) * 7
    a0, b0 = max(0, first - pad), min(h, last + pad)
    chosen = {p.staff[e].id for e in people}
    inside = range(a0, b0)
    weekends = p.weekends()
    staff = []
    pins = []
    for e in people:
        s = p.staff[e]
        out_minutes = 0
        out_counts: dict[str, int] = defaultdict(int)
        for d in range(h):
            if a0 <= d < b0:
                continue
            tid = cells.get((s.id, d))
            if tid is not None:
                out_minutes += p.template(tid).paid_minutes
                out_counts[tid] += 1
        out_weekends = 0
        for days in weekends:
            outside = [d for d in days if d not in inside]
            if outside and any((s.id, d) in cells for d in outside) and not any(
                    (s.id, d) in cells for d in days if d in inside):
                out_weekends += 1
        staff.append(replace(
            s,
            min_minutes_total=max(0, s.min_minutes_total - out_minutes),
            max_minutes_total=None if s.max_minutes_total is None
            else max(0, s.max_minutes_total - out_minutes),
            max_shifts={t: max(0, n - out_counts[t]) for t, n in s.max_shifts.items()},
            max_weekends=None if s.max_weekends is None else max(0, s.max_weekends - out_weekends)))
        for d in list(range(a0, first)) + list(range(last, b0)):
            pins.append(Pin(s.id, d - a0, cells.get((s.id, d))))
    pins += [replace(x, day=x.day - a0) for x in p.pins
             if x.staff in chosen and first <= x.day < last]
    others: dict[tuple[int, str], list[str]] = defaultdict(list)  # (day, template) -> staff
    for (sid, d), tid in cells.items():
        if first <= d < last and sid not in chosen:
            others[(d, tid)].append(sid)
    shift_covers = []
    for c in p.shift_covers:
        if first <= c.day < last:
            n = len(others.get((c.day, c.template), ()))
            shift_covers.append(replace(c, day=c.day - a0, required=c.required - n,
                                        preferred=None if c.preferred is None else c.preferred - n))
    window_covers = []
    if p.window_covers:
        by_day: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for (d, tid), sids in others.items():
            by_day[d] += [(sid, tid) for sid in sids]
        for c in p.window_covers:
            if first <= c.day < last:
                n = sum(1 for sid, tid in by_day.get(c.day, ())
                        if _counts_toward(p, c, tid, p.person(sid)))
                window_covers.append(replace(c, day=c.day - a0, required=c.required - n,
                                             preferred=None if c.preferred is None
                                             else c.preferred - n))
    sub = replace(
        p, start=p.date_of(a0), num_days=b0 - a0, staff=staff,
        shift_covers=shift_covers, window_covers=window_covers,
        unavailability=[replace(u, day=u.day - a0) for u in p.unavailability
                        if u.staff in chosen and a0 <= u.day < b0],
        requests=[replace(r, day=r.day - a0) for r in p.requests
                  if r.staff in chosen and first <= r.day < last],
        pins=pins,
        reference=[replace(a, day=a.day - a0) for a in p.reference
                   if a.staff in chosen and first <= a.day < last],
        name=f"{p.name} window")
    return sub, a0


def solve_fixed_model(sub: Problem, hint: list[Assignment], seconds: float, seed: int = 0,
                      objective: bool = True) -> list[Assignment] | None:
    """Best roster of a (small) sub-problem found in ``seconds`` by one CP-SAT worker.

    A valid ``hint`` is first completed (every shift fixed, the rest solved)
    so that the search starts from a full solution; presolve is kept light,
    as in ``planner.lns``.
    """
    from planner.build import build_model
    from planner.search import _hint_all
    from planner.solve import roster_from

    m = build_model(sub, hint=hint or None)
    model = m.lean
    if not objective:
        model.clear_objective()
    started = time.perf_counter()
    if hint:
        fixed = model.clone()
        values = dict(zip(fixed.proto.solution_hint.vars, fixed.proto.solution_hint.values))
        variables = fixed.proto.variables
        for v in m.x.values():
            dom = variables[v.index].domain
            dom[0] = dom[1] = values.get(v.index, 0)
        solver = cp_model.CpSolver()
        _light(solver.parameters, 1, seed, min(1.0, seconds / 2))
        if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            _hint_all(model, list(solver.response_proto.solution))
    solver = cp_model.CpSolver()
    _light(solver.parameters, 1, seed, seconds - (time.perf_counter() - started))
    if objective:
        solver.parameters.subsolvers.append("max_lp")
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return roster_from(m, list(solver.response_proto.solution))


def _light(prm, workers: int, seed: int, seconds: float) -> None:
    prm.num_workers = workers
    prm.random_seed = seed
    prm.max_time_in_seconds = max(0.05, seconds)
    prm.max_presolve_iterations = 1
    prm.cp_model_probing_level = 0
    prm.symmetry_level = 0


def person_alone(p: Problem, e: int, seconds: float) -> list[Assignment] | None:
    """A roster for person ``e`` meeting their own hard rules (no needs, no wishes)."""
    s = p.staff[e]
    sub = replace(
        p, staff=[s], shift_covers=[], window_covers=[], requests=[], budget=None,
        unavailability=[u for u in p.unavailability if u.staff == s.id],
        pins=[x for x in p.pins if x.staff == s.id], reference=[], weights=Weights(),
        name=f"{p.name} {s.id}")
    return solve_fixed_model(sub, [], seconds, objective=False)
