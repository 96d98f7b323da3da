"""Exact pricing by dynamic programming over days: one person's cheapest roster.

Column generation (``planner.columns``) asks again and again, for one person,
for the roster of least own cost minus the prices of the cells worked. A
CP-SAT solve answers in 70-90 ms on Curtois 8 and 12, so that only 200-260
answers fit in the time share there and the master LP does not settle.

Every rule of one person that the benchmarks use reads the days left to
right: runs of days on and off, weekends, total minutes, shifts per template,
next-day sequences. So the cheapest roster is a shortest path over states
(class of the last shift, length of the current run, minutes so far, weekends
so far, shifts of each limited template so far), and with few enough states a
dense numpy array per day finds it exactly: its value is the pricing optimum,
so it is also the bound. People with a rule it does not read (weekly hours,
pay and overtime, rests reaching past the next day) or with too many states
return None from ``PathPricer.build`` and keep CP-SAT.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from planner.domain import Problem, short_rest_pairs

MOST_STATES = 200_000  # states per day beyond which the arrays cost more than CP-SAT
MOST_CELLS = 6_000_000  # states over all days (every day's values are kept, 8 bytes each)
# Limits for a pricing whose exact value matters more than its speed (the bound
# pass of planner.columns): Curtois 8's night workers have 213 750 states a day,
# 0.1 s a path against 0.04-0.08 s for CP-SAT, whose bound at 0.2 s was 12 below
# the optimum for one of them (Lagrangian bound 1284.2 against the LP's 1296.6).
EXACT_MOST_STATES = 400_000
EXACT_MOST_CELLS = 12_000_000  # about 100 MB while one pricing runs
INF = math.inf


@dataclass(frozen=True)
class _State:
    last: int  # 0 off (or before day 0), else 1 + class of the last template worked
    run: int  # length of the current run of work or of days off (capped)
    minutes: int  # paid minutes so far, in units of ``unit`` (capped when there is no maximum)
    weekends: int  # weekends worked so far (0 when not limited)
    counts: tuple[int, ...]  # shifts so far of each limited template


@dataclass(frozen=True)
class _Counter:
    """Shifts so far of the templates in ``templates``, on state axis ``axis``.

    Either at most ``size - 1`` shifts of one template (``complement`` False),
    or, for a template limited to ``limit`` shifts when every shift has one
    length (so the minutes count the shifts), the shifts of every other
    template, capped at ``size - 1``: the limit holds when all the shifts less
    these others stay within it, checked at the end.
    """

    axis: int
    templates: frozenset
    size: int
    complement: bool = False
    limit: int = 0


class PathPricer:
    """Shortest-path pricing for one person; see the module docstring."""

    @classmethod
    def build(cls, p: Problem, e: int, options: list[list[int]], forced: list[bool],
              most_states: int | None = None, most_cells: int | None = None) -> PathPricer | None:
        """The pricer of person ``e``, or None when a rule is outside what it reads
        or its states pass the limits (``MOST_STATES`` and ``MOST_CELLS`` unless given).

        ``options[d]`` lists the template indexes the person may work on day d
        (eligibility, leave and pins already applied); ``forced[d]`` says the
        day is pinned to work.
        """
        s = p.staff[e]
        used = sorted({j for day in options for j in day})
        workable = set(used)
        if s.min_minutes_per_week > 0 or s.max_minutes_per_week is not None:
            return None
        if p.weights.pay and s.pay_cents_per_hour:
            return None
        if s.max_consecutive_days is not None and s.max_consecutive_days < 1:
            return None  # validation turns it away; the runs below read a limit of 1 at least
        banned: dict[int, set[int]] = {j: set() for j in used}
        index = p.template_positions()
        for f in p.forbidden_sequences:
            a, b = index[f.first], index[f.then]
            if a in workable and b in workable:
                if f.gap_days != 1:
                    return None
                banned[a].add(b)
        for (a, gap), later in short_rest_pairs(p).items():
            hit = later & workable
            if a in workable and hit:
                if gap != 1:
                    return None
                banned[a] |= hit
        pricer = cls(p, e, options, forced, banned)
        cells = math.prod(pricer.shape)
        if cells > (most_states or MOST_STATES) or (p.num_days + 1) * cells > (most_cells or MOST_CELLS):
            return None
        return pricer

    def __init__(self, p: Problem, e: int, options: list[list[int]], forced: list[bool],
                 banned: dict[int, set[int]]) -> None:
        """The state grid of person ``e``; ``banned[j]``: the templates that may not
        follow j the next day (``build`` says whether the grid is small enough)."""
        s = p.staff[e]
        used = sorted(banned)
        index = p.template_positions()
        self.h = h = p.num_days
        self.options = options
        self.forced = forced
        # templates after which the same ones are banned tomorrow share a class (1, 2, ...)
        classes: dict[frozenset, int] = {}
        self.cls = {}
        for j in used:
            key = frozenset(banned[j])
            if key not in classes:
                classes[key] = len(classes)
            self.cls[j] = 1 + classes[key]
        self.k = 1 + len(classes)  # with 0 for a day off
        # the classes of last shift after which j may be worked tomorrow
        self.allowed_after = {j: [1 + c for key, c in classes.items() if j not in key] for j in used}
        self.min_run = max(1, s.min_consecutive_days)
        longest = s.max_consecutive_days
        self.max_run = longest if longest is not None and longest < h else None
        self.work_cap = self.max_run if self.max_run is not None else self.min_run
        self.off_cap = max(1, s.min_consecutive_days_off)
        self.min_off = s.min_consecutive_days_off
        self.runs = max(self.work_cap, self.off_cap) + 1
        # minutes
        lengths = {j: p.templates[j].paid_minutes for j in used}
        self.unit = math.gcd(*[m for m in lengths.values() if m]) if any(lengths.values()) else 1
        self.length = {j: m // self.unit for j, m in lengths.items()}
        most_possible = sum(max((self.length[j] for j in day), default=0) for day in options)
        self.min_units = -(-s.min_minutes_total // self.unit)
        if s.max_minutes_total is not None:
            self.clamped = False
            top = min(s.max_minutes_total // self.unit, most_possible)
        elif s.min_minutes_total > 0:
            self.clamped = True  # no maximum: minutes above the minimum are all alike
            top = self.min_units
        else:
            self.clamped, top = True, 0
        self.m_size = top + 1
        # weekends
        ends = p.weekends()
        self.weekend_of = [-1] * h
        for w, days in enumerate(ends):
            for d in days:
                self.weekend_of[d] = w
        self.weekends_limited = s.max_weekends is not None and s.max_weekends < len(ends)
        self.w_size = s.max_weekends + 1 if self.weekends_limited else 1
        # shifts per template: a counter per limited template, or, when every
        # shift has one length (so the minutes say how many shifts), a counter
        # of the other shifts up to the few that keep it within its limit
        # (with one length, the unit is that length: one unit of minutes is one shift)
        one_length = len(set(self.length.values())) == 1 and min(self.length.values()) > 0 \
            and not self.clamped
        most_shifts = top if one_length else 0
        self.counters: list[_Counter] = []
        for tid, limit in s.max_shifts.items():
            j = index[tid]
            if j not in banned or limit >= sum(1 for day in options if j in day):
                continue
            if one_length and most_shifts <= limit:
                continue  # the minutes already keep it within the limit
            axis = 4 + len(self.counters)
            if one_length and most_shifts - limit < limit:
                self.counters.append(_Counter(axis, frozenset(used) - {j}, most_shifts - limit + 1,
                                              complement=True, limit=limit))
            else:
                self.counters.append(_Counter(axis, frozenset({j}), limit + 1))
        self.shape = (self.k, self.runs, self.m_size, self.w_size, *(c.size for c in self.counters))
        # templates that move the state alike share one pass: the cheapest of them wins
        self.groups: list[list[list[int]]] = []
        for day in options:
            alike: dict[tuple, list[int]] = {}
            for j in day:
                key = (self.cls[j], self.length[j], tuple(self.allowed_after[j]),
                       tuple(j in c.templates for c in self.counters))
                alike.setdefault(key, []).append(j)
            self.groups.append(list(alike.values()))

    # ------------------------------------------------------------------ forward
    def _inc(self, d: int, from_work: bool) -> int:
        """Weekends added by working day d after working (or not) the day before."""
        w = self.weekend_of[d]
        if w < 0 or not self.weekends_limited:
            return 0
        return 0 if from_work and d > 0 and self.weekend_of[d - 1] == w else 1

    def _shift(self, a: np.ndarray, axis: int, by: int, clamp: bool = False) -> np.ndarray:
        """``a`` moved ``by`` places up its ``axis``: what falls off the top is
        dropped (a limit passed), or, when ``clamp``, its least value kept at the top."""
        if by == 0:
            return a
        n = a.shape[axis]
        out = np.full_like(a, INF)
        if by < n:
            src = [slice(None)] * a.ndim
            dst = [slice(None)] * a.ndim
            src[axis], dst[axis] = slice(0, n - by), slice(by, n)
            out[tuple(dst)] = a[tuple(src)]
        if clamp:
            top = [slice(None)] * a.ndim
            top[axis] = n - 1
            over = [slice(None)] * a.ndim
            over[axis] = slice(max(0, n - by), n)
            out[tuple(top)] = np.minimum(out[tuple(top)], a[tuple(over)].min(axis=axis))
        return out

    def _work_into(self, j: int, d: int, v: np.ndarray, from_off: np.ndarray, cost: float,
                   out: np.ndarray, after_work: dict) -> None:
        """Fold ``v`` (yesterday's values) through working template j on day d into ``out``;
        ``from_off`` is the day's start of a run of work, ``after_work`` caches, per set
        of classes, the least of yesterday's work values over them."""
        # rest axes of a (run, ...) block: minutes 1, weekends 2, counts 3.. (one less than shape)
        block = np.full(v.shape[1:], INF)
        block[1] = from_off
        after = self.allowed_after[j]
        if after and (self.max_run is None or self.max_run > 1):
            key = tuple(after)
            if key not in after_work:
                after_work[key] = v[after].min(axis=0)  # (run, ...)
            prev = after_work[key]
            cont = np.full_like(prev, INF)
            cap = self.work_cap
            if cap > 1:
                cont[2:cap + 1] = prev[1:cap]
            if self.max_run is None:
                cont[cap] = np.minimum(cont[cap], prev[cap])
            cont = self._shift(cont, 2, self._inc(d, True))
            block = np.minimum(block, cont)
        block = self._shift(block, 1, self.length[j], self.clamped)
        for c in self.counters:
            if j in c.templates:
                block = self._shift(block, c.axis - 1, 1, c.complement)
        k = self.cls[j]
        np.minimum(out[k], block + cost, out=out[k])

    def solve(self, cost_off: list[float], cost_work: list[dict[int, float]], best: int = 1
              ) -> tuple[float, list[list[tuple[int, int]]]]:
        """Least total cost over valid rosters and up to ``best`` cheapest rosters
        (each a list of (day, template index) worked), by distinct end states."""
        v = np.full(self.shape, INF)
        v[(0, 0) + (0,) * (len(self.shape) - 2)] = 0.0
        layers = [v]
        for d in range(self.h):
            new = np.full(self.shape, INF)
            if not self.forced[d]:
                off = new[0]
                off[1:self.off_cap] = v[0, 0:self.off_cap - 1]
                off[self.off_cap] = v[0, self.off_cap - 1:].min(axis=0)
                ok = [r for r in range(1, self.runs) if r >= self.min_run or r == d]
                if ok and self.k > 1:
                    np.minimum(off[1], v[1:, ok].min(axis=(0, 1)), out=off[1])
                off += cost_off[d]
            if self.options[d]:
                ok = [r for r in range(self.runs) if r >= self.min_off or r == d]
                from_off = self._shift(v[0, ok].min(axis=0), 1, self._inc(d, False))
                after_work: dict = {}
                for group in self.groups[d]:
                    cost = min(cost_work[d][j] for j in group)
                    self._work_into(group[0], d, v, from_off, cost, new, after_work)
            v = new
            layers.append(v)
        final = v.copy()
        low = [slice(None)] * len(self.shape)
        low[2] = slice(0, min(self.min_units, self.m_size))
        final[tuple(low)] = INF
        for c in self.counters:
            if c.complement:  # all the shifts (the minutes: one unit a shift), less the others
                for m in range(self.m_size):
                    for n in range(c.size):
                        if m - n > c.limit:
                            at = [slice(None)] * len(self.shape)
                            at[2], at[c.axis] = m, n
                            final[tuple(at)] = INF
        flat_final = final.reshape(-1)
        if best < flat_final.size:
            picked = np.argpartition(flat_final, best)[:best]
            order = picked[np.argsort(flat_final[picked])]
        else:
            order = np.argsort(flat_final)
        value = float(final.flat[order[0]])
        if not math.isfinite(value):
            return INF, []
        paths = []
        for flat in order:
            if not math.isfinite(final.flat[flat]):
                break
            at = [int(i) for i in np.unravel_index(flat, self.shape)]
            end = _State(*at[:4], tuple(at[4:]))
            paths.append(self._back(layers, end, cost_off, cost_work))
        return value, paths

    # ----------------------------------------------------------------- backward
    def step(self, s: _State, d: int, j: int | None) -> _State | None:
        """The state after day d from ``s`` when working template j (None: off),
        or None when a rule forbids it; the plain reading that ``solve`` vectorises."""
        from_work = s.last > 0
        if j is None:
            if self.forced[d]:
                return None
            if from_work:
                if s.run < self.min_run and s.run != d:
                    return None
                return _State(0, 1, s.minutes, s.weekends, s.counts)
            return _State(0, min(s.run + 1, self.off_cap), s.minutes, s.weekends, s.counts)
        if j not in self.options[d]:
            return None
        if from_work:
            if s.last not in self.allowed_after[j]:
                return None
            if self.max_run is not None and s.run + 1 > self.max_run:
                return None
            run = min(s.run + 1, self.work_cap)
        else:
            if s.run < self.min_off and s.run != d:
                return None
            run = 1
        minutes = s.minutes + self.length[j]
        if minutes >= self.m_size:
            if not self.clamped:
                return None
            minutes = self.m_size - 1
        weekends = s.weekends + self._inc(d, from_work)
        if weekends >= self.w_size:
            return None
        counts = list(s.counts)
        for i, c in enumerate(self.counters):
            if j in c.templates:
                counts[i] += 1
                if counts[i] >= c.size:
                    if not c.complement:
                        return None
                    counts[i] = c.size - 1
        return _State(self.cls[j], run, minutes, weekends, tuple(counts))

    def _value(self, layer: np.ndarray, s: _State) -> float:
        return float(layer[(s.last, s.run, s.minutes, s.weekends, *s.counts)])

    def _back(self, layers, end: _State, cost_off, cost_work) -> list[tuple[int, int]]:
        """Walk back from ``end`` through predecessors whose value plus the day's
        cost gives exactly the value reached (so the path costs what ``solve`` said)."""
        path = []
        s = end
        for d in range(self.h - 1, -1, -1):
            target = self._value(layers[d + 1], s)
            prev = layers[d]
            found = None
            for j, cost in ([(None, cost_off[d])] if s.last == 0 else
                            [(j, cost_work[d][j]) for j in self.options[d] if self.cls[j] == s.last]):
                for q in self._candidates(s, j):
                    if self.step(q, d, j) == s and self._value(prev, q) + cost == target:
                        found = (q, j)
                        break
                if found:
                    break
            if found is None:  # cannot happen: every finite value has a predecessor
                raise AssertionError(f"no predecessor on day {d}")
            s, j = found
            if j is not None:
                path.append((d, j))
        path.reverse()
        return path

    def _candidates(self, s: _State, j: int | None):
        """States that might lead to ``s`` by the day's choice j (``step`` decides)."""
        if j is None:
            minutes_before = [s.minutes]
            weekends_before = [s.weekends]
            counts_before = [s.counts]
        else:
            back = s.minutes - self.length[j]
            minutes_before = [m for m in range(max(0, back), s.minutes + 1)
                              if m == back or (self.clamped and s.minutes == self.m_size - 1)]
            weekends_before = [w for w in (s.weekends, s.weekends - 1) if w >= 0]
            choices = []
            for c, n in zip(self.counters, s.counts):
                if j not in c.templates:
                    choices.append([n])
                else:
                    choices.append([x for x in (n - 1, n) if x >= 0 and (
                        x == n - 1 or (c.complement and n == c.size - 1))])
            counts_before = list(itertools.product(*choices))
        for last, run in self._before(s, j):
            for m in minutes_before:
                for w in weekends_before:
                    for c in counts_before:
                        yield _State(last, run, m, w, c)

    def _before(self, s: _State, j: int | None):
        """(last, run) pairs that may precede ``s`` by choice j."""
        if j is None:  # a day off: after a day off, or (a first day off) after work
            before = [(0, r) for r in range(self.runs) if min(r + 1, self.off_cap) == s.run]
            if s.run == 1:
                before += [(k, r) for k in range(1, self.k) for r in range(1, self.runs)]
            return before
        before = [(k, r) for k in range(1, self.k) for r in range(1, self.runs)
                  if min(r + 1, self.work_cap) == s.run]
        if s.run == 1:
            before += [(0, r) for r in range(self.runs)]
        return before


def own_costs(p: Problem, e: int, options: list[list[int]], scale: int
              ) -> tuple[list[int], list[dict[int, int]]]:
    """(cost of a day off, cost of each template worked) per day, in
    internal units: the person's requests and changes from the reference roster,
    read as the rule builders read them (a request for a shift the person cannot
    work that day costs its weight whatever they do)."""
    s = p.staff[e]
    h = p.num_days
    index = p.template_positions()
    off = [0] * h
    work = [{j: 0 for j in day} for day in options]

    def charge(d: int, weight: int, unless: int | None) -> None:
        """``weight`` on every choice of day d but ``unless`` (-1: but a day off)."""
        if unless != -1:
            off[d] += weight
        for j in work[d]:
            if j != unless:
                work[d][j] += weight

    for r in p.requests:
        if r.staff != s.id or not r.weight:
            continue
        w = r.weight * scale
        if r.template is None:
            if r.on:
                off[r.day] += w
            else:
                charge(r.day, w, -1)
        elif r.on:
            charge(r.day, w, index[r.template])
        elif index[r.template] in work[r.day]:
            work[r.day][index[r.template]] += w
    change = p.weights.change * scale
    if change > 0:
        ref = {a.day: index[a.template] for a in p.reference if a.staff == s.id}
        for d in range(h):
            charge(d, change, ref.get(d, -1))
    return off, work
