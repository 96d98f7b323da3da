"""Scenarios end to end on a tiny practice: create, solve through the job queue,
check with the independent checker, edit by hand, clone, publish, staffing."""

import datetime as dt

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data.models import AuditEntry
from data.roster_inputs import Away, InputInvalid, ScenarioInputs
from data.roster_models import PublishedShift, Scenario, SolveJob
from data.roster_tables import coverage_frame, diff_frame, grid_frame, shifts_frame
from data.scenarios import (
    assignments,
    build_for,
    cells,
    check,
    clone_scenario,
    create_scenario,
    default_inputs,
    get_scenario,
    publish,
    roster_saved_at,
    save_result,
    set_cell,
)
from data.solve_jobs import JobRefused, claim_next, enqueue, latest_job, request_stop
from data.solve_worker import work_once
from data.staffing import ask_staffing_question, staffing_answer
from tests.data.roster_fixture import NOW, START, build_roster_practice


@pytest.fixture
def practice(engine):
    return build_roster_practice(engine)


def new_scenario(engine, name="Week 10", weeks=1) -> int:
    with Session(engine) as s:
        return create_scenario(s, name=name, start=START, weeks=weeks, inputs=default_inputs(s, weeks),
                               actor="Bea", now=NOW).id


def solve_now(engine, scenario_id, limit=5.0) -> SolveJob:
    with Session(engine) as s:
        enqueue(s, scenario_id, limit, actor="Bea", now=NOW)
    assert work_once(engine, "test-worker", workers=1)
    with Session(engine) as s:
        return latest_job(s, scenario_id)


def test_solve_through_the_queue_and_the_checker_agrees(engine, practice):
    sid = new_scenario(engine)
    job = solve_now(engine, sid)
    assert job.status == "done" and job.solutions >= 1 and job.first_roster_s is not None
    with Session(engine) as s:
        scenario = get_scenario(s, sid)
        built, evaluation = check(s, sid)
        summary = scenario.summary
    assert scenario.status == "solved"
    assert evaluation.feasible, [v.sentence for v in evaluation.violations]
    assert float(evaluation.score) == pytest.approx(summary["objective"])
    # Rita's license lapses after Wednesday: nobody covers the RN need Thursday and Friday.
    assert summary["figures"]["shortfall_hours"] == pytest.approx(8.0)
    assert summary["cost"]["overtime"] == 0


def test_roster_tables(engine, practice):
    sid = new_scenario(engine)
    solve_now(engine, sid)
    with Session(engine) as s:
        scenario = get_scenario(s, sid)
        built = build_for(s, scenario)
        c = cells(s, sid)
    grid = grid_frame(built, START, 1, c)
    assert list(grid.index) == ["Rita Reyes", "Max Mills", "Mia Moss"]  # nurses first, then MAs
    assert list(grid.columns)[:3] == ["Role", "Mon 2", "Tue 3"]
    assert grid.loc["Mia Moss", "Wed 4"] == ""  # on leave
    shifts = shifts_frame(built, START, c)
    assert set(shifts["location"]) == {"Main"}
    coverage = coverage_frame(built, assignments(built, scenario, c))
    assert len(coverage) == 40
    rn_late_week = coverage[(coverage["role"] == "rn") & (coverage["date"] >= START + dt.timedelta(days=3))]
    assert rn_late_week["scheduled"].sum() == 0 and (rn_late_week["gap"] == -1).all()


