"""Solve jobs on PostgreSQL go through procrastinate: queued, run once, stopped,
recovered when a worker dies; the queue's schema is made and upgraded safely.

These run on the PostgreSQL test database only (``TEST_DATABASE_URL``); the
SQLite worker is covered by tests/data/test_scenarios.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from data import job_queue, solve_worker
from data.bootstrap import drop_everything, prepare_database
from data.roster_models import SolveJob
from data.scenarios import cells, check, create_scenario, default_inputs, get_scenario
from data.solve_jobs import ACTIVE, claim, enqueue, latest_job, request_stop
from data.solve_worker import start_background_worker, work_forever, work_once
from tests.data.roster_fixture import NOW, START, build_roster_practice


@pytest.fixture
def practice(pg_engine):
    return build_roster_practice(pg_engine)


def new_scenario(engine, name: str, start=START, when=NOW) -> int:
    with Session(engine) as s:
        return create_scenario(s, name=name, start=start, weeks=1, inputs=default_inputs(s, 1), actor="Bea",
                               now=when).id


def queue_now(engine, scenario_id: int, limit: float = 2) -> int:
    with Session(engine) as s:
        return enqueue(s, scenario_id, limit, actor="Bea", now=NOW).id


def row(engine, job_id: int) -> SolveJob:
    with Session(engine) as s:
        return s.get(SolveJob, job_id)


def queue_entries(engine, job_id: int, status: str | None = None) -> list:
    return [j for j in job_queue.queued_jobs(engine, status) if j.task_kwargs == {"job_id": job_id}]


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_a_queued_solve_is_run_by_a_procrastinate_worker(pg_engine, practice):
    job_id = queue_now(pg_engine, new_scenario(pg_engine, "Week 10"))
    assert [j.status for j in queue_entries(pg_engine, job_id)] == ["todo"]
    assert work_once(pg_engine, "pg-worker", workers=1)
    job = row(pg_engine, job_id)
    assert (job.status, job.worker) == ("done", "pg-worker")
    assert job.solutions >= 1 and job.first_roster_s is not None
    with Session(pg_engine) as s:
        built, evaluation = check(s, job.scenario_id)
        summary = get_scenario(s, job.scenario_id).summary
        assert get_scenario(s, job.scenario_id).status == "solved"
        assert sum(1 for c in cells(s, job.scenario_id) if c.template_id) > 0
    assert evaluation.feasible and float(evaluation.score) == pytest.approx(summary["objective"])
    assert summary["figures"]["shortfall_hours"] == pytest.approx(8.0)  # as on SQLite: Rita's lapsed license
    assert queue_entries(pg_engine, job_id) == []  # procrastinate forgets a job that succeeded
    assert not work_once(pg_engine, "pg-worker", workers=1)


def test_two_workers_never_run_the_same_job(pg_engine, practice, monkeypatch):
    jobs = [queue_now(pg_engine, new_scenario(pg_engine, f"Plan {n}")) for n in range(4)]
    extra = job_queue.worker_app(pg_engine)
    with extra.open():  # deliver every job twice, as if it had been queued again by mistake
        for job_id in jobs:
            extra.configure_task(job_queue.SOLVE_TASK, queue=job_queue.QUEUE).defer(job_id=job_id)
    runs: list[int] = []
    real_run_job = solve_worker.run_job

    def counted(engine, job_id, *args, **kwargs):
        runs.append(job_id)
        return real_run_job(engine, job_id, *args, **kwargs)

    monkeypatch.setattr(solve_worker, "run_job", counted)
    stop = threading.Event()
    workers = [threading.Thread(target=work_forever, args=(pg_engine, f"machine-{n}", 0.2, stop), daemon=True)
               for n in range(2)]
    for w in workers:
        w.start()
    try:
        wait_until(lambda: all(row(pg_engine, j).status == "done" for j in jobs)
                   and not job_queue.queued_jobs(pg_engine, "todo") and not job_queue.queued_jobs(pg_engine, "doing"),
                   60, "both workers to empty the queue")
    finally:
        stop.set()
        for w in workers:
            w.join(30)
    assert sorted(runs) == sorted(jobs)  # eight deliveries, four solves
    assert {row(pg_engine, j).worker for j in jobs} <= {"machine-0", "machine-1"}
    assert not any(w.is_alive() for w in workers)


def test_a_job_a_live_worker_is_running_is_left_to_it(pg_engine, practice):
    job_id = queue_now(pg_engine, new_scenario(pg_engine, "Busy"))

    async def take():
        app = job_queue.worker_app(pg_engine)
        async with app.open_async():
            worker_id = await app.job_manager.register_worker()
            return worker_id, await app.job_manager.fetch_job(queues=[job_queue.QUEUE], worker_id=worker_id)

    worker_id, taken = asyncio.run(take())
    assert taken.task_kwargs == {"job_id": job_id}
    with Session(pg_engine) as s:
        assert claim(s, job_id, "busy-worker", dt.datetime.now()) is not None
        assert claim(s, job_id, "other-worker", dt.datetime.now()) is None  # a row is claimed once
    assert not work_once(pg_engine, "other-worker", workers=1)
    assert (row(pg_engine, job_id).status, row(pg_engine, job_id).worker) == ("running", "busy-worker")
    assert [j.worker_id for j in queue_entries(pg_engine, job_id, "doing")] == [worker_id]
    # Its worker loses touch with procrastinate, but the job's own heartbeat is fresh: still left alone.
    with pg_engine.begin() as conn:
        conn.execute(text("UPDATE procrastinate.procrastinate_workers SET last_heartbeat = now() - interval '5 min'"
                          " WHERE id = :id"), {"id": worker_id})
    assert not work_once(pg_engine, "other-worker", workers=1)
    assert (row(pg_engine, job_id).status, row(pg_engine, job_id).worker) == ("running", "busy-worker")


def test_a_job_whose_worker_died_is_queued_again_and_run(pg_engine, practice):
    job_id = queue_now(pg_engine, new_scenario(pg_engine, "Orphan"))

    async def take_and_die():
        app = job_queue.worker_app(pg_engine)
        async with app.open_async():
            worker_id = await app.job_manager.register_worker()
            await app.job_manager.fetch_job(queues=[job_queue.QUEUE], worker_id=worker_id)
            return worker_id

    worker_id = asyncio.run(take_and_die())
    five_minutes_ago = dt.datetime.now() - dt.timedelta(minutes=5)
    with Session(pg_engine) as s:
        assert claim(s, job_id, "dead-worker", five_minutes_ago) is not None
    with pg_engine.begin() as conn:  # its process is gone: no heartbeat for five minutes
        conn.execute(text("UPDATE procrastinate.procrastinate_workers SET last_heartbeat = now() - interval '5 min'"
                          " WHERE id = :id"), {"id": worker_id})
    assert [j.status for j in queue_entries(pg_engine, job_id)] == ["doing"]
    assert work_once(pg_engine, "rescuer", workers=1)
    job = row(pg_engine, job_id)
    assert (job.status, job.worker) == ("done", "rescuer")
    assert queue_entries(pg_engine, job_id) == []


def test_rows_whose_queue_entry_was_lost_are_queued_again(pg_engine, practice):
    """A queued row never deferred (the app died in between) and a running row whose
    heartbeat stopped with no procrastinate job behind it are both run again."""
    now = dt.datetime.now()
    with Session(pg_engine) as s:
        lost = SolveJob(scenario_id=new_scenario(pg_engine, "Lost"), time_limit_s=2, requested_by="Bea",
                        requested_at=now, status="queued")
        silent = SolveJob(scenario_id=new_scenario(pg_engine, "Silent"), time_limit_s=2, requested_by="Bea",
                          requested_at=now, status="running", worker="gone", started_at=now - dt.timedelta(minutes=5),
                          heartbeat_at=now - dt.timedelta(minutes=5))
        s.add_all([lost, silent])
        s.commit()
        ids = [lost.id, silent.id]
    assert job_queue.queued_jobs(pg_engine) == []
    while work_once(pg_engine, "rescuer", workers=1):
        pass
    assert [(row(pg_engine, i).status, row(pg_engine, i).worker) for i in ids] == [("done", "rescuer")] * 2


def test_cancelling_a_queued_solve_withdraws_it_from_the_queue(pg_engine, practice):
    job_id = queue_now(pg_engine, new_scenario(pg_engine, "Never mind"))
    with Session(pg_engine) as s:
        request_stop(s, job_id, actor="Bea", now=NOW)
    assert row(pg_engine, job_id).status == "stopped"
    assert [j.status for j in queue_entries(pg_engine, job_id)] == ["cancelled"]
    assert not work_once(pg_engine, "pg-worker", workers=1)


def test_stop_keeps_the_best_roster_and_the_app_worker_ends_when_released(pg_engine):
    """A real solve on the demo practice (long enough to stop) in the app's own worker thread."""
    now = dt.datetime(2026, 3, 4, 10)
    prepare_database(pg_engine, now, demo=True, months=1)
    sid = new_scenario(pg_engine, "Next week", start=dt.date(2026, 3, 9), when=now)
    stop = threading.Event()
    thread = start_background_worker(pg_engine, stop)
    try:
        job_id = queue_now(pg_engine, sid, limit=120)
        wait_until(lambda: (j := row(pg_engine, job_id)).status == "running" and j.solutions >= 1, 60,
                   "a first roster")
        with Session(pg_engine) as s:
            request_stop(s, job_id, actor="Bea", now=now)
        job = wait_until(lambda: (j := row(pg_engine, job_id)).status not in ACTIVE and j, 60, "the solve to stop")
    finally:
        stop.set()
        thread.join(60)
    assert job.status == "stopped" and job.elapsed_s < 60
    with Session(pg_engine) as s:
        assert get_scenario(s, sid).status == "solved"
        _, evaluation = check(s, sid)
        assert float(evaluation.score) == pytest.approx(get_scenario(s, sid).summary["objective"])
        assert sum(1 for c in cells(s, sid) if c.template_id) > 0
        assert latest_job(s, sid).id == job_id
    assert not thread.is_alive()
    with pg_engine.connect() as conn:  # the worker said goodbye to procrastinate
        assert conn.execute(text("SELECT count(*) FROM procrastinate.procrastinate_workers")).scalar() == 0


