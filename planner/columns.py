"""Pattern start: column generation over one person's whole-horizon roster.

Where people interact only through staffing needs (no budget, no fairness
terms: ``separable``), the problem splits into one small model per person
(every labour rule, requests, pay) plus the needs. Column generation solves
the linear relaxation of "pick one pattern per person": a master LP (GLOP)
over the patterns found so far puts a price on each need (its dual value),
and each person's pricing finds the patterns of least own cost minus the
prices of the needs they would fill; those join the master, until no pattern
pays or the time share is spent. The pricing is an exact shortest path over
days (``planner.pathprice``, compiled: 0.2-40 ms a person on Curtois 8 and
12 against 40-90 ms) where the person's rules allow it, else the person's
own CP-SAT model. Dual prices are
smoothed (Wentges) so that they settle in a few rounds.

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
from planner.dive import dive
from planner.domain import Problem
from planner.pathprice import EXACT_MOST_CELLS, EXACT_MOST_STATES, PathPricer, own_costs, warm_up

PRICE_SCALE = 1000  # pricing objective units per internal unit (duals are fractional)
SMOOTHING = 0.5  # weight of the previous round's prices in the next (damps oscillation)
PRICING_SECONDS = 1.0  # most one person's pricing solve may take
MOST_ROUND_SHARE = 0.25  # a first pass over everyone slower than this share of the time: give up
# People priced per round: a sixth of them, so the master's prices are renewed
# six times per pass (Curtois 12 at 12 s: LP 4070 against 4347 pricing everyone
# each round).
PARTS = 6
# The last pass over everyone, at the LP's own prices, for the bound: it runs
# after the share (a pass costs about 1 s on Curtois 12), each person's pricing
# given up to this long so that it ends proven.
BOUND_SECONDS = 0.2
# The dive (planner.dive) only when the column generation converged within this
# share of its time: on Curtois 7, 8 and 9 it converged in 1.2, 2.7 and 1.1 s of
# 12 and the dive took 1.7, 2.5-3.0 and 1.2 s; on 12 it converged in 7.5 s and the
# dive had not ended after 50 s (60 people, 50 ms a master solve).
DIVE_MOST_SHARE = 0.4
# The dive may run past the column generation's time by this share of it: on
# Curtois 8 it took 3-9 s after a convergence at about 3 s of 12, close to the
# end, and a dive cut short is lost (planner/README.md, thirtieth session).
# A second dive (dive.REDIVE_RISE) runs within the same time; cut short, the
# first is kept.
DIVE_EXTRA_SHARE = 1.0
PATHS = 3  # rosters a shortest-path pricing returns: the cheapest end states
RETRY_PARAMETERS = "use_preprocessing: false"  # GLOP's, for a master solve it gave up on (Master.solve)


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
        options = [[t for t, _ in self.m.cells[0][d].options] for d in range(p.num_days)]
        # pinned to work, as the model reads a pin: only where some option is left
        forced = [bool(day) and self.m.pinned.get((0, d), -1) not in (-1, None)
                  for d, day in enumerate(options)]
        self.own_problem, self.options, self.forced = own, options, forced
        self.path = PathPricer.build(own, 0, options, forced)
        # the pricer for the bound pass: the same, or one past the speed limits
        self.exact = self.path or PathPricer.build(own, 0, options, forced,
                                                   EXACT_MOST_STATES, EXACT_MOST_CELLS)
        if self.exact is not None:
            self.cost_off, self.cost_work = own_costs(own, 0, options, self.m.scale)

    def fix(self, on: dict[int, int], off: frozenset = frozenset()) -> bool:
        """Price from now on only rosters that work template ``on[d]`` on each day d
        in ``on`` and no (day, template) cell in ``off`` (``planner.dive``), by the
        exact shortest path; False when this person has none (the fixings are
        then not applied)."""
        options = [[on[d]] if d in on else [t for t in day if (d, t) not in off]
                   for d, day in enumerate(self.options)]
        forced = [d in on or f for d, f in enumerate(self.forced)]
        if any(f and not day for f, day in zip(forced, options)):
            return False  # a pinned day left without a shift
        path = PathPricer.build(self.own_problem, 0, options, forced, EXACT_MOST_STATES, EXACT_MOST_CELLS)
        if path is None:
            return False
        self.path = self.exact = path
        return True

    def price(self, prices: dict, seconds: float, seed: int, exact: bool = False
              ) -> tuple[list[tuple[frozenset, int]], float]:
        """Patterns (cells worked, own cost in internal units) found while minimising
        own cost minus ``prices`` of the cells worked, the best one last; and a lower
        bound on that minimum: the shortest path's exact value, or CP-SAT's bound
        (its prices rounded up, so that the bound stays valid). ``exact`` takes the
        shortest path wherever ``self.exact`` has one, even a slow one."""
        path = self.exact if exact else self.path
        if path is not None:
            return self._price_path(prices, path)
        coef: dict[int, int] = {}
        for v, c in self.own:
            coef[v] = coef.get(v, 0) + c * PRICE_SCALE
        for cell, i in self.cells.items():
            price = prices.get(cell, 0.0)
            if price:
                coef[i] = coef.get(i, 0) - math.ceil(price * PRICE_SCALE)
        _set_objective(self.m.cp, [(v, c) for v, c in coef.items() if c], self.offset * PRICE_SCALE)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        found = _Patterns(self)
        code = solver.solve(self.m.cp, found)
        least = float("-inf")
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and math.isfinite(solver.best_objective_bound):
            least = solver.best_objective_bound / PRICE_SCALE
        return found.patterns, least

    def _price_path(self, prices: dict, path: PathPricer) -> tuple[list[tuple[frozenset, int]], float]:
        """``price`` by the exact shortest path: its value is the least itself."""
        e = self.e
        priced = [{j: own - prices.get((e, d, j), 0.0) for j, own in day.items()}
                  for d, day in enumerate(self.cost_work)]
        value, paths = path.solve(self.cost_off, priced, PATHS)
        if not paths:
            return [], float("-inf")
        patterns = []
        for path in reversed(paths):  # the best one last
            worked = dict(path)
            own = sum(self.cost_work[d][worked[d]] if d in worked else off
                      for d, off in enumerate(self.cost_off))
            patterns.append((frozenset((e, d, j) for d, j in path), own))
        # a float sum: stay below it by more than its rounding could have added
        size = sum(map(abs, self.cost_off)) + sum(abs(c) for day in priced for c in day.values())
        return patterns, value - 1e-9 * max(1.0, size)


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
        self.sense: list[int] = []  # +1: at least rhs (dual >= 0); -1: at most (<= 0); 0: equal
        self.rhs: list[float] = []
        self.slacks: list[tuple[int, int, float, float]] = []  # (row, sign, most, cost)
        self.rows_of: dict[tuple, list[int]] = {}
        self.understaffing: list[pywraplp.Variable] = []  # shortfall slacks of needs someone could fill
        self.short_keys: list[list[tuple]] = []  # the cells that fill each of them
        key_of = {v.index: key for key, v in m.x.items()}
        for lits, c in m.cover_rows:
            keys = [key_of[v.index] for v in lits]
            req = c.required
            pref = c.preferred if c.preferred is not None and c.preferred > req else req
            under = req > 0 or (pref > req and c.preferred_weight > 0)
            over = (c.over_weight is None or c.over_weight > 0) and len(lits) > pref
            least = pref if pref > req and c.preferred_weight > 0 else req
            short = [(1, req, big if c.under_weight is None else c.under_weight * m.scale)]
            if pref > req and c.preferred_weight > 0:
                short.append((1, pref - req, c.preferred_weight * m.scale))
            excess = [(-1, inf, big if c.over_weight is None else c.over_weight * m.scale)]
            if under and over and least == pref:
                # one row: people + shortfall - excess = the level wanted (half the
                # rows of a row each way, so GLOP re-solves faster)
                made = self._add_row(keys, 0, pref, short + excess)
            else:
                made = self._add_row(keys, 1, least, short) if under else []
                if over:
                    self._add_row(keys, -1, pref, excess)
            if made and keys:
                self.understaffing.append(made[0])
                self.short_keys.append(keys)
        self.columns: list[list[tuple[frozenset, pywraplp.Variable]]] = [[] for _ in range(people)]
        self.known: list[set[frozenset]] = [set() for _ in range(people)]  # patterns in columns
        self.duals: list[float] = []

    def _add_row(self, keys, sense: int, rhs: float, slacks) -> list[pywraplp.Variable]:
        """Add a need's row; its slack variables, in the order of ``slacks``."""
        inf = self.lp.infinity()
        row = self.lp.Constraint(rhs, inf if sense > 0 else rhs) if sense >= 0 \
            else self.lp.Constraint(-inf, rhs)
        r = len(self.rows)
        made = []
        for sign, most, cost in slacks:
            v = self.lp.NumVar(0, most, "")
            made.append(v)
            row.SetCoefficient(v, sign)
            self.objective.SetCoefficient(v, cost)
            self.slacks.append((r, sign, most, cost))
        self.rows.append(row)
        self.sense.append(sense)
        self.rhs.append(rhs)
        for key in keys:
            self.rows_of.setdefault(key, []).append(r)
        return made

    def add(self, e: int, work: frozenset, cost: int) -> bool:
        """Add a pattern of person ``e`` (False when it is already there)."""
        if work in self.known[e]:
            return False
        self.known[e].add(work)
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
        """(LP value, price of each cell, each person's dual), or None if GLOP fails
        even without its presolve.

        On Curtois 12 (seed 81) GLOP gave up (ABNORMAL) on the 16th master
        solve, and the whole column generation with it: no LP count, no bound,
        4192 and 4295 at a minute where other seeds reach about 4060. The same
        LP solved without GLOP's presolve (planner/README.md, twenty-third
        session)."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            self.lp.SetSolverSpecificParametersAsString(RETRY_PARAMETERS)
            code = self.lp.Solve()
            self.lp.SetSolverSpecificParametersAsString("")
            if code != pywraplp.Solver.OPTIMAL:
                return None
        # Duals of the right sign only (GLOP's may stray by rounding): any such
        # prices give a valid Lagrangian bound (``lagrangian``).
        self.duals = [max(0.0, row.dual_value()) if sense > 0 else
                      min(0.0, row.dual_value()) if sense < 0 else row.dual_value()
                      for row, sense in zip(self.rows, self.sense)]
        self._clip_unbounded()
        prices = {key: sum(self.duals[r] for r in rows) for key, rows in self.rows_of.items()}
        return self.objective.Value(), prices, [c.dual_value() for c in self.one]

    def _clip_unbounded(self) -> None:
        """A dual past an unbounded slack's cost (a rounding in GLOP) makes the
        Lagrangian bound minus infinity; at the cost it is as valid and finite."""
        for r, sign, most, cost in self.slacks:
            if most == self.lp.infinity() and cost - self.duals[r] * sign < 0:
                self.duals[r] = cost * sign

    def lagrangian(self, least: list[float]) -> float:
        """A lower bound on the objective (internal units) from the last solve's
        prices, given for each person a lower bound on their least own cost minus
        the prices of the cells they work (``least``, from a pricing pass at those
        prices): the Lagrangian relaxation of the needs, valid whatever the prices."""
        bound = sum(least) + sum(d * rhs for d, rhs in zip(self.duals, self.rhs))
        for r, sign, most, cost in self.slacks:
            reduced = cost - self.duals[r] * sign
            if reduced < 0:
                if most == self.lp.infinity():
                    return float("-inf")  # (``solve`` clips such duals: prices set by hand)
                bound += reduced * most
        return bound

    def short(self) -> float:
        """People short in the last LP solution, over the needs someone could fill."""
        return sum(v.solution_value() for v in self.understaffing)

    def short_templates(self) -> set[int]:
        """The templates of the needs left short in the last LP solution."""
        return {t for v, keys in zip(self.understaffing, self.short_keys) if v.solution_value() > 1e-6
                for _, _, t in keys}

    def heaviest(self) -> list[frozenset]:
        """Each person's pattern of largest weight in the last LP solution."""
        return [max(cols, key=lambda wc: wc[1].solution_value())[0] for cols in self.columns]


