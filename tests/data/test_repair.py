"""Sick-call repair: refusals that save nothing, the repair scenario, a real repair solved by the worker."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import AuditEntry, Staff
from data.repair import (
    discard_repair,
    publish_repair,
    repair_changes,
    repair_report,
    sick_absences,
    stale_reason,
    start_sick_call,
)
from data.roster_inputs import InputInvalid, ScenarioInputs
from data.roster_models import PublishedShift, Scenario, ScenarioShift, TimeOff
from data.scenarios import assignments, build_for, cells, create_scenario, default_inputs, get_scenario, publish
from data.solve_jobs import enqueue, latest_job
from data.solve_worker import work_once
from planner import evaluate
from tests.data.published_practice import START, build_clinic, publish_by_hand, require

MON, TUE, WED, THU, FRI = (START + dt.timedelta(days=i) for i in range(5))
BEFORE = dt.datetime(2026, 2, 27, 15, 0)  # the Friday before, when the roster is published
MORNING = dt.datetime(2026, 3, 2, 7, 0)  # Monday 07:00, when the sick call comes in


@pytest.fixture
def clinic(engine):
    ids = build_clinic(engine)
    for weekday in range(5):  # one MA and one nurse at Main, one front desk at Riverside, 08:00-16:00 weekdays
        require(engine, ids["main"], weekday, "08:00", "16:00", ids["ma"], 1, None)
        require(engine, ids["main"], weekday, "08:00", "16:00", ids["rn"], 1, None)
        require(engine, ids["river"], weekday, "08:00", "16:00", ids["front_desk"], 1, None)
    return ids


def _counts(engine) -> tuple[int, int, int]:
    with Session(engine, expire_on_commit=False) as s:
        return (s.scalar(select(func.count(Scenario.id))), s.scalar(select(func.count(ScenarioShift.id))),
                s.scalar(select(func.count(AuditEntry.id))))


def _refused(engine, staff_id, days, now=MORNING) -> str:
    before = _counts(engine)
    with Session(engine, expire_on_commit=False) as s, pytest.raises(InputInvalid) as refused:
        start_sick_call(s, staff_id, days, actor="Test Manager", now=now)
    assert _counts(engine) == before  # nothing saved
    return str(refused.value)


def test_refused_when_nothing_is_published(engine, clinic):
    assert _refused(engine, clinic["ann"], [WED]) == ("Nothing has been published yet: publish a roster before "
                                                     "recording a sick call.")


def test_refusals_name_the_problem_and_save_nothing(engine, clinic):
    publish_by_hand(engine, [(clinic["ann"], clinic["main"], clinic["day"], d) for d in (MON, TUE, WED, THU, FRI)])
    assert _refused(engine, clinic["ann"], []) == "Choose at least one day the person will miss."
    assert _refused(engine, 9999, [WED]) == "That person is not on the staff list."
    assert _refused(engine, clinic["ben"], [WED]) == "Ben Beta is not rostered on Wed 4 Mar; nothing to repair."
    assert _refused(engine, clinic["ann"], [WED, START + dt.timedelta(days=9)]) == (
        "Wed 11 Mar is outside the published roster; nothing to repair.")
    assert _refused(engine, clinic["ann"], [TUE], now=dt.datetime(2026, 3, 4, 9, 0)) == (
        "Tue 3 Mar is over; a sick call can only change today or later.")


def test_days_in_two_published_periods_are_refused(engine, clinic):
    next_mon = START + dt.timedelta(days=7)
    publish_by_hand(engine, [(clinic["ann"], clinic["main"], clinic["day"], FRI)])
    publish_by_hand(engine, [(clinic["ann"], clinic["main"], clinic["day"], next_mon)], start=next_mon, name="Next")
    assert _refused(engine, clinic["ann"], [FRI, next_mon]) == (
        "Those days fall in different published periods; record the sick call for each period separately.")


def test_the_repair_scenario_starts_from_the_published_roster(engine, clinic):
    published_id = publish_by_hand(
        engine, [(clinic["ann"], clinic["main"], clinic["day"], d) for d in (MON, TUE, WED, THU, FRI)])
    with Session(engine, expire_on_commit=False) as s:
        repair = start_sick_call(s, clinic["ann"], [WED, THU], actor="Test Manager", now=MORNING)
        assert (repair.kind, repair.status, repair.start_date, repair.weeks, repair.parent_id) == (
            "repair", "draft", START, 1, published_id)
        assert repair.name == "Sick call: Ann Alpha, Wed 4 Mar, Thu 5 Mar"
        away = ScenarioInputs.from_json(repair.inputs).levers.away
        assert [(a.staff_id, a.start, a.end, a.reason) for a in away] == [
            (clinic["ann"], WED, WED, "sick call"), (clinic["ann"], THU, THU, "sick call")]
        assert sick_absences(s, repair) == [(clinic["ann"], WED), (clinic["ann"], THU)]
        # The sick days start empty; her other shifts are kept (pinned); the other MAs are free that week;
        # the other roles are pinned as published (here: off all week).
        week = [START + dt.timedelta(days=i) for i in range(7)]
        ann, others = f"s{clinic['ann']}", sorted(f"s{clinic[k]}" for k in ("dan", "eve"))
        assert sorted((c.person, c.day, c.template_id, c.pinned) for c in cells(s, repair.id)) == sorted(
            [(ann, d, clinic["day"], True) for d in (MON, TUE, FRI)]
            + [(ann, d, None, True) for d in week if d not in (MON, TUE, WED, THU, FRI)]
            + [(p, d, None, True) for p in others for d in week])
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "roster.sick_call")).one()
        assert (entry.actor, entry.entity_id, entry.new_value["days"]) == (
            "Test Manager", str(repair.id), "2026-03-04, 2026-03-05")


def test_days_already_over_and_other_roles_are_pinned_as_published(engine, clinic):
    publish_by_hand(engine, [(clinic["ann"], clinic["main"], clinic["day"], d) for d in (MON, TUE, WED, THU, FRI)]
                    + [(clinic["eve"], clinic["main"], clinic["day"], d) for d in (MON, THU)])
    wednesday = dt.datetime(2026, 3, 4, 6, 30)
    with Session(engine, expire_on_commit=False) as s:
        repair = start_sick_call(s, clinic["ann"], [WED], actor="Test Manager", now=wednesday)
        saved = {(c.person, c.day): (c.template_id, c.pinned) for c in cells(s, repair.id)}
    week = [START + dt.timedelta(days=i) for i in range(7)]
    key = {k: f"s{clinic[k]}" for k in ("ann", "ben", "cara", "dan", "eve")}
    day = clinic["day"]
    expected = {(key["ann"], d): (day, True) for d in (MON, TUE, THU, FRI)}  # her own shifts stay
    expected |= {(key["ann"], d): (None, True) for d in week[5:]}
    expected |= {(key[p], d): (None, True) for p in ("ben", "cara") for d in (MON, TUE)}  # over: as published
    expected |= {(key["dan"], d): (None, True) for d in week}  # other roles: as published
    expected |= {(key["eve"], d): (day if d in (MON, THU) else None, True) for d in week}
    assert saved == expected  # Ben's and Cara's cells from Wednesday on are the solver's to fill


def test_a_cell_that_now_breaks_a_rule_is_left_to_the_solver(engine, clinic):
    publish_by_hand(engine, [(clinic["ann"], clinic["main"], clinic["day"], d) for d in (MON, TUE, WED, THU, FRI)]
                    + [(clinic["eve"], clinic["main"], clinic["day"], d) for d in (MON, THU)])
    with Session(engine, expire_on_commit=False) as s:  # Eve's Thursday became approved leave after publishing
        s.add(TimeOff(staff_id=clinic["eve"], start_date=THU, end_date=THU, status="approved", kind="leave",
                      reason="Funeral", created_at=MORNING))
        s.commit()
        repair = start_sick_call(s, clinic["ann"], [WED], actor="Test Manager", now=MORNING)
        saved = {(c.person, c.day): (c.template_id, c.pinned) for c in cells(s, repair.id)}
    eve = f"s{clinic['eve']}"
    assert saved[(eve, THU)] == (clinic["day"], False)  # copied as a start, not pinned
    assert saved[(eve, MON)] == (clinic["day"], True)


def _solve(engine, scenario_id: int) -> None:
    with Session(engine, expire_on_commit=False) as s:
        enqueue(s, scenario_id, 10, actor="Test Manager", now=BEFORE)
    assert work_once(engine, "test", workers=1)
    with Session(engine, expire_on_commit=False) as s:
        assert latest_job(s, scenario_id).status == "done"


def _publish_plan(engine) -> int:
    """Solve and publish the week: Ann (the cheapest MA), Eve and Dan work Monday to Friday."""
    with Session(engine, expire_on_commit=False) as s:
        plan = create_scenario(s, name="Week plan", start=START, weeks=1, inputs=default_inputs(s, 1),
                               actor="Test Manager", now=BEFORE)
    _solve(engine, plan.id)
    with Session(engine, expire_on_commit=False) as s:
        assert publish(s, plan.id, actor="Test Manager", now=BEFORE) == 15
    return plan.id


def _published(engine, staff: list[int]) -> list[tuple[int, dt.date, int]]:
    with Session(engine, expire_on_commit=False) as s:
        return [tuple(r) for r in s.execute(select(PublishedShift.staff_id, PublishedShift.day,
                                                   PublishedShift.template_id)
                                            .where(PublishedShift.staff_id.in_(staff))
                                            .order_by(PublishedShift.day, PublishedShift.staff_id))]


def test_a_sick_call_is_covered_by_the_next_cheapest_and_nothing_else_moves(engine, clinic):
    _publish_plan(engine)
    ann, ben, day = clinic["ann"], clinic["ben"], clinic["day"]
    mas = [ann, ben, clinic["cara"]]
    others = _published(engine, [clinic["dan"], clinic["eve"]])
    assert len(others) == 10
    assert _published(engine, mas) == [(ann, d, day) for d in (MON, TUE, WED, THU, FRI)]
    with Session(engine, expire_on_commit=False) as s:
        repair = start_sick_call(s, ann, [WED], actor="Test Manager", now=MORNING)
    _solve(engine, repair.id)
    with Session(engine, expire_on_commit=False) as s:
        report = repair_report(s, repair.id)
        scenario = get_scenario(s, repair.id)
        built = build_for(s, scenario)
        check = evaluate(built.problem, assignments(built, scenario, cells(s, repair.id)))
        frame = repair_changes(s, repair.id)
    assert check.violations == []
    assert report.solved and report.status == "solved"
    assert report.changes[["name", "day", "from", "to", "change", "covers"]].to_dict("records") == [
        {"name": "Ann Alpha", "day": WED, "from": "08:00-16:00 Main", "to": "off", "change": "absent",
         "covers": False},
        {"name": "Ben Beta", "day": WED, "from": "off", "to": "08:00-16:00 Main", "change": "added",
         "covers": True},
    ]
    assert list(report.covers["name"]) == ["Ben Beta"]
    # Wages: 7.5 h a day for five days of Ann ($20), Eve ($40) and Dan ($18) published;
    # Ben's 7.5 h at $22 replace one of Ann's days.
    assert (report.wages_before, report.wages_after, report.wages_difference) == (2925.0, 2940.0, 15.0)
    assert (report.short_hours_uncovered, report.short_hours_after, report.still_short) == (8.0, 0.0, [])
    assert frame.attrs["wages_difference"] == 15.0 and len(frame) == 2

    with Session(engine, expire_on_commit=False) as s:
        assert publish_repair(s, repair.id, actor="Test Manager", now=MORNING) == 15
        assert get_scenario(s, repair.id).status == "published"
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert _published(engine, mas) == [(ann, MON, day), (ann, TUE, day), (ben, WED, day), (ann, THU, day),
                                       (ann, FRI, day)]
    assert _published(engine, [clinic["dan"], clinic["eve"]]) == others  # unchanged cells stay
    assert actions[-2:] == ["roster.publish", "roster.repair_publish"]


def test_a_sick_call_nobody_can_cover_is_reported_short(engine, clinic):
    _publish_plan(engine)
    with Session(engine, expire_on_commit=False) as s:
        for key in ("ben", "cara"):
            s.get(Staff, clinic[key]).active = False
        s.commit()
        repair = start_sick_call(s, clinic["ann"], [WED], actor="Test Manager", now=MORNING)
    _solve(engine, repair.id)
    with Session(engine, expire_on_commit=False) as s:
        report = repair_report(s, repair.id)
    assert report.violations == []
    assert list(report.changes["change"]) == ["absent"] and report.covers.empty
    assert (report.short_hours_uncovered, report.short_hours_after) == (8.0, 8.0)
    assert report.still_short[0] == "Wed 4 Mar 08:00-09:00 Main: 1 of 1 Medical assistants missing."
    assert len(report.still_short) == 8  # one per hour of the 08:00-16:00 need


def test_a_repair_overtaken_by_a_newer_publication_is_not_published(engine, clinic):
    plan_id = _publish_plan(engine)
    with Session(engine, expire_on_commit=False) as s:
        repair = start_sick_call(s, clinic["ann"], [WED], actor="Test Manager", now=MORNING)
    _solve(engine, repair.id)
    later = MORNING + dt.timedelta(hours=1)
    with Session(engine, expire_on_commit=False) as s:
        publish(s, plan_id, actor="Someone Else", now=later)
        assert stale_reason(s, get_scenario(s, repair.id)).startswith(
            "The published roster for these dates changed at 02 Mar 08:00, after this sick call was recorded")
        with pytest.raises(InputInvalid):
            publish_repair(s, repair.id, actor="Test Manager", now=later)
        discard_repair(s, repair.id, actor="Test Manager", now=later)
        assert s.get(Scenario, repair.id).status == "archived"


def test_a_sick_call_that_fails_half_way_leaves_no_scenario(engine, clinic, monkeypatch):
    publish_by_hand(engine, [(clinic["ann"], clinic["main"], clinic["day"], WED)])
    before = _counts(engine)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("data.repair._frozen_cells", broken)
    with Session(engine) as s, pytest.raises(RuntimeError):
        start_sick_call(s, clinic["ann"], [WED], actor="Test Manager", now=MORNING)
    scenarios, shifts, _ = _counts(engine)
    assert (scenarios, shifts) == before[:2]  # the scenario create_scenario had committed is gone again
