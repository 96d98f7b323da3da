"""Sick-call repair: mark people absent and re-solve with the fewest changes."""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Assignment, Problem, Unavailability


def sick_call(p: Problem, published: list[Assignment], absences: list[tuple[str, int]],
              change_weight: int | None = None) -> Problem:
    """A copy of ``p`` with each (staff, day) absent and ``published`` as the reference.

    Every roster cell that differs from ``published`` costs ``change_weight``
    points (default: the problem's ``weights.change``, or 2000 points = $20 of
    wages when that is 0), so people are moved only to fill a real gap. The
    absent person's own published shifts are dropped from the reference.
    """
    absent = [Unavailability(staff=s, day=d, reason="sick") for s, d in absences]
    weight = p.weights.change if change_weight is None else change_weight
    if weight <= 0:
        weight = 2000
    gone = set(absences)
    reference = [a for a in published if (a.staff, a.day) not in gone]
    return replace(p, unavailability=list(p.unavailability) + absent, reference=reference,
                   weights=replace(p.weights, change=weight))
