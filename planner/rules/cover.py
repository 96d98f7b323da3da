"""Coverage: staff on each shift template, and per location, time window and role."""

from __future__ import annotations

from dataclasses import replace

from ortools.sat.python import cp_model

from planner.domain import minute_of_day
from planner.model import Group, Model
from planner.rules import names


def shift_cover(m: Model) -> None:
    """People on template t on day d against the need (short, preferred, over)."""
    for i, c in enumerate(m.p.shift_covers):
        ti = m.t_index[c.template]
        lits = [v for _, v in m.by_day_template[c.day][ti]]
        g = Group(names.COVER_REQUIRED, day=c.day, template=c.template, ref=c)
        _cover(m, lits, c, g, ("shift_cover", i))


def window_lits(m: Model, c) -> list:
    """Literals of everyone who would be on duty for the whole window of need ``c``."""
    on = m.p.date_of(c.day)
    lits = []
    for ti in _spanning_templates(m, c.location, c.role, c.start, c.end):
        for e, v in m.by_day_template[c.day][ti]:
            if c.skill is not None:
                held = m.p.staff[e].skill(c.skill)
                if held is None or not held.valid_on(on):
                    continue
            lits.append(v)
    return lits


def _spanning_templates(m: Model, location, role, start, end) -> list[int]:
    """Templates at ``location`` for ``role`` spanning start-end (cached per model)."""
    cache = m.__dict__.setdefault("_spanning", {})
    key = (location, role, start, end)
    if key not in cache:
        ws, we = minute_of_day(start), minute_of_day(end)
        cache[key] = [
            ti for ti, t in enumerate(m.p.templates)
            if t.has_clock and (location is None or t.location == location)
            and (role is None or t.role == role)
            and minute_of_day(t.start) <= ws and minute_of_day(t.end) >= we]
    return cache[key]


def window_cover(m: Model) -> None:
    """People of a role at a location through a time window against the need.

    Needs that are counted by exactly the same people and have the same counts
    and weights (e.g. the hourly windows 08-09 ... 11-12 that the same shifts
    span) share one count, with their weights added: an exact reformulation
    that keeps hourly needs cheap.
    """
    merged: dict[tuple, list[int]] = {}
    lits_of: dict[tuple, list] = {}
    for i, c in enumerate(m.p.window_covers):
        lits = window_lits(m, c)
        key = (tuple(v.index for v in lits), c.day, c.required, c.under_weight, c.over_weight,
               c.preferred, c.preferred_weight)
        if m.explain:
            key = key + (i,)
        merged.setdefault(key, []).append(i)
        lits_of[key] = lits
    for key, members in merged.items():
        c = m.p.window_covers[members[0]]
        k = len(members)
        if k > 1:
            c = replace(c, under_weight=None if c.under_weight is None else c.under_weight * k,
                        over_weight=None if c.over_weight is None else c.over_weight * k,
                        preferred_weight=c.preferred_weight * k)
        g = Group(names.COVER_REQUIRED, day=c.day, ref=m.p.window_covers[members[0]])
        _cover(m, lits_of[key], c, g, ("window_cover", members[0]))


def _cover(m: Model, lits: list, c, g: Group, key: tuple) -> None:
    m.cover_rows.append((lits, c))
    n = cp_model.LinearExpr.sum(lits)
    req = c.required
    pref = c.preferred if c.preferred is not None and c.preferred > req else req
    most = len(lits)
    if c.under_weight is None:
        if req > 0:
            m.hard(m.cp.add(n >= req), g, key)
        short = 0
    elif req > 0:
        short = m.cp.new_int_var(0, req, "under")
        m.penalize(names.UNDERSTAFFED, short, c.under_weight)
        m.__dict__.setdefault("slack_needs", []).append((short, lits, c.day))
    else:
        short = 0
    if pref > req and c.preferred_weight > 0:
        pshort = m.cp.new_int_var(0, pref - req, "below_pref")
        m.__dict__.setdefault("slack_needs", []).append((pshort, lits, c.day))
        m.cp.add(n + short + pshort >= pref)
        m.penalize(names.BELOW_PREFERRED, pshort, c.preferred_weight)
    elif not isinstance(short, int):
        m.cp.add(n + short >= req)
    if c.over_weight is None:
        if most > pref:
            hard_max = Group(names.COVER_MAX, day=g.day, template=g.template, ref=c)
            m.hard(m.cp.add(n <= pref), hard_max, key + ("max",))
    elif c.over_weight > 0 and most > pref:
        over = m.cp.new_int_var(0, most - pref, "over")
        m.cp.add(n - over <= pref)
        m.penalize(names.OVERSTAFFED, over, c.over_weight)
