"""Dashboard links: tokens, scopes, expiry, revocation, access counting."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import links
from data.links import LinkError
from data.models import AuditEntry, DashboardLink

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


def create(engine, practice_ids, **overrides) -> links.CreatedLink:
    args = {"kind": "operations", "params": {"location_id": practice_ids["location"], "provider_id": None},
            "label": "Dr. Alpha, Main", "expires_in_days": 7, "actor": "Boss (boss)", "now": T0, **overrides}
    with Session(engine, expire_on_commit=False) as s:
        return links.create_link(s, **args)


def test_a_link_stores_only_the_hash_of_a_long_random_token(engine, small_practice):
    created = create(engine, small_practice)
    assert len(created.token) == 43
    with Session(engine) as s:
        row = s.scalars(select(DashboardLink)).one()
        assert row.token_hash == links.hash_token(created.token) and created.token not in row.token_hash
        assert row.scope_kind == "operations"
        assert row.scope_params == {"location_id": small_practice["location"], "provider_id": None}
        assert row.expires_at == T0 + dt.timedelta(days=7)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "link.create")).one()
        assert created.token not in str(entry.new_value) and entry.actor == "Boss (boss)"
    assert create(engine, small_practice).token != created.token


def test_the_token_opens_its_scope_until_it_expires(engine, small_practice):
    created = create(engine, small_practice, expires_in_days=1)
    with Session(engine) as s:
        opened = links.resolve_link(s, created.token, T0 + dt.timedelta(hours=23))
        assert opened.reason == "" and opened.link.id == created.link.id
        assert opened.link.scope_params["location_id"] == small_practice["location"]
        assert links.resolve_link(s, created.token, T0 + dt.timedelta(days=1)).reason == "expired"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), "unknown"),
        (lambda t: t[:-2], "malformed"),
        (lambda t: t + "'; DROP TABLE dashboard_links; --", "malformed"),
        (lambda t: "<script>alert(1)</script>", "malformed"),
        (lambda t: "", "malformed"),
    ],
)
def test_a_tampered_token_opens_nothing(sqlite_engine, tamper, reason):
    from tests.conftest import build_small_practice

    ids = build_small_practice(sqlite_engine)
    created = create(sqlite_engine, ids)
    with Session(sqlite_engine) as s:
        resolved = links.resolve_link(s, tamper(created.token), T0)
        assert (resolved.link, resolved.reason) == (None, reason)
        assert s.scalars(select(DashboardLink)).one().id == created.link.id  # still there


def test_revocation_takes_effect_at_once_and_is_audited(engine, small_practice):
    created = create(engine, small_practice)
    with Session(engine) as s:
        assert links.still_valid(s, created.link.id, T0)
        revoked = links.revoke_link(s, created.link.id, actor="Boss (boss)", now=T0 + dt.timedelta(minutes=5))
        assert revoked.status(T0) == "revoked"
        assert links.resolve_link(s, created.token, T0 + dt.timedelta(minutes=5)).reason == "revoked"
        assert not links.still_valid(s, created.link.id, T0 + dt.timedelta(minutes=5))
        assert [r.action for r in s.scalars(select(AuditEntry).order_by(AuditEntry.id))] == ["link.create", "link.revoke"]
        with pytest.raises(LinkError, match="no link #999"):
            links.revoke_link(s, 999, actor="x", now=T0)


def test_each_opening_is_counted_and_audited_under_the_link(engine, small_practice):
    created = create(engine, small_practice)
    with Session(engine) as s:
        links.record_access(s, created.link.id, address="10.1.1.1", now=T0 + dt.timedelta(hours=1))
        links.record_access(s, created.link.id, address="10.1.1.2", now=T0 + dt.timedelta(hours=2))
        links.record_invalid(s, reason="expired", address="10.1.1.3", now=T0)
        [view] = links.list_links(s, T0 + dt.timedelta(hours=3))
        assert (view.access_count, view.last_access_at) == (2, T0 + dt.timedelta(hours=2))
        opens = s.scalars(select(AuditEntry).where(AuditEntry.action == "link.open").order_by(AuditEntry.id)).all()
        assert [o.actor for o in opens] == [f"link #{created.link.id} (Dr. Alpha, Main)"] * 2
        assert [o.new_value["address"] for o in opens] == ["10.1.1.1", "10.1.1.2"]
        refused = s.scalars(select(AuditEntry).where(AuditEntry.action == "link.refused")).one()
        assert refused.new_value == {"reason": "expired", "address": "10.1.1.3"}


def test_the_list_shows_active_links_unless_asked_for_all(engine, small_practice):
    first = create(engine, small_practice, label="first")
    second = create(engine, small_practice, label="second", expires_in_days=1)
    third = create(engine, small_practice, label="third")
    with Session(engine) as s:
        links.revoke_link(s, third.link.id, actor="x", now=T0)
        later = T0 + dt.timedelta(days=2)
        assert [link.label for link in links.list_links(s, later)] == ["first"]
        assert {link.label: link.status(later) for link in links.list_links(s, later, include_inactive=True)} == {
            "first": "active", "second": "expired", "third": "revoked"}
        assert links.describe(s, first.link) == "Live operations · Main · all providers"
        assert second.link.id != first.link.id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "payroll"}, "Unknown view"),
        ({"params": {"location_id": 999, "provider_id": None}}, "location does not exist"),
        ({"params": {"location_id": "1 OR 1=1", "provider_id": None}}, "must be a whole number"),
        ({"params": {"location_id": None, "provider_id": 999}}, "provider does not exist"),
        ({"label": "   "}, "Give the link a label"),
        ({"label": "x" * 121}, "at most 120"),
        ({"expires_in_days": 0}, "from 1 to 90 days"),
        ({"expires_in_days": 91}, "from 1 to 90 days"),
    ],
)
def test_a_link_with_a_bad_scope_is_refused(sqlite_engine, overrides, message):
    from tests.conftest import build_small_practice

    ids = build_small_practice(sqlite_engine)
    with pytest.raises(LinkError, match=message):
        create(sqlite_engine, ids, **overrides)
    with Session(sqlite_engine) as s:
        assert s.scalars(select(DashboardLink)).all() == []


def test_a_new_scope_kind_registers_with_its_own_checks(sqlite_engine):
    kind = links.ScopeKind("test_roster", "Published roster", lambda s, p: {"week": str(p["week"])},
                           lambda s, p: f"Roster for week {p['week']}")
    links.register_scope_kind(kind)
    try:
        with Session(sqlite_engine, expire_on_commit=False) as s:
            created = links.create_link(s, kind="test_roster", params={"week": "2026-W10", "extra": "dropped"},
                                        label="Roster", actor="x", now=T0)
            assert created.link.scope_params == {"week": "2026-W10"}
            assert links.describe(s, created.link) == "Roster for week 2026-W10"
    finally:
        links.SCOPE_KINDS.pop("test_roster")
