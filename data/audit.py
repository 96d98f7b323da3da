"""The audit log: every change, who made it, when, and the old and new values.

Written in the same transaction as the change it describes, so a change and
its audit row commit or roll back together. There is deliberately no function
that edits or deletes audit rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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
