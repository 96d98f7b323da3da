"""Why no roster exists: a small conflicting set of rules, in a manager's words.

Every hard-rule group (per person, per day, per need) is guarded by an
assumption literal. CP-SAT names a sufficient subset of assumptions for the
infeasibility; a deletion pass shrinks it to a (near) minimal conflict, and
each member is then tried alone as "the rule to relax".
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from planner.build import build_model
from planner.check import cover_label, hours, money
from planner.domain import Problem, ShiftCover
from planner.model import Group, Model
from planner.result import Conflict
from planner.rules import names
from planner.rules.cover import window_lits


def _solve(m: Model, lits: list, seconds: float) -> int:
    m.cp.clear_assumptions()
    m.cp.add_assumptions(lits)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    code = solver.solve(m.cp)
    if code == cp_model.INFEASIBLE:
        core_idx = set(solver.sufficient_assumptions_for_infeasibility())
        m._last_core = [v for v in lits if v.index in core_idx]
    return code


def explain_infeasible(p: Problem, time_limit: float = 10.0) -> Conflict:
    """Find and describe a small set of hard rules that cannot all hold."""
    deadline = time.perf_counter() + time_limit
    m = build_model(p, explain=True)
    m.cp.clear_objective()
    lits = m.assumption_literals()
    code = _solve(m, lits, deadline - time.perf_counter())
    if code != cp_model.INFEASIBLE:
        return Conflict(["No small conflicting set was found within the time allowed."], [])
    core = list(m._last_core)
    if not core:
        return Conflict(["The rules conflict even before any person-specific rule applies "
                         "(for example a need nobody is qualified for)."], [])
    # Deletion pass: drop members whose removal keeps the rest infeasible.
    i = 0
    while i < len(core) and time.perf_counter() < deadline:
        trial = core[:i] + core[i + 1:]
        left = (deadline - time.perf_counter()) / max(1, len(core) - i)
        if _solve(m, trial, min(2.0, left)) == cp_model.INFEASIBLE:
            core = [v for v in trial if v in set(m._last_core)] or trial
        else:
            i += 1
    sentences = [describe(p, m, m.groups[v.index]) for v in core]
    relax = []
    for v in core:
        if time.perf_counter() >= deadline:
            break
        others = [u for u in lits if u.index != v.index]
        if _solve(m, others, min(3.0, deadline - time.perf_counter())) in (cp_model.FEASIBLE,
                                                                            cp_model.OPTIMAL):
            relax.append(f"Relaxing this alone makes a roster possible: {relax_text(p, m.groups[v.index])}")
    if not relax:
        relax = ["Relaxing any one of these resolves this conflict: "
                 + "; ".join(relax_text(p, m.groups[v.index]) for v in core)]
    return Conflict(sentences, relax)


def _names(people: list[str]) -> str:
    if not people:
        return "nobody"
    if len(people) == 1:
        return people[0]
    return ", ".join(people[:-1]) + " and " + people[-1]


def _cover_sentence(p: Problem, m: Model, c) -> str:
    where, who = cover_label(p, c)
    if isinstance(c, ShiftCover):
        lits = [v for _, v in m.by_day_template[c.day][m.t_index[c.template]]]
    else:
        lits = window_lits(m, c)
    index = {v.index for v in lits}
    qualified, away = [], []
    for e, s in enumerate(p.staff):
        if any(v.index in index for _, v in m.cells[e][c.day].options):
            on_leave = [u for u in p.unavailability if u.staff == s.id and u.day == c.day]
            (away if on_leave else qualified).append(s.label)
    lapsed = []
    role = getattr(c, "role", None)
    if isinstance(c, ShiftCover):
        role = p.template(c.template).role
    if role is not None:
        for s in p.staff:
            if role in s.roles and s.label not in qualified + away:
                for name in p.role(role).required_skills:
                    held = s.skill(name)
                    if held is not None and not held.valid_on(p.date_of(c.day)):
                        lapsed.append(f"{s.label}'s {name} expired on {p.day_label(p.day_of(held.expires))}")
    text = f"{where} needs {c.required} {who}; only {_names(qualified)} "
    text += "is" if len(qualified) == 1 else "are"
    text += " qualified and available"
    notes = ([f"{_names(away)} on leave"] if away else []) + lapsed
    if notes:
        text += f" ({'; '.join(notes)})"
    return text + "."


def describe(p: Problem, m: Model, g: Group) -> str:
    """One manager-facing sentence for a hard-rule group."""
    who = p.person(g.staff).label if g.staff else ""
    r = g.rule
    if r == names.COVER_REQUIRED:
        return _cover_sentence(p, m, g.ref)
    if r == names.COVER_MAX:
        where, whom = cover_label(p, g.ref)
        return f"{where} may have at most {g.ref.required} {whom}."
    if r == names.MAX_WEEKENDS:
        return f"{who} may work at most {g.ref} weekend(s)."
    if r == names.MAX_CONSECUTIVE:
        return f"{who} may work at most {g.ref} days in a row."
    if r == names.MIN_CONSECUTIVE:
        return f"{who} must work at least {g.ref} days in a row once started."
    if r == names.MIN_DAYS_OFF:
        return f"{who} needs at least {g.ref} days off in a row."
    if r == names.MAX_MINUTES_TOTAL:
        return f"{who} may work at most {hours(g.ref)} in this roster."
    if r == names.MIN_MINUTES_TOTAL:
        return f"{who} must work at least {hours(g.ref)} in this roster."
    if r == names.MAX_MINUTES_WEEK:
        return f"{who} may work at most {hours(g.ref)} in the week of {p.day_label(g.day)}."
    if r == names.MIN_MINUTES_WEEK:
        e = m.s_index[g.staff]
        open_days = sum(1 for d in range(g.day, min(g.day + 7, p.num_days)) if m.cells[e][d].options)
        return (f"{who} must work at least {hours(g.ref)} in the week of {p.day_label(g.day)} "
                f"and can work on {open_days} day(s) of it.")
    if r == names.MIN_MINUTES_TOTAL:
        e = m.s_index[g.staff]
        open_days = sum(1 for d in range(p.num_days) if m.cells[e][d].options)
        return f"{who} must work at least {hours(g.ref)} in this roster and can work on {open_days} day(s)."
    if r == names.MAX_SHIFTS_TEMPLATE:
        return f"{who} may work at most {g.ref} x {p.template(g.template).label}."
    if r == names.LEAVE:
        return f"{who} is off ({g.ref.reason}) on {p.day_label(g.day)}."
    if r == names.PIN:
        what = p.template(g.template).label if g.template else "a day off"
        return f"{who} is pinned to {what} on {p.day_label(g.day)}."
    if r == names.FORBIDDEN_SEQUENCE:
        return f"{who} may not work the forbidden shift sequences."
    if r == names.MIN_REST:
        return f"{who} needs {hours(p.min_rest_minutes)} rest between shifts."
    if r == names.BUDGET_CAP:
        return f"The labour budget is capped at {money(g.ref.limit_cents)}."
    return f"{r}{': ' + who if who else ''}."


def relax_text(p: Problem, g: Group) -> str:
    subject = p.person(g.staff).label if g.staff else ""
    if g.rule == names.COVER_REQUIRED:
        where, who = cover_label(p, g.ref)
        return f"make the need for {who} on {where} soft or lower it"
    if g.rule == names.LEAVE:
        return f"ask {subject} to work on {p.day_label(g.day)} despite the leave"
    if g.rule == names.PIN:
        return f"unpin {subject} on {p.day_label(g.day)}"
    if g.rule == names.BUDGET_CAP:
        return "raise the budget or make it soft"
    return f"{g.rule.lower()} for {subject}" if subject else g.rule.lower()
