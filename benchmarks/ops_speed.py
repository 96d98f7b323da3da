"""Speed of the live operations page and its queries, printed as figures.

    python -m benchmarks.ops_speed            # 12-month demo, then 10x larger
    python -m benchmarks.ops_speed --scale 1  # demo only

Builds a fresh demo practice in a temporary SQLite file (or uses
``--database-url``), times each query the operations page and the goal page
run (median of several runs, warm), then a whole server-side run of the
operations page with AppTest. ``--scale N`` then copies the practice N-1
more times (new locations, providers and visits) and measures again.
Targets from issue 2: page run < 300 ms, each KPI query < 50 ms, and < 1 s
with a practice ten times larger. This prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from data import history, kpis
from data.bootstrap import prepare_database
from data.db import make_engine
from data.goals import rules_on
from data.models import Appointment, Location, Provider, Staff
from data.visits import board_frame

ROOT = Path(__file__).resolve().parents[1]


def timed(fn: Callable[[], object], repeat: int = 7) -> float:
    """Median wall time in milliseconds over ``repeat`` warm runs."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def query_figures(engine: Engine, today: dt.date) -> dict[str, float]:
    now = dt.datetime.combine(today, dt.datetime.now().time())
    year_ago = today - dt.timedelta(days=365)
    with Session(engine) as s:
        rules = rules_on(s, today)
        first_location = s.scalar(select(func.min(Location.id)))
        board = board_frame(s, today)
        return {
            "board query, all locations": timed(lambda: board_frame(s, today)),
            "board query, one location": timed(lambda: board_frame(s, today, first_location)),
            "today's KPIs (annotate + summarise)": timed(
                lambda: kpis.today_kpis(kpis.annotate_visits(board, rules, now), rules)),
            "queue per provider": timed(lambda: kpis.queue_by_provider(kpis.annotate_visits(board, rules, now))),
            "history: daily share, 12 months": timed(lambda: history.daily_share(s, year_ago, today, None, rules), 3),
            "history: hour x weekday, 12 months": timed(lambda: history.hour_weekday(s, year_ago, today, None, rules), 3),
            "history: by provider, 12 months": timed(lambda: history.by_provider(s, year_ago, today, None, rules), 3),
            "history: before/after summary, 8 weeks": timed(
                lambda: history.period_summary(s, today - dt.timedelta(weeks=8), today, None, rules), 3),
        }


def page_run_ms(url: str, repeat: int = 5) -> float:
    """Median full server-side run of the operations page (AppTest, warm)."""
    from streamlit.testing.v1 import AppTest

    from data import accounts

    os.environ["DATABASE_URL"] = url
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as s:  # the page runs for a signed-in manager
        now = dt.datetime.now()
        manager = accounts.get_account(s, "benchmark") or accounts.create_account(
            s, username="benchmark", display_name="Benchmark", role="manager", password=None,
            email="benchmark@example.invalid", actor="benchmark", now=now)
        started = accounts.start_session(s, account=manager, method="password", address="local",
                                         user_agent="benchmark", now=now)
    engine.dispose()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["auth_session_id"] = started.session_id
    at.run()
    if not at.title or at.title[0].value != "Live operations":
        raise RuntimeError("the benchmark did not reach the operations page")
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        samples.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError(at.exception[0].value)
    return statistics.median(samples)


def multiply_practice(engine: Engine, copies: int) -> None:
    """Add ``copies`` more copies of every location, provider and visit."""
    with Session(engine) as s:
        locations = s.scalars(select(Location).order_by(Location.id)).all()
        providers = s.scalars(select(Provider).order_by(Provider.id)).all()
        rows = s.execute(select(Appointment.__table__)).mappings().all()
        for copy in range(1, copies + 1):
            new_locations = {}
            for loc in locations:
                clone = Location(name=f"{loc.name} {copy + 1}", address=loc.address, exam_rooms=loc.exam_rooms)
                s.add(clone)
                new_locations[loc.id] = clone
            s.flush()
            new_providers = {}
            for p in providers:
                staff = p.staff
                twin = Staff(first_name=staff.first_name, last_name=f"{staff.last_name} {copy + 1}",
                             role_id=staff.role_id, home_location_id=new_locations[p.default_location_id].id,
                             employment_type=staff.employment_type, pay_rate=staff.pay_rate,
                             contracted_hours=staff.contracted_hours)
                clone = Provider(staff=twin, display_name=f"{p.display_name} ({copy + 1})", degree=p.degree,
                                 default_location=new_locations[p.default_location_id])
                s.add(clone)
                new_providers[p.id] = clone
            s.flush()
            batch = []
            for row in rows:
                new = dict(row)
                new.pop("id")
                new["location_id"] = new_locations[row["location_id"]].id
                new["provider_id"] = new_providers[row["provider_id"]].id
                batch.append(new)
                if len(batch) >= 20_000:
                    s.execute(insert(Appointment), batch)
                    batch = []
            if batch:
                s.execute(insert(Appointment), batch)
        s.commit()


def report(title: str, figures: dict[str, float], page_ms: float, visits: int) -> None:
    print(f"\n{title}: {visits:,} visits")
    print(f"  {'measure':45} {'median ms':>10}")
    for name, ms in figures.items():
        print(f"  {name:45} {ms:10.1f}")
    print(f"  {'operations page, full server-side run':45} {page_ms:10.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ops_speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10, help="also measure a practice N times larger (default 10)")
    parser.add_argument("--database-url", help="measure this database instead of a fresh demo (it is modified by --scale)")
    args = parser.parse_args(argv)
    today = dt.date.today()
    workdir = tempfile.mkdtemp(prefix="clinicops-bench-")
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    engine = make_engine(url)
    started = time.perf_counter()
    prepare_database(engine, dt.datetime.now(), demo=True)
    print(f"database {engine.url.render_as_string(hide_password=True)} ready in {time.perf_counter() - started:.1f} s")

    def visits() -> int:
        with Session(engine) as s:
            return s.scalar(select(func.count(Appointment.id)))

    report("12-month demo practice", query_figures(engine, today), page_run_ms(url), visits())
    if args.scale > 1:
        started = time.perf_counter()
        multiply_practice(engine, args.scale - 1)
        print(f"\n(copied the practice {args.scale - 1} more times in {time.perf_counter() - started:.1f} s)")
        report(f"{args.scale}x larger practice", query_figures(engine, today), page_run_ms(url), visits())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
