"""Alembic environment: runs migrations on the engine handed over by data.db.

``alembic upgrade head`` from the command line also works: it reads
``DATABASE_URL`` like the app does.
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
