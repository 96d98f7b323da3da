"""Tables for pages: cost, coverage and per-person figures, from a roster and the checker."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from planner.check import Evaluation, cover_counts, cover_label
from planner.domain import Assignment, Problem
from planner.result import CostReport, CoverageRow, PersonSummary


def _cents(x: Fraction) -> int:
    return int((Fraction(x) + Fraction(1, 2)) // 1)


def cost_report(p: Problem, roster: list[Assignment], ev: Evaluation) -> CostReport:
    """Regular and overtime pay, per role (of the shift worked) and per pay week."""
    regular = sum((w.wages_cents for w in ev.pay), Fraction(0))
    overtime = sum((w.overtime_cents for w in ev.pay), Fraction(0))
    per_role: dict[str, Fraction] = defaultdict(Fraction)
    for a in roster:
        s, t = p.person(a.staff), p.template(a.template)
        role = t.role or s.primary_role or "staff"
        per_role[role] += Fraction(t.paid_minutes * s.pay_cents_per_hour, 60)
    for w in ev.pay:
        if w.overtime_cents:
            per_role[p.person(w.staff).primary_role or "staff"] += w.overtime_cents
    per_week = [Fraction(0)] * len(p.weeks())
    for w in ev.pay:
        per_week[w.week] += w.wages_cents + w.overtime_cents
    total = regular + overtime
    budget = p.budget.limit_cents if p.budget else None
    return CostReport(
        regular_cents=_cents(regular), overtime_cents=_cents(overtime), total_cents=_cents(total),
        budget_cents=budget,
        over_budget_cents=max(0, _cents(total) - budget) if budget is not None else 0,
        per_role={k: _cents(v) for k, v in sorted(per_role.items())},
        per_week=[_cents(v) for v in per_week])


def coverage_rows(p: Problem, roster: list[Assignment]) -> list[CoverageRow]:
    rows = []
    for c, n in cover_counts(p, roster):
        when, who = cover_label(p, c)
        pref = c.preferred if c.preferred is not None and c.preferred > c.required else c.required
        rows.append(CoverageRow(c.day, when, who, c.required, pref, n, c.under_weight is None))
    return rows


def people_rows(p: Problem, roster: list[Assignment], ev: Evaluation) -> list[PersonSummary]:
    by = defaultdict(list)
    for a in roster:
        by[a.staff].append(a)
    pay = defaultdict(lambda: [0, Fraction(0)])
    for w in ev.pay:
        pay[w.staff][0] += w.overtime_minutes
        pay[w.staff][1] += w.wages_cents + w.overtime_cents
    out = []
    for s in p.staff:
        mine = by.get(s.id, [])
        days = {a.day for a in mine}
        weekends = sum(1 for wk in p.weekends() if days & set(wk))
        out.append(PersonSummary(
            staff=s.id, name=s.label, role=s.primary_role, shifts=len(mine),
            minutes=sum(p.template(a.template).paid_minutes for a in mine),
            overtime_minutes=pay[s.id][0], weekends=weekends,
            late_shifts=sum(1 for a in mine if p.template(a.template).late),
            cost_cents=_cents(pay[s.id][1])))
    return out
