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
from planner.search import Incumbent, SearchParams, StopSignal, objective_of, polish, staged_solve
from planner.validate import validate

ProgressFn = Callable[[Progress], object]


def solve(problem: Problem, time_limit: float = 10.0, workers: int = 2, seed: int = 0,
          on_progress: ProgressFn | None = None, *, stop_event: threading.Event | None = None,
          hint: list[Assignment] | None = None, explain: bool = True,
          params: SearchParams | None = None) -> SolveResult:
    """Find the best roster for ``problem`` within ``time_limit`` seconds.

    Args:
        problem: the problem to solve.
        time_limit: wall-clock seconds for the search (model building excluded).
        workers: parallel CP-SAT workers (1 with a fixed seed is deterministic
            whenever the search finishes within the limit).
        seed: random seed.
        on_progress: called with a ``Progress`` on each improving roster; a truthy
            return value stops the search (the best roster found is kept).
        stop_event: setting it from another thread stops the search (UI Stop button).
        hint: a roster to start from (defaults to the problem's reference roster).
        explain: on infeasibility, search for a small conflicting set of rules.
        params: search knobs (see ``planner.search.SearchParams``).

    Returns:
        A ``SolveResult``; never raises for bad input (status ``invalid input``).
    """
    t0 = time.perf_counter()
    errors = validate(problem)
    if errors:
        return SolveResult(Status.INVALID, errors=errors)
    m = build_model(problem, hint=hint)
    build_time = time.perf_counter() - t0
    cb = Incumbent(m.scale, on_progress, time.perf_counter())
    stop = StopSignal(stop_event) if stop_event is not None else None
    hinted = bool(hint) or bool(problem.reference)
    try:
        solver, code, values = staged_solve(m, time_limit, workers, seed, cb, params, stop, hinted)
    finally:
        if stop is not None:
            stop.close()
    stopped = cb.stopped or (stop is not None and stop.requested)
    result = SolveResult(_status(code, stopped), build_time=build_time,
                         wall_time=time.perf_counter() - t0 - build_time,
                         solutions=cb.count, time_to_best=cb.time_to_best)
    if values is not None and code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = solver.best_objective_bound if solver is not None else cb.bound
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
