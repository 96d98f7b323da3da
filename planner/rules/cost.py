"""Labour cost, modelled exactly: paid minutes times rate, plus the weekly overtime premium.

Money is counted in units of 1/(60*q) cent, q being the denominator of the
overtime multiplier, so every term is an integer and the cost equals payroll's.
"""

from __future__ import annotations

from fractions import Fraction

from ortools.sat.python import cp_model

from planner.model import Group, Model
from planner.rules import names


def cost_unit_per_cent(m: Model) -> int:
    return 60 * Fraction(m.p.overtime.multiplier).denominator


def _cost_parts(m: Model):
    """(wage expr, overtime premium expr) in cost units, built once per model."""
    cached = getattr(m, "_cost_parts", None)
    if cached is not None:
        return cached
    mult = Fraction(m.p.overtime.multiplier)
    q = mult.denominator
    premium = mult.numerator - q  # per overtime minute: rate * (mult - 1) / 60 cent
    thr = m.p.overtime.weekly_threshold_minutes
    wage_v, wage_c, ot_v, ot_c = [], [], [], []
    for e, s in enumerate(m.p.staff):
        rate = s.pay_cents_per_hour
        if rate <= 0:
            continue
        for w, days in enumerate(m.weeks):
            week = m.week_minutes(e, w)
            if isinstance(week, int):
                continue
            wage_v.append(week)
            wage_c.append(rate * q)
            if s.overtime_exempt or premium <= 0:
                continue
            most = m.week_bounds(e, w)
            if most <= thr:
                continue
            ot = m.cp.new_int_var(0, most - thr, f"ot_{s.id}_{days[0]}")
            m.cp.add(ot >= week - thr)
            ot_v.append(ot)
            ot_c.append(rate * premium)
    parts = (cp_model.LinearExpr.weighted_sum(wage_v, wage_c),
             cp_model.LinearExpr.weighted_sum(ot_v, ot_c), bool(wage_v))
    m._cost_parts = parts
    return parts


def wage_bound(m: Model) -> list[int]:
    """Per person, the most their pay could be (cost units), to bound slack variables."""
    mult = Fraction(m.p.overtime.multiplier)
    out = []
    for e, s in enumerate(m.p.staff):
        mins = sum(max((m.paid[ti] for ti, _ in m.cells[e][d].options), default=0)
                   for d in range(m.p.num_days))
        out.append(s.pay_cents_per_hour * mins * mult.numerator)  # rate*q*mins*mult
    return out


def wages_and_overtime(m: Model) -> None:
    """Wages (paid minutes x hourly rate) and the weekly overtime premium, per cent."""
    w = m.p.weights.pay
    if w <= 0:
        return
    wages, premium, _ = _cost_parts(m)
    # At scale 60*q one point (cent) is exactly one cost unit per cent.
    per_unit = Fraction(w * m.scale, cost_unit_per_cent(m))
    assert per_unit.denominator == 1
    m.penalize_units(names.WAGES, wages, int(per_unit))
    m.penalize_units(names.OVERTIME, premium, int(per_unit))


def labour_budget(m: Model) -> None:
    """Total cost within the budget (hard cap), or a penalty per started dollar over."""
    b = m.p.budget
    if b is None:
        return
    wages, premium, any_pay = _cost_parts(m)
    if not any_pay:
        return
    unit = cost_unit_per_cent(m)
    limit = b.limit_cents * unit
    if b.hard:
        g = Group(names.BUDGET_CAP, ref=b)
        m.hard(m.cp.add(wages + premium <= limit), g, (g.rule,))
        return
    w = m.p.weights.over_budget_per_dollar
    if w <= 0:
        return
    most = sum(wage_bound(m)) - limit
    if most <= 0:
        return
    over = m.cp.new_int_var(0, -(-most // (100 * unit)), "over_budget_dollars")
    m.cp.add(over * (100 * unit) >= wages + premium - limit)
    m.penalize(names.OVER_BUDGET, over, w)