@dataclass
class PatternStart:
    """What column generation left: each person's heaviest pattern, the master LP's
    value (internal units), whether it is the relaxation's optimum, and how many
    people it leaves short (over needs someone could fill; fractional)."""

    patterns: list[frozenset]
    value: float
    converged: bool
    rounds: int
    bound: float | None = None  # a lower bound on the objective (internal units)
    short: float = 0.0
    dived: frozenset = frozenset()  # templates ``planner.dive`` settled in ``patterns``


def roster_patterns(m, values) -> list[frozenset]:
    """Each person's pattern in a roster's model ``values``: the (person, day,
    template) cells they work, the form ``pattern_start`` starts from."""
    start: list[set] = [set() for _ in m.p.staff]
    for key, v in m.x.items():
        if values[v.index]:
            start[key[0]].add(key)
    return [frozenset(s) for s in start]


def pattern_start(m, start: list[frozenset], seconds: float, workers: int, seed: int,
                  should_stop=lambda: False) -> PatternStart | None:
    """Column generation from the patterns of ``start`` (one set of (person, day,
    template) cells per person) for about ``seconds`` (and a dive after it for at
    most ``DIVE_EXTRA_SHARE`` of that more); None when no round finished."""
    started = time.perf_counter()
    deadline = started + seconds
    people = [Person(m.p, e) for e in range(len(m.p.staff))]
    if any(who.exact is not None for who in people):
        warm_up()
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
            round_started = time.perf_counter()
            found = _price(pool, group, tried, deadline, workers, seed + rounds)
            last_round = time.perf_counter() - round_started
            rounds += 1
            if rounds == 1 and last_round * parts > MOST_ROUND_SHARE * seconds:
                return None  # too few rounds would fit: the patterns would not be coordinated yet
            if _add_paying(master, group, found, prices, mine):
                centre, quiet = tried, 0
            elif centre is not None:
                centre = None  # the smoothed prices found nothing: try the LP's own
            else:
                quiet += 1
                if quiet >= parts:
                    converged = True  # no pattern pays at the LP's own prices, for anyone
                    break
        bound = None
        solved = master.solve() if rounds else None
        if solved is not None and not should_stop():
            # The last pass prices everyone at the LP's own prices: its bounds give
            # the Lagrangian bound, and a pass with no paying pattern proves the LP
            # solved (its patterns are not added: the roster stays the LP's).
            _, prices, mine = solved
            found = _price(pool, people, prices, deadline, workers, seed + rounds, BOUND_SECONDS,
                           exact=True)
            bound = master.lagrangian([least for _, least in found])
            converged = not any(_paying(who, patterns, prices, mine) for who, (patterns, _) in zip(people, found))
        if solved is None:
            return None
        start = PatternStart(master.heaviest(), solved[0], converged, rounds, bound, master.short())
        if converged and not should_stop() and time.perf_counter() - started <= DIVE_MOST_SHARE * seconds:
            dive_deadline = deadline + DIVE_EXTRA_SHARE * seconds

            def price(group, prices):
                return _price(pool, group, prices, dive_deadline, workers, seed, exact=True)

            def settle():
                """The master re-solved until no pattern pays: (value, prices), or None."""
                while time.perf_counter() < dive_deadline and not should_stop():
                    solved = master.solve()
                    if solved is None:
                        return None
                    value, prices, mine = solved
                    if not _add_paying(master, people, price(people, prices), prices, mine):
                        return value, prices
                return None

            dived = dive(master, people, price, settle, m.scale)
            if dived is not None:
                start = replace(start, patterns=dived[0], dived=frozenset(dived[1]))
    return start


