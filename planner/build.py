"""Assemble the CP-SAT model from the rule builders."""

from __future__ import annotations

from planner.domain import Assignment, Problem
from planner.model import Model
from planner.rules import HARD_RULES, REDUNDANT_RULES, SOFT_RULES


def build_model(p: Problem, explain: bool = False, hint: list[Assignment] | None = None,
                redundant: bool = True) -> Model:
    """Build every rule into one model; ``hint`` (or the reference roster) seeds the search.
    ``redundant=False`` leaves out the run-pattern flow (``m.cp`` is then the lean model)."""
    m = Model(p, explain=explain)
    for rule in HARD_RULES + SOFT_RULES:
        rule(m)
    m.cp.minimize(m.objective_expr())
    seed = hint if hint is not None else p.reference
    if seed:
        add_hint(m, seed)
    # The lean copy has every rule; the full model adds the redundant flow on top,
    # whose variables come last so that lean solutions extend to full ones.
    if not redundant:
        m.lean = m.cp
        return m
    m.lean = m.cp.clone()
    for rule in REDUNDANT_RULES:
        rule(m)
    return m


def add_hint(m: Model, roster: list[Assignment]) -> None:
    """Hint every decision literal: 1 on the roster's cells, 0 elsewhere."""
    on = {(m.s_index.get(a.staff), a.day, m.t_index.get(a.template)) for a in roster}
    for key, v in m.x.items():
        m.cp.add_hint(v, key in on)