def test_hand_edit_is_pinned_checked_and_kept_by_the_next_solve(engine, practice):
    sid = new_scenario(engine)
    solve_now(engine, sid)
    thursday = START + dt.timedelta(days=3)
    with Session(engine) as s:
        # Rita's license has lapsed by Thursday: the checker must say so.
        set_cell(s, sid, f"s{practice['rita']}", thursday, practice["day"], actor="Bea", now=NOW)
        _, evaluation = check(s, sid)
        with pytest.raises(InputInvalid, match=r"breaks \d+ rule\(s\), so it cannot be published: .*RN license"):
            publish(s, sid, actor="Bea", now=NOW)
        assert s.scalar(select(func.count(PublishedShift.id))) == 0
    assert any("RN license" in v.sentence for v in evaluation.violations)
    with Session(engine) as s:
        set_cell(s, sid, f"s{practice['rita']}", thursday, None, actor="Bea", now=NOW)  # pinned day off
        set_cell(s, sid, f"s{practice['mia']}", START, practice["morning"], actor="Bea", now=NOW)
    solve_now(engine, sid)
    with Session(engine) as s:
        kept = {(c.person, c.day): (c.template_id, c.pinned) for c in cells(s, sid)}
        edits = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "scenario.edit_cell"))
    assert kept[(f"s{practice['mia']}", START)] == (practice["morning"], True)
    assert kept[(f"s{practice['rita']}", thursday)] == (None, True)
    assert edits == 3


def test_clone_with_someone_away_and_diff(engine, practice):
    sid = new_scenario(engine)
    solve_now(engine, sid)
    with Session(engine) as s:
        inputs = ScenarioInputs.from_json(get_scenario(s, sid).inputs)
        inputs.levers.away.append(Away(practice["max"], START, START + dt.timedelta(days=4)))
        clone = clone_scenario(s, sid, name="Max away", inputs=inputs, actor="Bea", now=NOW)
        clone_id = clone.id
    solve_now(engine, clone_id)
    with Session(engine) as s:
        a, b = get_scenario(s, sid), get_scenario(s, clone_id)
        diff = diff_frame((build_for(s, a), START, cells(s, sid)), (build_for(s, b), START, cells(s, clone_id)))
        max_cells = [c for c in cells(s, clone_id) if c.person == f"s{practice['max']}" and c.template_id]
    assert b.parent_id == sid
    assert max_cells == []
    assert (diff["Person"] == "Max Mills").any() and (diff["Second"][diff["Person"] == "Max Mills"] == "off").all()


def test_publish_copies_the_roster_and_refuses_hires(engine, practice):
    sid = new_scenario(engine)
    with Session(engine) as s, pytest.raises(InputInvalid, match="Solve this scenario"):
        publish(s, sid, actor="Bea", now=NOW)
    solve_now(engine, sid)
    with Session(engine) as s:
        count = publish(s, sid, actor="Bea", now=NOW)
        rows = s.scalars(select(PublishedShift)).all()
        assert count == len(rows) == sum(1 for c in cells(s, sid) if c.template_id)
        assert get_scenario(s, sid).status == "published"
        assert all(r.start_at.date() == r.day for r in rows)
        inputs = ScenarioInputs.from_json(get_scenario(s, sid).inputs)
        from data.roster_inputs import Hire
        inputs.levers.hires.append(Hire("rn", 40, 40))
        with_hire = clone_scenario(s, sid, name="with a hire", inputs=inputs, actor="Bea", now=NOW).id
    solve_now(engine, with_hire)
    with Session(engine) as s, pytest.raises(InputInvalid, match="hypothetical hires"):
        publish(s, with_hire, actor="Bea", now=NOW)


def test_a_published_roster_changed_later_must_be_published_again(engine, practice):
    """A hand edit or a new solve of a published scenario makes it 'solved' again: the
    published shifts stay official (unchanged) until the new version is published."""
    sid = new_scenario(engine)
    solve_now(engine, sid)
    with Session(engine) as s:
        publish(s, sid, actor="Bea", now=NOW)
        before = sorted((r.staff_id, r.day, r.template_id) for r in s.scalars(select(PublishedShift)))
        set_cell(s, sid, f"s{practice['mia']}", START, None, actor="Bea", now=NOW)
        assert get_scenario(s, sid).status == "solved"
        publish(s, sid, actor="Bea", now=NOW)
        assert get_scenario(s, sid).status == "published"
        after_edit = sorted((r.staff_id, r.day, r.template_id) for r in s.scalars(select(PublishedShift)))
    assert after_edit != before
    solve_now(engine, sid)
    with Session(engine) as s:
        assert get_scenario(s, sid).status == "solved"
        assert sorted((r.staff_id, r.day, r.template_id) for r in s.scalars(select(PublishedShift))) == after_edit


