"""A dive on the shifts the LP leaves short: settle them first, the rest after.

On Curtois 8 and 9 every person short in a good roster is short on a night,
and which nights each person works decides how low the rest of the roster can
go: the column generation's LP with a roster's nights fixed is nearly tight
(planner/README.md, twenty-eighth session), and the LNS, moving a few people
at a time, rarely re-plans the nights it started with. So after the column
generation has converged, the dive fixes the cells of those templates (the
templates of the needs the LP leaves short) that the LP is surest of, prices
again with those cells forced, lets the LP settle, and repeats until no such
cell is fractional. A step that raises the LP by more than ``MOST_RISE`` points
(besides the shortfall that its rounding up must add), or leaves more people
short than the LP's count rounded up, is undone; a single cell undone is
barred instead (the other branch), so that the dive ends with every cell of
those templates whole and the heaviest patterns agree on them. When a bar
leaves more people short, both branches did, and the dive gives up. The LNS
then starts from the heaviest patterns with those templates kept as the dive
left them for a while (``planner.search``). A dive whose LP ends high (up by
more than the share ``REDIVE_RISE`` of where it started) is run once more from
the start with another threshold, and the dive that ends lower is kept.
"""

from __future__ import annotations

import math
from typing import NamedTuple

SURE = 0.9  # an LP value from which a cell is fixed without ranking (0.8 until the
# thirty-second session: on Curtois 8 its dives ended higher; planner/README.md)
PICK = 6  # cells fixed per step when none is that sure (one after an undo)
MOST_RISE = 2  # points a step may raise the LP by, besides its shortfall
# A dive whose LP ends more than this share above the LP it started from is
# tried again from the start with cells fixed from SURE_AGAIN, and the lower
# kept: the roster follows the LP the dive ends with, and on Curtois 8 the
# dives that ended high at one threshold seldom did at the other
# (planner/README.md, thirty-third session).
REDIVE_RISE = 0.0075
SURE_AGAIN = 0.8


class Dived(NamedTuple):
    """Where one dive ended: each person's heaviest pattern, and the LP it rose from."""

    patterns: list[frozenset]
    start: float  # the LP's value before the first fixing
    value: float  # the LP's value at the end


def dive(master, people, price, settle, scale: int) -> tuple[list[frozenset], set[int]] | None:
    """(each person's heaviest pattern, the templates dived on) once no cell of
    those templates is fractional, or None (nothing short, someone priced by
    CP-SAT, both branches of a cell left more people short, or the time is
    up). A first dive that ends high is tried again (``REDIVE_RISE``); a second
    dive that gives up or runs out of time leaves the first.
    ``price(group, prices)`` prices a group exactly at the given prices;
    ``settle()`` prices everyone and re-solves the master until no pattern
    pays, giving the LP's value and prices, or None (GLOP failed, a Stop, or
    the time is up). The master must have converged."""
    targets = master.short_templates()
    if not targets or any(who.exact is None for who in people):
        return None
    short = math.ceil(master.short() - 1e-6)  # the LP's people short, rounded up
    first = _dive(master, people, price, settle, scale, targets, short, SURE)
    if first is None:
        return None
    if first.value - first.start > REDIVE_RISE * abs(first.start):
        _release(master, people)
        second = _dive(master, people, price, settle, scale, targets, short, SURE_AGAIN)
        if second is not None and second.value < first.value:
            return second.patterns, targets
    return first.patterns, targets


def _release(master, people) -> None:
    """Undo every fixing and bar of a dive (the patterns it priced stay)."""
    for who in people:
        who.fix({}, frozenset())
    for cols in master.columns:
        for _, var in cols:
            var.SetUb(master.lp.infinity())


