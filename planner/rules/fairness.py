"""Fairness: balance weekends, late shifts and hours among comparable staff.

Staff are compared within groups of the same primary role and employment type
(a part-timer is not short-changed by working fewer hours than a full-timer).
The penalty is the spread, most minus fewest, times the weight.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from ortools.sat.python import cp_model

from planner.model import Model
from planner.rules import names


def fairness_groups(staff) -> list[list[int]]:
    """Indexes of staff grouped by (primary role, employment type), groups of 2 or more."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for e, s in enumerate(staff):
        groups[(s.primary_role, s.employment)].append(e)
    return [g for g in groups.values() if len(g) > 1]


def _spread(m: Model, rule: str, per_person: dict[int, tuple[list, list[int]]],
            points: Fraction) -> None:
    for group in fairness_groups(m.p.staff):
        exprs = []
        for e in group:
            lits, coefs, *most = per_person[e]
            top_e = most[0] if most else sum(coefs)
            exprs.append((cp_model.LinearExpr.weighted_sum(lits, coefs), top_e))
        top = max(hi for _, hi in exprs)
        if top == 0:
            continue
        hi = m.cp.new_int_var(0, top, "fair_hi")
        lo = m.cp.new_int_var(0, top, "fair_lo")
        for expr, _ in exprs:
            m.cp.add(hi >= expr)
            m.cp.add(lo <= expr)
        m.penalize(rule, hi - lo, points)


def fair_weekends(m: Model) -> None:
    """Spread of weekends worked within each group."""
    w = m.p.weights.fair_weekends
    if w <= 0:
        return
    weekends = m.p.weekends()
    per = {}
    for e in range(len(m.p.staff)):
        lits = [m.weekend_worked(e, k, days) for k, days in enumerate(weekends)]
        lits = [v for v in lits if not isinstance(v, int)]
        per[e] = (lits, [1] * len(lits))
    _spread(m, names.FAIR_WEEKENDS, per, Fraction(w))


def fair_late_shifts(m: Model) -> None:
    """Spread of late shifts worked within each group."""
    w = m.p.weights.fair_late
    if w <= 0:
        return
    late = {i for i, t in enumerate(m.p.templates) if t.late}
    per = {}
    for e in range(len(m.p.staff)):
        lits = [v for d in range(m.p.num_days) for ti, v in m.cells[e][d].options if ti in late]
        per[e] = (lits, [1] * len(lits))
    _spread(m, names.FAIR_LATE, per, Fraction(w))


def fair_hours(m: Model) -> None:
    """Spread of paid hours within each group (weight per hour, counted by the minute)."""
    w = m.p.weights.fair_hours
    if w <= 0:
        return
    per = {}
    weeks = range(len(m.weeks))
    for e in range(len(m.p.staff)):
        pairs = [(m.week_minutes(e, k), m.week_bounds(e, k)) for k in weeks]
        pairs = [(v, most) for v, most in pairs if not isinstance(v, int)]
        per[e] = ([v for v, _ in pairs], [1] * len(pairs), sum(most for _, most in pairs))
    _spread(m, names.FAIR_HOURS, per, Fraction(w, 60))
