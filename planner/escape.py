"""Escape from a roster stuck a person or two short: everyone re-planned over the
whole horizon on both cores, with the understaffing as the only objective.

The LNS (``planner.lns``) frees a few people or a few days per step. On Curtois
12 about one run in three missed the 3 % target, every time by one person short
too many on a weekend day; the move that fixes it re-plans many people's weekends
together with their weekdays, far too big a sub-problem for a one-second step
with the full objective, and the one-worker ``max_lp`` solves of the LNS did not
find it in 8 s even with the shortfall alone. CP-SAT's own portfolio (two
workers, whose LNS moves free as much as half of the model) does, within a few
seconds, when the understaffing is the whole objective (with the full
objective it did not). In two solves, both from the incumbent:

1. the days now understaffed: only their understaffing counts, every other need
   is ignored; stopped at the first roster with fewer short on those days;
2. those days' shifts fixed as found: all understaffing counts; stopped as soon
   as no other day is short (the fixed days' count is then the least possible).

The caller settles the roster found (shifts fixed, the rest at the least full
objective) and keeps it only if it is better overall. Measurements:
planner/README.md (seventeenth and eighteenth sessions).
"""

from __future__ import annotations

import random

from ortools.sat.python import cp_model

FOCUS_SECONDS = 4.0  # the first solve, at most
FOCUS_SHARE = 0.3  # and at most this share of the time left
REST_SECONDS = 3.0  # the second solve, at most (where it gained: 1.3-2.4 s, once 4.2 s of 6 tries)
REST_SHARE = 0.5  # of the time left then
# A try (an escape or a wide step, planner.lns.Stuck) is due when the number short
# has not come down for this long (with 12 s, escapes on Curtois 12 came at 52-59 s,
# with too little of the minute left).
AFTER_SECONDS = 6.0
BACK_OFF = 2  # the wait grows this many times after a try that found nothing
# (not after an escape that only moved the shortfall: planner.lns.Stuck)


class _StopBelow(cp_model.CpSolverSolutionCallback):
    """Stops the search at the first solution whose objective is below ``below``."""

    def __init__(self, below: float) -> None:
        super().__init__()
        self.below = below

    def on_solution_callback(self) -> None:
        if self.objective_value < self.below:
            self.stop_search()


def short_days(values, understaffing: list[tuple[int, int, int]]) -> set[int]:
    """Days with anyone short in ``values``; ``understaffing`` is (index, coefficient, day)."""
    return {day for i, _, day in understaffing if values[i] > 0}


def escape(lean: cp_model.CpModel, cells: dict[tuple[int, int], list[int]], base: list[int],
           understaffing: list[tuple[int, int, int]], left, running, rng: random.Random,
           workers: int) -> tuple[list[int] | None, bool]:
    """Values of ``lean`` with fewer people short than ``base`` (every need counted;
    penalties and totals not yet settled), or None if the two solves find none;
    and whether the first solve had found fewer short on the days now short
    (if so and the second found nothing, the shortfall could only move between
    days: it is most likely the least possible). ``cells`` maps (person, day) to
    its shift variables; ``left()`` is the time left; ``running``
    (``lns.RunningSolves``) stops the solves on a Stop."""
    focus = short_days(base, understaffing)
    if not focus:
        return None, False
    on_focus = [(i, c) for i, c, day in understaffing if day in focus]
    first = _solve(_minimising(lean.clone(), base, on_focus), min(FOCUS_SECONDS, FOCUS_SHARE * left()),
                   _total(base, on_focus), running, rng, workers)
    if first is None:
        return None, False
    rest = lean.clone()
    variables = rest.proto.variables
    for (_, day), idxs in cells.items():
        if day in focus:
            for i in idxs:
                variables[i].domain[0] = variables[i].domain[1] = first[i]
    everywhere = [(i, c) for i, c, _ in understaffing]
    floor = _total(first, on_focus)  # the focus days are fixed: nothing can be less short
    second = _solve(_minimising(rest, base, everywhere), min(REST_SECONDS, REST_SHARE * left()),
                    _total(base, everywhere), running, rng, workers, stop_at=floor)
    return second, True


def _minimising(model: cp_model.CpModel, hint: list[int], terms: list[tuple[int, int]]) -> cp_model.CpModel:
    model.clear_hints()
    model.proto.solution_hint.vars.extend(range(len(hint)))
    model.proto.solution_hint.values.extend(hint)
    model.minimize(sum(c * model.get_int_var_from_proto_index(i) for i, c in terms))
    return model


def _solve(model: cp_model.CpModel, seconds: float, beat: int, running, rng: random.Random, workers: int,
           stop_at: int | None = None) -> list[int] | None:
    """The solution below ``beat`` (stopping at the first one, or at ``stop_at``), or None."""
    if seconds < 0.1:
        return None
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = max(2, workers)
    prm.random_seed = rng.randrange(1 << 30)
    prm.max_time_in_seconds = seconds
    code = running.solve(solver, model, _StopBelow(beat if stop_at is None else stop_at + 1))
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value >= beat:
        return None
    return list(solver.response_proto.solution)


def _total(values, terms: list[tuple[int, int]]) -> int:
    return sum(c * values[i] for i, c in terms)
