"""Tiny hand-built problems and helpers shared by the planner tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from planner import Pin, Problem, Role, ShiftTemplate, Skill, Staff, solve
from planner.domain import Assignment

MONDAY = date(2025, 1, 6)


def tpl(tid: str, start: str, end: str, role: str | None = None, **kw) -> ShiftTemplate:
    h1, m1 = map(int, start.split(":"))
    h2, m2 = map(int, end.split(":"))
    return ShiftTemplate(id=tid, start=time(h1, m1), end=time(h2, m2), role=role, **kw)


def person(sid: str, **kw) -> Staff:
    return Staff(id=sid, name=kw.pop("name", sid.capitalize()), **kw)


def tiny(num_days: int = 7, staff=None, templates=None, **kw) -> Problem:
    """Two people, one 8-hour day shift, a week from a Monday, no rules."""
    return Problem(
        start=kw.pop("start", MONDAY), num_days=num_days,
        templates=templates or [tpl("D", "08:00", "16:00")],
        staff=staff or [person("kim"), person("lee")], **kw)


def fixed(p: Problem, roster: list[tuple[str, int, str]]) -> Problem:
    """Pin every cell: the listed (staff, day, template) cells worked, all others off."""
    on = {(s, d): t for s, d, t in roster}
    pins = [Pin(s.id, d, on.get((s.id, d))) for s in p.staff for d in range(p.num_days)]
    return replace(p, pins=pins)


def score_fixed(p: Problem, roster: list[tuple[str, int, str]]):
    """Solve ``p`` with every cell pinned: (status value, objective in points)."""
    r = solve(fixed(p, roster), time_limit=10, workers=1, seed=0, explain=False)
    return r.status.value, r.objective


def as_roster(cells) -> list[Assignment]:
    return [Assignment(s, d, t) for s, d, t in cells]
