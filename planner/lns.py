"""Fix-and-optimise large neighbourhood search over the same CP-SAT model.

CP-SAT's built-in LNS picks random variables; on rosters the useful moves are
structured. Five kinds of neighbourhood free (person, day) cells:

- ``need``: the people who could fill one understaffed need, around its date
  (while needs are short only of their preferred levels, ``NEED_TO_DAYS_SHARE``
  of these steps are ``days`` steps instead: the clinic month keeps 80
  physician hours below the preferred level, where an hour's pay costs more
  than it saves, and need steps from them gained little; at 10 s the mean gap
  went from 0.49 % to 0.36 % over 26 interleaved seeds, planner/README.md);
- ``penalty``: a few people with penalties (unmet requests) in the same one or
  two weeks, anchored on a penalty drawn by its size;
- ``days``: everyone over a few days, in one block or two stretches apart
  (swaps between people);
- ``staff``: a few random people over the whole horizon (their runs and totals);
- ``weekend``: up to half the people over every weekend with the Friday before
  and the Monday after, where a weekend limit or weekend fairness ties a
  person's weekends together: a short weekend need is often filled only by
  people swapping whole weekends, which no window of days frees (Curtois 8:
  stuck rosters 100 points above the optimum escaped in 6 of 7 20-second
  trials with it, 3 of 7 without; figures in planner/README.md).

Half of the ``need`` and ``penalty`` neighbourhoods free two separate weeks
instead of one block, and ``days`` often splits its span into two stretches
apart: a person at a horizon limit (total hours, shifts of a kind, weekends)
can take a shift in one week only by giving one up in another, and a single
window never frees both (Curtois 7 at a minute went from 1067-1085, one rerun
1171, to 1060-1070; figures in planner/README.md).

When the search has found nothing better for ``WIDE_STALL_STEPS`` steps, one
thread at a time takes a wide step instead, for twelve normal steps, over
everyone: half the time, where weekends are tied, over every weekend with its
Friday and Monday; else over two whole weeks (around an understaffed day half
the time), and half of those, while anyone is short, minimise only the
shortfall, the roster found then settled (shifts fixed, the rest at the least
full objective) and kept if better overall. They are the moves out of Curtois
8's stuck rosters, 100 or more points above the optimum: from one of them,
everyone over days 7-20 solved to 1320 in 5 s and days 14-27 to 1314 in 12 s,
while no window of 10 days or fewer escaped, and the small steps never grow
that large; where two weeks with the full objective do not get out, everyone
over the weekends, or a fortnight minimising only the shortfall, often does
(20 s of LNS from each of 20 stuck rosters got out of 14 with both, of 11
with the weekend step alone and of 6 without either; figures in
planner/README.md).

When more people are short than the column generation's LP leaves short
(``least_short``, rounded up), and the number short has not come down for
``escape.AFTER_SECONDS``, one thread takes both cores for an escape
(``planner.escape``: everyone over the whole horizon, the understaffing alone
as the objective, CP-SAT's own portfolio) while the others wait; its roster is
settled like a shortfall step's and kept if better (Curtois 12: the runs that
ended one person short too many on a weekend day; planner/README.md). The
next try is a sweep in one thread while the others step on (``sweep``:
everyone over two weeks at a time, one of them with a day short, weeks
apart first, the understaffing alone minimised; on Curtois 8, where escapes
only moved the shortfall, two weeks apart got to the least shortfall where
the wide steps' fortnights of weeks side by side did not); ``Stuck`` keeps
the turns and the waits. At the LP's count there is no escape (Curtois 9
keeps four people short, its LP 3.7: escapes there only moved the shortfall
between days and took both cores from rosters still settling their
requests), nor without an LP (no column generation: the clinic month,
repairs).

Each kind keeps its own size, grown when its sub-problems solve to optimality
within half the step and shrunk when they time out, so every kind stays at the
size one step can settle. When many steps in a row find nothing better, the
step doubles, to at most ``MAX_STRETCH`` times the normal step and never over
``MAX_STEP_SECONDS``, so larger moves get time to settle; a Stop or a proof
interrupts the running steps (``RunningSolves``) rather than waiting them out.
Each step copies the lean model (without the redundant flow) with every
shift variable outside the neighbourhood fixed to the incumbent (from a kept
copy already fixed to it: ``FixedCopies``), and solves the rest with a short,
one-worker ``max_lp`` search; improvements replace the incumbent.
One thread per worker runs steps concurrently (CP-SAT releases the GIL).
Measurements: planner/README.md.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict

from ortools.sat.python import cp_model

from planner.escape import AFTER_SECONDS, BACK_OFF, escape
from planner.model import Model
from planner.rules import names

# Share of steps per kind (a kind with nothing to anchor on passes its turn on).
KINDS = (("need", 0.25), ("penalty", 0.2), ("days", 0.2), ("staff", 0.2), ("weekend", 0.15))
SPLIT_SHARE = 0.5  # chance that a need, penalty or days neighbourhood frees two stretches apart
# While needs are short only of their preferred levels (which often cost more in
# pay than they save, and stay short), this share of the need steps are days steps.
NEED_TO_DAYS_SHARE = 0.6
STALL_STEPS = 40  # steps without an improvement before the step doubles
MAX_STRETCH = 8  # longest stretched step, in multiples of the normal one
MAX_STEP_SECONDS = 4.0  # and in seconds
WIDE_STALL_STEPS = 30  # steps without an improvement before a wide step
WIDE_DAYS = 14  # a wide step frees everyone over two weeks
WIDE_STRETCH = 12  # for this many normal steps
WIDE_MAX_SECONDS = 8.0  # and at most this long
HOLD_POLL_SECONDS = 0.05  # how often a thread held back for the bound probe looks again
WIDE_WEEKEND_SHARE = 0.5  # wide steps over everyone's weekends, where weekends are tied
WIDE_SHORTFALL_SHARE = 0.5  # two-week wide steps that first minimise only the shortfall
SETTLE_MAX_SECONDS = 2.0  # for the rest of a shortfall step's roster, its shifts fixed
WIDE, WIDE_WEEKENDS, WIDE_SHORTFALL = "wide", "wide weekends", "wide shortfall"  # wide step kinds
ESCAPE = "escape"  # the try after a sweep when stuck short (Stuck): planner.escape
SWEEP = "sweep"  # the first try when stuck short (Stuck): everyone over pairs of weeks, for the shortfall
SWEEP_MOST_PAIRS = 12  # pairs of weeks a sweep's pass tries at most (long horizons)


class Neighbourhoods:
    """Chooses which (person, day) cells to free in a step, and adapts sizes per kind."""

    def __init__(self, m: Model) -> None:
        self.m = m
        self.n_staff = len(m.p.staff)
        self.h = m.p.num_days
        owner = {v.index: e for (e, _, _), v in m.x.items()}
        self._need_people = _need_people(m, owner)
        self.shortfall_terms = _shortfall_terms(m)
        self._shortfall_index = {i for i, _ in self.shortfall_terms}
        day_of = {idx: day for idx, _, day in self._need_people}
        # (index, coefficient, day) of the understaffing someone could fill (planner.escape)
        self.understaffing = [(i, c, day_of[i]) for i, c in self.shortfall_terms if i in day_of]
        self._person_terms = _person_terms(m)
        people = max(2, self.n_staff // 6)
        # the weekend kind starts at, and never grows past, half the people
        self._most = {"days": self.h, "weekend": max(2, self.n_staff // 2)}
        self.size = {"need": people, "penalty": people, "staff": people,
                     "days": max(1, self.h // 7), "weekend": self._most["weekend"]}
        self._weekend_days = _weekend_days(m.p) if _weekends_tied(m.p) else frozenset()
        self.everyone = frozenset(range(self.n_staff))

    def pick(self, rng: random.Random, values) -> tuple[str, set[int], range | frozenset[int]]:
        r = rng.random()
        for kind, share in KINDS:
            r -= share
            if r < 0:
                break
        picked = None
        if kind == "need" and self._short_only_of_preferred(values) and rng.random() < NEED_TO_DAYS_SHARE:
            kind = "days"
        if kind == "need":
            picked = self._need(rng, values)
        elif kind == "penalty":
            picked = self._penalty(rng, values)
        elif kind == "days":
            picked = self._days(rng)
        elif kind == "weekend" and self._weekend_days:
            picked = self._weekend(rng)
        if picked is None:
            kind, picked = "staff", self._staff(rng)
        return (kind, *picked)

    def _short_only_of_preferred(self, values) -> bool:
        """Whether needs are short of their preferred levels but none is understaffed
        (asked on every need pick, under the step lock: no lists built)."""
        if any(values[i] > 0 for i in self._shortfall_index):
            return False
        return any(values[idx] > 0 for idx, _, _ in self._need_people)

    def wide(self, rng: random.Random, values) -> tuple[str, set[int], range | frozenset[int]]:
        """A wide step for everyone: over every weekend with its Friday and Monday
        (``WIDE_WEEKEND_SHARE`` of the time, where weekends are tied), else over two
        whole weeks (from the horizon's start), around an understaffed day half the
        time (drawn by how many are short), else anywhere. While anyone is short,
        ``WIDE_SHORTFALL_SHARE`` of the two-week steps are ``WIDE_SHORTFALL`` ones,
        always around an understaffed day, whose sub-solve minimises only the
        understaffing (``sub_solve``)."""
        everyone = self.everyone
        if self._weekend_days and rng.random() < WIDE_WEEKEND_SHARE:
            return WIDE_WEEKENDS, everyone, self._weekend_days
        span = min(self.h, WIDE_DAYS)
        short = [(day, values[idx]) for idx, _, day in self._need_people if values[idx] > 0]
        understaffed = [(day, values[idx]) for idx, _, day in self._need_people
                        if idx in self._shortfall_index and values[idx] > 0]
        kind = WIDE_SHORTFALL if understaffed and rng.random() < WIDE_SHORTFALL_SHARE else WIDE
        if kind == WIDE_SHORTFALL:
            day = rng.choices([d for d, _ in understaffed], weights=[n for _, n in understaffed])[0]
        elif short and rng.random() < 0.5:
            day = rng.choices([d for d, _ in short], weights=[n for _, n in short])[0]
        else:
            day = rng.randrange(self.h)
        starts = [s for s in range(0, self.h - span + 1, 7) if s <= day < s + span]
        if not starts:  # the horizon's last days, after its last whole fortnight
            return kind, everyone, self._window(day, span)
        start = rng.choice(starts)
        return kind, everyone, range(start, start + span)

    def week_pairs(self, rng: random.Random, values) -> list[frozenset[int]]:
        """The days of two weeks (from the horizon's start), one of them with an
        understaffed day, at most ``SWEEP_MOST_PAIRS`` of them: what a sweep frees
        for everyone, one pair at a time (only such pairs can lower the shortfall,
        every other day staying fixed). Weeks apart come first, then weeks side by
        side, each in random order: the wide steps' fortnights already free weeks
        side by side, and nothing else frees weeks apart for everyone (a Curtois 8
        trace: the one pair with a gain, weeks 1 and 3, came sixth of six at 11 s
        into the sweep). Of more than ``SWEEP_MOST_PAIRS`` a third at most are side
        by side: on a long horizon the pairs apart alone would fill every pass.
        A horizon of a week or less is one "pair"."""
        weeks = [range(s, min(self.h, s + 7)) for s in range(0, self.h, 7)]
        short = {day // 7 for idx, _, day in self.understaffing if values[idx] > 0}
        if len(weeks) == 1:
            return [frozenset(weeks[0])] if short else []
        apart, beside = [], []
        for a in range(len(weeks)):
            for b in range(a + 1, len(weeks)):
                if a in short or b in short:
                    (beside if b == a + 1 else apart).append(frozenset(weeks[a]) | frozenset(weeks[b]))
        rng.shuffle(apart)
        rng.shuffle(beside)
        keep = SWEEP_MOST_PAIRS - min(len(beside), SWEEP_MOST_PAIRS // 3)  # room for pairs side by side
        return apart[:keep] + beside[:SWEEP_MOST_PAIRS - min(len(apart), keep)]

    def adapt(self, kind: str, optimal: bool, quick: bool) -> None:
        """Grow a kind whose sub-problems settle quickly; shrink one that times out."""
        most = self._most.get(kind, self.n_staff)
        if optimal and quick:
            self.size[kind] = min(most, self.size[kind] + 1)
        elif not optimal:
            self.size[kind] = max(1, self.size[kind] - 1)

    def _need(self, rng: random.Random, values):
        short = [(people, day) for idx, people, day in self._need_people if values[idx] > 0]
        if not short:
            return None
        people, day = rng.choice(short)
        people = list(people)
        rng.shuffle(people)
        size = min(self.size["need"], self.n_staff)
        return self._topped_up(set(people[:size]), size, rng), self._weeks(day, rng, 14)

    def _penalty(self, rng: random.Random, values):
        losses = [(e, d, _loss(coef, values[idx])) for idx, coef, e, d in self._person_terms]
        losses = [x for x in losses if x[2] > 0]
        if not losses:
            return None
        e, d, _ = rng.choices(losses, weights=[w for _, _, w in losses])[0]
        days = self._weeks(d, rng, rng.choice((7, 14)))
        near = [(f, w) for f, g, w in losses if g in days and f != e]
        chosen = {e}
        size = min(self.size["penalty"], self.n_staff)
        while near and len(chosen) < size:
            f = rng.choices([f for f, _ in near], weights=[w for _, w in near])[0]
            chosen.add(f)
            near = [(g, w) for g, w in near if g != f]
        return self._topped_up(chosen, size, rng), days

    def _days(self, rng: random.Random):
        span = min(self.h, self.size["days"])
        everyone = self.everyone
        if span >= 4 and rng.random() < SPLIT_SHARE:
            first = rng.randrange(0, self.h - span // 2 + 1)
            apart = _apart(self.h, range(first, first + span // 2), span - span // 2, rng)
            if apart is not None:
                return everyone, apart
        start = rng.randrange(0, self.h - span + 1)
        return everyone, range(start, start + span)

    def _weekend(self, rng: random.Random):
        return self._random_people("weekend", rng), self._weekend_days

    def _staff(self, rng: random.Random):
        return self._random_people("staff", rng), range(self.h)

    def _random_people(self, kind: str, rng: random.Random) -> set[int]:
        return set(rng.sample(range(self.n_staff), min(self.size[kind], self.n_staff)))

    def _topped_up(self, chosen: set[int], size: int, rng: random.Random) -> set[int]:
        """``chosen`` with random people added until it has ``size`` of them."""
        while len(chosen) < size:
            chosen.add(rng.randrange(self.n_staff))
        return chosen

    def _weeks(self, day: int, rng: random.Random, block: int) -> range | frozenset[int]:
        """Days to free around ``day``: the week around it and another week at
        least a day apart (``SPLIT_SHARE`` of the time), else ``block`` days around it."""
        if rng.random() < SPLIT_SHARE:
            apart = _apart(self.h, self._window(day, 7), 7, rng)
            if apart is not None:
                return apart
        return self._window(day, block)

    def _window(self, day: int, span: int) -> range:
        span = min(self.h, span)
        start = max(0, min(self.h - span, day - span // 2))
        return range(start, start + span)


def _weekends_tied(p) -> bool:
    """Whether a person's weekends depend on each other: a weekend limit below the
    horizon's weekends, or weekend fairness."""
    n = len(p.weekends())
    return n > 1 and (p.weights.fair_weekends > 0 or any(
        s.max_weekends is not None and s.max_weekends < n for s in p.staff))


def _weekend_days(p) -> frozenset[int]:
    """Every weekend day with the Friday before and the Monday after."""
    out: set[int] = set()
    for days in p.weekends():
        out.update(range(max(0, days[0] - 1), min(p.num_days, days[-1] + 2)))
    return frozenset(out)


def _apart(h: int, week: range, length: int, rng: random.Random) -> frozenset[int] | None:
    """The days of ``week`` and of a random window of ``length`` days at least one
    day away from it; None when the horizon has no room for both."""
    starts = [s for s in range(0, h - length + 1) if s >= week.stop + 1 or s + length + 1 <= week.start]
    if not starts:
        return None
    s = rng.choice(starts)
    return frozenset(week) | frozenset(range(s, s + length))


def _loss(coef: int, value: int) -> int:
    """Penalty of one term above its least value (a negative coefficient rewards 1)."""
    return coef * value if coef > 0 else -coef * (1 - value)


def _person_terms(m: Model) -> list[tuple[int, int, int, int]]:
    """(variable index, coefficient, person, day) of objective terms on one person-day cell."""
    cell_of = {v.index: (e, d) for (e, d, _), v in m.x.items()}
    for e, row in enumerate(m.cells):
        for d, cell in enumerate(row):
            if not isinstance(cell.work, int):
                cell_of[cell.work.index] = (e, d)
    out = []
    for t in m.terms:
        index = getattr(t.expr, "index", None)
        if index in cell_of:
            out.append((index, t.coef, *cell_of[index]))
    return out


def _shortfall_terms(m: Model) -> list[tuple[int, int]]:
    """(variable index, coefficient) of the objective's understaffing terms."""
    return [(t.expr.index, t.coef) for t in m.terms
            if t.rule == names.UNDERSTAFFED and hasattr(t.expr, "index")]


def _need_people(m: Model, owner: dict[int, int]) -> list[tuple[int, set[int], int]]:
    """(slack variable index, people who could reduce it, day) for each staffing slack."""
    out = []
    for slack, lits, day in getattr(m, "slack_needs", []):
        people = {owner[v.index] for v in lits if v.index in owner}
        if people:
            out.append((slack.index, people, day))
    return out


def lns(m: Model, lean: cp_model.CpModel, values: list[int], deadline: float, workers: int,
        seed: int, report, should_stop, objective_of, step_seconds: float = 1.0,
        hold=None, least_short: int | None = None) -> list[int]:
    """Improve ``values`` until ``deadline``; ``report(obj, values)`` on each improvement.
    While ``hold()`` is true (the bound probe runs beside) one thread fewer steps.
    ``least_short``: the people short in the column generation's LP, rounded up,
    taken for the least possible (None: unknown, and no escape)."""
    hood = Neighbourhoods(m)
    cells = shift_cells(m)
    copies = FixedCopies(lean, cells)
    state = {"values": list(values), "obj": objective_of(m, values), "stalled": 0, "wide": False,
             "escaping": False, "escape": Stuck(_short(hood, values), time.perf_counter(), least_short)}
    lock = threading.Lock()
    running = RunningSolves(should_stop)

    def left() -> float:
        return deadline - time.perf_counter()

    def improved(obj: int, found: list[int]) -> None:
        """Under the lock: ``found`` replaces the incumbent."""
        state["stalled"] = 0
        state["obj"] = obj
        state["values"] = found
        state["escape"].seen(_short(hood, found), time.perf_counter())
        report(obj, found)

    def escape_step(rng: random.Random, base: list[int]) -> None:
        """Both cores for ``planner.escape``; the other threads wait meanwhile."""
        found, moved = escape(lean, cells, base, hood.understaffing, left, running, rng, workers)
        escaped = found is not None  # (even if a Stop or the deadline then cuts its settling short)
        obj = None
        if escaped:
            _, _, found, obj = sub_solve(copies, found, set(), set(), min(SETTLE_MAX_SECONDS, left()),
                                         running, rng)
        with lock:
            state["escaping"] = False
            state["escape"].tried(ESCAPE, escaped, moved, time.perf_counter())
            if found is not None and obj < state["obj"]:
                improved(obj, found)

    def sweep_step(rng: random.Random, base: list[int]) -> None:
        """A ``sweep`` in this thread (the others step meanwhile); each roster with
        fewer short it finds replaces the incumbent if better overall."""

        def take(found: list[int], obj: int) -> list[int] | None:
            with lock:
                if obj >= state["obj"]:
                    return None
                improved(obj, found)
                return found

        fewer = False
        try:
            fewer = sweep(copies, hood, base, least_short or 0, step_seconds, left, running, rng, take)
        finally:
            with lock:
                state["wide"] = False
                state["escape"].tried(SWEEP, fewer, False, time.perf_counter())

    def step(rng: random.Random) -> None:
        with lock:
            waiting = state["escaping"]
            due = not waiting and not state["wide"] and state["escape"].due(time.perf_counter())
            escaping = due and workers > 1 and state["escape"].next() == ESCAPE
            sweeping = due and not escaping  # for the shortfall: one thread, pairs of weeks
            state["escaping"] = waiting or escaping
            state["wide"] = state["wide"] or sweeping  # one wide step or sweep at a time
            base = state["values"]
        if waiting:
            time.sleep(HOLD_POLL_SECONDS)
            return
        if escaping:
            escape_step(rng, base)
            return
        if sweeping:
            sweep_step(rng, base)
            return
        with lock:
            base = state["values"]
            stalled = state["stalled"]
            # One thread at a time takes a wide step while the search is stuck.
            wide = stalled >= WIDE_STALL_STEPS and not state["wide"]
            if wide:
                state["wide"] = True
                kind, chosen, days = hood.wide(rng, base)
            else:
                kind, chosen, days = hood.pick(rng, base)
        seconds = max(0.05, min(wide_seconds(step_seconds, left()) if wide
                                else stretched(step_seconds, stalled), left()))
        shortfall = hood.shortfall_terms if kind == WIDE_SHORTFALL else None
        code, wall, found, obj = sub_solve(copies, base, chosen, set(days), seconds, running,
                                           rng, shortfall, left)
        with lock:
            if wide:
                state["wide"] = False
            else:
                hood.adapt(kind, code == cp_model.OPTIMAL, wall < 0.5 * seconds)
            state["stalled"] += 1
            if found is not None and obj < state["obj"]:
                improved(obj, found)

    with running:
        run_workers(workers, seed, step, lambda: time.perf_counter() < deadline - 0.05 and not should_stop(),
                    hold)
    return state["values"]


def sweep(copies: "FixedCopies", hood: Neighbourhoods, base: list[int], least: int, step_seconds: float,
          left, running: "RunningSolves", rng: random.Random, take) -> bool:
    """Everyone over two weeks at a time (``Neighbourhoods.week_pairs``), only the
    shortfall minimised (``sub_solve``): the first roster with fewer short is
    settled and offered to ``take(values, objective)``, which returns the roster
    to go on from (None: it was not better overall, and the sweep ends). From
    each gain the sweep starts over, until a pass gains nothing or no more than
    ``least`` are short. Whether it found fewer short.

    Curtois 8 needs every night nurse at their quota of nights: from a roster
    fifteen short, everyone over weeks 1 and 2 gave fourteen, then over weeks 1
    and 3 twelve (the least), in 7 s, where the fortnights of the wide steps
    (weeks next to each other) gave fourteen at best (planner/README.md)."""
    fewer = False
    while _short(hood, base) > least and not running.should_stop():
        gained = False
        short = _short(hood, base)
        for days in hood.week_pairs(rng, base):
            seconds = min(wide_seconds(step_seconds, left()), left())
            if seconds < 0.1 or running.should_stop():
                return fewer
            _, _, found, obj = sub_solve(copies, base, hood.everyone, set(days), seconds, running, rng,
                                         hood.shortfall_terms, left, lambda f: _short(hood, f) < short)
            if found is not None and _short(hood, found) < short:
                base = take(found, obj)
                gained = base is not None
                break
        if not gained:
            break
        fewer = True
    return fewer


class Stuck:
    """When the search is stuck short (``due``): more people are short than
    ``least`` (the LP's count; None: unknown, never due) and that number has not
    come down for ``escape.AFTER_SECONDS``, a wait that grows ``escape.BACK_OFF``
    times after each try that found nothing (except an escape that only moved
    the shortfall: that says nothing about the sweep that follows). The tries
    (``next``) take turns: a sweep (``sweep``, one thread), then an escape
    (``planner.escape``, both cores), and only sweeps after an escape that only
    moved the shortfall from day to day. On Curtois 12 escapes got one person
    fewer short where wide steps did not; on 8 the reverse (planner/README.md,
    eighteenth session), and sweeps more often than wide steps (twenty-first).
    The sweep goes first since the twenty-fifth session: on 8 it found the
    twelfth person in 0.4 s where the escape before it had spent 3 s of both
    cores and only moved the shortfall, and the runs reached 12 short sooner."""

    def __init__(self, short: int, now: float, least: int | None) -> None:
        self.short = short
        self.least = least
        self.since = now
        self.wait = AFTER_SECONDS
        self.escapes = True
        self.last: str | None = None

    def seen(self, short: int, now: float) -> None:
        if short < self.short:
            self.short, self.since = short, now

    def next(self) -> str:
        return ESCAPE if self.escapes and self.last == SWEEP else SWEEP

    def tried(self, kind: str, found: bool, moved: bool, now: float) -> None:
        self.since = now
        self.last = kind
        if kind == ESCAPE and moved and not found:
            self.escapes = False  # and the wide step follows at the same wait:
            return  # the escape's failure says nothing about it
        if not found:
            self.wait *= BACK_OFF

    def due(self, now: float) -> bool:
        return self.least is not None and self.short > self.least and now - self.since >= self.wait


def _short(hood: Neighbourhoods, values) -> int:
    return sum(values[i] for i, _, _ in hood.understaffing)


class RunningSolves:
    """The sub-solves running now, all stopped as soon as ``should_stop()`` holds,
    so a Stop or a proof ends the search within a poll instead of waiting out a
    step (a wide step runs up to ``WIDE_MAX_SECONDS``). A stopped step's roster
    still counts if it is better."""

    POLL_SECONDS = 0.05

    def __init__(self, should_stop) -> None:
        self.should_stop = should_stop
        self._running: set[cp_model.CpSolver] = set()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "RunningSolves":
        self._watcher.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._watcher.join()

    def solve(self, solver: cp_model.CpSolver, model: cp_model.CpModel, callback=None) -> int:
        with self._lock:
            self._running.add(solver)
        try:
            return solver.solve(model, callback) if callback is not None else solver.solve(model)
        finally:
            with self._lock:
                self._running.discard(solver)

    def _watch(self) -> None:
        # Every poll, not once: a solver registered a moment before its solve
        # started has no search to stop yet.
        while not self._done.wait(self.POLL_SECONDS):
            if self.should_stop():
                with self._lock:
                    for solver in self._running:
                        solver.stop_search()


def stretched(step_seconds: float, stalled: int) -> float:
    """The step after ``stalled`` steps without an improvement: doubled every
    ``STALL_STEPS`` of them, to at most ``MAX_STRETCH`` times the normal step
    and ``MAX_STEP_SECONDS`` (never shorter than the normal step)."""
    longer = step_seconds * min(MAX_STRETCH, 2 ** (stalled // STALL_STEPS))
    return max(step_seconds, min(MAX_STEP_SECONDS, longer))


def wide_seconds(step_seconds: float, left: float) -> float:
    """A wide step: ``WIDE_STRETCH`` normal steps, at most ``WIDE_MAX_SECONDS``
    and half the time left."""
    return min(WIDE_STRETCH * step_seconds, WIDE_MAX_SECONDS, 0.5 * left)


def shift_cells(m: Model) -> dict[tuple[int, int], list[int]]:
    """Shift variable indices by (person, day) cell: what a step frees or fixes."""
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (e, d, _), v in m.x.items():
        cells[(e, d)].append(v.index)
    return dict(cells)


def sub_solve(copies: "FixedCopies", base, chosen: set[int], free: set[int],
              seconds: float, running: "RunningSolves", rng: random.Random,
              shortfall: list[tuple[int, int]] | None = None, left=None, settle_if=None):
    """One step: the cells of ``chosen`` people on ``free`` days re-planned, the rest as in
    ``base``. Returns (status, solver seconds, values or None, objective or None).

    With ``shortfall`` terms (a ``WIDE_SHORTFALL`` step) the sub-solve minimises only
    them: from Curtois 8's rosters stuck one person short, everyone over a
    fortnight found a roster one person fewer short where the full objective's
    search did not (planner/README.md). Among rosters as short it takes one that
    changes the fewest of the freed shifts: re-planned with no regard to the
    incumbent, everyone's requests over two weeks were undone, and on Curtois 8
    the LNS seldom settled such a roster within the minute (twenty-fourth
    session). That roster's other variables are then
    settled at their least full objective, within the time ``left()`` allows (at
    most ``SETTLE_MAX_SECONDS``); a roster not settled in time, or found after a
    Stop (which also stops the settle), is dropped: it has no full objective yet.
    ``settle_if(values)``: settle only a roster it accepts (a sweep keeps only
    rosters with fewer short; the others are dropped unsettled).
    """
    sub = copies.outside(base, chosen, free)
    if shortfall:
        freed = copies.freed(chosen, free)
        least = min(c for _, c in shortfall)
        w = len(freed) // least + 1  # the shortfall first, then the fewest shifts changed
        var = sub.get_int_var_from_proto_index
        sub.minimize(sum(w * c * var(i) for i, c in shortfall)
                     + sum((1 - var(i)) if base[i] else var(i) for i in freed))
    solver = step_solver(seconds, rng.randrange(1 << 30))
    code = running.solve(solver, sub)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code, solver.wall_time, None, None
    found, obj = list(solver.response_proto.solution), round(solver.objective_value)
    if shortfall and settle_if is not None and not settle_if(found):
        return code, solver.wall_time, None, None
    if shortfall:
        # Settle: the same step with nothing freed, so the full objective decides
        # the rest (penalties, totals); at most a few seconds, every shift fixed.
        seconds_left = min(SETTLE_MAX_SECONDS, seconds if left is None else left())
        if seconds_left < 0.05:
            return code, solver.wall_time, None, None
        _, _, found, obj = sub_solve(copies, found, set(), set(), seconds_left, running, rng)
    return code, solver.wall_time, found, obj


class FixedCopies:
    """Copies of the lean model with every shift variable fixed to a roster except a
    neighbourhood's, made from one kept copy fixed to the last roster asked for.

    Fixing every shift of a fresh copy (``fixed_outside``) took 23 ms a step on
    the clinic month (6 473 shift variables, in Python, holding the GIL), a
    seventh of the 0.16 s a step took on average; the kept copy is brought to
    each new roster by changing only the shifts that differ, and each step then
    clones it (3 ms) and frees its cells. ``lean`` is read once: it must not
    change while the copies are in use (the LNS never changes it)."""

    def __init__(self, lean: cp_model.CpModel, cells: dict[tuple[int, int], list[int]]) -> None:
        self.lean = lean
        self.cells = cells
        self._shifts = [i for idxs in cells.values() for i in idxs]
        self._domains = {i: list(lean.proto.variables[i].domain) for i in self._shifts}
        self._kept: cp_model.CpModel | None = None
        self._values: list[int] | None = None  # the roster the kept copy is fixed to (a copy)
        self._lock = threading.Lock()

    def outside(self, values, chosen: set[int], free: set[int]) -> cp_model.CpModel:
        """The same model as ``fixed_outside(lean, cells, values, chosen, free)``."""
        with self._lock:
            self._fix(values)
            sub = self._kept.clone()
        variables = sub.proto.variables
        for i in self.freed(chosen, free):
            dom = variables[i].domain
            dom.clear()
            dom.extend(self._domains[i])
        return sub

    def freed(self, chosen: set[int], free: set[int]) -> list[int]:
        """The shift variables of the ``chosen`` people on the ``free`` days."""
        return [i for e in chosen for d in free for i in self.cells.get((e, d), ())]

    def _fix(self, values) -> None:
        """Bring the kept copy to ``values`` (under the lock)."""
        if self._kept is not None and self._values == values:
            return
        if self._kept is None or len(values) != len(self._values):
            self._kept = fixed_outside(self.lean, self.cells, values, set(), set())
        else:
            variables = self._kept.proto.variables
            for i in self._shifts:
                if self._values[i] != values[i]:
                    dom = variables[i].domain
                    dom[0] = dom[1] = values[i]
            hint = self._kept.proto.solution_hint.values
            hint.clear()
            hint.extend(values)
        self._values = list(values)


def fixed_outside(lean: cp_model.CpModel, cells: dict[tuple[int, int], list[int]], values,
                  chosen: set[int], free: set[int]) -> cp_model.CpModel:
    """A copy of ``lean`` with every shift variable fixed as in ``values`` except the
    (person, day) cells of the ``chosen`` people on the ``free`` days; ``values``
    is its hint."""
    return fixed_except(lean, cells, values, {(e, d) for e in chosen for d in free})


def fixed_except(model: cp_model.CpModel, cells: dict[tuple[int, int], list[int]], values,
                 free_cells=frozenset(), hint: bool = True) -> cp_model.CpModel:
    """A copy of ``model`` with every shift variable fixed as in ``values`` except
    those of the (person, day) cells in ``free_cells``; hinted with ``values``
    (``hint``), else with ``model``'s own hint."""
    sub = model.clone()
    variables = sub.proto.variables
    for cell, idxs in cells.items():
        if cell in free_cells:
            continue
        for i in idxs:
            dom = variables[i].domain
            dom[0] = dom[1] = values[i]
    if hint:
        sub.clear_hints()
        sub.proto.solution_hint.vars.extend(range(len(values)))
        sub.proto.solution_hint.values.extend(values)
    return sub


def step_solver(seconds: float, seed: int) -> cp_model.CpSolver:
    """``one_worker_lp`` with a light presolve: a step's copy still holds every
    fixed variable, and one presolve pass removes them without the full pass
    that otherwise dominates a one-second step."""
    solver = one_worker_lp(seconds, seed)
    prm = solver.parameters
    prm.max_presolve_iterations = 1
    prm.cp_model_probing_level = 0
    prm.symmetry_level = 0
    return solver


def one_worker_lp(seconds: float, seed: int) -> cp_model.CpSolver:
    """A one-thread solver whose only full worker is LP-heavy (``max_lp``): on a
    small or LP-tight model it both finds rosters and raises the bound."""
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = 1
    prm.random_seed = int(seed)
    prm.max_time_in_seconds = max(0.05, float(seconds))
    prm.subsolvers.append("max_lp")
    return solver


def run_workers(workers: int, seed: int, step, keep_going, hold=None) -> None:
    """Call ``step(rng)`` in ``workers`` threads, each with its own seeded random, while
    ``keep_going()``: the sub-solves release the GIL, so two threads use two cores.
    While ``hold()`` is true the last of two or more threads waits: the bound
    probe beside the LNS takes its core."""
    n = max(1, workers)
    held = n - 1 if hold is not None and n > 1 else None  # the thread that may wait

    def run(tid: int) -> None:
        rng = random.Random(seed * 7919 + tid)
        while tid == held and hold() and keep_going():
            time.sleep(HOLD_POLL_SECONDS)
        while keep_going():
            step(rng)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