def test_job_queue_rules(engine, practice):
    sid = new_scenario(engine)
    with Session(engine) as s:
        with pytest.raises(JobRefused, match="between 1 and"):
            enqueue(s, sid, 0, actor="Bea", now=NOW)
        job = enqueue(s, sid, 5, actor="Bea", now=NOW)
        with pytest.raises(JobRefused, match="already being solved"):
            enqueue(s, sid, 5, actor="Bea", now=NOW)
        assert job.status == "queued"


def test_sqlite_workers_claim_jobs_and_take_over_silent_ones(sqlite_engine):
    """On SQLite the app's worker claims rows itself (PostgreSQL: tests/data/test_solve_queue.py)."""
    engine = sqlite_engine
    build_roster_practice(engine)
    sid = new_scenario(engine)
    with Session(engine) as s:
        job = enqueue(s, sid, 5, actor="Bea", now=NOW)
        claimed = claim_next(s, "w1", NOW)
        assert claimed.id == job.id and claimed.status == "running"
        assert claim_next(s, "w2", NOW) is None
        # A worker that stops beating loses the job to the next worker.
        later = NOW + dt.timedelta(minutes=5)
        again = claim_next(s, "w2", later)
        assert again.id == job.id and again.worker == "w2"
        request_stop(s, job.id, actor="Bea", now=later)
        s.refresh(again)
        assert again.stop_requested


def test_cancel_a_queued_job(engine, practice):
    sid = new_scenario(engine)
    with Session(engine) as s:
        job = enqueue(s, sid, 5, actor="Bea", now=NOW)
        request_stop(s, job.id, actor="Bea", now=NOW)
        s.refresh(job)
        assert job.status == "stopped"
    assert not work_once(engine, "w", workers=1)


def test_bad_scenario_inputs_save_nothing(engine, practice):
    with Session(engine) as s:
        for kwargs, message in (({"weeks": 0}, "between 1 and 8"), ({"weeks": 9}, "between 1 and 8"),
                                ({"name": "  "}, "Give the scenario a name")):
            args = {"name": "x", "start": START, "weeks": 1, **kwargs}
            with pytest.raises(InputInvalid, match=message):
                create_scenario(s, inputs=default_inputs(s, 1), actor="Bea", now=NOW, **args)
        assert s.scalar(select(func.count(Scenario.id))) == 0


def test_staffing_question(engine, practice):
    sid = new_scenario(engine)
    solve_now(engine, sid)
    with Session(engine) as s:
        created = ask_staffing_question(s, sid, "rn", 1, 40, 40, 5, actor="Bea", now=NOW)
    assert len(created) == 1
    assert work_once(engine, "w", workers=1)
    with Session(engine) as s:
        answer = staffing_answer(s, sid)
    assert answer.pending == 0
    assert answer.table["Extra people"].tolist() == [0, 1]
    assert answer.table["Coverage short (h)"].tolist() == [8.0, 0.0]
    assert answer.sentence.startswith("1 more registered nurse would meet every coverage need")


def test_demo_roster_is_published_only_where_nothing_is(engine, practice):
    from data.solve_worker import AUTO_PUBLISHER

    sid = new_scenario(engine, name="Manager's week")
    solve_now(engine, sid)
    with Session(engine) as s:
        publish(s, sid, actor="Bea", now=NOW)
        inputs = default_inputs(s, 1)
        inputs.auto_publish = True
        auto = create_scenario(s, name="Demo roster", start=START, weeks=1, inputs=inputs, actor=AUTO_PUBLISHER,
                               now=NOW).id
    solve_now(engine, auto)
    with Session(engine) as s:
        assert get_scenario(s, auto).status == "solved"  # solved, not published over the manager's roster
        assert {r.scenario_id for r in s.scalars(select(PublishedShift))} == {sid}
        s.execute(delete(PublishedShift))
        s.commit()
    solve_now(engine, auto)
    with Session(engine) as s:
        assert get_scenario(s, auto).status == "published"


