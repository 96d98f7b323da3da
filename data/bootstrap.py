"""Make a database ready to serve: newest schema, and the demo on first run."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from data.config import demo_enabled
from data.db import upgrade_schema
from data.demo import DEFAULT_SEED, create_demo_practice, ensure_live_day
from data.demo.roster_seed import seed_roster_inputs
from data.goals import practice
from data.job_queue import drop_queue_schema, uses_queue
from data.models import Practice
from data.schema import metadata


def prepare_database(
    engine: Engine,
    now: dt.datetime | None = None,
    *,
    demo: bool | None = None,
    months: int = 12,
    seed: int = DEFAULT_SEED,
) -> bool:
    """Upgrade the schema; on an empty database create the demo practice
    (unless the demo is switched off). Returns True when a demo was created."""
    now = now or dt.datetime.now()
    upgrade_schema(engine)
    with Session(engine) as session:
        existing = session.get(Practice, 1)
        if existing is not None:
            if existing.is_demo:  # demo databases made before the planner existed
                seed_roster_inputs(session, now.date())
            return False
        if not (demo_enabled() if demo is None else demo):
            practice(session)
            return False
        create_demo_practice(session, today=now.date(), seed=seed, months=months)
        seed_roster_inputs(session, now.date())
        ensure_live_day(session, now)
        return True


def drop_everything(engine: Engine) -> None:
    """Remove every ClinicOps table, migrations bookkeeping included (and on
    PostgreSQL the job queue's schema with its jobs)."""
    if uses_queue(engine):
        drop_queue_schema(engine)
    metadata.drop_all(engine)
    if inspect(engine).has_table("alembic_version"):
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
