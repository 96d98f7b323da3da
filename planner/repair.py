"""Sick-call repair: mark people absent and re-solve with the fewest changes."""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Assignment, Problem, Unavailability


def sick_call(p: Problem, published: list[Assignment], absences: list[tuple[str, int]],
              change_weight: int | None = None) -> Problem:
    """A copy of ``p`` with each (staff, day) absent and ``published`` as the reference.

    Every roster cell that differs from ``published`` costs ``change_weight``
    points (default: the problem's ``weights.change``, or, when that is 0, half
    the largest understaffing weight: a change is worth making to fill a real
    gap, not to save a little pay). The absent person's own published shifts are
    dropped from the reference, and their contract minimums are lowered by the
    hours lost.
    """
    absent = [Unavailability(staff=s, day=d, reason="sick") for s, d in absences]
    weight = p.weights.change if change_weight is None else change_weight
    if weight <= 0:
        needs = list(p.shift_covers) + list(p.window_covers)
        weight = max([c.under_weight for c in needs if c.under_weight] + [2]) // 2
    gone = set(absences)
    reference = [a for a in published if (a.staff, a.day) not in gone]
    # Sick time counts toward contract minimums: lower them by the hours lost.
    lost: dict[str, int] = {}
    for a in published:
        if (a.staff, a.day) in gone:
            lost[a.staff] = lost.get(a.staff, 0) + p.template(a.template).paid_minutes
    staff = [replace(s, min_minutes_per_week=max(0, s.min_minutes_per_week - lost[s.id]),
                     min_minutes_total=max(0, s.min_minutes_total - lost[s.id]))
             if s.id in lost else s for s in p.staff]
    return replace(p, staff=staff, unavailability=list(p.unavailability) + absent,
                   reference=reference, weights=replace(p.weights, change=weight))
