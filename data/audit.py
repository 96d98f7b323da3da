"""The audit log: every change, who made it, when, and the old and new values.

Written in the same transaction as the change it describes, so a change and
its audit row commit or roll back together. There is deliberately no function
that edits or deletes audit rows: the readers below only select.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.models import AuditEntry


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, (dt.datetime, dt.date)):
            out[key] = value.isoformat()
        elif isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object | None,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    at: dt.datetime,
) -> AuditEntry:
    """Add one audit row to ``session`` (the caller commits)."""
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        old_value=_jsonable(old),
        new_value=_jsonable(new),
    )
    session.add(entry)
    return entry


# --- reading the log (the manager's browser and the CSV export) -------------------------

AUDIT_COLUMNS = ["id", "at", "actor", "action", "entity", "entity_id", "old_value", "new_value"]


@dataclass(frozen=True)
class AuditFilter:
    """Which rows to read; ``None`` means any. ``start``/``end`` are whole days, both included."""

    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def apply(self, stmt):
        if self.actor:
            stmt = stmt.where(AuditEntry.actor == self.actor)
        if self.action:
            stmt = stmt.where(AuditEntry.action == self.action)
        if self.entity:
            stmt = stmt.where(AuditEntry.entity == self.entity)
        if self.start:
            stmt = stmt.where(AuditEntry.at >= dt.datetime.combine(self.start, dt.time.min))
        if self.end:
            stmt = stmt.where(AuditEntry.at < dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))
        return stmt


def count(session: Session, filters: AuditFilter = AuditFilter()) -> int:
    return session.scalar(filters.apply(select(func.count(AuditEntry.id))))


def entries(session: Session, filters: AuditFilter = AuditFilter(), *, limit: int | None = 50,
            offset: int = 0) -> list[dict[str, Any]]:
    """Audit rows, newest first, as plain dicts."""
    stmt = filters.apply(select(AuditEntry)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [{c: getattr(row, c) for c in AUDIT_COLUMNS} for row in session.scalars(stmt).all()]


def distinct(session: Session, column: str) -> list[str]:
    """The values seen in ``actor``, ``action`` or ``entity``, for filter pickers."""
    col = {"actor": AuditEntry.actor, "action": AuditEntry.action, "entity": AuditEntry.entity}[column]
    return [v for v in session.scalars(select(col).distinct().order_by(col)).all() if v is not None]


def write_csv(session: Session, out: IO[str], filters: AuditFilter = AuditFilter(), *, batch: int = 5000) -> int:
    """Write the filtered log as CSV (newest first) to ``out``; returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    written = 0
    while True:
        rows = entries(session, filters, limit=batch, offset=written)
        for row in rows:
            writer.writerow([
                row["id"], row["at"].isoformat(sep=" "), _csv_safe(row["actor"]), _csv_safe(row["action"]),
                _csv_safe(row["entity"]), _csv_safe(row["entity_id"] or ""),
                "" if row["old_value"] is None else json.dumps(row["old_value"], sort_keys=True),
                "" if row["new_value"] is None else json.dumps(row["new_value"], sort_keys=True),
            ])
        written += len(rows)
        if len(rows) < batch:
            return written


def _csv_safe(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
