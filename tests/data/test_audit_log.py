"""Reading the audit log: filters, newest first, pages, CSV; no way to change a row."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io

from sqlalchemy.orm import Session

from data import audit

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


def seed(engine) -> None:
    with Session(engine) as s:
        for n, (actor, action, entity) in enumerate([
            ("Boss (boss)", "goal.set", "goal"),
            ("Desk (desk)", "visit.check_in", "appointment"),
            ("Desk (desk)", "visit.room", "appointment"),
            ("=HYPERLINK(\"http://x\")", "signin.failed", "user_account"),
            ("Boss (boss)", "link.create", "dashboard_link"),
        ]):
            audit.record(s, actor=actor, action=action, entity=entity, entity_id=n, old=None,
                         new={"n": n}, at=T0 + dt.timedelta(days=n))
        s.commit()


def test_filters_combine_and_rows_come_newest_first(engine):
    seed(engine)
    with Session(engine) as s:
        everything = audit.entries(s)
        assert [r["entity_id"] for r in everything] == ["4", "3", "2", "1", "0"]
        desk = audit.AuditFilter(actor="Desk (desk)")
        assert [r["action"] for r in audit.entries(s, desk)] == ["visit.room", "visit.check_in"]
        assert audit.count(s, audit.AuditFilter(entity="appointment", action="visit.room")) == 1
        days = audit.AuditFilter(start=(T0 + dt.timedelta(days=1)).date(), end=(T0 + dt.timedelta(days=2)).date())
        assert [r["entity_id"] for r in audit.entries(s, days)] == ["2", "1"]
        assert audit.count(s, audit.AuditFilter(actor="' OR '1'='1")) == 0


def test_pages_do_not_overlap(engine):
    seed(engine)
    with Session(engine) as s:
        first = audit.entries(s, limit=2, offset=0)
        second = audit.entries(s, limit=2, offset=2)
        third = audit.entries(s, limit=2, offset=4)
        assert [r["id"] for r in first + second + third] == [r["id"] for r in audit.entries(s, limit=None)]
        assert audit.distinct(s, "actor")[0] == "=HYPERLINK(\"http://x\")"
        assert audit.distinct(s, "entity") == ["appointment", "dashboard_link", "goal", "user_account"]


def test_csv_export_has_every_filtered_row_and_defuses_formulas(sqlite_engine):
    seed(sqlite_engine)
    out = io.StringIO()
    with Session(sqlite_engine) as s:
        assert audit.write_csv(s, out, batch=2) == 5
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == audit.AUDIT_COLUMNS
    assert [r[5] for r in rows[1:]] == ["4", "3", "2", "1", "0"]
    assert rows[2][2] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][7] == '{"n": 4}' and rows[1][1] == "2026-03-06 09:00:00"


def test_the_audit_module_has_no_way_to_change_or_delete_rows():
    source = inspect.getsource(audit)
    for forbidden in ("delete(", "update(", ".delete", "DELETE", "UPDATE"):
        assert forbidden not in source
