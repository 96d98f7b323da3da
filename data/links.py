"""Read-only dashboard links: a view (its *scope*) shared without signing in.

A link is a scope kind (which view, e.g. ``operations``), the scope's
parameters (its fixed filters, as JSON), a label, an expiry and the SHA-256
hash of a random 256-bit token. The token is shown once, when the link is
made; opening ``/?link=<token>`` shows that view and nothing else.

Scope kinds are registered here with a function that checks and cleans their
parameters; the UI registers a renderer per kind (``ui/link_views.py``).
Adding a view that can be shared is one ``register_scope_kind`` call plus one
renderer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data import audit
from data.accounts import hash_token, new_token, well_formed_token
from data.models import DashboardLink, Location, Provider

DEFAULT_EXPIRY_DAYS = 7
MAX_EXPIRY_DAYS = 90


class LinkError(ValueError):
    """A link that cannot be made as asked; the message is for the manager."""


@dataclass(frozen=True)
class ScopeKind:
    """A view that can be shared.

    ``clean(session, params)`` returns the parameters to store (raising
    ``LinkError`` for bad ones); ``describe(session, params)`` says in words
    what the link shows.
    """

    code: str
    label: str
    clean: Callable[[Session, dict[str, Any]], dict[str, Any]]
    describe: Callable[[Session, dict[str, Any]], str]


SCOPE_KINDS: dict[str, ScopeKind] = {}


def register_scope_kind(kind: ScopeKind) -> ScopeKind:
    SCOPE_KINDS[kind.code] = kind
    return kind


def _optional_id(params: dict[str, Any], key: str) -> int | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise LinkError(f"{key} must be a whole number.")
    return value


def _clean_operations(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    location_id = _optional_id(params, "location_id")
    provider_id = _optional_id(params, "provider_id")
    if location_id is not None:
        location = session.get(Location, location_id)
        if location is None or not location.active:
            raise LinkError("That location does not exist.")
    if provider_id is not None:
        provider = session.get(Provider, provider_id)
        if provider is None or not provider.active:
            raise LinkError("That provider does not exist.")
    return {"location_id": location_id, "provider_id": provider_id}


def _describe_operations(session: Session, params: dict[str, Any]) -> str:
    location = session.get(Location, params["location_id"]) if params.get("location_id") else None
    provider = session.get(Provider, params["provider_id"]) if params.get("provider_id") else None
    return " · ".join([
        "Live operations",
        location.name if location else "all locations",
        provider.display_name if provider else "all providers",
    ])


OPERATIONS = register_scope_kind(ScopeKind("operations", "Live operations", _clean_operations, _describe_operations))


@dataclass(frozen=True)
class LinkView:
    id: int
    label: str
    scope_kind: str
    scope_params: dict[str, Any]
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None
    last_access_at: dt.datetime | None
    access_count: int

    def status(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    @property
    def actor(self) -> str:
        """How the audit log names someone using this link."""
        return f"link #{self.id} ({self.label})"[:120]


def _view(row: DashboardLink) -> LinkView:
    return LinkView(row.id, row.label, row.scope_kind, dict(row.scope_params or {}), row.created_at,
                    row.created_by, row.expires_at, row.revoked_at, row.revoked_by, row.last_access_at,
                    row.access_count)


@dataclass(frozen=True)
class CreatedLink:
    link: LinkView
    token: str  # shown once; only its hash is stored


def create_link(
    session: Session,
    *,
    kind: str,
    params: dict[str, Any],
    label: str,
    expires_in_days: int = DEFAULT_EXPIRY_DAYS,
    actor: str,
    now: dt.datetime,
) -> CreatedLink:
    scope = SCOPE_KINDS.get(kind)
    if scope is None:
        raise LinkError(f"Unknown view {kind!r}.")
    clean = scope.clean(session, dict(params))
    label = (label or "").strip()
    if not label:
        raise LinkError("Give the link a label, so you can recognise it in the list.")
    if len(label) > 120:
        raise LinkError("The label can have at most 120 characters.")
    if isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int) \
            or not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise LinkError(f"A link lasts from 1 to {MAX_EXPIRY_DAYS} days.")
    token = new_token()
    row = DashboardLink(token_hash=hash_token(token), label=label, scope_kind=kind, scope_params=clean,
                        created_at=now, created_by=actor, expires_at=now + dt.timedelta(days=expires_in_days),
                        access_count=0)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="link.create", entity="dashboard_link", entity_id=row.id, old=None,
                 new={"label": label, "scope_kind": kind, **clean, "expires_at": row.expires_at}, at=now)
    session.commit()
    return CreatedLink(_view(row), token)


@dataclass(frozen=True)
class Resolved:
    link: LinkView | None
    reason: str  # "" when valid; else malformed, unknown, expired, revoked, unknown view


def resolve_link(session: Session, token: object, now: dt.datetime) -> Resolved:
    """The link a token opens, if it is valid now (reads only)."""
    if not well_formed_token(token):
        return Resolved(None, "malformed")
    row = session.scalars(select(DashboardLink).where(DashboardLink.token_hash == hash_token(token))).first()
    if row is None:
        return Resolved(None, "unknown")
    session.refresh(row)
    link = _view(row)
    if link.revoked_at is not None:
        return Resolved(None, "revoked")
    if link.expires_at <= now:
        return Resolved(None, "expired")
    if link.scope_kind not in SCOPE_KINDS:
        return Resolved(None, "unknown view")
    return Resolved(link, "")


def still_valid(session: Session, link_id: int, now: dt.datetime) -> bool:
    """Checked at every refresh of an open link view, so a revocation takes effect at once."""
    row = session.get(DashboardLink, link_id)
    if row is None:
        return False
    session.refresh(row)
    return row.revoked_at is None and row.expires_at > now


def record_access(session: Session, link_id: int, *, address: str, now: dt.datetime) -> None:
    """One opening of a link (a page load): counted, time-stamped and audited."""
    row = session.get(DashboardLink, link_id)
    row.access_count = (row.access_count or 0) + 1
    row.last_access_at = now
    audit.record(session, actor=_view(row).actor, action="link.open", entity="dashboard_link", entity_id=row.id,
                 old=None, new={"address": address[:64], "access_count": row.access_count}, at=now)
    session.commit()


def record_invalid(session: Session, *, reason: str, address: str, now: dt.datetime) -> None:
    """An attempt to open a link that is not valid (the token itself is never logged)."""
    audit.record(session, actor=f"link visitor from {address[:64]}", action="link.refused", entity="dashboard_link",
                 entity_id=None, old=None, new={"reason": reason, "address": address[:64]}, at=now)
    session.commit()


def revoke_link(session: Session, link_id: int, *, actor: str, now: dt.datetime) -> LinkView:
    row = session.get(DashboardLink, link_id)
    if row is None:
        raise LinkError(f"There is no link #{link_id}.")
    if row.revoked_at is None:
        row.revoked_at = now
        row.revoked_by = actor[:120]
        audit.record(session, actor=actor, action="link.revoke", entity="dashboard_link", entity_id=row.id,
                     old={"revoked_at": None}, new={"revoked_at": now}, at=now)
        session.commit()
    return _view(row)


def list_links(session: Session, now: dt.datetime, *, include_inactive: bool = False) -> list[LinkView]:
    """Links newest first; by default only those still active."""
    stmt = select(DashboardLink).order_by(DashboardLink.created_at.desc(), DashboardLink.id.desc())
    if not include_inactive:
        stmt = stmt.where(DashboardLink.revoked_at.is_(None), DashboardLink.expires_at > now)
    return [_view(r) for r in session.scalars(stmt).all()]


def describe(session: Session, link: LinkView) -> str:
    kind = SCOPE_KINDS.get(link.scope_kind)
    if kind is None:
        return f"Unknown view ({link.scope_kind})"
    try:
        return kind.describe(session, link.scope_params)
    except Exception:  # a scope whose location was removed still lists
        return kind.label
