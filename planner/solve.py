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
from planner.validate import validate

ProgressFn = Callable[[Progress], object]


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Tracks improving rosters, reports progress, and stops on request."""

    def __init__(self, scale: int, on_progress: ProgressFn | None) -> None:
        super().__init__()
        self.scale = scale
        self.on_progress = on_progress
        self.count = 0
        self.time_to_best: float | None = None
        self.stopped = False

    def on_solution_callback(self) -> None:
        self.count += 1
        self.time_to_best = self.wall_time
        if self.on_progress is None:
            return
        prog = Progress(self.objective_value / self.scale, self.best_objective_bound / self.scale,
                        self.wall_time)
        if self.on_progress(prog):
            self.stopped = True
            self.stop_search()


def configure(solver: cp_model.CpSolver, time_limit: float, workers: int, seed: int) -> None:
    """Search parameters; tuned for 1-2 cores (see planner/README.md)."""
    prm = solver.parameters
    prm.max_time_in_seconds = float(time_limit)
    prm.num_workers = max(1, int(workers))
    prm.random_seed = int(seed)


def solve(problem: Problem, time_limit: float = 10.0, workers: int = 2, seed: int = 0,
          on_progress: ProgressFn | None = None, *, stop_event: threading.Event | None = None,
          hint: list[Assignment] | None = None, explain: bool = True) -> SolveResult:
    """Find the best roster for ``problem`` within ``time_limit`` seconds.

    Args:
        problem: the problem to solve.
        time_limit: wall-clock seconds for the search.
        workers: parallel CP-SAT workers (1 with a fixed seed is deterministic).
        seed: random seed.
        on_progress: called with a ``Progress`` on each improving roster; a truthy
            return value stops the search (the best roster found is kept).
        stop_event: setting it from another thread stops the search (UI Stop button).
        hint: a roster to start from (defaults to the problem's reference roster).
        explain: on infeasibility, search for a small conflicting set of rules.

    Returns:
        A ``SolveResult``; never raises for bad input (status ``invalid input``).
    """
    t0 = time.perf_counter()
    errors = validate(problem)
    if errors:
        return SolveResult(Status.INVALID, errors=errors)
    m = build_model(problem, hint=hint)
    build_time = time.perf_counter() - t0
    if hint is None and not problem.reference:
        first = _first_roster(m, min(max(0.5, 0.3 * time_limit), time_limit), workers, seed)
        if first == cp_model.INFEASIBLE:
            result = SolveResult(Status.INFEASIBLE, build_time=build_time,
                                 wall_time=time.perf_counter() - t0)
            if explain:
                from planner.explain import explain_infeasible

                result.conflict = explain_infeasible(problem, time_limit=min(30.0, max(5.0, time_limit)))
            return result
        time_limit = max(0.1, time_limit - (time.perf_counter() - t0 - build_time))
    solver = cp_model.CpSolver()
    configure(solver, time_limit, workers, seed)
    watcher = _Watcher(m.scale, on_progress)
    done = threading.Event()
    if stop_event is not None:
        threading.Thread(target=_relay_stop, args=(stop_event, done, solver), daemon=True).start()
    code = solver.solve(m.cp, watcher)
    done.set()
    stopped = watcher.stopped or (stop_event is not None and stop_event.is_set())
    result = SolveResult(_status(code, stopped), build_time=build_time,
                         wall_time=solver.wall_time, solutions=watcher.count,
                         time_to_best=watcher.time_to_best)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        _fill_solution(problem, m, solver, result)
    elif code == cp_model.INFEASIBLE and explain:
        from planner.explain import explain_infeasible

        result.conflict = explain_infeasible(problem, time_limit=min(30.0, max(5.0, time_limit)))
    elif code == cp_model.MODEL_INVALID:
        result.errors = [f"Internal model error: {solver.solution_info()}"]
    return result


def _first_roster(m: Model, seconds: float, workers: int, seed: int):
    """Find any roster quickly (no objective) and hint all variables with it.

    With the objective on, CP-SAT's first roster can take long on clinic-shaped
    problems; a feasibility solve takes a fraction of a second, and a complete
    feasible hint becomes the first solution of the optimisation at once.
    Returns the feasibility status (INFEASIBLE proves there is no roster).
    """
    probe = m.cp.clone()
    probe.clear_objective()
    probe.clear_hints()
    solver = cp_model.CpSolver()
    configure(solver, seconds, workers, seed)
    code = solver.solve(probe)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = solver.response_proto.solution
        m.cp.clear_hints()
        hint = m.cp.proto.solution_hint
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)
    return code


def _relay_stop(stop_event: threading.Event, done: threading.Event, solver) -> None:
    while not done.is_set():
        if stop_event.wait(0.05):
            solver.stop_search()
            return


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


def roster_from(m: Model, solver: cp_model.CpSolver) -> list[Assignment]:
    """Assignments of the solver's best solution, ordered by staff, day."""
    values = solver.response_proto.solution
    out = []
    for (e, d, ti), v in m.x.items():
        if values[v.index]:
            out.append(Assignment(m.p.staff[e].id, d, m.p.templates[ti].id))
    out.sort(key=lambda a: (m.s_index[a.staff], a.day))
    return out


def _fill_solution(p: Problem, m: Model, solver: cp_model.CpSolver, r: SolveResult) -> None:
    r.assignments = roster_from(m, solver)
    r.objective = float(Fraction(round(solver.objective_value), m.scale))
    r.bound = float(Fraction(round(solver.best_objective_bound), m.scale))
    r.gap = relative_gap(r.objective, r.bound)
    ev = evaluate(p, r.assignments)
    r.penalties, r.violations = ev.penalties, ev.violations
    r.cost = cost_report(p, r.assignments, ev)
    r.coverage = coverage_rows(p, r.assignments)
    r.people = people_rows(p, r.assignments, ev)
