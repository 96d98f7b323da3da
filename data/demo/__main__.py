"""``python -m data.demo``: create the demo practice (``--reset`` to start over)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from sqlalchemy.orm import Session

from data.bootstrap import drop_everything, prepare_database
from data.db import make_engine
from data.demo import DEFAULT_SEED
from data.models import Appointment
from sqlalchemy import func, select


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.demo", description=__doc__)
    parser.add_argument("--reset", action="store_true", help="delete all data first, then rebuild the demo")
    parser.add_argument("--months", type=int, default=12, help="months of visit history (default 12)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    if not 1 <= args.months <= 36:
        parser.error("--months must be between 1 and 36")
    engine = make_engine()
    if args.reset:
        drop_everything(engine)
    started = time.perf_counter()
    created = prepare_database(engine, dt.datetime.now(), demo=True, months=args.months, seed=args.seed)
    with Session(engine) as session:
        visits = session.scalar(select(func.count(Appointment.id)))
    where = engine.url.render_as_string(hide_password=True)
    if created:
        print(f"Demo practice created in {time.perf_counter() - started:.1f} s: {visits:,} visits in {where}")
    else:
        print(f"The database already holds a practice ({visits:,} visits in {where}); "
              "use --reset to replace it with the demo.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
