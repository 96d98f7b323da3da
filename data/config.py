"""Where the database lives, read once from the environment.

The embedded default is a SQLite file beside this module so that a fresh clone
runs with no set-up; ``DATABASE_URL`` points a larger practice at PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
DEFAULT_SQLITE_PATH = DATA_DIR / "clinicops.db"


def database_url() -> str:
    """The SQLAlchemy URL of the practice database.

    ``postgresql://`` and ``postgres://`` are accepted and mapped to the
    psycopg 3 driver, which is the one the requirements install.
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def demo_enabled() -> bool:
    """Whether an empty database is filled with the generated demo practice.

    On by default (the embedded demo); a real practice sets
    ``CLINICOPS_DEMO=0`` so that its database starts empty.
    """
    return os.environ.get("CLINICOPS_DEMO", "1").strip().lower() not in {"0", "false", "no", "off"}
