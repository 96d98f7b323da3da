"""Alembic environment: runs migrations on the engine handed over by data.db.

``alembic upgrade head`` from the command line also works: it reads
``DATABASE_URL`` like the app does.

On PostgreSQL the solve queue's tables (procrastinate's) live in their own
schema, ``procrastinate``, managed by ``data.job_queue``: Alembic compares and
migrates only the default schema, so it never sees them.
"""

from alembic import context

from data.db import make_engine
from data.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or make_engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
