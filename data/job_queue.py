"""The PostgreSQL job queue that hands solve jobs to workers: procrastinate.

On PostgreSQL every queued solve (a ``SolveJob`` row, the record the pages
read) is also a procrastinate job in the ``solve`` queue. Any number of
workers, the app's own thread or ``python -m data.solve_worker`` on other
machines, take jobs with procrastinate's locking fetch, so each job runs on one
worker. SQLite needs none of this: there the app's worker claims rows itself.

procrastinate's tables are not ClinicOps tables: they live in their own
PostgreSQL schema, ``procrastinate``, which is created on first start and
upgraded with procrastinate's own migration scripts when the pinned version
changes (see ``ensure_queue_schema``). Alembic never sees them.
"""

from __future__ import annotations

import importlib.resources
import logging
import threading

import procrastinate
from procrastinate import exceptions as queue_errors
from sqlalchemy import Connection, Engine

log = logging.getLogger("clinicops.queue")

QUEUE = "solve"
SOLVE_TASK = "clinicops.solve_scenario"
SCHEMA = "procrastinate"
_SCHEMA_LOCK = 0x436C696E  # pg_advisory_xact_lock key: one process creates or upgrades the schema at a time
_VERSION_NOTE = "procrastinate "


def uses_queue(bind: Engine | Connection) -> bool:
    """True where solves go through procrastinate (PostgreSQL)."""
    return bind.dialect.name == "postgresql"


def conninfo(engine: Engine) -> str:
    """The libpq address of ``engine``'s database, for procrastinate's own connections."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def connection_kwargs() -> dict[str, object]:
    """procrastinate's connections see its schema first (its SQL names its tables
    unqualified) and prepare no statements on the server, so a long-lived pool
    survives the queue's schema being upgraded or rebuilt by another process."""
    return {"options": f"-c search_path={SCHEMA}", "application_name": "clinicops-queue", "prepare_threshold": None}


def worker_app(engine: Engine) -> procrastinate.App:
    """A fresh, unopened App with an asynchronous connector, for one worker run."""
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(engine), kwargs=connection_kwargs(),
                                               min_size=1, max_size=4)
    return procrastinate.App(connector=connector)


_deferrers: dict[str, procrastinate.App] = {}
_deferrers_lock = threading.Lock()


def _deferrer(engine: Engine) -> procrastinate.App:
    """One open synchronous App per database per process (thread-safe pool), to defer and cancel jobs."""
    key = conninfo(engine)
    with _deferrers_lock:
        app = _deferrers.get(key)
        if app is None:
            connector = procrastinate.SyncPsycopgConnector(conninfo=key, kwargs=connection_kwargs(), min_size=1,
                                                           max_size=4)
            app = procrastinate.App(connector=connector).open()
            _deferrers[key] = app
        return app


def lock_for(job_id: int) -> str:
    """The queueing lock of a solve job: at most one waiting procrastinate job per SolveJob row."""
    return f"solve-job-{job_id}"


def defer_solve(engine: Engine, job_id: int) -> None:
    """Put solve job ``job_id`` in the queue (nothing happens if it is already waiting there)."""
    try:
        _deferrer(engine).configure_task(SOLVE_TASK, queue=QUEUE, queueing_lock=lock_for(job_id)).defer(
            job_id=job_id)
    except queue_errors.AlreadyEnqueued:
        pass


def withdraw_solve(engine: Engine, job_id: int) -> None:
    """Cancel solve job ``job_id``'s waiting procrastinate job, if no worker has taken it yet."""
    manager = _deferrer(engine).job_manager
    for job in manager.list_jobs(queue=QUEUE, task=SOLVE_TASK, queueing_lock=lock_for(job_id), status="todo"):
        manager.cancel_job_by_id(job.id)


def queued_jobs(engine: Engine, status: str | None = None) -> list[procrastinate.jobs.Job]:
    """procrastinate's solve jobs (all, or those in ``status``), for checks and tests."""
    return _deferrer(engine).job_manager.list_jobs(queue=QUEUE, task=SOLVE_TASK, status=status)


# -- the schema ---------------------------------------------------------------------------------------------------

def installed_version() -> tuple[int, ...]:
    return _parse(procrastinate.__version__)


def _parse(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:3])


def _migrations() -> list[tuple[tuple[int, ...], str, str]]:
    """procrastinate's migration scripts as (version, file name, SQL), in the order they apply."""
    folder = importlib.resources.files("procrastinate.sql") / "migrations"
    scripts = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))
    return [(_parse(name.split("_", 1)[0]), name, (folder / name).read_text(encoding="utf-8")) for name in scripts]


def _schema_sql() -> str:
    return (importlib.resources.files("procrastinate.sql") / "schema.sql").read_text(encoding="utf-8")


def ensure_queue_schema(engine: Engine) -> str:
    """Create procrastinate's schema, or upgrade it to the installed procrastinate.

    Safe to call on every start from any number of processes: one transaction
    under an advisory lock checks the version noted on the schema and does
    only what is missing. Returns what it did: "created", "upgraded" or "current".
    Raises RuntimeError when the database's queue is newer than this code.
    """
    target = installed_version()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
        exists = conn.exec_driver_sql(f"SELECT to_regclass('{SCHEMA}.procrastinate_jobs')").scalar() is not None
        note = conn.exec_driver_sql(
            f"SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = '{SCHEMA}'").scalar()
        current = _parse(note[len(_VERSION_NOTE):]) if note and note.startswith(_VERSION_NOTE) else None
        if exists and current is None:
            raise RuntimeError(f"The {SCHEMA} schema exists but does not say which procrastinate made it.")
        if exists and current > target:
            raise RuntimeError(f"The job queue in this database was made by procrastinate "
                               f"{'.'.join(map(str, current))}, newer than the installed "
                               f"{procrastinate.__version__}: install requirements.txt.")
        if exists and current == target:
            return "current"
        raw = conn.connection.driver_connection  # psycopg runs a script of many statements given no parameters
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        conn.exec_driver_sql(f"SET LOCAL search_path TO {SCHEMA}")
        if not exists:
            raw.execute(_schema_sql())
            outcome = "created"
        else:
            for version, name, script in _migrations():
                if current < version <= target:
                    log.info("job queue: applying procrastinate migration %s", name)
                    raw.execute(script)
            outcome = "upgraded"
        conn.exec_driver_sql(
            f"COMMENT ON SCHEMA {SCHEMA} IS '{_VERSION_NOTE}{'.'.join(map(str, target))}'")
        return outcome


def drop_queue_schema(engine: Engine) -> None:
    """Remove procrastinate's schema and every job in it."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