def test_the_queue_schema_is_made_once_and_upgraded_with_procrastinates_scripts(pg_engine, monkeypatch):
    assert job_queue.ensure_queue_schema(pg_engine) == "current"  # the fixture made it; again changes nothing
    with pg_engine.connect() as conn:
        tables = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'procrastinate'")).scalars())
        assert {"procrastinate_jobs", "procrastinate_workers", "procrastinate_events"} <= tables
        assert not conn.execute(text("SELECT to_regclass('public.procrastinate_jobs')")).scalar()
    probe = ((9, 0, 0), "09.00.00_01_pre_probe.sql", "CREATE TABLE procrastinate_probe (id int);")
    monkeypatch.setattr(job_queue, "installed_version", lambda: (9, 0, 0))
    monkeypatch.setattr(job_queue, "_migrations", lambda: [((3, 4, 0), "03.04.00_old.sql", "SELECT 1/0;"), probe])
    assert job_queue.ensure_queue_schema(pg_engine) == "upgraded"  # only the script newer than the database's
    assert job_queue.ensure_queue_schema(pg_engine) == "current"
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('procrastinate.procrastinate_probe')")).scalar()
    monkeypatch.undo()
    with pytest.raises(RuntimeError, match="newer than the installed"):
        job_queue.ensure_queue_schema(pg_engine)
    drop_everything(pg_engine)
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname = 'procrastinate'")).scalar() == 0
    assert job_queue.ensure_queue_schema(pg_engine) == "created"
