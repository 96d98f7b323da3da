"""Calendar-bound rules: leave, pinned cells, requests, changes from a published roster."""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.model import Group, Model
from planner.rules import names


def approved_leave(m: Model) -> None:
    """No shift overlapping approved leave or unavailability.

    Outside explanation mode such cells never get a variable, so there is
    nothing to add; when explaining, each leave entry becomes a questionable group.
    """
    if not m.explain:
        return
    for u in m.p.unavailability:
        e = m.s_index[u.staff]
        g = Group(names.LEAVE, staff=u.staff, day=u.day, ref=u)
        for ti, v in m.cells[e][u.day].options:
            if m.elig.leave(u.staff, m.p.templates[ti].id, u.day) is u:
                m.hard(m.cp.add(v == 0), g, (g.rule, id(u)))


def pinned_assignments(m: Model) -> None:
    """Pinned cells keep their template (or stay a day off) in every solve.

    Outside explanation mode the variables are fixed when created.
    """
    if not m.explain:
        return
    for pin in m.p.pins:
        e = m.s_index[pin.staff]
        g = Group(names.PIN, staff=pin.staff, day=pin.day, template=pin.template, ref=pin)
        cell = m.cells[e][pin.day]
        if pin.template is None:
            ct = m.cp.add(cp_model.LinearExpr.sum([v for _, v in cell.options]) == 0)
        else:
            ti = m.t_index[pin.template]
            lit = [v for t, v in cell.options if t == ti]
            ct = m.cp.add(cp_model.LinearExpr.sum(lit) == 1)
        m.hard(ct, g, (g.rule, e, pin.day))


def requests(m: Model) -> None:
    """Soft wishes to work or not work a shift (or any shift) on a day."""
    for r in m.p.requests:
        e = m.s_index[r.staff]
        cell = m.cells[e][r.day]
        if r.template is None:
            lit = cell.work
            rule = names.DAY_ON_REQUEST if r.on else names.DAY_OFF_REQUEST
        else:
            ti = m.t_index[r.template]
            found = [v for t, v in cell.options if t == ti]
            lit = found[0] if found else 0
            rule = names.SHIFT_ON_REQUEST if r.on else names.SHIFT_OFF_REQUEST
        if r.on:
            # penalty w * (1 - lit)
            m.constant(rule, r.weight)
            if not isinstance(lit, int):
                m.penalize(rule, lit, -r.weight)
        elif not isinstance(lit, int):
            m.penalize(rule, lit, r.weight)


def changes_from_reference(m: Model) -> None:
    """Each person-day that differs from the reference roster costs ``weights.change``."""
    w = m.p.weights.change
    if w <= 0:
        return
    ref = {(a.staff, a.day): a.template for a in m.p.reference}
    for e, s in enumerate(m.p.staff):
        for d in range(m.p.num_days):
            cell = m.cells[e][d]
            tid = ref.get((s.id, d))
            if tid is None:
                if not isinstance(cell.work, int):
                    m.penalize(names.CHANGED, cell.work, w)
                continue
            ti = m.t_index[tid]
            found = [v for t, v in cell.options if t == ti]
            m.constant(names.CHANGED, w)
            if found:
                m.penalize(names.CHANGED, found[0], -w)
