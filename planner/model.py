"""The CP-SAT model context shared by the rule builders.

``Model`` owns the decision variables (one boolean per eligible staff, day and
template), the derived "works that day" literals, the objective terms with
their rule names, and, in explanation mode, one assumption literal per group of
hard rules. Rules themselves live in ``planner.rules`` (one function each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ortools.sat.python import cp_model

from planner.domain import Problem
from planner.eligibility import Eligibility


@dataclass
class Group:
    """A group of hard constraints behind one assumption literal (explanations)."""

    rule: str
    staff: str | None = None
    day: int | None = None
    template: str | None = None
    ref: object = None


@dataclass
class Term:
    """One objective term: ``coef * expr`` internal units, attributed to a rule."""

    rule: str
    expr: object
    coef: int


@dataclass
class Cells:
    """Variables of one person on one day: ``(template index, literal)`` pairs."""

    options: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)
    work: object = 0  # literal "works this day", or 0 when no option exists


def objective_scale(p: Problem) -> int:
    """Internal objective units per point.

    Pay is counted in 1/(60*q) cent (q = overtime multiplier denominator) so
    that minutes times hourly rates stay integral; per-hour fairness needs /60.
    Without such terms the scale is 1 and objectives equal the published ones.
    """
    w = p.weights
    if w.pay > 0 or w.fair_hours > 0:
        return 60 * Fraction(p.overtime.multiplier).denominator
    return 1


class Model:
    """CP-SAT model plus the bookkeeping the rules and the result builder need."""

    def __init__(self, p: Problem, explain: bool = False) -> None:
        self.p = p
        self.cp = cp_model.CpModel()
        self.explain = explain
        self.scale = objective_scale(p)
        self.elig = Eligibility(p)
        self.t_index = p.template_positions()
        self.paid = [t.paid_minutes for t in p.templates]
        self.s_index = p.staff_positions()
        self.terms: list[Term] = []
        self.offset_terms: list[tuple[str, int]] = []
        self.groups: dict[int, Group] = {}
        self._group_lits: dict[tuple, cp_model.IntVar] = {}
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.cells: list[list[Cells]] = [[Cells() for _ in range(p.num_days)] for _ in p.staff]
        self.by_day_template: list[list[list[tuple[int, cp_model.IntVar]]]] = [
            [[] for _ in p.templates] for _ in range(p.num_days)]
        self.pinned: dict[tuple[int, int], int | None] = {}
        # (literals counted, need) per staffing need, as built (planner.columns reads them)
        self.cover_rows: list[tuple[list, object]] = []
        self.weeks = p.weeks()
        self.by_person_template: list[dict[int, list]] = [{} for _ in p.staff]
        self._weekend: dict[tuple[int, int], object] = {}
        self._make_variables()

    # ----------------------------------------------------------------- variables
    def _make_variables(self) -> None:
        p = self.p
        for pin in p.pins:
            self.pinned[(self.s_index[pin.staff], pin.day)] = (
                None if pin.template is None else self.t_index[pin.template])
        dates = [p.date_of(d) for d in range(p.num_days)]
        for e, s in enumerate(p.staff):
            allowed = self.elig.candidates(s)
            for d in range(p.num_days):
                pin = self.pinned.get((e, d), -1)
                leave = self.elig.has_leave(s.id, d)
                cell = self.cells[e][d]
                for ti, t, until in allowed:
                    if not self.explain and pin != -1 and pin != ti:
                        continue
                    if not t.offered_on(dates[d]) or (until is not None and dates[d] > until):
                        continue
                    if leave and not self.explain and self.elig.leave(s.id, t.id, d) is not None:
                        continue
                    v = self.cp.new_bool_var("")
                    self.x[(e, d, ti)] = v
                    cell.options.append((ti, v))
                    self.by_day_template[d][ti].append((e, v))
                    self.by_person_template[e].setdefault(ti, []).append(v)
                if len(cell.options) == 1:
                    cell.work = cell.options[0][1]
                elif cell.options:
                    cell.work = self.cp.new_bool_var("")
                    self.cp.add(cp_model.LinearExpr.sum([v for _, v in cell.options]) == cell.work)
                if not self.explain and pin not in (-1, None) and cell.options:
                    self.cp.add(cell.work == 1)

    # ------------------------------------------------------------------ helpers
    def guard(self, group: Group, key: tuple) -> list:
        """Enforcement literals for a hard-rule group: none unless explaining."""
        if not self.explain:
            return []
        lit = self._group_lits.get(key)
        if lit is None:
            lit = self.cp.new_bool_var(f"assume_{len(self._group_lits)}")
            self._group_lits[key] = lit
            self.groups[lit.index] = group
        return [lit]

    def hard(self, ct, group: Group, key: tuple) -> None:
        """Attach the group's assumption literal (if any) to constraint ``ct``."""
        lits = self.guard(group, key)
        if lits:
            ct.only_enforce_if(lits)

    def assumption_literals(self) -> list:
        return list(self._group_lits.values())

    def penalize(self, rule: str, expr, points: int | Fraction) -> None:
        """Add ``points * expr`` to the objective (points scaled to internal units)."""
        coef = Fraction(points) * self.scale
        if coef == 0:
            return
        if coef.denominator != 1:
            raise ValueError(f"{rule}: weight {points} is not integral at scale {self.scale}")
        self.terms.append(Term(rule, expr, int(coef)))

    def penalize_units(self, rule: str, expr, coef: int) -> None:
        """Add ``coef * expr`` already expressed in internal units."""
        if coef:
            self.terms.append(Term(rule, expr, coef))

    def constant(self, rule: str, points: int) -> None:
        """A penalty no decision can avoid (e.g. a request for an impossible shift)."""
        if points:
            self.offset_terms.append((rule, points * self.scale))

    def work(self, e: int, d: int):
        return self.cells[e][d].work

    def weekend_worked(self, e: int, k: int, days: list[int]):
        """Literal (or 0) for "person e works weekend k", exact in both directions."""
        key = (e, k)
        if key not in self._weekend:
            lits = [self.work(e, d) for d in days if not isinstance(self.work(e, d), int)]
            if not lits:
                self._weekend[key] = 0
            elif len(lits) == 1:
                self._weekend[key] = lits[0]
            else:
                v = self.cp.new_bool_var(f"wk_{e}_{k}")
                self.cp.add_max_equality(v, lits)
                self._weekend[key] = v
        return self._weekend[key]

    def week_minutes(self, e: int, w: int):
        """Integer variable (or constant 0): paid minutes of person e in pay week w.

        Defined once by an equality; weekly limits, overtime, wages, the budget
        and fairness all refer to it, so that no constraint repeats the
        thousands of shift terms (that made presolve and every LNS step slow).
        """
        key = (e, w)
        cache = self.__dict__.setdefault("_week_minutes", {})
        if key not in cache:
            days = self.weeks[w]
            pairs = self.paid_minutes(e, days)
            most = sum(max((self.paid[ti] for ti, _ in self.cells[e][d].options), default=0)
                       for d in days)
            if not pairs:
                cache[key] = 0
            else:
                v = self.cp.new_int_var(0, most, f"mins_{self.p.staff[e].id}_w{w}")
                self.cp.add(v == cp_model.LinearExpr.weighted_sum([a for a, _ in pairs],
                                                                  [b for _, b in pairs]))
                cache[key] = v
        return cache[key]

    def week_bounds(self, e: int, w: int) -> int:
        """Most paid minutes person e can work in week w (0 if no option)."""
        days = self.weeks[w]
        return sum(max((self.paid[ti] for ti, _ in self.cells[e][d].options), default=0)
                   for d in days)

    def paid_minutes(self, e: int, days) -> list[tuple[object, int]]:
        """(literal, paid minutes) pairs of person ``e`` over ``days``."""
        tm = self.paid
        return [(v, tm[ti]) for d in days for ti, v in self.cells[e][d].options]

    def objective_expr(self):
        exprs = [t.expr for t in self.terms]
        coefs = [t.coef for t in self.terms]
        offset = sum(c for _, c in self.offset_terms)
        return cp_model.LinearExpr.weighted_sum(exprs, coefs) + offset
