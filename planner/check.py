"""Independent roster checker: hard-rule violations and soft-rule penalties.

Written apart from the CP-SAT rule builders and sharing only the problem types
(and the rule names), so that it can judge any roster, solver output or hand
edits, and so that tests can compare the solver's objective with a second,
plain-Python reading of the same rules.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from planner.domain import MINUTES_PER_DAY, Assignment, Problem, minute_of_day
from planner.rules import names


@dataclass
class Violation:
    """A broken hard rule, in words."""

    rule: str
    sentence: str
    staff: str | None = None
    day: int | None = None


@dataclass
class Penalty:
    """A soft-rule cost in objective points, in words."""

    rule: str
    sentence: str
    points: Fraction
    staff: str | None = None
    day: int | None = None


@dataclass
class PersonWeek:
    """Paid and overtime minutes and pay (cents, exact) of one person in one pay week."""

    staff: str
    week: int
    minutes: int = 0
    overtime_minutes: int = 0
    wages_cents: Fraction = Fraction(0)
    overtime_cents: Fraction = Fraction(0)


@dataclass
class Evaluation:
    """What the checker found: violations, penalties and the exact pay."""

    violations: list[Violation] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)
    pay: list[PersonWeek] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def score(self) -> Fraction:
        return sum((p.points for p in self.penalties), Fraction(0))

    @property
    def cost_cents(self) -> Fraction:
        return sum((w.wages_cents + w.overtime_cents for w in self.pay), Fraction(0))


def money(cents: Fraction | int) -> str:
    return f"${float(Fraction(cents)) / 100:,.2f}"


def hours(minutes: int | Fraction) -> str:
    return f"{float(minutes) / 60:g} h"


class _Roster:
    """Index of a roster by person and day."""

    def __init__(self, p: Problem, roster: list[Assignment], out: Evaluation) -> None:
        self.cell: dict[tuple[str, int], list[str]] = defaultdict(list)
        staff = {s.id for s in p.staff}
        tmpl = {t.id for t in p.templates}
        for a in roster:
            if a.staff not in staff or a.template not in tmpl or not 0 <= a.day < p.num_days:
                out.violations.append(Violation(
                    "Known staff, shift and day",
                    f"Assignment {a.staff} / day {a.day} / {a.template} names something unknown.",
                    a.staff, a.day))
                continue
            self.cell[(a.staff, a.day)].append(a.template)
        self.by_staff: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for (sid, d), ts in sorted(self.cell.items(), key=lambda kv: kv[0][1]):
            self.by_staff[sid] += [(d, t) for t in ts]

    def on(self, sid: str, day: int) -> str | None:
        got = self.cell.get((sid, day))
        return got[0] if got else None

    def works(self, sid: str, day: int) -> bool:
        return bool(self.cell.get((sid, day)))


def evaluate(p: Problem, roster: list[Assignment]) -> Evaluation:
    """Check ``roster`` against every hard rule and score every soft rule of ``p``."""
    out = Evaluation()
    r = _Roster(p, roster, out)
    _check_cells(p, r, out)
    _check_limits(p, r, out)
    _check_runs(p, r, out)
    _check_sequences(p, r, out)
    _score_cover(p, r, out)
    _score_requests(p, r, out)
    _pay(p, r, out)
    _score_pay_and_budget(p, out)
    _score_fairness(p, r, out)
    _score_changes(p, r, out)
    return out


# ------------------------------------------------------------------ hard rules
def _check_cells(p: Problem, r: _Roster, out: Evaluation) -> None:
    leave = defaultdict(list)
    for u in p.unavailability:
        leave[(u.staff, u.day)].append(u)
    for (sid, day), tids in r.cell.items():
        s = p.person(sid)
        if len(tids) > 1:
            out.violations.append(Violation(names.ONE_SHIFT_PER_DAY,
                f"{s.label} has {len(tids)} shifts on {p.day_label(day)}.", sid, day))
        for tid in tids:
            t = p.template(tid)
            reason = _unqualified(p, s, t, day)
            if reason:
                out.violations.append(Violation(names.QUALIFIED,
                    f"{s.label} works {t.label} on {p.day_label(day)} but {reason}.", sid, day))
            for u in leave.get((sid, day), []):
                whole = u.start is None or not t.has_clock
                if whole or (minute_of_day(t.start) < minute_of_day(u.end)
                             and minute_of_day(u.start) < minute_of_day(t.end)):
                    out.violations.append(Violation(names.LEAVE,
                        f"{s.label} works {t.label} on {p.day_label(day)} during {u.reason}.",
                        sid, day))
    for pin in p.pins:
        got = r.cell.get((pin.staff, pin.day), [])
        if (pin.template is None and got) or (pin.template is not None and pin.template not in got):
            want = "off" if pin.template is None else p.template(pin.template).label
            out.violations.append(Violation(names.PIN,
                f"{p.person(pin.staff).label} is pinned to {want} on {p.day_label(pin.day)}.",
                pin.staff, pin.day))


def _unqualified(p: Problem, s, t, day: int) -> str | None:
    if t.weekdays is not None and p.date_of(day).weekday() not in t.weekdays:
        return f"{t.label} is not offered that weekday"
    if t.role is not None and t.role not in s.roles:
        return f"is not a {p.role(t.role).label}"
    need = list(t.skills) + (list(p.role(t.role).required_skills) if t.role else [])
    on = p.date_of(day)
    for name in need:
        held = [k for k in s.skills if k.name == name]
        if not held:
            return f"has no {name}"
        if held[0].expires is not None and held[0].expires < on:
            return f"their {name} expired on {held[0].expires.isoformat()}"
    if s.max_shifts.get(t.id) == 0:
        return f"may not work {t.label}"
    if s.max_minutes_per_day is not None and t.paid_minutes > s.max_minutes_per_day:
        return f"may work at most {hours(s.max_minutes_per_day)} a day"
    return None


def _minutes(p: Problem, r: _Roster, sid: str, days) -> int:
    return sum(p.template(t).paid_minutes for d in days for t in r.cell.get((sid, d), []))


def _check_limits(p: Problem, r: _Roster, out: Evaluation) -> None:
    v = out.violations
    for s in p.staff:
        counts = defaultdict(int)
        for d in range(p.num_days):
            for t in r.cell.get((s.id, d), []):
                counts[t] += 1
        for tid, limit in s.max_shifts.items():
            if counts[tid] > limit:
                v.append(Violation(names.MAX_SHIFTS_TEMPLATE,
                    f"{s.label} works {counts[tid]} x {p.template(tid).label}, limit {limit}.", s.id))
        total = _minutes(p, r, s.id, range(p.num_days))
        if s.max_minutes_total is not None and total > s.max_minutes_total:
            v.append(Violation(names.MAX_MINUTES_TOTAL,
                f"{s.label} works {hours(total)}, above the {hours(s.max_minutes_total)} maximum.", s.id))
        if total < s.min_minutes_total:
            v.append(Violation(names.MIN_MINUTES_TOTAL,
                f"{s.label} works {hours(total)}, below the {hours(s.min_minutes_total)} minimum.", s.id))
        for days in p.weeks():
            wk = _minutes(p, r, s.id, days)
            label = f"the week of {p.day_label(days[0])}"
            if s.max_minutes_per_week is not None and wk > s.max_minutes_per_week:
                v.append(Violation(names.MAX_MINUTES_WEEK,
                    f"{s.label} works {hours(wk)} in {label}, above {hours(s.max_minutes_per_week)}.",
                    s.id, days[0]))
            if len(days) == 7 and wk < s.min_minutes_per_week:
                v.append(Violation(names.MIN_MINUTES_WEEK,
                    f"{s.label} works {hours(wk)} in {label}, below {hours(s.min_minutes_per_week)}.",
                    s.id, days[0]))
        worked = sum(1 for days in p.weekends() if any(r.works(s.id, d) for d in days))
        if s.max_weekends is not None and worked > s.max_weekends:
            v.append(Violation(names.MAX_WEEKENDS,
                f"{s.label} works {worked} weekends, limit {s.max_weekends}.", s.id))


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    """(first, last) index of each maximal run of ``value``."""
    runs, start = [], None
    for i, f in enumerate(flags + [not value]):
        if f == value and start is None:
            start = i
        elif f != value and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def _check_runs(p: Problem, r: _Roster, out: Evaluation) -> None:
    h = p.num_days
    for s in p.staff:
        flags = [r.works(s.id, d) for d in range(h)]
        for a, b in _runs(flags, True):
            n = b - a + 1
            if s.max_consecutive_days is not None and n > s.max_consecutive_days:
                out.violations.append(Violation(names.MAX_CONSECUTIVE,
                    f"{s.label} works {n} days in a row from {p.day_label(a)}, "
                    f"limit {s.max_consecutive_days}.", s.id, a))
            if a > 0 and b < h - 1 and n < s.min_consecutive_days:
                out.violations.append(Violation(names.MIN_CONSECUTIVE,
                    f"{s.label} works only {n} day(s) in a row from {p.day_label(a)}, "
                    f"minimum {s.min_consecutive_days}.", s.id, a))
        for a, b in _runs(flags, False):
            n = b - a + 1
            if a > 0 and b < h - 1 and n < s.min_consecutive_days_off:
                out.violations.append(Violation(names.MIN_DAYS_OFF,
                    f"{s.label} has only {n} day(s) off from {p.day_label(a)}, "
                    f"minimum {s.min_consecutive_days_off}.", s.id, a))


def _check_sequences(p: Problem, r: _Roster, out: Evaluation) -> None:
    banned = {(f.first, f.then, f.gap_days) for f in p.forbidden_sequences}
    reach = max([f.gap_days for f in p.forbidden_sequences]
                + [p.min_rest_minutes // MINUTES_PER_DAY + 1])
    for s in p.staff:
        worked = r.by_staff.get(s.id, [])
        for i, (d1, t1) in enumerate(worked):
            for d2, t2 in worked[i + 1:]:
                if d2 - d1 > reach:
                    break
                if (t1, t2, d2 - d1) in banned:
                    out.violations.append(Violation(names.FORBIDDEN_SEQUENCE,
                        f"{s.label} works {p.template(t2).label} on {p.day_label(d2)} "
                        f"after {p.template(t1).label}.", s.id, d2))
                a, b = p.template(t1), p.template(t2)
                if p.min_rest_minutes > 0 and a.has_clock and b.has_clock and d2 > d1:
                    gap = (d2 - d1) * MINUTES_PER_DAY + minute_of_day(b.start) - minute_of_day(a.end)
                    if gap < p.min_rest_minutes:
                        out.violations.append(Violation(names.MIN_REST,
                            f"{s.label} has only {hours(gap)} rest before {p.day_label(d2)}, "
                            f"minimum {hours(p.min_rest_minutes)}.", s.id, d2))


# ------------------------------------------------------------------ soft rules
def _window_count(p: Problem, r: _Roster, c) -> int:
    n = 0
    on = p.date_of(c.day)
    for s in p.staff:
        for tid in r.cell.get((s.id, c.day), []):
            t = p.template(tid)
            if not t.has_clock:
                continue
            if c.location is not None and t.location != c.location:
                continue
            if c.role is not None and t.role != c.role:
                continue
            if minute_of_day(t.start) > minute_of_day(c.start) or minute_of_day(t.end) < minute_of_day(c.end):
                continue
            if c.skill is not None:
                held = [k for k in s.skills if k.name == c.skill]
                if not held or (held[0].expires is not None and held[0].expires < on):
                    continue
            n += 1
    return n


def cover_counts(p: Problem, roster: list[Assignment]) -> list[tuple[object, int]]:
    """(need, people scheduled) for every shift and window need."""
    r = _Roster(p, roster, Evaluation())
    out = []
    on_shift: dict[tuple[int, str], int] = defaultdict(int)  # people per (day, template)
    for (_, day), tids in r.cell.items():
        for tid in set(tids):
            on_shift[(day, tid)] += 1
    for c in p.shift_covers:
        out.append((c, on_shift.get((c.day, c.template), 0)))
    for c in p.window_covers:
        out.append((c, _window_count(p, r, c)))
    return out


def cover_label(p: Problem, c) -> tuple[str, str]:
    """(where/when, who) phrases for a need, e.g. ("Tue 14 Jan 13:00-17:00 Main St", "MAs")."""
    if hasattr(c, "template"):
        t = p.template(c.template)
        who = p.role(t.role).plural_label if t.role else "staff"
        return f"{p.day_label(c.day)} {t.label}", who
    where = f" {c.location}" if c.location else ""
    who = p.role(c.role).plural_label if c.role else "staff"
    if c.skill:
        who += f" with {c.skill}"
    return f"{p.day_label(c.day)} {c.start:%H:%M}-{c.end:%H:%M}{where}", who


def _score_cover(p: Problem, r: _Roster, out: Evaluation) -> None:
    for c, n in cover_counts(p, [Assignment(s, d, t) for (s, d), ts in r.cell.items() for t in ts]):
        where, who = cover_label(p, c)
        req = c.required
        pref = c.preferred if c.preferred is not None and c.preferred > req else req
        if n < req:
            if c.under_weight is None:
                out.violations.append(Violation(names.COVER_REQUIRED,
                    f"{where}: {req - n} of {req} {who} missing.", day=c.day))
            elif c.under_weight:
                out.penalties.append(Penalty(names.UNDERSTAFFED,
                    f"{where}: {req - n} of {req} {who} missing.",
                    Fraction((req - n) * c.under_weight), day=c.day))
        if pref > req and c.preferred_weight and n < pref:
            short = pref - max(n, req)
            out.penalties.append(Penalty(names.BELOW_PREFERRED,
                f"{where}: {short} below the preferred {pref} {who}.",
                Fraction(short * c.preferred_weight), day=c.day))
        if n > pref:
            if c.over_weight is None:
                out.violations.append(Violation(names.COVER_MAX,
                    f"{where}: {n} {who} scheduled, at most {pref} allowed.", day=c.day))
            elif c.over_weight:
                out.penalties.append(Penalty(names.OVERSTAFFED,
                    f"{where}: {n - pref} more {who} than the {pref} needed.",
                    Fraction((n - pref) * c.over_weight), day=c.day))


def _score_requests(p: Problem, r: _Roster, out: Evaluation) -> None:
    for q in p.requests:
        s = p.person(q.staff)
        got = r.cell.get((q.staff, q.day), [])
        when = p.day_label(q.day)
        if q.template is None:
            hit = bool(got)
            rule = names.DAY_ON_REQUEST if q.on else names.DAY_OFF_REQUEST
            what = f"to work on {when}" if q.on else f"for {when} off"
        else:
            hit = q.template in got
            rule = names.SHIFT_ON_REQUEST if q.on else names.SHIFT_OFF_REQUEST
            label = p.template(q.template).label
            what = f"to work {label} on {when}" if q.on else f"not to work {label} on {when}"
        if hit != q.on and q.weight:
            out.penalties.append(Penalty(rule, f"{s.label} asked {what}.", Fraction(q.weight),
                                         q.staff, q.day))


def _pay(p: Problem, r: _Roster, out: Evaluation) -> None:
    mult = Fraction(p.overtime.multiplier)
    thr = p.overtime.weekly_threshold_minutes
    for s in p.staff:
        for w, days in enumerate(p.weeks()):
            mins = _minutes(p, r, s.id, days)
            ot = max(0, mins - thr) if not s.overtime_exempt and mult > 1 else 0
            rate = Fraction(s.pay_cents_per_hour, 60)
            out.pay.append(PersonWeek(s.id, w, mins, ot, mins * rate, ot * rate * (mult - 1)))


def _score_pay_and_budget(p: Problem, out: Evaluation) -> None:
    w = p.weights
    wages = sum((x.wages_cents for x in out.pay), Fraction(0))
    if w.pay and wages:
        mins = sum(x.minutes for x in out.pay)
        out.penalties.append(Penalty(names.WAGES,
            f"Wages: {money(wages)} for {hours(mins)} of paid time.", w.pay * wages))
    if w.pay:
        for x in out.pay:
            if x.overtime_cents:
                s = p.person(x.staff)
                out.penalties.append(Penalty(names.OVERTIME,
                    f"{s.label}: {hours(x.overtime_minutes)} overtime in the week of "
                    f"{p.day_label(7 * x.week)} ({money(x.overtime_cents)} premium).",
                    w.pay * x.overtime_cents, x.staff, 7 * x.week))
    b = p.budget
    if b is None or not any(x.wages_cents for x in out.pay):
        return
    over = out.cost_cents - b.limit_cents
    if over <= 0:
        return
    if b.hard:
        out.violations.append(Violation(names.BUDGET_CAP,
            f"Labour cost {money(out.cost_cents)} is above the {money(b.limit_cents)} budget."))
    elif w.over_budget_per_dollar:
        dollars = math.ceil(over / 100)
        out.penalties.append(Penalty(names.OVER_BUDGET,
            f"Labour cost {money(out.cost_cents)} is {money(over)} over the "
            f"{money(b.limit_cents)} budget.", Fraction(dollars * w.over_budget_per_dollar)))


def _groups(p: Problem) -> dict[tuple, list]:
    groups = defaultdict(list)
    for s in p.staff:
        groups[(s.roles[0] if s.roles else None, s.employment)].append(s)
    return {k: v for k, v in groups.items() if len(v) > 1}


def _score_fairness(p: Problem, r: _Roster, out: Evaluation) -> None:
    w = p.weights
    metrics = [
        (names.FAIR_WEEKENDS, w.fair_weekends, "weekends worked", Fraction(1),
         lambda s: sum(1 for days in p.weekends() if any(r.works(s.id, d) for d in days))),
        (names.FAIR_LATE, w.fair_late, "late shifts", Fraction(1),
         lambda s: sum(1 for _, t in r.by_staff.get(s.id, []) if p.template(t).late)),
        (names.FAIR_HOURS, w.fair_hours, "hours", Fraction(1, 60),
         lambda s: _minutes(p, r, s.id, range(p.num_days))),
    ]
    for rule, weight, what, unit, metric in metrics:
        if not weight:
            continue
        for (role, emp), members in _groups(p).items():
            vals = [(metric(s), s) for s in members]
            lo, hi = min(vals, key=lambda v: v[0]), max(vals, key=lambda v: v[0])
            spread = (hi[0] - lo[0]) * unit
            if spread:
                group = f"{p.role(role).plural_label if role else 'Staff'} ({emp.replace('_', ' ')})"
                fmt = (lambda v: hours(v)) if unit != 1 else (lambda v: str(v))
                out.penalties.append(Penalty(rule,
                    f"{group}: {what} range from {fmt(lo[0])} ({lo[1].label}) to "
                    f"{fmt(hi[0])} ({hi[1].label}).", spread * weight))


def _score_changes(p: Problem, r: _Roster, out: Evaluation) -> None:
    w = p.weights.change
    if not w:
        return
    ref = {(a.staff, a.day): a.template for a in p.reference}
    for s in p.staff:
        for d in range(p.num_days):
            before, now = ref.get((s.id, d)), r.on(s.id, d)
            if before != now:
                old = p.template(before).label if before else "off"
                new = p.template(now).label if now else "off"
                out.penalties.append(Penalty(names.CHANGED,
                    f"{s.label}: {p.day_label(d)} changed from {old} to {new}.", Fraction(w),
                    s.id, d))
