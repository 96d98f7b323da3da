"""Fix-and-optimise large neighbourhood search over the same CP-SAT model.

CP-SAT's built-in LNS picks random variables; on rosters the useful moves are
structured: re-plan a few people over the whole horizon, everyone over a few
days, or the people who could fill one understaffed need around its date.
Each step copies the lean model (without the redundant flow), fixes every
shift variable outside the neighbourhood to the incumbent, and solves the rest
with a short, one-worker ``max_lp`` search; improvements replace the incumbent.
One thread per worker runs steps concurrently (CP-SAT releases the GIL).
Approach and measurements: /work/lab/curtois/FINDINGS.md (custom LNS with
asynchronous one-worker sub-solves).
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict

from ortools.sat.python import cp_model

from planner.model import Model


class Neighbourhoods:
    """Chooses which (person, day) cells to free in a step."""

    def __init__(self, m: Model) -> None:
        self.m = m
        self.n_staff = len(m.p.staff)
        self.h = m.p.num_days
        owner = {v.index: e for (e, _, _), v in m.x.items()}
        self._need_people = _need_people(m, owner)

    def pick(self, rng: random.Random, values, size: int) -> tuple[set[int], range]:
        kind = rng.random()
        if kind < 0.35 and self._need_people:
            short = [(idx, people, day) for idx, people, day in self._need_people
                     if values[idx] > 0]
            if short:
                _, people, day = rng.choice(short)
                people = list(people)
                rng.shuffle(people)
                chosen = set(people[:size])
                while len(chosen) < min(size, self.n_staff):
                    chosen.add(rng.randrange(self.n_staff))
                span = max(7, min(self.h, 14))
                start = max(0, min(self.h - span, day - span // 2))
                return chosen, range(start, start + span)
        if kind < 0.7:
            chosen = set(rng.sample(range(self.n_staff), min(size, self.n_staff)))
            return chosen, range(self.h)
        span = max(2, min(self.h, 4 * self.h * size // max(1, self.n_staff) // 4 or 2))
        span = min(self.h, max(3, span))
        start = rng.randrange(0, self.h - span + 1)
        chosen = set(rng.sample(range(self.n_staff), min(self.n_staff, max(size * 2, size))))
        return chosen, range(start, start + span)


def _need_people(m: Model, owner: dict[int, int]) -> list[tuple[int, set[int], int]]:
    """(slack variable index, people who could reduce it, day) for each staffing slack."""
    out = []
    for slack, lits, day in getattr(m, "slack_needs", []):
        people = {owner[v.index] for v in lits if v.index in owner}
        if people:
            out.append((slack.index, people, day))
    return out


def lns(m: Model, lean: cp_model.CpModel, values: list[int], deadline: float, workers: int,
        seed: int, report, should_stop, objective_of, step_seconds: float = 1.0) -> list[int]:
    """Improve ``values`` until ``deadline``; ``report(obj, values)`` on each improvement."""
    hood = Neighbourhoods(m)
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (e, d, _), v in m.x.items():
        cells[(e, d)].append(v.index)
    state = {"values": list(values), "obj": objective_of(m, values), "size": max(2, len(m.p.staff) // 6)}
    lock = threading.Lock()

    def step(rng: random.Random) -> None:
        with lock:
            base = state["values"]
            best = state["obj"]
            size = state["size"]
        chosen, days = hood.pick(rng, base, size)
        free = set(days)
        sub = lean.clone()
        sub.clear_hints()
        variables = sub.proto.variables
        for (e, d), idxs in cells.items():
            if e in chosen and d in free:
                continue
            for i in idxs:
                dom = variables[i].domain
                dom[0] = dom[1] = base[i]
        hint = sub.proto.solution_hint
        hint.vars.extend(range(len(base)))
        hint.values.extend(base)
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = 1
        prm.random_seed = rng.randrange(1 << 30)
        prm.max_time_in_seconds = max(0.05, min(step_seconds, deadline - time.perf_counter()))
        prm.subsolvers.append("max_lp")
        # The copy still holds every fixed variable: a light presolve removes them
        # without the full pass that otherwise dominates a one-second step.
        prm.max_presolve_iterations = 1
        prm.cp_model_probing_level = 0
        prm.symmetry_level = 0
        code = solver.solve(sub)
        with lock:
            if code == cp_model.OPTIMAL:
                state["size"] = min(len(m.p.staff), state["size"] + 1)
            elif code in (cp_model.FEASIBLE, cp_model.UNKNOWN):
                state["size"] = max(2, state["size"] - 1)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                obj = round(solver.objective_value)
                if obj < state["obj"]:
                    state["obj"] = obj
                    state["values"] = list(solver.response_proto.solution)
                    report(obj, state["values"])

    def run(tid: int) -> None:
        rng = random.Random(seed * 7919 + tid)
        while time.perf_counter() < deadline - 0.05 and not should_stop():
            step(rng)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state["values"]
