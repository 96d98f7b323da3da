"""Input validation: clear sentences about bad input, before any model is built.

The solver must never see a problem that would make it crash or silently mean
something else (unknown ids, negative hours, shifts that end before they start).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from planner.domain import Problem, minute_of_day


def validate(p: Problem) -> list[str]:
    """Return every problem found in ``p`` as a sentence; empty means valid."""
    errors: list[str] = []
    if p.num_days < 1:
        errors.append(f"The horizon must have at least one day (got {p.num_days}).")
    if p.num_days > 400:
        errors.append(f"The horizon is {p.num_days} days; at most 400 are supported.")
    errors += _duplicates("shift template", [t.id for t in p.templates])
    errors += _duplicates("staff member", [s.id for s in p.staff])
    errors += _duplicates("role", [r.id for r in p.roles])
    errors += _templates(p)
    errors += _staff(p)
    errors += _covers(p)
    errors += _calendar_items(p)
    errors += _global_rules(p)
    return errors


def _duplicates(kind: str, ids: list[str]) -> list[str]:
    return [f"The {kind} id '{i}' is used {n} times." for i, n in Counter(ids).items() if n > 1]


def _templates(p: Problem) -> list[str]:
    errs = []
    roles = {r.id for r in p.roles}
    for t in p.templates:
        name = f"Shift template '{t.id}'"
        if (t.start is None) != (t.end is None):
            errs.append(f"{name} has a start time or an end time but not both.")
        elif t.has_clock and minute_of_day(t.end) <= minute_of_day(t.start):
            errs.append(f"{name} ends ({t.end:%H:%M}) before it starts ({t.start:%H:%M}); "
                        "shifts crossing midnight are not supported.")
        elif not t.has_clock and (t.length_minutes is None or t.length_minutes <= 0):
            errs.append(f"{name} needs clock times or a positive length in minutes.")
        if t.unpaid_break_minutes < 0 or t.unpaid_break_minutes >= max(t.minutes, 1):
            errs.append(f"{name} has an unpaid break of {t.unpaid_break_minutes} minutes, "
                        "which must be at least 0 and shorter than the shift.")
        if t.weekdays is not None and any(not 0 <= w <= 6 for w in t.weekdays):
            errs.append(f"{name} has a weekday outside 0 (Monday) to 6 (Sunday).")
        if p.roles and t.role is not None and t.role not in roles:
            errs.append(f"{name} needs role '{t.role}', which is not defined.")
        if p.locations and t.location is not None and t.location not in p.locations:
            errs.append(f"{name} is at unknown location '{t.location}'.")
    return errs


def _staff(p: Problem) -> list[str]:
    errs = []
    roles = {r.id for r in p.roles}
    tids = {t.id for t in p.templates}
    for s in p.staff:
        who = s.label
        if p.roles:
            errs += [f"{who} has unknown role '{r}'." for r in s.roles if r not in roles]
        if s.pay_cents_per_hour < 0:
            errs.append(f"{who} has a negative pay rate.")
        for fld in ("min_minutes_per_week", "max_minutes_per_week", "min_minutes_total",
                    "max_minutes_total", "max_minutes_per_day", "max_consecutive_days",
                    "max_weekends"):
            v = getattr(s, fld)
            if v is not None and v < 0:
                errs.append(f"{who} has a negative {fld.replace('_', ' ')} ({v}).")
        for lo, hi in (("min_minutes_per_week", "max_minutes_per_week"),
                       ("min_minutes_total", "max_minutes_total")):
            if getattr(s, hi) is not None and getattr(s, lo) > getattr(s, hi):
                errs.append(f"{who} has {lo.replace('_', ' ')} above {hi.replace('_', ' ')}.")
        if s.max_consecutive_days is not None and s.max_consecutive_days < 1:
            errs.append(f"{who} must be allowed at least 1 consecutive day.")
        if s.min_consecutive_days < 1 or s.min_consecutive_days_off < 1:
            errs.append(f"{who} has a minimum run of days (on or off) below 1.")
        for tid, n in s.max_shifts.items():
            if tid not in tids:
                errs.append(f"{who} has a shift limit for unknown template '{tid}'.")
            elif n < 0:
                errs.append(f"{who} has a negative limit for template '{tid}'.")
    return errs


def _cover_common(p: Problem, what: str, c) -> list[str]:
    errs = []
    if not 0 <= c.day < p.num_days:
        errs.append(f"{what} is on day {c.day}, outside the horizon of {p.num_days} days.")
    if c.required < 0 or (c.preferred is not None and c.preferred < 0):
        errs.append(f"{what} has a negative staff count.")
    weights = [c.under_weight, c.over_weight, c.preferred_weight]
    if any(w is not None and w < 0 for w in weights):
        errs.append(f"{what} has a negative weight.")
    if (c.preferred is not None and c.preferred > c.required and c.under_weight is not None
            and c.preferred_weight > c.under_weight):
        errs.append(f"{what} weighs a missing preferred person above a missing required one.")
    return errs


def _covers(p: Problem) -> list[str]:
    errs = []
    tids = {t.id for t in p.templates}
    roles = {r.id for r in p.roles}
    for c in p.shift_covers:
        what = f"The need for shift '{c.template}' on day {c.day}"
        if c.template not in tids:
            errs.append(f"{what} names an unknown shift template.")
        errs += _cover_common(p, what, c)
    for c in p.window_covers:
        what = f"The need on day {c.day} {c.start:%H:%M}-{c.end:%H:%M}"
        if minute_of_day(c.end) <= minute_of_day(c.start):
            errs.append(f"{what} ends before it starts.")
        if p.locations and c.location is not None and c.location not in p.locations:
            errs.append(f"{what} is at unknown location '{c.location}'.")
        if p.roles and c.role is not None and c.role not in roles:
            errs.append(f"{what} needs unknown role '{c.role}'.")
        errs += _cover_common(p, what, c)
    return errs


def _calendar_items(p: Problem) -> list[str]:
    errs = []
    sids = {s.id for s in p.staff}
    tids = {t.id for t in p.templates}

    def check(kind: str, staff: str, day: int, template: str | None = None) -> None:
        if staff not in sids:
            errs.append(f"A {kind} names unknown staff member '{staff}'.")
        if not 0 <= day < p.num_days:
            errs.append(f"A {kind} for '{staff}' is on day {day}, outside the horizon.")
        if template is not None and template not in tids:
            errs.append(f"A {kind} for '{staff}' names unknown shift template '{template}'.")

    for u in p.unavailability:
        check("leave or unavailability", u.staff, u.day)
        if (u.start is None) != (u.end is None):
            errs.append(f"An unavailability for '{u.staff}' has a start or an end but not both.")
        elif u.start is not None and minute_of_day(u.end) <= minute_of_day(u.start):
            errs.append(f"An unavailability for '{u.staff}' on day {u.day} ends before it starts.")
    for r in p.requests:
        check("request", r.staff, r.day, r.template)
        if r.weight < 0:
            errs.append(f"A request for '{r.staff}' has a negative weight.")
    for a in p.reference:
        check("reference assignment", a.staff, a.day, a.template)
    seen_pins: set[tuple[str, int]] = set()
    for pin in p.pins:
        check("pinned assignment", pin.staff, pin.day, pin.template)
        if (pin.staff, pin.day) in seen_pins:
            errs.append(f"'{pin.staff}' has two pinned assignments on day {pin.day}.")
        seen_pins.add((pin.staff, pin.day))
    errs += _pin_eligibility(p, sids, tids)
    return errs


def _pin_eligibility(p: Problem, sids: set[str], tids: set[str]) -> list[str]:
    """A pin the person may never work is an input error, not an infeasibility."""
    from planner.eligibility import Eligibility  # local: eligibility needs a valid problem

    errs = []
    elig = Eligibility(p)
    for pin in p.pins:
        if pin.template is None or pin.staff not in sids or pin.template not in tids:
            continue
        if not 0 <= pin.day < p.num_days:
            continue
        why = elig.why_not(pin.staff, pin.template, pin.day)
        away = elig.leave(pin.staff, pin.template, pin.day)
        if away is not None and not why:
            why = f"is unavailable then ({away.reason})"
        if why:
            s = p.person(pin.staff)
            errs.append(f"{s.label} is pinned to {p.template(pin.template).label} on "
                        f"{p.day_label(pin.day)} but {why}.")
    return errs


def _global_rules(p: Problem) -> list[str]:
    errs = []
    tids = {t.id for t in p.templates}
    for f in p.forbidden_sequences:
        if f.first not in tids or f.then not in tids:
            errs.append(f"A forbidden sequence names an unknown template ('{f.first}' -> '{f.then}').")
        if f.gap_days < 1:
            errs.append("A forbidden sequence must be at least 1 day apart.")
    if p.min_rest_minutes < 0:
        errs.append("The minimum rest between shifts cannot be negative.")
    ot = p.overtime
    if ot.weekly_threshold_minutes < 0:
        errs.append("The weekly overtime threshold cannot be negative.")
    mult = Fraction(ot.multiplier)
    if mult < 1 or mult.denominator > 100:
        errs.append(f"The overtime multiplier {ot.multiplier} must be at least 1 "
                    "with at most two decimals.")
    if p.budget is not None and p.budget.limit_cents < 0:
        errs.append("The labour budget cannot be negative.")
    w = p.weights
    for fld in ("pay", "over_budget_per_dollar", "change", "fair_weekends", "fair_late",
                "fair_hours"):
        if getattr(w, fld) < 0:
            errs.append(f"The weight '{fld}' cannot be negative.")
    return errs
