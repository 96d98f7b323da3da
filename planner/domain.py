"""Problem types shared by the model builders, the checker and the loaders.

Plain dataclasses with named fields, so that pages, the database layer and the
benchmark loader can all build the same problem. Days are 0-based indexes from
``Problem.start``; times of day are ``datetime.time``; money is integer cents so
that the pay the engine reports is exactly what payroll computes.
"""

from __future__ import annotations

from collections import defaultdict

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from fractions import Fraction

MINUTES_PER_DAY = 24 * 60


def minute_of_day(t: time) -> int:
    """Minutes since midnight; clock times are compared in minutes everywhere."""
    return t.hour * 60 + t.minute


def short_rest_pairs(p: Problem) -> dict[tuple[int, int], set[int]]:
    """(template index, gap days) -> templates starting too soon after it, from clock
    times and ``min_rest_minutes``: what the minimum-rest rule forbids."""
    pairs: dict[tuple[int, int], set[int]] = defaultdict(set)
    rest = p.min_rest_minutes
    if rest <= 0:
        return pairs
    timed = [(i, t) for i, t in enumerate(p.templates) if t.has_clock]
    for i, a in timed:
        for j, b in timed:
            for gap in range(1, rest // MINUTES_PER_DAY + 2):
                between = gap * MINUTES_PER_DAY + minute_of_day(b.start) - minute_of_day(a.end)
                if between < rest:
                    pairs[(i, gap)].add(j)
    return pairs


@dataclass
class Skill:
    """A skill or credential a person holds; ``expires`` is the last valid day."""

    name: str
    expires: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.expires is None or day <= self.expires


@dataclass
class Role:
    """A job role (RN, MA, front desk); ``required_skills`` are credentials it needs."""

    id: str
    name: str = ""
    required_skills: list[str] = field(default_factory=list)
    plural: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def plural_label(self) -> str:
        return self.plural or self.label + "s"


@dataclass
class ShiftTemplate:
    """A kind of shift: clock times (clinic) or only a length (benchmark).

    ``minutes`` is the span; ``paid_minutes`` excludes the unpaid break and is
    what counts toward hours rules, overtime and pay.
    """

    id: str
    name: str = ""
    start: time | None = None
    end: time | None = None
    length_minutes: int | None = None
    unpaid_break_minutes: int = 0
    location: str | None = None
    role: str | None = None
    skills: list[str] = field(default_factory=list)
    late: bool = False
    weekdays: list[int] | None = None  # 0 = Monday; None = offered every day

    def offered_on(self, day: date) -> bool:
        return self.weekdays is None or day.weekday() in self.weekdays

    @property
    def minutes(self) -> int:
        if self.start is not None and self.end is not None:
            return minute_of_day(self.end) - minute_of_day(self.start)
        return self.length_minutes or 0

    @property
    def paid_minutes(self) -> int:
        return self.minutes - self.unpaid_break_minutes

    @property
    def has_clock(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.has_clock:
            where = f" {self.location}" if self.location else ""
            return f"{self.start:%H:%M}-{self.end:%H:%M}{where}"
        return f"shift {self.id}"


@dataclass
class Staff:
    """A person who can be rostered, with contract limits and labour rules.

    ``None`` limits mean "no limit". ``max_shifts`` maps template id to the most
    shifts of that template in the horizon (0 = may not work it).
    """

    id: str
    name: str = ""
    roles: list[str] = field(default_factory=list)
    skills: list[Skill] = field(default_factory=list)
    pay_cents_per_hour: int = 0
    employment: str = "full_time"
    overtime_exempt: bool = False
    min_minutes_per_week: int = 0
    max_minutes_per_week: int | None = None
    min_minutes_total: int = 0
    max_minutes_total: int | None = None
    max_minutes_per_day: int | None = None
    max_shifts: dict[str, int] = field(default_factory=dict)
    max_consecutive_days: int | None = None
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def primary_role(self) -> str | None:
        return self.roles[0] if self.roles else None

    def skill(self, name: str) -> Skill | None:
        for s in self.skills:
            if s.name == name:
                return s
        return None


@dataclass
class ShiftCover:
    """Staffing need for one template on one day.

    ``under_weight`` is the penalty per person short of ``required`` (``None``
    makes the need hard). ``preferred`` (if above ``required``) adds
    ``preferred_weight`` per person short of it. ``over_weight`` is the penalty
    per person above ``max(required, preferred)`` (``None`` forbids any).
    """

    day: int
    template: str
    required: int
    under_weight: int | None = 100
    over_weight: int | None = 0
    preferred: int | None = None
    preferred_weight: int = 0


@dataclass
class WindowCover:
    """Staffing need at a location during a time window for a role (or skill).

    A person counts toward the window when the template they work is at that
    location, is for that role (any role if ``role`` is None), and spans the
    whole window; if ``skill`` is set they must also hold it, valid that day.
    Weights as in ``ShiftCover``.
    """

    day: int
    location: str | None
    start: time
    end: time
    role: str | None
    required: int
    under_weight: int | None = 100
    over_weight: int | None = 0
    preferred: int | None = None
    preferred_weight: int = 0
    skill: str | None = None


@dataclass
class Unavailability:
    """Hard: the person cannot work on ``day`` (whole day, or overlapping a window)."""

    staff: str
    day: int
    start: time | None = None
    end: time | None = None
    reason: str = "unavailable"


@dataclass
class Request:
    """Soft wish: work (``on=True``) or not work a template (or any shift) on a day."""

    staff: str
    day: int
    template: str | None
    on: bool
    weight: int


@dataclass
class Pin:
    """A fixed assignment kept by later solves; ``template=None`` pins a day off."""

    staff: str
    day: int
    template: str | None


@dataclass
class ForbiddenSequence:
    """``then`` may not be worked ``gap_days`` after ``first`` by the same person."""

    first: str
    then: str
    gap_days: int = 1


@dataclass(frozen=True)
class Assignment:
    """One cell of a roster: ``staff`` works ``template`` on ``day``."""

    staff: str
    day: int
    template: str


@dataclass
class Overtime:
    """Weekly overtime: minutes above the threshold are paid at ``multiplier``."""

    weekly_threshold_minutes: int = 40 * 60
    multiplier: Fraction = Fraction(3, 2)


@dataclass
class Budget:
    """Labour budget for the horizon in cents; hard cap or penalised per dollar over."""

    limit_cents: int
    hard: bool = False


@dataclass
class Weights:
    """Objective weights (points); coverage and request weights live on each need.

    Attributes:
        pay: points per cent of wages (0 leaves pay out of the objective).
        over_budget_per_dollar: points per started dollar above a soft budget.
        change: points per roster cell changed from the reference roster.
        fair_weekends: points per weekend of spread (most minus fewest) in a group.
        fair_late: points per late shift of spread in a group.
        fair_hours: points per hour of spread in a group.
    """

    pay: int = 0
    over_budget_per_dollar: int = 0
    change: int = 0
    fair_weekends: int = 0
    fair_late: int = 0
    fair_hours: int = 0


@dataclass
class Problem:
    """Everything the engine needs to build and judge a roster."""

    start: date
    num_days: int
    templates: list[ShiftTemplate]
    staff: list[Staff]
    roles: list[Role] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    shift_covers: list[ShiftCover] = field(default_factory=list)
    window_covers: list[WindowCover] = field(default_factory=list)
    unavailability: list[Unavailability] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    pins: list[Pin] = field(default_factory=list)
    forbidden_sequences: list[ForbiddenSequence] = field(default_factory=list)
    min_rest_minutes: int = 0
    overtime: Overtime = field(default_factory=Overtime)
    budget: Budget | None = None
    reference: list[Assignment] = field(default_factory=list)
    weights: Weights = field(default_factory=Weights)
    name: str = ""

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def day_of(self, d: date) -> int:
        return (d - self.start).days

    def day_label(self, day: int) -> str:
        d = self.date_of(day)
        return f"{d:%a} {d.day} {d:%b}"

    def weeks(self) -> list[list[int]]:
        """Pay weeks: consecutive 7-day blocks from the start (last may be short)."""
        return [list(range(w, min(w + 7, self.num_days))) for w in range(0, self.num_days, 7)]

    def weekends(self) -> list[list[int]]:
        """Saturday/Sunday day indexes per weekend touching the horizon."""
        out: dict[date, list[int]] = {}
        for day in range(self.num_days):
            d = self.date_of(day)
            if d.weekday() >= 5:
                saturday = d - timedelta(days=d.weekday() - 5)
                out.setdefault(saturday, []).append(day)
        return [out[k] for k in sorted(out)]

    def template(self, tid: str) -> ShiftTemplate:
        return self._index("_tmpl", self.templates)[tid]

    def person(self, sid: str) -> Staff:
        return self._index("_staff", self.staff)[sid]

    def role(self, rid: str) -> Role:
        found = self._index("_roles", self.roles).get(rid)
        return found if found is not None else Role(id=rid)

    def template_positions(self) -> dict[str, int]:
        """Template id -> its position in ``templates``, the index the model and the
        constructors use (shared and cached: do not change it)."""
        return self._index("_tmpl_pos", self.templates, positions=True)

    def staff_positions(self) -> dict[str, int]:
        """Staff id -> position in ``staff`` (shared and cached: do not change it)."""
        return self._index("_staff_pos", self.staff, positions=True)

    def _index(self, attr: str, items: list, positions: bool = False) -> dict:
        # Cached per list object; rebuilt when the list is replaced or resized.
        cached = self.__dict__.get(attr)
        if cached is None or cached[0] is not items or len(cached[1]) != len(items):
            index = {x.id: (i if positions else x) for i, x in enumerate(items)}
            cached = (items, index)
            self.__dict__[attr] = cached
        return cached[1]
