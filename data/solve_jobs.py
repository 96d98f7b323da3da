"""Solve jobs in the database: queued, running (with progress), done, failed, stopped.

The job row is the one source of truth a page polls, so a solve survives a
page reload and every session sees it. Who runs it depends on the database:

- PostgreSQL: ``enqueue`` also puts the job in procrastinate's queue
  (``data.job_queue``); procrastinate hands it to exactly one of any number of
  workers, in the app or on other machines, and that worker marks the row
  running with ``claim`` (which refuses a row that is not queued).
- SQLite: the app's own worker takes the oldest queued row with ``claim_next``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data import audit
from data.job_queue import defer_solve, uses_queue, withdraw_solve
from data.roster_models import Scenario, SolveJob

ACTIVE = ("queued", "running")
MAX_TIME_LIMIT_S = 600
STALE_AFTER = dt.timedelta(seconds=60)  # a running job without a heartbeat this long is requeued
log = logging.getLogger("clinicops.solver")


class JobRefused(ValueError):
    """The solve cannot be queued; the message says why, for the manager."""


def enqueue(s: Session, scenario_id: int, time_limit_s: float, *, actor: str, now: dt.datetime) -> SolveJob:
    if s.get(Scenario, scenario_id) is None:
        raise JobRefused("That scenario no longer exists.")
    if not 1 <= time_limit_s <= MAX_TIME_LIMIT_S:
        raise JobRefused(f"The time limit must be between 1 and {MAX_TIME_LIMIT_S} seconds.")
    busy = s.scalars(select(SolveJob).where(SolveJob.scenario_id == scenario_id, SolveJob.status.in_(ACTIVE))).first()
    if busy is not None:
        raise JobRefused("This scenario is already being solved; wait for it or stop it first.")
    job = SolveJob(scenario_id=scenario_id, time_limit_s=float(time_limit_s), requested_by=actor, requested_at=now,
                   status="queued")
    s.add(job)
    s.flush()
    audit.record(s, actor=actor, action="solve.request", entity="scenario", entity_id=scenario_id, old=None,
                 new={"job": job.id, "time_limit_s": time_limit_s}, at=now)
    s.commit()
    if uses_queue(s.get_bind()):
        try:
            defer_solve(s.get_bind().engine, job.id)
        except Exception as error:  # noqa: BLE001 - the row must not wait for a queue entry that was never made
            log.exception("could not queue solve job %s", job.id)
            finish(s, job.id, status="failed", message=f"The solve could not be queued: {error}", result=None,
                   now=now)
            raise JobRefused("The solver queue cannot be reached just now; try again in a moment.") from error
    return job


def latest_job(s: Session, scenario_id: int) -> SolveJob | None:
    return s.scalars(select(SolveJob).where(SolveJob.scenario_id == scenario_id).order_by(SolveJob.id.desc())).first()


def claim(s: Session, job_id: int, worker: str, now: dt.datetime) -> SolveJob | None:
    """Mark queued job ``job_id`` running for ``worker``; None when it is not queued
    (stopped before it started, already taken, or gone)."""
    claimed = s.execute(
        update(SolveJob).where(SolveJob.id == job_id, SolveJob.status == "queued")
        .values(status="running", worker=worker, started_at=now, heartbeat_at=now)
    ).rowcount
    s.commit()
    return s.get(SolveJob, job_id) if claimed == 1 else None


def requeue(s: Session, job_id: int, *, stale_before: dt.datetime | None = None) -> bool:
    """Put running job ``job_id`` back in the queued state because its worker stopped
    responding (only if its heartbeat is older than ``stale_before``, when given)."""
    stmt = update(SolveJob).where(SolveJob.id == job_id, SolveJob.status == "running")
    if stale_before is not None:
        stmt = stmt.where(SolveJob.heartbeat_at < stale_before)
    changed = s.execute(stmt.values(status="queued", worker=None,
                                    message="Requeued: its worker stopped responding.")).rowcount
    s.commit()
    return changed == 1


def claim_next(s: Session, worker: str, now: dt.datetime) -> SolveJob | None:
    """Atomically take the oldest queued job (None when there is none): the SQLite worker's claim."""
    _requeue_stale(s, now)
    stmt = select(SolveJob.id).where(SolveJob.status == "queued").order_by(SolveJob.requested_at, SolveJob.id).limit(1)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    job_id = s.scalars(stmt).first()
    if job_id is None:
        s.commit()
        return None
    return claim(s, job_id, worker, now)  # same transaction: the row lock is held until its commit


def _requeue_stale(s: Session, now: dt.datetime) -> None:
    s.execute(
        update(SolveJob).where(SolveJob.status == "running", SolveJob.heartbeat_at < now - STALE_AFTER)
        .values(status="queued", worker=None, message="Requeued: its worker stopped responding.")
    )


def report_progress(s: Session, job_id: int, *, objective: float, bound: float, elapsed: float, solutions: int,
                    now: dt.datetime, first_roster_s: float | None = None) -> bool:
    """Store progress and beat the heartbeat; returns True when a stop was requested."""
    values: dict[str, Any] = {"best_objective": objective, "best_bound": bound, "elapsed_s": elapsed,
                              "solutions": solutions, "heartbeat_at": now}
    if first_roster_s is not None:
        values["first_roster_s"] = first_roster_s
    s.execute(update(SolveJob).where(SolveJob.id == job_id).values(**values))
    s.commit()
    return bool(s.scalar(select(SolveJob.stop_requested).where(SolveJob.id == job_id)))


def heartbeat(s: Session, job_id: int, now: dt.datetime) -> bool:
    """Keep a running job alive; returns True when a stop was requested."""
    s.execute(update(SolveJob).where(SolveJob.id == job_id).values(heartbeat_at=now))
    s.commit()
    return bool(s.scalar(select(SolveJob.stop_requested).where(SolveJob.id == job_id)))


def request_stop(s: Session, job_id: int, *, actor: str, now: dt.datetime) -> None:
    """Stop a running job (it keeps its best roster) or cancel a queued one."""
    job = s.get(SolveJob, job_id)
    if job is None or job.status not in ACTIVE:
        return
    cancelled = job.status == "queued"
    if cancelled:
        job.status, job.finished_at, job.message = "stopped", now, "Cancelled before it started."
    else:
        job.stop_requested = True
    audit.record(s, actor=actor, action="solve.stop", entity="scenario", entity_id=job.scenario_id, old=None,
                 new={"job": job_id}, at=now)
    s.commit()
    if cancelled and uses_queue(s.get_bind()):
        try:  # a worker that takes it anyway finds the row stopped and leaves it
            withdraw_solve(s.get_bind().engine, job_id)
        except Exception:  # noqa: BLE001
            log.exception("could not withdraw solve job %s from the queue", job_id)


def finish(s: Session, job_id: int, *, status: str, message: str, result: dict[str, Any] | None,
           now: dt.datetime) -> None:
    s.execute(update(SolveJob).where(SolveJob.id == job_id).values(
        status=status, message=message[:500], result=result, finished_at=now, heartbeat_at=now))
    s.commit()