def test_the_demo_queues_its_roster_once(engine, practice):
    from data.demo.roster_publish import ensure_demo_roster
    from data.models import Practice

    now = dt.datetime.combine(START + dt.timedelta(days=2), dt.time(10))
    with Session(engine) as s:
        assert ensure_demo_roster(s, now) is False  # not a demo practice: nothing to do
        s.get(Practice, 1).is_demo = True
        s.commit()
        assert ensure_demo_roster(s, now) is True
        assert ensure_demo_roster(s, now) is True  # still queued: no second job
        jobs = s.scalars(select(SolveJob)).all()
        assert len(jobs) == 1
        auto = get_scenario(s, jobs[0].scenario_id)
        assert (auto.start_date, auto.weeks, auto.inputs["auto_publish"]) == (START, 2, True)


def test_a_running_solve_shows_its_best_roster_so_far(engine, practice, monkeypatch):
    """The worker stores the first roster while the solve goes on (marked interim,
    not publishable); the final save replaces it and makes the scenario solved."""
    from data import solve_worker

    saves = []
    real_save = solve_worker.save_result

    def recorded(s, scenario_id, built, result, now, *, interim=False):
        real_save(s, scenario_id, built, result, now, interim=interim)
        scenario = get_scenario(s, scenario_id)
        saves.append((interim, scenario.status, len(cells(s, scenario_id)), scenario.summary["interim"]))

    monkeypatch.setattr(solve_worker, "save_result", recorded)
    sid = new_scenario(engine)
    job = solve_now(engine, sid)
    assert job.status == "done"
    assert saves[0][0] is True and saves[0][1] == "draft" and saves[0][2] > 0 and saves[0][3] is True
    assert saves[-1][:2] == (False, "solved") and saves[-1][3] is False
    assert [interim for interim, *_ in saves].count(False) == 1


def test_an_interim_roster_cannot_be_published(engine, practice):
    from planner import roster_result

    sid = new_scenario(engine)
    solve_now(engine, sid)
    with Session(engine) as s:
        scenario = get_scenario(s, sid)
        built = build_for(s, scenario)
        result = roster_result(built.problem, [], bound=None)
        save_result(s, sid, built, result, NOW, interim=True)
        assert roster_saved_at(s, sid) == NOW.isoformat()
        with pytest.raises(InputInvalid, match="has not finished"):
            publish(s, sid, actor="Bea", now=NOW)


def test_a_busy_database_delays_progress_but_not_the_solve(engine, practice, monkeypatch):
    """A progress or heartbeat write that meets a locked database is skipped and
    retried; the solve still ends with its roster."""
    from sqlalchemy.exc import OperationalError

    from data import solve_worker

    failures = {"progress": 0, "beat": 0}
    real_progress, real_beat = solve_worker.report_progress, solve_worker.heartbeat

    def locked_once(kind, real):
        def call(*args, **kwargs):
            if failures[kind] == 0:
                failures[kind] += 1
                raise OperationalError("UPDATE solve_jobs", {}, Exception("database is locked"))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(solve_worker, "report_progress", locked_once("progress", real_progress))
    monkeypatch.setattr(solve_worker, "heartbeat", locked_once("beat", real_beat))
    monkeypatch.setattr(solve_worker, "HEARTBEAT_EVERY_S", 0.01)
    job = solve_now(engine, new_scenario(engine), limit=3.0)
    assert failures == {"progress": 1, "beat": 1}
    assert job.status == "done" and job.best_objective is not None
