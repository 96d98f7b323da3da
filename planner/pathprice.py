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
compiled pass over each day's grid finds it exactly: its value is the pricing
optimum, so it is also the bound. The pass is compiled by numba (cached beside
this module after the first call, about a second) because most of a grid is out
of reach on any day (98 % for Curtois 8's night workers): a loop that skips
those states does in 10-40 ms what whole-array numpy steps did in 80-90 ms, and
in 0.2-3 ms what they did in 2-10 ms for the smaller grids. People with a rule it does not read (weekly hours,
pay and overtime, rests reaching past the next day) or with too many states
return None from ``PathPricer.build`` and keep CP-SAT.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from planner.domain import Problem, short_rest_pairs

# Compiled, a path over Curtois 8's night workers' grids (213 750 and 249 375
# states a day) takes 10-40 ms against 40-80 ms for CP-SAT, whose bound is not
# exact either; with them priced by the path, 8's column generation converges in
# 3 s instead of 11 s. Past these limits the grid's memory (6 bytes a state and
# day, below) and the full scan of each day's grid weigh more than CP-SAT.
MOST_STATES = 400_000
MOST_CELLS = 12_000_000  # states over all days: at most 72 MB while one pricing runs
# Limits for a pricing whose exact value matters more than its speed (the bound
# pass of planner.columns, once a solve): with CP-SAT's bound at 0.2 s one of
# Curtois 8's night workers came out 12 below the optimum (Lagrangian bound 1284.2
# against the LP's 1296.6) when those grids were past MOST_STATES.
EXACT_MOST_STATES = 1_000_000
EXACT_MOST_CELLS = 24_000_000  # at most 144 MB while one pricing runs
INF = math.inf


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
        self.forced = np.array(forced, np.bool_)  # pinned to work
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
        self._kinds()

    # ------------------------------------------------------------------ solve
    def _kinds(self) -> None:
        """Templates that move the state alike are one kind (the cheapest of a day's wins):
        their class, length, the classes they may follow and the counters they add to."""
        kinds: dict[tuple, int] = {}
        self.kind_of: dict[int, int] = {}
        for j in sorted(self.cls):
            key = (self.cls[j], self.length[j], tuple(self.allowed_after[j]),
                   tuple(j in c.templates for c in self.counters))
            self.kind_of[j] = kinds.setdefault(key, len(kinds))
        g = len(kinds)
        self.kind_cls = np.zeros(g, np.int64)
        self.kind_len = np.zeros(g, np.int64)
        self.kind_allow = np.zeros((g, self.k), np.bool_)
        self.kind_count = np.zeros((g, len(self.counters)), np.bool_)
        for (cls, length, after, counted), i in kinds.items():
            self.kind_cls[i], self.kind_len[i] = cls, length
            self.kind_allow[i, list(after)] = True
            self.kind_count[i] = counted
        self.counter_size = np.array([c.size for c in self.counters], np.int64)
        self.counter_top = np.array([c.complement for c in self.counters], np.bool_)
        self.counter_limit = np.array([c.limit for c in self.counters], np.int64)
        self.inc_off = np.array([self._inc(d, False) for d in range(self.h)], np.int64)
        self.inc_work = np.array([self._inc(d, True) for d in range(self.h)], np.int64)

    def _inc(self, d: int, from_work: bool) -> int:
        """Weekends added by working day d after working (or not) the day before."""
        w = self.weekend_of[d]
        if w < 0 or not self.weekends_limited:
            return 0
        return 0 if from_work and d > 0 and self.weekend_of[d - 1] == w else 1

    def solve(self, cost_off: list[float], cost_work: list[dict[int, float]], best: int = 1
              ) -> tuple[float, list[list[tuple[int, int]]]]:
        """Least total cost over valid rosters and up to ``best`` cheapest rosters
        (each a list of (day, template index) worked), by distinct end states."""
        g = len(self.kind_cls)
        kind_cost = np.full((self.h, g), INF)
        kind_pick = np.zeros((self.h, g), np.int64)
        for d, day in enumerate(self.options):
            for j in day:
                i, c = self.kind_of[j], cost_work[d][j]
                if c < kind_cost[d, i]:
                    kind_cost[d, i], kind_pick[d, i] = c, j
        cells = math.prod(self.shape)
        came_from = np.empty((self.h, cells), np.int32)
        choice = np.empty((self.h, cells), np.int16)
        final = _forward(self.h, self.k, self.runs, self.m_size, self.w_size, self.counter_size,
                         self.counter_top, self.counter_limit, self.forced, self.inc_off,
                         self.inc_work, np.asarray(cost_off, np.float64), kind_cost, self.kind_cls,
                         self.kind_len, self.kind_allow, self.kind_count, self.min_run,
                         self.max_run or 0, self.work_cap, self.off_cap, self.min_off,
                         self.clamped, self.min_units, came_from, choice)
        if best < final.size:
            picked = np.argpartition(final, best)[:best]
            order = picked[np.argsort(final[picked])]
        else:
            order = np.argsort(final)
        value = float(final[order[0]])
        if not math.isfinite(value):
            return INF, []
        paths = []
        for at in order:
            if not math.isfinite(final[at]):
                break
            path = []
            for d in range(self.h - 1, -1, -1):
                kind = int(choice[d, at])
                if kind >= 0:
                    path.append((d, int(kind_pick[d, kind])))
                at = came_from[d, at]
            path.reverse()
            paths.append(path)
        return value, paths


def warm_up() -> None:
    """Compile the pass now (about a second, or 0.2 s to load it from numba's cache
    after the first time), so that it is not charged to the first pricing round:
    column generation gives up when that round is slow (``planner.columns``)."""
    one = np.zeros(1, np.int64)
    _forward(0, 1, 1, 1, 1, one[:0], np.zeros(0, np.bool_), one[:0], np.zeros(0, np.bool_), one, one,
             np.zeros(1), np.zeros((1, 1)), one, one, np.zeros((1, 1), np.bool_),
             np.zeros((1, 0), np.bool_), 1, 0, 1, 1, 1, False, 0, np.zeros((0, 1), np.int32),
             np.zeros((0, 1), np.int16))


@njit(cache=True, nogil=True)
def _forward(h, k, runs, m_size, w_size, counter_size, counter_top, counter_limit, forced,
             inc_off, inc_work, cost_off, kind_cost, kind_cls, kind_len, kind_allow, kind_count,
             min_run, max_run, work_cap, off_cap, min_off, clamped, min_units, came_from, choice):
    """Each day's least cost of every state, over the states reached only (most of the
    grid is out of reach), recording each state's predecessor and the kind worked
    (-1: a day off); returns the last day's values with the end conditions applied.
    State index: (((last * runs + run) * m_size + minutes) * w_size + weekends) * counts
    + the counters' digits (``max_run`` 0: no limit)."""
    n_counters = counter_size.shape[0]
    stride = np.ones(n_counters, np.int64)
    counts = 1
    for i in range(n_counters - 1, -1, -1):
        stride[i] = counts
        counts *= counter_size[i]
    cells = k * runs * m_size * w_size * counts
    kinds = kind_cls.shape[0]
    v = np.full(cells, np.inf)
    v[0] = 0.0
    new = np.empty(cells)
    for d in range(h):
        new[:] = np.inf
        for s in range(cells):
            value = v[s]
            if value == np.inf:
                continue
            digits = s % counts
            rest = s // counts
            w = rest % w_size
            rest //= w_size
            m = rest % m_size
            rest //= m_size
            run = rest % runs
            last = rest // runs
            if not forced[d]:  # a day off
                if last > 0:
                    rest_ok = run >= min_run or run == d
                    next_run = 1
                else:
                    rest_ok = True
                    next_run = min(run + 1, off_cap)
                if rest_ok:
                    t = ((next_run * m_size + m) * w_size + w) * counts + digits
                    x = value + cost_off[d]
                    if x < new[t]:
                        new[t] = x
                        came_from[d, t] = s
                        choice[d, t] = -1
            if last > 0:
                if run < work_cap:
                    next_run = run + 1
                elif max_run == 0:
                    next_run = work_cap
                else:
                    continue  # the longest run reached: only a day off
                next_w = w + inc_work[d]
            else:
                if not (run >= min_off or run == d):
                    continue
                next_run = 1
                next_w = w + inc_off[d]
            if next_w >= w_size:
                continue
            for g in range(kinds):
                cost = kind_cost[d, g]
                if cost == np.inf or (last > 0 and not kind_allow[g, last]):
                    continue
                next_m = m + kind_len[g]
                if next_m >= m_size:
                    if not clamped:
                        continue
                    next_m = m_size - 1
                next_digits = digits
                over = False
                for i in range(n_counters):
                    if kind_count[g, i]:
                        if (digits // stride[i]) % counter_size[i] + 1 < counter_size[i]:
                            next_digits += stride[i]
                        elif not counter_top[i]:
                            over = True
                            break
                if over:
                    continue
                t = (((kind_cls[g] * runs + next_run) * m_size + next_m) * w_size + next_w) * counts \
                    + next_digits
                x = value + cost
                if x < new[t]:
                    new[t] = x
                    came_from[d, t] = s
                    choice[d, t] = g
        v, new = new, v
    for s in range(cells):  # end conditions: the least minutes, and the counted limits
        if v[s] == np.inf:
            continue
        m = (s // (counts * w_size)) % m_size
        if m < min_units:
            v[s] = np.inf
            continue
        for i in range(n_counters):
            if counter_top[i] and m - (s // stride[i]) % counter_size[i] > counter_limit[i]:
                v[s] = np.inf
                break
    return v


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
