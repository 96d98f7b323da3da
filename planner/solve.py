"""The public solve entry point: validate, build, search, check and report."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from fractions import Fraction

from ortools.sat.python import cp_model

from planner.build import build_model
from planner.check import evaluate
from planner.domain import Assignment, Problem
from planner.model import Model
from planner.report import cost_report, coverage_rows, people_rows
from planner.result import Progress, SolveResult, Status, relative_gap
from planner.large import estimated_variables
from planner.search import Incumbent, SearchParams, StopSignal, objective_of, polish, staged_solve
from planner.validate import validate

ProgressFn = Callable[[Progress], object]


def solve(problem: Problem, time_limit: float = 10.0, workers: int = 2, seed: int = 0,
          on_progress: ProgressFn | None = None, *, stop_event: threading.Event | None = None,
          hint: list[Assignment] | None = None, explain: bool = True,
          params: SearchParams | None = None, progress_rosters: bool = False) -> SolveResult:
    """Find the best roster for ``problem`` within ``time_limit`` seconds.

    Args:
        problem: the problem to solve.
        time_limit: wall-clock seconds for the whole call, model building
            included (the final checking and reporting of a very large roster
            may add a little).
        workers: parallel CP-SAT workers (1 with a fixed seed is deterministic
            whenever the search finishes within the limit).
        seed: random seed.
        on_progress: called with a ``Progress`` on each improving roster; a truthy
            return value stops the search (the best roster found is kept).
        stop_event: setting it from another thread stops the search (UI Stop button).
        hint: a roster to start from (defaults to the problem's reference roster).
        explain: on infeasibility, search for a small conflicting set of rules.
        params: search knobs (see ``planner.search.SearchParams``).
        progress_rosters: give each ``Progress`` its roster (``assignments``), for
            callers that show rosters while the search goes on.

    Returns:
        A ``SolveResult``; never raises for bad input (status ``invalid input``).
    """
    t0 = time.perf_counter()
    params = params or SearchParams()
    errors = validate(problem)
    if errors:
        return SolveResult(Status.INVALID, errors=errors)
    if estimated_variables(problem) > params.large_variables:
        return _solve_large(problem, t0, time_limit, workers, seed, on_progress, stop_event, progress_rosters)
    m = build_model(problem, hint=hint)
    build_time = time.perf_counter() - t0
    cb = Incumbent(m.scale, on_progress, t0, roster_of=(lambda values: roster_from(m, values)) if progress_rosters
                   else None)
    stop = StopSignal(stop_event) if stop_event is not None else None
    hinted = bool(hint) or bool(problem.reference)
    search_time = max(min(0.5, time_limit), time_limit - build_time)
    try:
        solver, code, values = staged_solve(m, search_time, workers, seed, cb, params, stop, hinted)
    finally:
        if stop is not None:
            stop.close()
    stopped = cb.stopped or (stop is not None and stop.requested)
    result = SolveResult(_status(code, stopped), build_time=build_time,
                         wall_time=time.perf_counter() - t0 - build_time,
                         solutions=cb.count, time_to_best=cb.time_to_best)
    if values is not None and code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = max(solver.best_objective_bound, cb.bound) if solver is not None else cb.bound
        if code != cp_model.OPTIMAL:
            values = polish(m, values)
        _fill_solution(problem, m, values, bound, result)
        if code == cp_model.OPTIMAL:
            result.bound = result.objective
            result.gap = 0.0
        result.solutions = max(result.solutions, 1)
    elif code == cp_model.INFEASIBLE and explain:
        from planner.explain import explain_infeasible

        result.conflict = explain_infeasible(problem, time_limit=min(30.0, max(5.0, time_limit)))
    elif code == cp_model.MODEL_INVALID:
        result.errors = [f"Internal model error: {solver.solution_info()}"]
    return result


def _solve_large(p: Problem, t0: float, time_limit: float, workers: int, seed: int, on_progress,
                 stop_event, progress_rosters: bool) -> SolveResult:
    """Construction and window LNS for problems too large for one model (``planner.large``)."""
    from planner.large import large_solve

    # large_solve reports a roster list or its state's roster method (read only when asked)
    cb = Incumbent(1, on_progress, t0, roster_of=(lambda r: sorted(r() if callable(r) else r,
                                                                   key=lambda a: (a.staff, a.day)))
                   if progress_rosters else None)
    stopped = lambda: cb.stopped or (stop_event is not None and stop_event.is_set())  # noqa: E731
    # Keep time for the final check and reports (about a second a million cells).
    reserve = min(0.2 * time_limit, 1.0 + p.num_days * len(p.staff) / 10_000)
    roster, score = large_solve(p, t0 + time_limit - reserve, workers, seed, cb.report, stopped)
    if roster is not None:
        result = roster_result(p, roster, Status.STOPPED if stopped() else Status.FEASIBLE)
        result.solutions = max(1, cb.count)
    else:
        result = SolveResult(Status.UNKNOWN, solutions=cb.count)
    result.time_to_best = cb.time_to_best
    result.wall_time = time.perf_counter() - t0
    return result


def roster_result(p: Problem, roster: list[Assignment], status: Status = Status.FEASIBLE,
                  bound: float | None = None) -> SolveResult:
    """A result for any roster (a search's best so far, a hand-made one), scored
    by the independent checker: objective, penalties, cost, coverage, people."""
    result = SolveResult(status, solutions=1, bound=bound)
    result.assignments = sorted(roster, key=lambda a: (a.staff, a.day))
    ev = evaluate(p, result.assignments)
    result.objective = float(ev.score)
    if bound is not None:
        result.gap = relative_gap(result.objective, min(bound, result.objective))
    result.penalties, result.violations = ev.penalties, ev.violations
    result.cost = cost_report(p, result.assignments, ev)
    result.coverage = coverage_rows(p, result.assignments)
    result.people = people_rows(p, result.assignments, ev)
    return result


def _status(code, stopped: bool) -> Status:
    if code == cp_model.OPTIMAL:
        return Status.OPTIMAL
    if code == cp_model.FEASIBLE:
        return Status.STOPPED if stopped else Status.FEASIBLE
    if code == cp_model.INFEASIBLE:
        return Status.INFEASIBLE
    if code == cp_model.MODEL_INVALID:
        return Status.INVALID
    return Status.STOPPED if stopped else Status.UNKNOWN


def roster_from(m: Model, values) -> list[Assignment]:
    """Assignments of a full solution (list of values by variable index)."""
    out = []
    for (e, d, ti), v in m.x.items():
        if values[v.index]:
            out.append(Assignment(m.p.staff[e].id, d, m.p.templates[ti].id))
    out.sort(key=lambda a: (m.s_index[a.staff], a.day))
    return out


def _fill_solution(p: Problem, m: Model, values, bound: float, r: SolveResult) -> None:
    r.assignments = roster_from(m, values)
    obj = objective_of(m, values)
    r.objective = float(Fraction(obj, m.scale))
    r.bound = float(Fraction(min(obj, round(bound)), m.scale)) if bound > float("-inf") else None
    r.gap = relative_gap(r.objective, r.bound) if r.bound is not None else None
    ev = evaluate(p, r.assignments)
    r.penalties, r.violations = ev.penalties, ev.violations
    r.cost = cost_report(p, r.assignments, ev)
    r.coverage = coverage_rows(p, r.assignments)
    r.people = people_rows(p, r.assignments, ev)
