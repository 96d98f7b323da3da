"""Who may work which shift template on which day, and why not.

Used by the model builder (no variable is created for an impossible cell) and
by the infeasibility explanations ("only Kim is qualified and available").
Structural reasons (role, credential, per-template limit of 0, daily hours cap)
are kept apart from availability (leave), which the explanation model can
question.
"""

from __future__ import annotations

from collections import defaultdict

from planner.domain import Problem, ShiftTemplate, Staff, Unavailability, minute_of_day


class Eligibility:
    """Precomputed eligibility lookups for one problem."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self._unavailable: dict[tuple[str, int], list[Unavailability]] = defaultdict(list)
        for u in p.unavailability:
            self._unavailable[(u.staff, u.day)].append(u)

    def candidates(self, s: Staff) -> list[tuple[int, ShiftTemplate, object]]:
        """Templates ``s`` may ever work, with the last valid date of needed credentials.

        A fast pre-filter for the model builder; the third item is a ``date``
        or None (no expiry). Day-specific checks remain ``offered_on``, the
        expiry date and ``leave``.
        """
        out = []
        for ti, t in enumerate(self.p.templates):
            if qualification_gap(self.p, s, t, None) is not None:
                continue
            needed = list(t.skills) + (self.p.role(t.role).required_skills if t.role else [])
            expiries = [s.skill(n).expires for n in needed if s.skill(n).expires is not None]
            out.append((ti, t, min(expiries) if expiries else None))
        return out

    def has_leave(self, staff_id: str, day: int) -> bool:
        return (staff_id, day) in self._unavailable

    def why_not(self, staff_id: str, template_id: str, day: int) -> str | None:
        """Structural reason ``staff_id`` can never work the template that day, else None."""
        s = self.p.person(staff_id)
        t = self.p.template(template_id)
        return qualification_gap(self.p, s, t, day)

    def leave(self, staff_id: str, template_id: str, day: int) -> Unavailability | None:
        """The unavailability entry that rules this cell out, if any."""
        t = self.p.template(template_id)
        for u in self._unavailable.get((staff_id, day), ()):
            if overlaps(u, t):
                return u
        return None


def overlaps(u: Unavailability, t: ShiftTemplate) -> bool:
    """Whole-day leave always overlaps; partial leave overlaps clock-timed shifts it touches."""
    if u.start is None or u.end is None or not t.has_clock:
        return True
    return minute_of_day(t.start) < minute_of_day(u.end) and minute_of_day(u.start) < minute_of_day(t.end)


def qualification_gap(p: Problem, s: Staff, t: ShiftTemplate, day: int | None) -> str | None:
    """Plain reason why ``s`` is not qualified for ``t`` on ``day``, or None.

    With ``day=None`` only day-independent reasons are checked.
    """
    if day is not None and not t.offered_on(p.date_of(day)):
        return f"{t.label} is not offered on {p.date_of(day):%A}s"
    if t.role is not None and t.role not in s.roles:
        return f"is not a {p.role(t.role).label}"
    needed = list(t.skills)
    if t.role is not None:
        needed += p.role(t.role).required_skills
    on = p.date_of(day) if day is not None else None
    for name in needed:
        held = s.skill(name)
        if held is None:
            return f"has no {name}"
        if on is not None and not held.valid_on(on):
            return f"has a {name} that expired on {held.expires:%a} {held.expires.day} {held.expires:%b %Y}"
    if s.max_shifts.get(t.id, 1) <= 0:
        return f"may not work {t.label}"
    if s.max_minutes_per_day is not None and t.paid_minutes > s.max_minutes_per_day:
        return f"may work at most {s.max_minutes_per_day / 60:g} h a day"
    return None
