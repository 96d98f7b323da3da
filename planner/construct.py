"""Fast construction of a valid roster without CP-SAT (greedy per person, with retries).

Used where building and presolving the whole CP-SAT model would not fit in
the time limit (a year of 150 people and 32 shift types is over a million
shift variables): each person's roster is built day by day, choosing the
option (a shift or a day off) that does the most good for the needs still
open, under every per-person hard rule (qualification, leave, pins, hours per
week and horizon, shifts per template, runs of days and days off, weekends,
forbidden sequences and minimum rest). A person whose greedy pass fails is
retried with more randomness and a stronger pull toward the contract minimum,
and then solved exactly with a one-person CP-SAT model
(``planner.subproblem``). Needs that span people (hard cover, a hard budget)
are only preferred here; the caller checks the result with the independent
checker and falls back to the full model when it is not valid.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict

from planner.domain import Assignment, Problem, minute_of_day, short_rest_pairs
from planner.eligibility import Eligibility

HARD = 1e9


def rest_pairs(p: Problem) -> dict[tuple[int, int], set[int]]:
    """(template index, gap days) -> templates that may not follow (sequences and rest)."""
    t_index = p.template_positions()
    pairs: dict[tuple[int, int], set[int]] = defaultdict(set)
    for f in p.forbidden_sequences:
        pairs[(t_index[f.first], f.gap_days)].add(t_index[f.then])
    for key, banned in short_rest_pairs(p).items():
        pairs[key] |= banned
    return pairs


class Needs:
    """Coverage needs with running counts, indexed by (day, template) and by person."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.req: list[int] = []
        self.pref: list[int] = []
        self.under: list[float] = []
        self.pref_w: list[float] = []
        self.over: list[float] = []
        self.count: list[int] = []
        self.skill: list[str | None] = []
        self.by_cell: dict[tuple[int, int], list[int]] = defaultdict(list)
        t_index = p.template_positions()
        for c in p.shift_covers:
            self._add(c, None)
            self.by_cell[(c.day, t_index[c.template])].append(len(self.req) - 1)
        spans: dict[tuple, list[int]] = {}
        for c in p.window_covers:
            key = (c.location, c.role, c.start, c.end)
            if key not in spans:
                ws, we = minute_of_day(c.start), minute_of_day(c.end)
                spans[key] = [ti for ti, t in enumerate(p.templates)
                              if t.has_clock and (c.location is None or t.location == c.location)
                              and (c.role is None or t.role == c.role)
                              and minute_of_day(t.start) <= ws and minute_of_day(t.end) >= we]
            self._add(c, c.skill)
            for ti in spans[key]:
                self.by_cell[(c.day, ti)].append(len(self.req) - 1)
        soft = [u for u in self.under if u < HARD]
        self.typical = sum(soft) / len(soft) if soft else 100.0

    def _add(self, c, skill) -> None:
        req = c.required
        pref = c.preferred if c.preferred is not None and c.preferred > req else req
        self.req.append(req)
        self.pref.append(pref)
        self.under.append(HARD if c.under_weight is None else c.under_weight)
        self.pref_w.append(c.preferred_weight if pref > req else 0)
        self.over.append(-1.0 if c.over_weight is None else c.over_weight)
        self.count.append(0)
        self.skill.append(skill)

    def counted(self, s, d: int, ti: int) -> list[int]:
        out = self.by_cell.get((d, ti), ())
        if not out:
            return []
        on = None
        keep = []
        for k in out:
            name = self.skill[k]
            if name is not None:
                held = s.skill(name)
                on = on or self.p.date_of(d)
                if held is None or not held.valid_on(on):
                    continue
            keep.append(k)
        return keep

    def gain(self, ks: list[int]) -> float | None:
        """Objective points saved by one more person on needs ``ks`` (None: hard maximum)."""
        g = 0.0
        for k in ks:
            n = self.count[k]
            if n < self.req[k]:
                g += self.under[k]
            elif n < self.pref[k]:
                g += self.pref_w[k]
            elif self.over[k] < 0:
                return None
            else:
                g -= self.over[k]
        return g


class _Person:
    """Per-person constants for the greedy pass."""

    def __init__(self, p: Problem, e: int, elig: Eligibility, t_index: dict[str, int],
                 pins: dict[tuple[int, int], int | None]) -> None:
        s = p.staff[e]
        self.s = s
        h = p.num_days
        dates = [p.date_of(d) for d in range(h)]
        cands = elig.candidates(s)
        leave_days = {u.day for u in p.unavailability if u.staff == s.id}
        self.opts: list[list[int]] = []
        self.forced: list[int | None] = [None] * h  # template index that must be worked
        self.must_off = [False] * h
        for d in range(h):
            row = []
            for ti, t, until in cands:
                if not t.offered_on(dates[d]) or (until is not None and dates[d] > until):
                    continue
                if d in leave_days and elig.leave(s.id, t.id, d) is not None:
                    continue
                row.append(ti)
            pin = pins.get((e, d), -1)
            if pin is None:
                row, self.must_off[d] = [], True
            elif pin != -1:
                row = [ti for ti in row if ti == pin]
                self.forced[d] = pin if row else None
            self.opts.append(row)
        self.limit = {t_index[tid]: n for tid, n in s.max_shifts.items()}


