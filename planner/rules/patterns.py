"""Redundant network-flow encoding of each person's runs of days (tight linear relaxation).

The day-by-day work/off sequence of one person is accepted by a small automaton
that tracks the current run (work or off, its length, whether it touches the
start of the horizon) and, when it binds, the weekends worked so far. Unrolled
over the horizon it is a layered graph; one Boolean per arc with flow
conservation is an exact (integral) description of the sequences allowed by
max/min consecutive working days, min consecutive days off and max weekends,
so the LP bound sees them together. The clause and window rules stay in place;
this only adds strength: with the ``max_lp`` worker it closes most of the gap
on Curtois instances 4-6 (planner/README.md).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.model import Model

MAX_ARCS_PER_PERSON = 40_000


def run_automaton(max_cons: int | None, min_cons: int, min_off: int, horizon: int):
    """Transitions ``{state: [(label, next_state)]}`` of the run automaton and its start.

    States are ``(kind, length, edge)``: kind 'S' (start), 'W' (working) or 'O'
    (off); ``edge`` marks a run that began at day 0, exempt from the minimums
    (as is any run that reaches the last day, so every state accepts).
    """
    cap_w = max_cons if max_cons is not None else max(1, min_cons)
    start = ("S", 0, True)
    trans: dict[tuple, list[tuple[int, tuple]]] = {}
    todo, seen = [start], {start}
    while todo:
        s = todo.pop()
        kind, length, edge = s
        out = []
        # work today
        if kind == "W":
            if max_cons is None or length + 1 <= max_cons:
                nl = min(length + 1, cap_w) if max_cons is None else length + 1
                out.append((1, ("W", nl, edge and nl < min_cons)))
        elif kind == "S":
            out.append((1, ("W", 1, 1 < min_cons)))
        elif edge or length >= min_off:
            out.append((1, ("W", 1, False)))
        # off today
        if kind == "O":
            nl = min(length + 1, min_off)
            out.append((0, ("O", nl, edge and nl < min_off)))
        elif kind == "S":
            out.append((0, ("O", 1, 1 < min_off)))
        elif edge or length >= min_cons:
            out.append((0, ("O", 1, False)))
        trans[s] = out
        for _, n in out:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return start, trans


def _person_flow(m: Model, e: int) -> None:
    p, s = m.p, m.p.staff[e]
    h = p.num_days
    work = [m.work(e, d) for d in range(h)]
    weekends = p.weekends()
    limit = s.max_weekends
    count_weekends = limit is not None and limit < len(weekends)
    sunday_after_saturday = {days[1] for days in weekends if len(days) == 2}
    weekend_first = {days[0] for days in weekends}
    start, trans = run_automaton(s.max_consecutive_days, s.min_consecutive_days,
                                 s.min_consecutive_days_off, h)
    layers: list[list[tuple]] = []
    frontier = {(start, 0)}
    for d in range(h):
        fixed_off = isinstance(work[d], int)
        arcs = []
        nxt = set()
        for node in frontier:
            state, count = node
            for label, state2 in trans[state]:
                if fixed_off and label == 1:
                    continue
                c2 = count
                if count_weekends and label == 1:
                    new_weekend = d in weekend_first or (
                        d in sunday_after_saturday and state[0] != "W")
                    if new_weekend:
                        c2 += 1
                        if c2 > limit:
                            continue
                arcs.append((node, label, (state2, c2)))
                nxt.add((state2, c2))
        layers.append(arcs)
        frontier = nxt
        if sum(len(a) for a in layers) > MAX_ARCS_PER_PERSON:
            return  # too large to pay off; the clause rules still hold
    alive = frontier
    for d in range(h - 1, -1, -1):
        layers[d] = [a for a in layers[d] if a[2] in alive]
        alive = {a[0] for a in layers[d]}
    if not layers or not layers[0]:
        return
    lits = [[m.cp.new_bool_var("") for _ in arcs] for arcs in layers]
    m.__dict__.setdefault("flows", []).append((e, start, layers, lits))
    m.cp.add_exactly_one(lits[0])
    for d in range(1, h):
        flow: dict[tuple, list] = {}
        for (a, _, b), v in zip(layers[d - 1], lits[d - 1]):
            flow.setdefault(b, [[], []])[0].append(v)
        for (a, _, b), v in zip(layers[d], lits[d]):
            flow.setdefault(a, [[], []])[1].append(v)
        for into, out in flow.values():
            m.cp.add(cp_model.LinearExpr.sum(into) == cp_model.LinearExpr.sum(out))
    for d in range(h):
        if isinstance(work[d], int):
            continue
        ones = [v for (_, label, _), v in zip(layers[d], lits[d]) if label == 1]
        m.cp.add(cp_model.LinearExpr.sum(ones) == work[d])


def run_pattern_flow(m: Model) -> None:
    """Per person, the layered-graph flow of allowed work/off sequences (redundant)."""
    if m.explain:
        return
    for e, s in enumerate(m.p.staff):
        binding = (s.max_consecutive_days is not None or s.min_consecutive_days > 1
                   or s.min_consecutive_days_off > 1 or s.max_weekends is not None)
        if binding:
            _person_flow(m, e)


def complete_flow_values(m: Model, values: list[int]) -> bool:
    """Extend a lean solution with the arc literals of every person's flow.

    A solution of the model without the (redundant) flow determines the unique
    path through each person's layered graph; returns False if one is missing.
    """
    missing = len(m.cp.proto.variables) - len(values)
    if missing > 0:
        values.extend([0] * missing)
    for e, start, layers, lits in m.__dict__.get("flows", []):
        node = (start, 0)
        for d, (arcs, vs) in enumerate(zip(layers, lits)):
            w = m.work(e, d)
            label = 0 if isinstance(w, int) else values[w.index]
            nxt = None
            for (a, lab, b), v in zip(arcs, vs):
                hit = a == node and lab == label and nxt is None
                values[v.index] = 1 if hit else 0
                if hit:
                    nxt = b
            if nxt is None:
                return False
            node = nxt
    return True
