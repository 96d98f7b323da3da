"""Engine, sessions and schema upgrades for the practice database.

SQLite (the embedded default) gets WAL mode, so the board can be read while a
front-desk action writes, and foreign keys on. The schema is always brought to
the newest Alembic revision, so a practice's data survives upgrades. On
PostgreSQL the solve job queue's own schema (procrastinate's, see
``data.job_queue``) is created or upgraded at the same moment.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from data.config import database_url
from data.job_queue import ensure_queue_schema, uses_queue

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: the configured database)."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine``, usable without an ini file."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (and, on PostgreSQL, the job queue's)."""
    command.upgrade(alembic_config(engine), "head")
    if uses_queue(engine):
        ensure_queue_schema(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: pages read objects after the transaction ends.
    return sessionmaker(engine, expire_on_commit=False)
