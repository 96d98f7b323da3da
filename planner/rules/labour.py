"""Per-person labour rules (hard): hours, runs of days, weekends, rest.

Sequence rules use sliding windows and forbidden-run clauses on the "works
that day" literals rather than big-M counters: they propagate well and their
linear relaxation is tight.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from planner.domain import short_rest_pairs
from planner.model import Group, Model
from planner.rules import names


def _is_var(lit) -> bool:
    return not isinstance(lit, int)


def max_shifts_per_template(m: Model) -> None:
    """A person works at most ``max_shifts[t]`` shifts of template t."""
    for e, s in enumerate(m.p.staff):
        for tid, limit in s.max_shifts.items():
            ti = m.t_index[tid]
            lits = m.by_person_template[e].get(ti, [])
            if len(lits) > limit:
                g = Group(names.MAX_SHIFTS_TEMPLATE, staff=s.id, template=tid, ref=limit)
                m.hard(m.cp.add(cp_model.LinearExpr.sum(lits) <= limit), g, (g.rule, e, ti))


def _limit(m: Model, rule: str, e: int, expr, most: int, lo: int, hi: int | None,
           key: tuple, day: int, ref) -> None:
    g = Group(rule, staff=m.p.staff[e].id, day=day, ref=ref)
    if hi is not None and most > hi:
        m.hard(m.cp.add(expr <= hi), g, key)
    if lo > 0:
        m.hard(m.cp.add(expr >= lo), g, key)


def _total(m: Model, e: int):
    """(expression, most) for the paid minutes of person e over the horizon."""
    weeks = range(len(m.weeks))
    return (cp_model.LinearExpr.sum([m.week_minutes(e, w) for w in weeks]),
            sum(m.week_bounds(e, w) for w in weeks))


def max_minutes_total(m: Model) -> None:
    """Paid minutes over the horizon stay at or below the contract maximum."""
    for e, s in enumerate(m.p.staff):
        if s.max_minutes_total is not None:
            expr, most = _total(m, e)
            _limit(m, names.MAX_MINUTES_TOTAL, e, expr, most, 0, s.max_minutes_total,
                   (names.MAX_MINUTES_TOTAL, e), 0, s.max_minutes_total)


def min_minutes_total(m: Model) -> None:
    """Paid minutes over the horizon reach the contract minimum."""
    for e, s in enumerate(m.p.staff):
        if s.min_minutes_total > 0:
            expr, most = _total(m, e)
            _limit(m, names.MIN_MINUTES_TOTAL, e, expr, most, s.min_minutes_total, None,
                   (names.MIN_MINUTES_TOTAL, e), 0, s.min_minutes_total)


def max_minutes_per_week(m: Model) -> None:
    """Paid minutes in each pay week stay at or below the weekly maximum."""
    for e, s in enumerate(m.p.staff):
        if s.max_minutes_per_week is None:
            continue
        for w, days in enumerate(m.weeks):
            _limit(m, names.MAX_MINUTES_WEEK, e, m.week_minutes(e, w), m.week_bounds(e, w), 0,
                   s.max_minutes_per_week, (names.MAX_MINUTES_WEEK, e, w), days[0],
                   s.max_minutes_per_week)


def min_minutes_per_week(m: Model) -> None:
    """Paid minutes in each full pay week reach the weekly minimum."""
    for e, s in enumerate(m.p.staff):
        if s.min_minutes_per_week <= 0:
            continue
        for w, days in enumerate(m.weeks):
            if len(days) == 7:
                _limit(m, names.MIN_MINUTES_WEEK, e, m.week_minutes(e, w), m.week_bounds(e, w),
                       s.min_minutes_per_week, None, (names.MIN_MINUTES_WEEK, e, w), days[0],
                       s.min_minutes_per_week)


def max_consecutive_days(m: Model) -> None:
    """No run of working days longer than the limit (days outside the horizon are off)."""
    h = m.p.num_days
    for e, s in enumerate(m.p.staff):
        k = s.max_consecutive_days
        if k is None or k >= h:
            continue
        g = Group(names.MAX_CONSECUTIVE, staff=s.id, ref=k)
        work = [m.work(e, d) for d in range(h)]
        for start in range(h - k):
            window = work[start:start + k + 1]
            if all(_is_var(v) for v in window):
                m.hard(m.cp.add(cp_model.LinearExpr.sum(window) <= k), g, (g.rule, e))


def min_consecutive_days(m: Model) -> None:
    """Every run of working days lasts at least the minimum.

    Runs touching the first or last day are exempt (the benchmark assumes
    work continues outside the horizon).
    """
    h = m.p.num_days
    for e, s in enumerate(m.p.staff):
        k = s.min_consecutive_days
        g = Group(names.MIN_CONSECUTIVE, staff=s.id, ref=k)
        work = [m.work(e, d) for d in range(h)]
        for length in range(1, k):
            for start in range(1, h - length):
                run = work[start:start + length]
                if not all(_is_var(v) for v in run):
                    continue
                clause = [~v for v in run]
                clause += [v for v in (work[start - 1], work[start + length]) if _is_var(v)]
                m.hard(m.cp.add_bool_or(clause), g, (g.rule, e))


def min_consecutive_days_off(m: Model) -> None:
    """Every run of days off lasts at least the minimum (edge runs exempt)."""
    h = m.p.num_days
    for e, s in enumerate(m.p.staff):
        k = s.min_consecutive_days_off
        g = Group(names.MIN_DAYS_OFF, staff=s.id, ref=k)
        work = [m.work(e, d) for d in range(h)]
        for length in range(1, k):
            for start in range(1, h - length):
                before, after = work[start - 1], work[start + length]
                if not (_is_var(before) and _is_var(after)):
                    continue
                clause = [~before, ~after] + [v for v in work[start:start + length] if _is_var(v)]
                m.hard(m.cp.add_bool_or(clause), g, (g.rule, e))


def max_weekends(m: Model) -> None:
    """A weekend counts if the Saturday or the Sunday is worked; at most N of them."""
    weekends = m.p.weekends()
    for e, s in enumerate(m.p.staff):
        if s.max_weekends is None or s.max_weekends >= len(weekends):
            continue
        lits = [m.weekend_worked(e, k, days) for k, days in enumerate(weekends)]
        lits = [v for v in lits if _is_var(v)]
        if len(lits) > s.max_weekends:
            g = Group(names.MAX_WEEKENDS, staff=s.id, ref=s.max_weekends)
            m.hard(m.cp.add(cp_model.LinearExpr.sum(lits) <= s.max_weekends), g, (g.rule, e))


def _sequence_constraints(m: Model, rule: str, pairs: dict[tuple[int, int], set[int]]) -> None:
    """For each (first, gap): x[d, first] + sum(x[d+gap, then]) <= 1 (one shift a day)."""
    h = m.p.num_days
    gaps = sorted({gap for _, gap in pairs})
    for e, s in enumerate(m.p.staff):
        g = Group(rule, staff=s.id)
        for d in range(h):
            for ti, v in m.cells[e][d].options:
                for gap in gaps:
                    if d + gap >= h:
                        break
                    banned = pairs.get((ti, gap))
                    if not banned:
                        continue
                    later = [u for tj, u in m.cells[e][d + gap].options if tj in banned]
                    if later:
                        m.hard(m.cp.add(cp_model.LinearExpr.sum([v] + later) <= 1), g, (rule, e))


def forbidden_sequences(m: Model) -> None:
    """Declared pairs (e.g. no early shift the day after a late one)."""
    pairs: dict[tuple[int, int], set[int]] = defaultdict(set)
    for f in m.p.forbidden_sequences:
        pairs[(m.t_index[f.first], f.gap_days)].add(m.t_index[f.then])
    if pairs:
        _sequence_constraints(m, names.FORBIDDEN_SEQUENCE, pairs)


def min_rest(m: Model) -> None:
    """At least ``min_rest_minutes`` between the end of one shift and the next start."""
    pairs = short_rest_pairs(m.p)
    if pairs:
        _sequence_constraints(m, names.MIN_REST, pairs)