def _price(pool, group: list[Person], prices: dict, deadline: float, workers: int, seed: int,
           least: float = 0.05, exact: bool = False):
    """Price everyone in ``group``, each within a fair share of the time left (but at
    least ``least`` seconds), in the pool: CP-SAT pricings and shortest paths alike
    (the compiled pass of a shortest path releases the interpreter lock); ``exact``:
    see ``Person.price``."""
    left = deadline - time.perf_counter()
    budget = min(PRICING_SECONDS, max(least, left * max(1, workers) / len(group)))
    pending = [pool.submit(who.price, prices, budget, seed, exact) for who in group]
    return [job.result() for job in pending]


def _paying(who: Person, patterns, prices: dict, mine: list[float]):
    """The patterns of ``who`` whose reduced cost at the LP's prices is negative."""
    return [(work, cost) for work, cost in patterns
            if cost - sum(prices.get(k, 0.0) for k in work) - mine[who.e] < -1e-6]


def _add_paying(master: Master, group: list[Person], found, prices: dict, mine: list[float]) -> int:
    """Add to the master the patterns of negative reduced cost; how many were new."""
    added = 0
    for who, (patterns, _) in zip(group, found):
        for work, cost in _paying(who, patterns, prices, mine):
            added += master.add(who.e, work, cost)
    return added


def _set_objective(model: cp_model.CpModel, items: list[tuple[int, int]], offset: float) -> None:
    """Replace the objective of ``model`` by sum(coefficient * variable) + offset."""
    o = model.proto.objective
    o.vars.clear()
    o.coeffs.clear()
    o.vars.extend(v for v, _ in items)
    o.coeffs.extend(c for _, c in items)
    o.offset = offset


def _own_cost(who: Person, work: frozenset) -> int:
    """Own cost of a given pattern: the person's model with its shifts fixed."""
    fixed = who.m.cp.clone()
    _set_objective(fixed, who.own, who.offset)
    variables = fixed.proto.variables
    for cell, i in who.cells.items():
        variables[i].domain[0] = variables[i].domain[1] = int(cell in work)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 1.0
    if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return round(solver.objective_value)
    return sum(abs(c) for _, c in who.own) + 1  # not a valid pattern alone: never preferred
