"""The generated demo practice: a believable clinic to explore ClinicOps with.

``python -m data.demo`` creates it (``--reset`` starts over); the app creates
it on first run when the database is empty.
"""

from data.demo.generate import DEFAULT_SEED, create_demo_practice
from data.demo.live import advance, ensure_live_day

__all__ = ["DEFAULT_SEED", "advance", "create_demo_practice", "ensure_live_day"]
