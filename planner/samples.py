"""Deterministic sample problems: a demo-clinic-sized roster and a tiny one.

``clinic_problem()`` is the size the browser planner must handle (35 staff, 2
locations, 6 roles, 4 weeks, hourly coverage windows, overtime and a soft
budget); tests and ``python -m planner clinic-bench`` use it. Randomness comes
from a seeded ``random.Random`` so every call returns the same problem.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from planner.domain import (
    Budget,
    Problem,
    Request,
    Role,
    ShiftTemplate,
    Skill,
    Staff,
    Unavailability,
    Weights,
    WindowCover,
)

MAIN, RIVERSIDE = "Main St", "Riverside"
WEEKDAYS = [0, 1, 2, 3, 4]

ROLES = [
    Role("MD", "physician", ["Medical license"]),
    Role("NP", "nurse practitioner", ["NP license"]),
    Role("RN", "RN", ["RN license"]),
    Role("MA", "MA", ["CMA certificate"]),
    Role("FD", "front desk", [], "front desk staff"),
    Role("PH", "phlebotomist", ["Phlebotomy certificate"]),
]
CREDENTIAL = {r.id: (r.required_skills[0] if r.required_skills else None) for r in ROLES}

# (suffix, location, start, end, unpaid break, late, weekdays)
SHAPES = [
    ("main-early", MAIN, time(7, 30), time(16, 0), 30, False, WEEKDAYS),
    ("main-day", MAIN, time(8, 0), time(17, 0), 60, False, WEEKDAYS),
    ("main-late", MAIN, time(12, 0), time(20, 0), 30, True, WEEKDAYS),
    ("main-am", MAIN, time(8, 0), time(12, 0), 0, False, WEEKDAYS),
    ("main-pm", MAIN, time(13, 0), time(17, 0), 0, False, WEEKDAYS),
    ("main-sat", MAIN, time(8, 0), time(12, 0), 0, False, [5]),
    ("river-day", RIVERSIDE, time(8, 0), time(17, 0), 60, False, WEEKDAYS),
    ("river-am", RIVERSIDE, time(8, 0), time(12, 0), 0, False, WEEKDAYS),
    ("river-pm", RIVERSIDE, time(13, 0), time(17, 0), 0, False, WEEKDAYS),
]

# Hourly needs on weekdays: role -> location -> list of (from hour, to hour, count).
NEEDS = {
    "MD": {MAIN: [(8, 17, 2), (17, 20, 1)], RIVERSIDE: [(8, 17, 1)]},
    "NP": {MAIN: [(8, 17, 1)], RIVERSIDE: [(9, 16, 1)]},
    "RN": {MAIN: [(8, 17, 2), (17, 20, 1)], RIVERSIDE: [(8, 17, 1)]},
    "MA": {MAIN: [(8, 12, 3), (12, 17, 3), (17, 20, 2)], RIVERSIDE: [(8, 17, 2)]},
    "FD": {MAIN: [(8, 20, 1), (8, 17, 1)], RIVERSIDE: [(8, 17, 1)]},
    "PH": {MAIN: [(8, 12, 1), (12, 16, 1)], RIVERSIDE: [(8, 12, 1)]},
}
SATURDAY = {"MD": 1, "RN": 1, "MA": 1, "FD": 1}

# role -> list of (employment, count, hourly rate in dollars)
STAFFING = {
    "MD": [("full_time", 4, 110), ("part_time", 1, 120)],
    "NP": [("full_time", 3, 62)],
    "RN": [("full_time", 5, 44), ("part_time", 2, 46)],
    "MA": [("full_time", 7, 22), ("part_time", 3, 21)],
    "FD": [("full_time", 4, 19), ("part_time", 2, 18)],
    "PH": [("full_time", 3, 24), ("per_diem", 1, 28)],
}
FIRST_NAMES = ["Ava", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jade", "Kim",
               "Lee", "Mia", "Nico", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Uma",
               "Vic", "Wes", "Xia", "Yara", "Zed", "Abe", "Bea", "Cy", "Dot", "Ed", "Flo",
               "Gil", "Hal", "Ivy", "Jo", "Kai", "Liv", "Max", "Noa"]


def templates() -> list[ShiftTemplate]:
    out = []
    for role in ROLES:
        for suffix, loc, start, end, brk, late, days in SHAPES:
            out.append(ShiftTemplate(
                id=f"{role.id}-{suffix}", start=start, end=end, unpaid_break_minutes=brk,
                location=loc, role=role.id, late=late, weekdays=list(days),
                name=f"{role.id} {start:%H:%M}-{end:%H:%M} {loc}"))
    return out


def _staff(rng: random.Random, start: date, num_days: int) -> list[Staff]:
    people = []
    names = iter(FIRST_NAMES)
    for role, groups in STAFFING.items():
        for employment, count, rate in groups:
            for _ in range(count):
                name = next(names)
                roles = [role]
                if role == "RN" and len(people) % 3 == 0:
                    roles.append("MA")  # some RNs also work as MAs
                if role == "MA" and rng.random() < 0.2:
                    roles.append("PH")
                skills = [Skill(CREDENTIAL[r]) for r in roles if CREDENTIAL[r]]
                weekly = {"full_time": (32 * 60, 48 * 60), "part_time": (0, 24 * 60),
                          "per_diem": (0, 16 * 60)}[employment]
                people.append(Staff(
                    id=f"{role.lower()}{len(people) + 1:02d}", name=name, roles=roles,
                    skills=skills, pay_cents_per_hour=rate * 100 + rng.choice([0, 25, 50, 75]),
                    employment=employment, overtime_exempt=(role == "MD"),
                    min_minutes_per_week=weekly[0], max_minutes_per_week=weekly[1],
                    max_minutes_total=weekly[1] * num_days // 7,
                    max_consecutive_days=5 if employment == "full_time" else 4,
                    min_consecutive_days_off=1, max_weekends=2 if employment == "full_time" else 1))
    # Credentials that lapse: one RN mid-horizon, one MA before the start.
    rn = [s for s in people if s.roles[0] == "RN"][-1]  # a part-timer, no weekly minimum
    rn.skills = [Skill("RN license", start + timedelta(days=15))] + rn.skills[1:]
    ma = [s for s in people if s.roles[0] == "MA"][-1]
    ma.skills = [Skill("CMA certificate", start - timedelta(days=3))]
    ma.roles = ["MA", "FD"]
    return people


def clinic_problem(weeks: int = 4, seed: int = 7, start: date = date(2025, 1, 6)) -> Problem:
    """The demo-clinic-sized problem (deterministic for a given seed)."""
    rng = random.Random(seed)
    num_days = 7 * weeks
    staff = _staff(rng, start, num_days)
    covers = []
    for day in range(num_days):
        wd = (start + timedelta(days=day)).weekday()
        if wd < 5:
            for role, by_loc in NEEDS.items():
                for loc, blocks in by_loc.items():
                    need: dict[int, int] = {}
                    for lo, hi, n in blocks:
                        for hour in range(lo, hi):
                            need[hour] = need.get(hour, 0) + n
                    for hour, n in sorted(need.items()):
                        hard = role == "MD" and loc == MAIN and hour < 17
                        covers.append(WindowCover(
                            day=day, location=loc, start=time(hour), end=time(hour + 1),
                            role=role, required=1 if hard else n,
                            under_weight=None if hard else 20000,
                            preferred=n if hard else None, preferred_weight=10000 if hard else 0))
        elif wd == 5:
            for role, n in SATURDAY.items():
                for hour in range(8, 12):
                    covers.append(WindowCover(day=day, location=MAIN, start=time(hour),
                                              end=time(hour + 1), role=role, required=n,
                                              under_weight=20000))
    leave, requests = [], []
    for s in staff:
        if rng.random() < 0.3:
            first = rng.randrange(num_days - 3)
            leave += [Unavailability(s.id, d, reason="approved leave")
                      for d in range(first, first + rng.choice([1, 2, 3]))]
        for _ in range(rng.choice([0, 1, 2])):
            requests.append(Request(s.id, rng.randrange(num_days), None, on=False,
                                    weight=rng.choice([1500, 3000])))
    # Full-timers on leave keep their weekly minimum only in weeks without leave.
    return Problem(
        start=start, num_days=num_days, templates=templates(), staff=staff, roles=list(ROLES),
        locations=[MAIN, RIVERSIDE], window_covers=covers,
        unavailability=_relax_minimums(staff, leave), requests=requests,
        min_rest_minutes=12 * 60, budget=Budget(limit_cents=_budget_cents(num_days), hard=False),
        weights=Weights(pay=1, over_budget_per_dollar=50, fair_weekends=3000, fair_late=1000,
                        fair_hours=100),
        name=f"demo clinic {weeks}w")


def _relax_minimums(staff: list[Staff], leave: list[Unavailability]) -> list[Unavailability]:
    """People with leave get no weekly minimum (their contract hours are met by leave pay)."""
    on_leave = {u.staff for u in leave}
    for s in staff:
        if s.id in on_leave:
            s.min_minutes_per_week = 0
    return leave


def _budget_cents(num_days: int) -> int:
    # Roughly the wages of the needed hours; tight enough that overtime shows.
    return 52_000_00 * num_days // 7
