"""Accounts: password hashing, validation, throttling with an injected clock, sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import accounts
from data.accounts import ACCOUNT_POLICY, ADDRESS_POLICY, AccountError
from data.models import AuditEntry, SignInAttempt, UserAccount, UserSession

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)
PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Argon2 at its production cost takes ~0.3 s per hash here; the rules under test do not depend on it."""
    monkeypatch.setattr(accounts, "_hasher", CHEAP)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", CHEAP.hash("dummy-password"))


def make(engine, username="dana", role="manager", password=PASSWORD, email=None) -> accounts.Account:
    with Session(engine, expire_on_commit=False) as s:
        return accounts.create_account(s, username=username, display_name=username.title(), role=role,
                                       password=password, email=email, actor="test", now=T0)


def attempt(engine, username, password, at, address="10.0.0.1") -> accounts.SignInResult:
    with Session(engine, expire_on_commit=False) as s:
        return accounts.authenticate(s, username=username, password=password, address=address, now=at)


# --- hashing ------------------------------------------------------------------------------


def test_production_hashes_are_argon2id_at_the_library_default_cost():
    assert accounts.PASSWORD_HASHER.hash(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_password_hash_verifies_only_the_same_password():
    hashed = accounts.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert accounts.verify_password(hashed, PASSWORD)
    assert not accounts.verify_password(hashed, PASSWORD + "x")
    assert accounts.hash_password(PASSWORD) != hashed  # salted


def test_verify_refuses_missing_or_garbage_hashes():
    assert not accounts.verify_password(None, PASSWORD)
    assert not accounts.verify_password("", PASSWORD)
    assert not accounts.verify_password("not-a-hash", PASSWORD)


def test_tokens_are_long_random_and_stored_as_sha256():
    first, second = accounts.new_token(), accounts.new_token()
    assert first != second and len(first) == 43
    assert accounts.well_formed_token(first)
    assert accounts.hash_token(first) == accounts.hash_token(first)
    assert len(accounts.hash_token(first)) == 64 and first not in accounts.hash_token(first)
    for bad in (None, "", "short", first + "!", "' OR 1=1 --" + "a" * 40, 42):
        assert not accounts.well_formed_token(bad)


# --- accounts -----------------------------------------------------------------------------


def test_account_is_created_with_a_hash_and_audited_without_the_password(engine):
    made = make(engine, username="  Dana  ")
    assert made.username == "dana" and made.role == "manager" and made.has_password
    with Session(engine) as s:
        row = s.scalars(select(UserAccount)).one()
        assert row.password_hash != PASSWORD and accounts.verify_password(row.password_hash, PASSWORD)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
        assert entry.actor == "test" and entry.new_value["username"] == "dana"
        assert PASSWORD not in str(entry.new_value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "x"}, "A user name is 2 to 60 characters"),
        ({"username": "bad name"}, "A user name is 2 to 60 characters"),
        ({"username": "robert'); DROP TABLE user_accounts;--"}, "A user name is 2 to 60 characters"),
        ({"password": "short"}, "at least 10 characters"),
        ({"password": "dana-smith", "username": "dana-smith"}, "cannot be the user name"),
        ({"role": "admin"}, "The role must be one of"),
        ({"email": "not-an-email"}, "does not look right"),
        ({"password": None}, "or an e-mail address for single sign-on"),
    ],
)
def test_bad_account_requests_are_refused_with_a_reason(sqlite_engine, kwargs, message):
    args = {"username": "dana", "role": "manager", "password": PASSWORD, "email": None, **kwargs}
    with Session(sqlite_engine) as s, pytest.raises(AccountError, match=message):
        accounts.create_account(s, display_name="D", actor="test", now=T0, **args)
    with Session(sqlite_engine) as s:
        assert s.scalars(select(UserAccount)).all() == []


def test_duplicate_user_name_is_refused(engine):
    make(engine)
    with pytest.raises(AccountError, match="is taken"):
        make(engine, username="DANA")


def test_first_manager_only_on_an_empty_database(engine):
    with Session(engine) as s:
        assert not accounts.has_accounts(s)
        made = accounts.create_first_manager(s, username="boss", display_name="Boss", password=PASSWORD, now=T0)
        assert made.role == "manager"
        with pytest.raises(AccountError, match="already exists"):
            accounts.create_first_manager(s, username="other", display_name="O", password=PASSWORD, now=T0)


def test_the_last_active_manager_cannot_be_deactivated_or_demoted(engine):
    make(engine, username="boss")
    with Session(engine) as s:
        with pytest.raises(AccountError, match="last active manager"):
            accounts.set_active(s, username="boss", active=False, actor="t", now=T0)
        with pytest.raises(AccountError, match="last active manager"):
            accounts.update_account(s, username="boss", display_name="B", role="physician", email=None,
                                    actor="t", now=T0)
    make(engine, username="second")
    with Session(engine) as s:
        assert not accounts.set_active(s, username="boss", active=False, actor="t", now=T0).active


# --- throttling ---------------------------------------------------------------------------


