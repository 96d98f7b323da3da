"""Pattern start: column generation over one person's whole-horizon roster.

Where people interact only through staffing needs (no budget, no fairness
terms: ``separable``), the problem splits into one small model per person
(every labour rule, requests, pay) plus the needs. Column generation solves
the linear relaxation of "pick one pattern per person": a master LP (GLOP)
over the patterns found so far puts a price on each need (its dual value),
and each person's own CP-SAT model finds the patterns of least own cost minus
the prices of the needs they would fill; those join the master, until no
pattern pays or the time share is spent. Dual prices are smoothed (Wentges)
so that they settle in a few rounds.

The LP's patterns are coordinated across people and across the month: on
Curtois 8 each person able to work nights works their whole quota of them,
which the LNS, moving a few people or days at a time, rarely reaches from a
greedy roster. The start roster takes each person's pattern of largest LP
weight; it keeps every per-person rule, its coverage is off in places, and
the LNS repairs that (measurements in planner/README.md).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.build import build_model
from planner.domain import Problem

PRICE_SCALE = 1000  # pricing objective units per internal unit (duals are fractional)
SMOOTHING = 0.5  # weight of the previous round's prices in the next (damps oscillation)
PRICING_SECONDS = 1.0  # most one person's pricing solve may take
MOST_ROUND_SHARE = 0.25  # a first pass over everyone slower than this share of the time: give up
# People priced per round: a sixth of them, so the master's prices are renewed
# six times per pass (Curtois 12 at 12 s: LP 4070 against 4347 pricing everyone
# each round).
PARTS = 6


def separable(p: Problem) -> bool:
    """Whether people interact only through staffing needs (no budget, no fairness)."""
    w = p.weights
    budget_couples = p.budget is not None and (p.budget.hard or w.over_budget_per_dollar > 0)
    return not budget_couples and not (w.fair_weekends or w.fair_late or w.fair_hours)


class Person:
    """One person's own model (every rule but the needs); prices patterns against needs."""

    def __init__(self, p: Problem, e: int) -> None:
        s = p.staff[e]
        own = replace(p, staff=[s], shift_covers=[], window_covers=[],
                      requests=[r for r in p.requests if r.staff == s.id],
                      unavailability=[u for u in p.unavailability if u.staff == s.id],
                      pins=[x for x in p.pins if x.staff == s.id],
                      reference=[a for a in p.reference if a.staff == s.id])
        self.e = e
        self.m = build_model(own, redundant=False)
        o = self.m.cp.proto.objective
        self.own = list(zip(o.vars, o.coeffs))
        self.offset = int(o.offset)
        self.cells = {(e, d, t): v.index for (_, d, t), v in self.m.x.items()}

    def price(self, prices: dict, seconds: float, seed: int) -> list[tuple[frozenset, int]]:
        """Patterns (cells worked, own cost in internal units) found while minimising
        own cost minus ``prices`` of the cells worked; the best one last."""
        coef: dict[int, int] = {}
        for v, c in self.own:
            coef[v] = coef.get(v, 0) + c * PRICE_SCALE
        for cell, i in self.cells.items():
            price = prices.get(cell, 0.0)
            if price:
                coef[i] = coef.get(i, 0) - math.ceil(price * PRICE_SCALE)
        o = self.m.cp.proto.objective
        o.vars.clear()
        o.coeffs.clear()
        items = [(v, c) for v, c in coef.items() if c]
        o.vars.extend(v for v, _ in items)
        o.coeffs.extend(c for _, c in items)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        found = _Patterns(self)
        solver.solve(self.m.cp, found)
        return found.patterns


class _Patterns(cp_model.CpSolverSolutionCallback):
    def __init__(self, person: Person) -> None:
        super().__init__()
        self.person = person
        self.patterns: list[tuple[frozenset, int]] = []

    def on_solution_callback(self) -> None:
        values = self.response_proto.solution
        who = self.person
        work = frozenset(cell for cell, i in who.cells.items() if values[i])
        self.patterns.append((work, sum(c * values[v] for v, c in who.own) + who.offset))