def construct(p: Problem, seed: int = 0, deadline: float | None = None,
              tries: int = 6) -> list[Assignment] | None:
    """A roster meeting every per-person hard rule, or None if the greedy passes fail.

    Needs spanning people (hard cover, hard budget) are not guaranteed: check
    the result with ``planner.check.evaluate``.
    """
    rng = random.Random(seed)
    h = p.num_days
    elig = Eligibility(p)
    t_index, s_index = p.template_positions(), p.staff_positions()
    pins = {(s_index[x.staff], x.day):
            (None if x.template is None else t_index[x.template]) for x in p.pins}
    banned = rest_pairs(p)
    reach = max([g for _, g in banned] + [0])
    needs = Needs(p)
    requests: dict[tuple[str, int], list] = defaultdict(list)
    for r in p.requests:
        requests[(r.staff, r.day)].append(r)
    ref = {(a.staff, a.day): t_index.get(a.template) for a in p.reference}
    week_of = [d // 7 for d in range(h)]
    weekend_of: dict[int, int] = {}
    for k, days in enumerate(p.weekends()):
        for d in days:
            weekend_of[d] = k
    paid = [t.paid_minutes for t in p.templates]
    roster: list[Assignment] = []
    order = list(range(len(p.staff)))
    rng.shuffle(order)
    # People with a contract minimum first (they work those hours whatever the
    # needs, so the needs they fill are not left to someone paid extra for them;
    # the demo clinic's first roster went from 24.7 to 17.8 million points,
    # planner/README.md), then the most constrained: fewest options per day.
    people = {e: _Person(p, e, elig, t_index, pins) for e in order}
    order.sort(key=lambda e: (not _obliged(p.staff[e]), sum(len(o) > 0 for o in people[e].opts)))
    for e in order:
        person = people[e]
        plan = None
        for attempt in range(tries):
            if deadline is not None and time.perf_counter() > deadline:
                return None
            plan = _greedy(p, person, needs, requests, ref, banned, reach, week_of, weekend_of,
                           paid, rng, attempt)
            if plan is not None:
                break
        if plan is None:
            plan = _exact_person(p, e, deadline)
            if plan is None:
                return None
        for d, ti in plan.items():
            for k in needs.counted(person.s, d, ti):
                needs.count[k] += 1
            roster.append(Assignment(person.s.id, d, p.templates[ti].id))
    return roster


def _obliged(s) -> bool:
    """Whether the person has a contract minimum of hours (per week or in the horizon)."""
    return s.min_minutes_per_week > 0 or s.min_minutes_total > 0


def _weekend_days_off(p: Problem, person: _Person, rng: random.Random) -> set[int]:
    """Days of the weekends this person will not work: an even spread within the limit."""
    s = person.s
    weekends = p.weekends()
    limit = s.max_weekends
    if limit is None or limit >= len(weekends):
        return set()
    must = [k for k, days in enumerate(weekends) if any(person.forced[d] is not None for d in days)]
    open_ = [k for k in range(len(weekends)) if k not in must]
    room = max(0, limit - len(must))
    chosen = set(must)
    if room and open_:
        step = len(open_) / room
        offset = rng.random() * step
        chosen |= {open_[min(len(open_) - 1, int(offset + i * step))] for i in range(room)}
    return {d for k, days in enumerate(weekends) if k not in chosen for d in days}


def _capacity(person: _Person, trans, start, best_day: list[int], off_days: set[int], h: int):
    """cap[d][state]: most minutes workable from day d on (run rules only), -inf if stuck."""
    neg = float("-inf")
    states = list(trans)
    cap = [dict.fromkeys(states, 0.0) for _ in range(h + 1)]
    for d in range(h - 1, -1, -1):
        row = cap[d]
        nxt = cap[d + 1]
        can_work = bool(person.opts[d]) and d not in off_days
        can_rest = person.forced[d] is None
        for st in states:
            best = neg
            for label, st2 in trans[st]:
                if label == 1 and can_work:
                    v = best_day[d] + nxt[st2]
                elif label == 0 and can_rest:
                    v = nxt[st2]
                else:
                    continue
                if v > best:
                    best = v
            row[st] = best
    return cap


def _greedy(p, person: _Person, needs: Needs, requests, ref, banned, reach, week_of, weekend_of,
            paid, rng: random.Random, attempt: int) -> dict[int, int] | None:
    from planner.rules.patterns import run_automaton

    s = person.s
    h = p.num_days
    w = p.weights
    rate = s.pay_cents_per_hour * w.pay / 60.0
    thr = p.overtime.weekly_threshold_minutes
    premium = float(p.overtime.multiplier) - 1 if not s.overtime_exempt else 0.0
    noise = 0.05 + 0.25 * attempt
    off_days = _weekend_days_off(p, person, rng)
    start, trans = run_automaton(s.max_consecutive_days, s.min_consecutive_days,
                                 s.min_consecutive_days_off, h)
    best_day = [0] * h
    for d, o in enumerate(person.opts):
        lengths = [paid[ti] for ti in o if person.limit.get(ti, 1) > 0]
        best_day[d] = max(lengths, default=0)
    cap = _capacity(person, trans, start, best_day, off_days, h)
    if cap[0][start] == float("-inf"):
        return None
    # Keep a reserve of capacity above the contract minimum (grows on retries):
    # the capacity assumes the longest shift on every working day.
    reserve = min(0.25, 0.03 + 0.05 * attempt) * max(0, cap[0][start] - s.min_minutes_total)
    weeks = p.weeks()
    week_suffix = [0.0] * (h + 1)
    for days in weeks:
        acc = 0.0
        for d in reversed(days):
            acc += best_day[d] if d not in off_days else 0
            week_suffix[d] = acc
    top = s.max_minutes_total or 0
    slack = 2 * max(best_day, default=0)
    plan: dict[int, int] = {}
    counts: dict[int, int] = defaultdict(int)
    total = 0
    week_total: dict[int, int] = defaultdict(int)
    state = start
    for d in range(h):
        wk = week_of[d]
        days_of_week = weeks[wk]
        full_week = len(days_of_week) == 7
        nxt = {label: st2 for label, st2 in trans[state]}
        need = s.min_minutes_total - total
        options: list[tuple[float, int | None]] = []
        if 1 in nxt and d not in off_days and cap[d + 1][nxt[1]] > float("-inf"):
            future = cap[d + 1][nxt[1]]
            for ti in person.opts[d]:
                m = paid[ti]
                if person.limit.get(ti) is not None and counts[ti] + 1 > person.limit[ti]:
                    continue
                if s.max_minutes_total is not None and total + m > s.max_minutes_total:
                    continue
                if s.max_minutes_per_week is not None and week_total[wk] + m > s.max_minutes_per_week:
                    continue
                if need > 0 and m + future < need:
                    continue
                bad = False
                for g in range(1, reach + 1):
                    prev = plan.get(d - g)
                    if prev is not None and ti in banned.get((prev, g), ()):
                        bad = True
                        break
                if bad:
                    continue
                gain = needs.gain(needs.counted(s, d, ti))
                if gain is None:
                    continue
                for r in requests.get((s.id, d), ()):
                    hit = r.template is None or r.template == p.templates[ti].id
                    if r.on:
                        gain += r.weight if hit else 0
                    else:
                        gain -= r.weight if hit else 0
                if rate:
                    over = max(0, week_total[wk] + m - max(thr, week_total[wk]))
                    gain -= rate * (m + premium * over)
                if (s.id, d) in ref and w.change:
                    gain += w.change if ref[(s.id, d)] == ti else 0
                elif w.change:
                    gain -= w.change
                if top and total + m > top * (d + 1) / h + slack:
                    # ahead of an even pace toward the maximum: keep hours for later days
                    gain -= needs.typical * 1.5
                if need > 0:
                    # behind the reserve: longer shifts keep the minimum reachable
                    gain += needs.typical * 0.01 * m * (need + reserve > future)
                options.append((gain, ti))
        off_ok = 0 in nxt and person.forced[d] is None and cap[d + 1][nxt[0]] > float("-inf")
        if off_ok and need > 0 and cap[d + 1][nxt[0]] < need + reserve:
            off_ok = not options  # a day off now would leave too little capacity
        if off_ok and full_week and s.min_minutes_per_week > week_total[wk]:
            need_w = s.min_minutes_per_week - week_total[wk]
            if d + 1 > days_of_week[-1] or need_w > 0.9 * week_suffix[d + 1]:
                off_ok = not options
        if off_ok:
            gain = 0.0
            for r in requests.get((s.id, d), ()):
                if r.template is None:
                    gain += r.weight if not r.on else 0
            if w.change and (s.id, d) in ref:
                gain -= w.change
            options.append((gain, None))
        if not options:
            return None
        scale = max(1.0, max(abs(g) for g, _ in options))
        choice = max(options, key=lambda o: o[0] + rng.random() * noise * scale)[1]
        if choice is None:
            state = nxt[0]
        else:
            state = nxt[1]
            plan[d] = choice
            counts[choice] += 1
            total += paid[choice]
            week_total[wk] += paid[choice]
        if d == days_of_week[-1] and full_week and week_total[wk] < s.min_minutes_per_week:
            return None
    if total < s.min_minutes_total:
        return None
    return plan


def _exact_person(p: Problem, e: int, deadline: float | None) -> dict[int, int] | None:
    """One person's rules alone, solved by CP-SAT (feasibility): day -> template index."""
    from planner.subproblem import person_alone

    seconds = 10.0 if deadline is None else max(0.5, deadline - time.perf_counter())
    found = person_alone(p, e, seconds)
    if found is None:
        return None
    t_index = p.template_positions()
    return {a.day: t_index[a.template] for a in found}