def test_throttle_schedule_doubles_from_the_fourth_attempt_up_to_a_15_minute_lockout():
    assert [ACCOUNT_POLICY.delay_after(n) for n in range(0, 13)] == [
        0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900
    ]
    assert [ADDRESS_POLICY.delay_after(n) for n in (19, 20, 21, 30)] == [0, 5, 10, 900]


def test_three_wrong_passwords_then_each_attempt_must_wait(engine):
    make(engine)
    for second in (0, 1, 2):
        result = attempt(engine, "dana", "wrong password!", T0 + dt.timedelta(seconds=second))
        assert result.account is None
    assert result.wait_seconds == 5 and "wait 5 seconds" in result.message
    # Within the 5 s even the right password is refused, without being checked.
    early = attempt(engine, "dana", PASSWORD, T0 + dt.timedelta(seconds=4))
    assert early.account is None and early.wait_seconds == 3
    # After the wait, a 4th failure doubles the next wait to 10 s.
    fourth = attempt(engine, "dana", "wrong again!!", T0 + dt.timedelta(seconds=8))
    assert fourth.wait_seconds == 10
    assert attempt(engine, "dana", PASSWORD, T0 + dt.timedelta(seconds=17)).wait_seconds == 1
    ok = attempt(engine, "dana", PASSWORD, T0 + dt.timedelta(seconds=18))
    assert ok.account is not None and ok.account.username == "dana"
    # Success clears the count: the next failure carries no delay.
    assert attempt(engine, "dana", "wrong once more", T0 + dt.timedelta(seconds=19)).wait_seconds == 0


def test_eleven_failures_lock_the_account_for_15_minutes(engine):
    make(engine)
    at = T0
    for _ in range(11):
        with Session(engine) as s:
            at += dt.timedelta(seconds=accounts.throttle_state(s, "dana", "10.0.0.1", at).wait_seconds)
        attempt(engine, "dana", "not the password", at, address=f"10.0.0.{_ + 1}")
    with Session(engine) as s:
        locked = accounts.throttle_state(s, "dana", "10.9.9.9", at)
        assert (locked.wait_seconds, locked.reason, locked.failures) == (900, "account", 11)
        assert accounts.throttle_state(s, "dana", "10.9.9.9", at + dt.timedelta(seconds=900)).wait_seconds == 0


def test_failures_older_than_a_day_do_not_count(engine):
    make(engine)
    for second in range(3):
        attempt(engine, "dana", "wrong password!", T0 + dt.timedelta(seconds=second))
    with Session(engine) as s:
        assert accounts.throttle_state(s, "dana", "x", T0 + dt.timedelta(hours=25)).wait_seconds == 0


def test_an_address_spraying_many_user_names_is_slowed(engine):
    for n in range(20):
        result = attempt(engine, f"user{n}", "guess-guess", T0 + dt.timedelta(seconds=n), address="203.0.113.9")
    assert result.wait_seconds == 5
    with Session(engine) as s:
        state = accounts.throttle_state(s, "someone-else", "203.0.113.9", T0 + dt.timedelta(seconds=20))
        assert (state.wait_seconds, state.reason, state.failures) == (4, "address", 20)
        # Another address is not affected; and the window is 15 minutes.
        assert accounts.throttle_state(s, "someone-else", "198.51.100.1", T0).wait_seconds == 0
        assert accounts.throttle_state(s, "x", "203.0.113.9", T0 + dt.timedelta(minutes=16)).wait_seconds == 0


def test_unknown_and_deactivated_accounts_fail_like_a_wrong_password(engine):
    make(engine, username="boss")
    make(engine, username="gone", role="front_desk")
    with Session(engine) as s:
        accounts.set_active(s, username="gone", active=False, actor="t", now=T0)
    unknown = attempt(engine, "nobody", PASSWORD, T0)
    inactive = attempt(engine, "gone", PASSWORD, T0)
    assert unknown.account is None and inactive.account is None
    assert unknown.message == inactive.message == accounts.WRONG_CREDENTIALS


def test_every_failure_is_audited_and_no_password_is_stored_anywhere(engine):
    make(engine)
    secret_guess = "Hunter2-guess-<script>"
    for second in range(4):
        attempt(engine, "dana", secret_guess, T0 + dt.timedelta(seconds=second))
    attempt(engine, "dana", PASSWORD, T0 + dt.timedelta(seconds=60))
    with Session(engine) as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        actions = [r.action for r in rows if r.action.startswith("signin")]
        assert actions == ["signin.failed"] * 3 + ["signin.throttled", "signin"]
        failed = [r for r in rows if r.action == "signin.failed"]
        assert failed[0].actor == "sign-in from 10.0.0.1" and failed[0].entity_id == "dana"
        assert failed[0].new_value["reason"] == "wrong password"
        dump = " ".join(str((r.actor, r.entity_id, r.old_value, r.new_value)) for r in rows)
        dump += " ".join(str((a.username, a.address)) for a in s.scalars(select(SignInAttempt)).all())
        assert secret_guess not in dump and PASSWORD not in dump
        assert [a.succeeded for a in s.scalars(select(SignInAttempt).order_by(SignInAttempt.id))] == [
            False, False, False, True]