class Master:
    """The restricted master LP: one convex combination of patterns per person,
    each need's shortfall and excess at their weights (hard needs at a large one)."""

    def __init__(self, m, people: int) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        inf = self.lp.infinity()
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        self.one = [self.lp.Constraint(1, 1) for _ in range(people)]
        soft = [w for _, c in m.cover_rows for w in (c.under_weight, c.over_weight, c.preferred_weight)
                if w]
        big = 100 * m.scale * max(soft + [1000])
        self.rows: list[pywraplp.Constraint] = []
        self.rows_of: dict[tuple, list[int]] = {}
        key_of = {v.index: key for key, v in m.x.items()}
        for lits, c in m.cover_rows:
            keys = [key_of[v.index] for v in lits]
            req = c.required
            pref = c.preferred if c.preferred is not None and c.preferred > req else req
            if req > 0 or (pref > req and c.preferred_weight > 0):
                row = self.lp.Constraint(pref if pref > req and c.preferred_weight > 0 else req, inf)
                self._slack(row, req, big if c.under_weight is None else c.under_weight * m.scale)
                if pref > req and c.preferred_weight > 0:
                    self._slack(row, pref - req, c.preferred_weight * m.scale)
                self._add_row(row, keys)
            if (c.over_weight is None or c.over_weight > 0) and len(lits) > pref:
                row = self.lp.Constraint(-inf, pref)
                self._slack(row, inf, big if c.over_weight is None else c.over_weight * m.scale, -1)
                self._add_row(row, keys)
        self.columns: list[list[tuple[frozenset, pywraplp.Variable]]] = [[] for _ in range(people)]

    def _slack(self, row, most, cost, sign: int = 1) -> None:
        v = self.lp.NumVar(0, most, "")
        row.SetCoefficient(v, sign)
        self.objective.SetCoefficient(v, cost)

    def _add_row(self, row, keys) -> None:
        self.rows.append(row)
        for key in keys:
            self.rows_of.setdefault(key, []).append(len(self.rows) - 1)

    def add(self, e: int, work: frozenset, cost: int) -> bool:
        """Add a pattern of person ``e`` (False when it is already there)."""
        if any(w == work for w, _ in self.columns[e]):
            return False
        v = self.lp.NumVar(0, self.lp.infinity(), "")
        self.one[e].SetCoefficient(v, 1)
        self.objective.SetCoefficient(v, cost)
        for key in work:
            for r in self.rows_of.get(key, ()):
                row = self.rows[r]
                row.SetCoefficient(v, row.GetCoefficient(v) + 1)
        self.columns[e].append((work, v))
        return True

    def solve(self) -> tuple[float, dict, list[float]] | None:
        """(LP value, price of each cell, each person's dual), or None if GLOP fails."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        duals = [row.dual_value() for row in self.rows]
        prices = {key: sum(duals[r] for r in rows) for key, rows in self.rows_of.items()}
        return self.objective.Value(), prices, [c.dual_value() for c in self.one]

    def heaviest(self) -> list[frozenset]:
        """Each person's pattern of largest weight in the last LP solution."""
        return [max(cols, key=lambda wc: wc[1].solution_value())[0] for cols in self.columns]


@dataclass
class PatternStart:
    """What column generation left: each person's heaviest pattern, the master LP's
    value (internal units) and whether it is the relaxation's optimum."""

    patterns: list[frozenset]
    value: float
    converged: bool
    rounds: int


def pattern_start(m, start: list[frozenset], seconds: float, workers: int, seed: int,
                  should_stop=lambda: False) -> PatternStart | None:
    """Column generation from the patterns of ``start`` (one set of (person, day,
    template) cells per person) for about ``seconds``; None when no round finished."""
    deadline = time.perf_counter() + seconds
    people = [Person(m.p, e) for e in range(len(m.p.staff))]
    master = Master(m, len(people))
    for who, work in zip(people, start):
        master.add(who.e, work, _own_cost(who, work))
    centre = None
    converged = False
    rounds = quiet = 0
    parts = max(1, min(PARTS, len(people)))
    last_round = 0.0
    with ThreadPoolExecutor(max(1, workers)) as pool:
        while not should_stop():
            left = deadline - time.perf_counter()
            if left <= 0 or (rounds and left < 0.5 * last_round):
                break
            solved = master.solve()
            if solved is None:
                return None
            _, prices, mine = solved
            tried = prices if centre is None else {
                k: SMOOTHING * centre.get(k, 0.0) + (1 - SMOOTHING) * v for k, v in prices.items()}
            group = people[rounds % parts::parts]
            budget = min(PRICING_SECONDS, max(0.05, left * max(1, workers) / len(group)))
            round_started = time.perf_counter()
            found = list(pool.map(lambda who: who.price(tried, budget, seed + rounds), group))
            last_round = time.perf_counter() - round_started
            rounds += 1
            if rounds == 1 and last_round * parts > MOST_ROUND_SHARE * seconds:
                return None  # too few rounds would fit: the patterns would not be coordinated yet
            added = 0
            for who, patterns in zip(group, found):
                for work, cost in patterns:
                    reduced = cost - sum(prices.get(k, 0.0) for k in work) - mine[who.e]
                    if reduced < -1e-6 and master.add(who.e, work, cost):
                        added += 1
            if added:
                centre, quiet = tried, 0
            elif centre is not None:
                centre = None  # the smoothed prices found nothing: try the LP's own
            else:
                quiet += 1
                if quiet >= parts:
                    converged = True  # no pattern pays at the LP's own prices, for anyone
                    break
    solved = master.solve() if rounds else None
    if solved is None:
        return None
    return PatternStart(master.heaviest(), solved[0], converged, rounds)


def _own_cost(who: Person, work: frozenset) -> int:
    """Own cost of a given pattern: the person's model with its shifts fixed."""
    fixed = who.m.cp.clone()
    o = fixed.proto.objective
    o.vars.clear()
    o.coeffs.clear()
    o.vars.extend(v for v, _ in who.own)
    o.coeffs.extend(c for _, c in who.own)
    variables = fixed.proto.variables
    for cell, i in who.cells.items():
        variables[i].domain[0] = variables[i].domain[1] = int(cell in work)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 1.0
    if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return round(solver.objective_value)
    return sum(abs(c) for _, c in who.own) + 1  # not a valid pattern alone: never preferred