def _dive(master, people, price, settle, scale: int, targets: set[int], short0: int,
          sure: float) -> Dived | None:
    """One dive that may leave ``short0`` people short, fixing without ranking
    the cells at ``sure`` or more."""
    on: list[dict[int, int]] = [{} for _ in people]  # day -> template, per person
    off: list[set[tuple[int, int]]] = [set() for _ in people]  # (day, template) barred
    stuck: set[tuple] = set()  # cells that can be neither fixed nor barred
    last_pick: list[tuple] = []  # the cells the last step fixed
    careful = False
    rest_before = 0.0  # the LP's value less its shortfall's cost, before the last step
    start = None
    while True:
        settled = settle()
        if settled is None:
            return None
        value, prices = settled
        start = value if start is None else start
        rest = value - _shortfall_cost(master)
        if not last_pick and master.short() > short0 + 1e-6:
            return None  # a cell barred (both branches) left more people short: give up
        if last_pick and (master.short() > short0 + 1e-6 or rest - rest_before > MOST_RISE * scale):
            # Undo the step; a single cell is barred instead, so that every
            # cell ends whole (a cell left fractional would leave the heaviest
            # patterns' nights at odds with each other).
            for e, d, t in last_pick:
                del on[e][d]
            alone = len(last_pick) == 1
            if alone:
                e, d, t = last_pick[0]
                _bar(master, people[e], on[e], off[e], (d, t), prices, price, stuck)
            else:
                for e in {e for e, _, _ in last_pick}:
                    _apply(master, people[e], on[e], off[e])
            last_pick, careful = [], not alone
            continue
        rest_before = rest
        fractional = {cell: x for cell, x in _values(master, targets).items()
                      if 1e-6 < x < 1 - 1e-6 and cell[1] not in on[cell[0]] and cell not in stuck}
        if not fractional:
            return Dived(master.heaviest(), start, value)
        ranked = sorted(fractional, key=fractional.get)
        pick = ranked[-1:] if careful else [cell for cell in ranked if fractional[cell] >= sure] or ranked[-PICK:]
        careful = False
        last_pick = []
        for e, d, t in pick:
            if d in on[e]:
                continue
            on[e][d] = t
            if not _refix(master, people[e], on[e], off[e], prices, price):
                del on[e][d]  # no roster of this person works all its fixed cells
                _bar(master, people[e], on[e], off[e], (d, t), prices, price, stuck)
                continue
            last_pick.append((e, d, t))
            _keep_consistent(master, e, on[e], off[e])


def _bar(master, who, on: dict[int, int], off: set, cell: tuple[int, int], prices, price,
         stuck: set) -> None:
    """Bar ``who`` from a (day, template) cell and give the master this
    person's best patterns without it; a cell that cannot be barred (every
    roster left works it) is left as it is, never picked again."""
    off.add(cell)
    if _refix(master, who, on, off, prices, price):
        _keep_consistent(master, who.e, on, off)
    else:
        off.discard(cell)
        _apply(master, who, on, off)
        stuck.add((who.e, *cell))


def _refix(master, who, on: dict[int, int], off: set, prices, price) -> bool:
    """Fix ``who`` to ``on`` and ``off``, price them at ``prices`` and give the
    master the patterns found; False when no roster keeps every fixing."""
    patterns = price([who], prices)[0][0] if who.fix(on, frozenset(off)) else []
    for work, cost in patterns:
        master.add(who.e, work, cost)
    return bool(patterns)


def _apply(master, who, on: dict[int, int], off: set) -> None:
    """Fix ``who`` to ``on`` and ``off`` again (a fixing undone) and bar the
    master's patterns that break them."""
    who.fix(on, frozenset(off))
    _keep_consistent(master, who.e, on, off)


def _values(master, targets: set[int]) -> dict[tuple, float]:
    """LP value of each (person, day, template) cell of the target templates."""
    y: dict[tuple, float] = {}
    for cols in master.columns:
        for work, var in cols:
            x = var.solution_value()
            if x > 1e-9:
                for cell in work:
                    if cell[2] in targets:
                        y[cell] = y.get(cell, 0.0) + x
    return y


def _shortfall_cost(master) -> float:
    return sum(v.solution_value() * master.objective.GetCoefficient(v) for v in master.understaffing)


def _keep_consistent(master, e: int, on: dict[int, int], off: set) -> None:
    """Bar from the master the patterns of person ``e`` that break a fixing or a bar."""
    for work, var in master.columns[e]:
        ok = all((e, d, t) in work for d, t in on.items()) and not any((e, d, t) in work for d, t in off)
        var.SetUb(master.lp.infinity() if ok else 0)