# --- sessions -----------------------------------------------------------------------------


def start(engine, account, at=T0) -> accounts.StartedSession:
    with Session(engine, expire_on_commit=False) as s:
        return accounts.start_session(s, account=account, method="password", address="10.0.0.1",
                                      user_agent="pytest", now=at)


def test_a_claim_ticket_works_once_within_a_minute_and_yields_the_cookie_token(engine):
    dana = make(engine)
    started = start(engine, dana)
    with Session(engine) as s:
        row = s.get(UserSession, started.session_id)
        assert row.token_hash is None and row.claim_hash == accounts.hash_token(started.claim_ticket)
        token, expires = accounts.claim_session(s, started.claim_ticket, T0 + dt.timedelta(seconds=30))
        assert expires == T0 + accounts.SESSION_LIFETIME
        assert accounts.claim_session(s, started.claim_ticket, T0 + dt.timedelta(seconds=31)) is None
        signed_in = accounts.session_by_token(s, token, T0 + dt.timedelta(hours=1))
        assert signed_in.account.username == "dana" and signed_in.session_id == started.session_id
        stored = s.get(UserSession, started.session_id)
        s.refresh(stored)
        assert stored.token_hash == accounts.hash_token(token) and token not in (stored.token_hash or "")
    late = start(engine, dana)
    with Session(engine) as s:
        assert accounts.claim_session(s, late.claim_ticket, T0 + dt.timedelta(seconds=61)) is None
        assert accounts.claim_session(s, "tampered" + late.claim_ticket[8:], T0) is None
    stolen = start(engine, dana)  # signed in from 10.0.0.1; the ticket turns up elsewhere
    with Session(engine) as s:
        assert accounts.claim_session(s, stolen.claim_ticket, T0, address="203.0.113.7") is None
        assert accounts.claim_session(s, stolen.claim_ticket, T0, address="10.0.0.1") is None  # used up
    fine = start(engine, dana)
    with Session(engine) as s:
        assert accounts.claim_session(s, fine.claim_ticket, T0, address="10.0.0.1") is not None


def test_sessions_end_on_sign_out_expiry_deactivation_and_password_reset(engine):
    make(engine, username="boss")
    desk = make(engine, username="desk", role="front_desk")
    first, second, third = start(engine, desk), start(engine, desk), start(engine, desk)
    with Session(engine) as s:
        assert accounts.session_by_id(s, first.session_id, T0).account.role == "front_desk"
        assert accounts.session_by_id(s, first.session_id, T0 + accounts.SESSION_LIFETIME) is None
        accounts.end_session(s, first.session_id, actor="Desk (desk)", now=T0)
        assert accounts.session_by_id(s, first.session_id, T0) is None
        assert accounts.session_by_id(s, second.session_id, T0) is not None
        accounts.set_password(s, username="desk", password="another long one", actor="boss", now=T0)
        assert accounts.session_by_id(s, second.session_id, T0) is None
    fourth = start(engine, desk)
    with Session(engine) as s:
        accounts.set_active(s, username="desk", active=False, actor="boss", now=T0)
        assert accounts.session_by_id(s, fourth.session_id, T0) is None
        assert accounts.session_by_id(s, third.session_id, T0) is None


def test_changing_my_password_needs_the_current_one_and_keeps_this_session(engine):
    dana = make(engine)
    here, elsewhere = start(engine, dana), start(engine, dana)
    with Session(engine) as s:
        with pytest.raises(AccountError, match="current password is not right"):
            accounts.change_own_password(s, user_id=dana.id, current="wrong-wrong", new="brand new password",
                                         keep_session_id=here.session_id, now=T0)
        accounts.change_own_password(s, user_id=dana.id, current=PASSWORD, new="brand new password",
                                     keep_session_id=here.session_id, now=T0)
        assert accounts.session_by_id(s, here.session_id, T0) is not None
        assert accounts.session_by_id(s, elsewhere.session_id, T0) is None
    assert attempt(engine, "dana", "brand new password", T0).account is not None


def test_single_sign_on_maps_an_email_to_an_active_account(engine):
    make(engine, username="patel", role="physician", password=None, email="Priya.Patel@Example.org")
    with Session(engine) as s:
        assert accounts.account_for_email(s, "priya.patel@example.org").username == "patel"
        assert accounts.account_for_email(s, "someone@example.org") is None
        assert accounts.account_for_email(s, "") is None
    # An SSO-only account has no password to sign in with.
    assert attempt(engine, "patel", PASSWORD, T0).account is None


def test_patient_name_setting_defaults_to_initials_and_is_audited(engine):
    with Session(engine) as s:
        assert accounts.patient_name_mode(s) == "initials"
        accounts.set_patient_name_mode(s, mode="full", actor="boss", now=T0)
        assert accounts.patient_name_mode(s) == "full"
        with pytest.raises(AccountError):
            accounts.set_patient_name_mode(s, mode="everything", actor="boss", now=T0)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "practice.patient_names")).one()
        assert (entry.old_value, entry.new_value) == ({"patient_names": "initials"}, {"patient_names": "full"})
