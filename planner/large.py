"""Search for problems too large to build as one CP-SAT model within the time limit.

A year of 150 people and 32 shift types is over a million shift variables:
building that model takes longer than a minute in Python and CP-SAT's presolve
another minute. Instead:

1. ``planner.construct`` builds a valid roster in seconds (greedy per person,
   exact one-person CP-SAT models where the greedy fails);
2. a window LNS improves it: a few people over a few weeks become a
   sub-problem (``planner.subproblem.window_problem``) built by the same rule
   builders and solved by one-worker CP-SAT runs in ``workers`` threads; a new
   window roster replaces the old one only when the independent checker finds
   it valid and cheaper on the sub-problem rebuilt from the current roster.

So every roster this search holds is checker-valid, and its objective is the
checker's score.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict

from planner.check import evaluate
from planner.construct import construct
from planner.domain import Assignment, Problem
from planner.eligibility import Eligibility
from planner.lns import run_workers
from planner.subproblem import decomposable, solve_fixed_model, window_problem


def estimated_variables(p: Problem) -> int:
    """Shift variables the full model would have (eligible staff x day x template, roughly)."""
    elig = Eligibility(p)
    per_day = sum(len(elig.candidates(s)) for s in p.staff)
    return per_day * p.num_days


class _State:
    def __init__(self, p: Problem, roster: list[Assignment], score) -> None:
        self.cells = {(a.staff, a.day): a.template for a in roster}
        self.score = score
        self.lock = threading.Lock()
        self.size = max(3, min(8, len(p.staff) // 8))
        self.weeks = 2 if p.num_days >= 14 else 1

    def roster(self) -> list[Assignment]:
        return [Assignment(s, d, t) for (s, d), t in self.cells.items()]


def _sub_roster(cells, sub: Problem, a0: int) -> list[Assignment]:
    ids = {s.id for s in sub.staff}
    return [Assignment(s, d - a0, t) for (s, d), t in cells.items()
            if s in ids and a0 <= d < a0 + sub.num_days]


def large_solve(p: Problem, deadline: float, workers: int, seed: int, report,
                should_stop) -> tuple[list[Assignment] | None, object]:
    """(roster, checker score) of the best valid roster found by ``deadline``, or (None, None)."""
    roster = construct(p, seed=seed, deadline=deadline)
    if roster is None:
        return None, None
    ev = evaluate(p, roster)
    if not ev.feasible:
        return None, None
    state = _State(p, roster, ev.score)
    report(float(ev.score), list(roster))
    if not decomposable(p) or p.num_days < 7:
        return state.roster(), state.score
    # Who could fill each shift need: staff allowed the template.
    elig = Eligibility(p)
    allowed = defaultdict(list)
    for e, s in enumerate(p.staff):
        for _, t, _ in elig.candidates(s):
            allowed[t.id].append(e)
    h = p.num_days

    def pick(rng: random.Random) -> tuple[list[int], int, int]:
        with state.lock:
            size, weeks = state.size, state.weeks
        span = min(h, 7 * weeks)
        first = rng.randrange(0, max(1, h - span + 1))
        first = (first // 7) * 7
        last = min(h, first + span)
        people: set[int] = set()
        if p.shift_covers and rng.random() < 0.6:
            with state.lock:
                counts = defaultdict(int)
                for (sid, d), tid in state.cells.items():
                    if first <= d < last:
                        counts[(d, tid)] += 1
            short = [c for c in p.shift_covers if first <= c.day < last
                     and counts[(c.day, c.template)] < c.required]
            rng.shuffle(short)
            for c in short[:3]:
                pool = allowed.get(c.template, [])
                people.update(rng.sample(pool, min(len(pool), max(1, size // 3))))
        while len(people) < min(size, len(p.staff)):
            people.add(rng.randrange(len(p.staff)))
        return sorted(people), first, last

    def step(rng: random.Random) -> None:
        people, first, last = pick(rng)
        with state.lock:
            cells = dict(state.cells)
        sub, a0 = window_problem(p, cells, people, first, last)
        old = _sub_roster(cells, sub, a0)
        seconds = min(1.5, deadline - time.perf_counter() - 0.3)
        if seconds < 0.2:
            return
        started = time.perf_counter()
        new = solve_fixed_model(sub, old, seconds, seed=rng.randrange(1 << 30))
        quick = time.perf_counter() - started < 0.6 * seconds
        if new is None:
            with state.lock:
                state.size = max(2, state.size - 1)
            return
        with state.lock:
            # Judge against the roster as it is now (another thread may have moved).
            now_sub, a1 = window_problem(p, state.cells, people, first, last)
            before = evaluate(now_sub, _sub_roster(state.cells, now_sub, a1))
            after = evaluate(now_sub, new)
            state.size = min(len(p.staff), state.size + 1) if quick else max(2, state.size - 1)
            if not after.feasible or not before.feasible or after.score >= before.score:
                return
            ids = {x.id for x in sub.staff}
            for (sid, d) in [k for k in state.cells if k[0] in ids and first <= k[1] < last]:
                del state.cells[(sid, d)]
            for a in new:
                if first <= a.day + a1 < last:
                    state.cells[(a.staff, a.day + a1)] = a.template
            state.score += after.score - before.score
            report(float(state.score), state.roster)

    run_workers(workers, seed, step, lambda: time.perf_counter() < deadline - 0.5 and not should_stop())
    return state.roster(), state.score
