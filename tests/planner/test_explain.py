"""Infeasible problems get a small conflict in sentences; bad input gets validation errors."""

from datetime import date

from planner import Role, ShiftCover, Skill, Status, Unavailability, solve, validate
from planner.domain import Pin

from roster_helpers import person, tiny, tpl

RN = Role("RN", "RN", ["RN license"])


def rn(sid: str, **kw):
    return person(sid, roles=["RN"], skills=[Skill("RN license", kw.pop("expires", None))], **kw)


def test_saturday_needs_two_rns_conflict_in_plain_words():
    staff = [rn("kim"), rn("lee", max_weekends=0), rn("max"),
             rn("ann", expires=date(2025, 1, 8))]
    p = tiny(staff=staff, roles=[RN], templates=[tpl("D", "08:00", "16:00", "RN")],
             shift_covers=[ShiftCover(5, "D", 2, under_weight=None)],
             unavailability=[Unavailability("max", 5, reason="approved leave")])
    r = solve(p, time_limit=5, workers=1)
    assert r.status is Status.INFEASIBLE
    assert r.assignments == []
    assert sorted(r.conflict.sentences) == sorted([
        "Sat 11 Jan 08:00-16:00 needs 2 RNs; only Kim and Lee are qualified and available "
        "(Max on leave; Ann's RN license expired on Wed 8 Jan).",
        "Lee may work at most 0 weekend(s).",
        "Max is off (approved leave) on Sat 11 Jan.",
    ])
    assert any("Lee" in line for line in r.conflict.relax)


def test_relaxing_one_rule_alone_is_named():
    staff = [rn("kim", max_consecutive_days=2)]
    p = tiny(staff=staff, roles=[RN], templates=[tpl("D", "08:00", "16:00", "RN")],
             shift_covers=[ShiftCover(d, "D", 1, under_weight=None) for d in range(3)])
    r = solve(p, time_limit=5, workers=1)
    assert r.status is Status.INFEASIBLE
    assert "Kim may work at most 2 days in a row." in r.conflict.sentences
    prefix = "Relaxing this alone makes a roster possible: "
    assert sorted(r.conflict.relax) == sorted(
        [prefix + "max consecutive working days for Kim"]
        + [prefix + f"make the need for RNs on {day} Jan 08:00-16:00 soft or lower it"
           for day in ("Mon 6", "Tue 7", "Wed 8")])


def test_invalid_input_returns_errors_not_a_trace():
    bad = tiny(staff=[person("kim", max_minutes_per_week=-60)],
               templates=[tpl("D", "16:00", "08:00")],
               shift_covers=[ShiftCover(0, "X", 1)],
               unavailability=[Unavailability("nobody", 2)])
    r = solve(bad, time_limit=5, workers=1)
    assert r.status is Status.INVALID
    assert r.errors == validate(bad)
    text = " ".join(r.errors)
    assert "ends (08:00) before it starts (16:00)" in text
    assert "negative max minutes per week" in text
    assert "unknown shift template" in text
    assert "unknown staff member 'nobody'" in text


def test_pin_on_leave_is_a_validation_error():
    p = tiny(pins=[Pin("kim", 1, "D")], unavailability=[Unavailability("kim", 1, reason="sick")])
    errors = validate(p)
    assert errors == ["Kim is pinned to 08:00-16:00 on Tue 7 Jan but is unavailable then (sick)."]


def test_pin_needing_expired_credential_is_a_validation_error():
    staff = [rn("kim", expires=date(2025, 1, 6))]
    p = tiny(staff=staff, roles=[RN], templates=[tpl("D", "08:00", "16:00", "RN")],
             pins=[Pin("kim", 2, "D")])
    assert validate(p) == ["Kim is pinned to 08:00-16:00 on Wed 8 Jan but has a RN license "
                           "that expired on Mon 6 Jan 2025."]
