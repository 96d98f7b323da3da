"""A solve result as plain JSON for the database, and the figures scenarios are compared on.

Stored with the scenario so every session (and every later comparison) reads
the same numbers without re-solving.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from planner import SolveResult
from planner.check import cover_counts

from data.roster_problem import BuiltProblem


def _minutes(start, end) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def shortfall_hours(built: BuiltProblem, result: SolveResult) -> tuple[float, float]:
    """Person-hours below the minimum, and below the preferred level."""
    short = below_preferred = 0.0
    for cover, n in cover_counts(built.problem, result.assignments):
        hours = _minutes(cover.start, cover.end) / 60 if hasattr(cover, "start") else 0
        short += max(0, cover.required - n) * hours
        preferred = cover.preferred if cover.preferred is not None else cover.required
        below_preferred += max(0, preferred - n) * hours
    return short, below_preferred


def requests_honoured(built: BuiltProblem, result: SolveResult) -> tuple[int, int]:
    """(wishes granted, wishes made), counting each person-day wish once."""
    made = {(q.staff, q.day, q.on) for q in built.problem.requests}
    broken = {(p.staff, p.day) for p in result.penalties if "request" in p.rule.lower()}
    granted = sum(1 for staff, day, _ in made if (staff, day) not in broken)
    return granted, len(made)


def fairness_spread(result: SolveResult, person_role: dict[str, str]) -> dict[str, int]:
    """The widest gap between two people of the same role who work at all:
    in weekends worked and in late shifts (what the fairness rule balances)."""
    weekends: dict[str, list[int]] = defaultdict(list)
    late: dict[str, list[int]] = defaultdict(list)
    for person in result.people:
        if person.shifts == 0:
            continue  # away, or not allowed to work: not a fairness question
        role = person_role.get(person.staff, person.role or "")
        weekends[role].append(person.weekends)
        late[role].append(person.late_shifts)
    return {
        "weekends": max((max(v) - min(v) for v in weekends.values()), default=0),
        "late_shifts": max((max(v) - min(v) for v in late.values()), default=0),
    }


def summarize(built: BuiltProblem, result: SolveResult) -> dict[str, Any]:
    """Everything the result pages show, JSON-ready."""
    out: dict[str, Any] = {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "wall_time": result.wall_time,
        "time_to_best": result.time_to_best,
        "solutions": result.solutions,
        "errors": list(result.errors),
        "ineligible": list(built.ineligible),
        "conflict": None if result.conflict is None else {
            "sentences": list(result.conflict.sentences), "relax": list(result.conflict.relax)},
        "penalties": [
            {"rule": p.rule, "sentence": p.sentence, "points": float(p.points), "staff": p.staff, "day": p.day}
            for p in result.penalties
        ],
        "violations": [{"rule": v.rule, "sentence": v.sentence} for v in getattr(result, "violations", [])],
    }
    if result.cost is not None:
        c = result.cost
        out["cost"] = {
            "regular": c.regular_cents / 100, "overtime": c.overtime_cents / 100, "total": c.total_cents / 100,
            "budget": None if c.budget_cents is None else c.budget_cents / 100,
            "over_budget": c.over_budget_cents / 100,
            "per_role": {k: v / 100 for k, v in c.per_role.items()},
            "per_week": [v / 100 for v in c.per_week],
        }
    out["people"] = [
        {"person": p.staff, "name": p.name, "role": built.person_role.get(p.staff, p.role), "shifts": p.shifts,
         "hours": p.minutes / 60, "overtime_hours": p.overtime_minutes / 60, "weekends": p.weekends,
         "late_shifts": p.late_shifts, "cost": p.cost_cents / 100}
        for p in result.people
    ]
    if result.has_roster:
        short, below_pref = shortfall_hours(built, result)
        granted, made = requests_honoured(built, result)
        out["figures"] = {
            "cost": out.get("cost", {}).get("total"),
            "overtime_hours": round(sum(p["overtime_hours"] for p in out["people"]), 2),
            "shortfall_hours": round(short, 2),
            "below_preferred_hours": round(below_pref, 2),
            "requests_granted": granted,
            "requests_made": made,
            "fairness_spread": fairness_spread(result, built.person_role),
        }
    return out
