"""Who may sign in, and how: accounts, roles, passwords, throttling, sessions.

Passwords are hashed with argon2 (``argon2-cffi``); there is no default
password, and no password, hash or token ever reaches the audit log. Random
tokens (sign-in sessions, one-time claim tickets) are stored only as SHA-256
hashes: they carry 256 bits of entropy, so a fast hash is enough.

Sign-in throttling counts failed attempts per account (user name as typed)
and per client address, with the clock passed in (``now``) so the exact
delays are testable:

* an account may fail 3 times in a row with no delay; from then on each
  further attempt waits 5 s, 10 s, 20 s ... after the last failure, doubling
  up to a 15-minute lockout (reached after 11 failures in a row);
  a successful sign-in clears the count, and failures older than 24 h do not count;
* an address may fail 20 times within 15 minutes (over any user names) with
  no delay; then the same doubling schedule applies to the address.

An attempt refused by the throttle checks no password and does not add to the
count (so nobody can extend a lockout forever), but it is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data import audit
from data.models import SignInAttempt, UserAccount, UserSession

ROLES = {"manager": "Manager", "front_desk": "Front desk", "physician": "Physician"}
MANAGER, FRONT_DESK, PHYSICIAN = "manager", "front_desk", "physician"
PATIENT_NAME_MODES = {"initials": "Initials only (J.S.)", "full": "Full names"}

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
SESSION_LIFETIME = dt.timedelta(hours=12)
CLAIM_LIFETIME = dt.timedelta(seconds=60)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,59}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43,128}")

PASSWORD_HASHER = PasswordHasher()  # argon2id, the library's recommended cost (64 MiB, 3 passes)
_hasher = PASSWORD_HASHER
# Verified against when the user name is unknown, so that an unknown name
# takes as long to refuse as a wrong password (made on first use).
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


class AccountError(ValueError):
    """A request that cannot be carried out; the message is for the person at the screen."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    email: str | None
    active: bool
    has_password: bool
    created_at: dt.datetime
    last_sign_in_at: dt.datetime | None

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return actor_label(self.display_name, self.username)


def actor_label(display_name: str, username: str) -> str:
    return f"{display_name} ({username})"[:120]


def _view(row: UserAccount) -> Account:
    return Account(row.id, row.username, row.display_name, row.role, row.email, row.active,
                   bool(row.password_hash), row.created_at, row.last_sign_in_at)


# --- passwords and tokens ---------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; False for a mismatch or an unusable hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh random token: 32 bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed_token(token: object) -> bool:
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def normalize_username(name: str) -> str:
    return (name or "").strip().lower()


def validate_username(name: str) -> str:
    clean = normalize_username(name)
    if not _USERNAME.fullmatch(clean):
        raise AccountError(
            "A user name is 2 to 60 characters: letters, digits, dots, dashes, underscores or @, "
            "starting with a letter or digit."
        )
    return clean


def validate_password(password: str, username: str = "") -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"A password can have at most {MAX_PASSWORD_LENGTH} characters.")
    if username and password.strip().lower() == username.strip().lower():
        raise AccountError("The password cannot be the user name.")
    return password


def _validate_email(email: str | None) -> str | None:
    clean = (email or "").strip().lower()
    if not clean:
        return None
    if len(clean) > 200 or not _EMAIL.fullmatch(clean):
        raise AccountError("That e-mail address does not look right.")
    return clean


def _validate_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    return role


# --- accounts ---------------------------------------------------------------------------


def has_accounts(session: Session) -> bool:
    return session.scalar(select(func.count(UserAccount.id))) > 0


def list_accounts(session: Session) -> list[Account]:
    rows = session.scalars(select(UserAccount).order_by(UserAccount.active.desc(), UserAccount.username)).all()
    return [_view(r) for r in rows]


def get_account(session: Session, username: str) -> Account | None:
    row = _row(session, username)
    return _view(row) if row else None


def account_by_id(session: Session, user_id: int) -> Account | None:
    row = session.get(UserAccount, user_id)
    return _view(row) if row else None


def _row(session: Session, username: str) -> UserAccount | None:
    return session.scalars(select(UserAccount).where(UserAccount.username == normalize_username(username))).first()


def _require(session: Session, username: str) -> UserAccount:
    row = _row(session, username)
    if row is None:
        raise AccountError(f"There is no user named {normalize_username(username)!r}.")
    return row


def create_account(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str | None,
    email: str | None = None,
    actor: str,
    now: dt.datetime,
) -> Account:
    """Add an account. ``password=None`` makes a single-sign-on-only account (needs ``email``)."""
    clean = validate_username(username)
    name = (display_name or "").strip() or clean
    if len(name) > 120:
        raise AccountError("The name can have at most 120 characters.")
    _validate_role(role)
    mail = _validate_email(email)
    if password is None and mail is None:
        raise AccountError("Give the account a password, or an e-mail address for single sign-on.")
    if password is not None:
        validate_password(password, clean)
    if _row(session, clean) is not None:
        raise AccountError(f"The user name {clean!r} is taken.")
    if mail and session.scalars(select(UserAccount).where(UserAccount.email == mail)).first():
        raise AccountError(f"Another account already uses {mail}.")
    row = UserAccount(
        username=clean, display_name=name, role=role, email=mail,
        password_hash=hash_password(password) if password is not None else None,
        active=True, created_at=now, created_by=actor, password_changed_at=now if password else None,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="user.create", entity="user_account", entity_id=row.id,
                 old=None, new={"username": clean, "display_name": name, "role": role, "email": mail,
                                "password_set": password is not None}, at=now)
    session.commit()
    return _view(row)


def create_first_manager(
    session: Session, *, username: str, display_name: str, password: str, now: dt.datetime, actor: str = ""
) -> Account:
    """The first account of a new installation; refused once any account exists."""
    if has_accounts(session):
        raise AccountError("The first manager account already exists: sign in instead.")
    clean = validate_username(username)
    return create_account(session, username=clean, display_name=display_name, role=MANAGER,
                          password=password, actor=actor or f"first run ({clean})", now=now)


def _active_managers(session: Session) -> int:
    return session.scalar(
        select(func.count(UserAccount.id)).where(UserAccount.role == MANAGER, UserAccount.active)
    )


def set_password(session: Session, *, username: str, password: str, actor: str, now: dt.datetime) -> Account:
    """Set a new password (a manager's reset or the admin command); signs the account out everywhere."""
    row = _require(session, username)
    validate_password(password, row.username)
    row.password_hash = hash_password(password)
    row.password_changed_at = now
    _revoke_sessions(session, row.id, now)
    audit.record(session, actor=actor, action="user.password_set", entity="user_account", entity_id=row.id,
                 old=None, new={"username": row.username}, at=now)
    session.commit()
    return _view(row)


def change_own_password(
    session: Session, *, user_id: int, current: str, new: str, keep_session_id: int | None, now: dt.datetime
) -> None:
    """A signed-in person changes their password; their other sessions end."""
    row = session.get(UserAccount, user_id)
    if row is None or not row.active:
        raise AccountError("This account is not active.")
    if not verify_password(row.password_hash, current):
        raise AccountError("The current password is not right.")
    validate_password(new, row.username)
    row.password_hash = hash_password(new)
    row.password_changed_at = now
    _revoke_sessions(session, row.id, now, keep=keep_session_id)
    audit.record(session, actor=actor_label(row.display_name, row.username), action="user.password_change",
                 entity="user_account", entity_id=row.id, old=None, new={"username": row.username}, at=now)
    session.commit()


def set_active(session: Session, *, username: str, active: bool, actor: str, now: dt.datetime) -> Account:
    """Deactivate (signs the account out everywhere at once) or reactivate an account."""
    row = _require(session, username)
    if row.active == active:
        return _view(row)
    if not active and row.role == MANAGER and _active_managers(session) <= 1:
        raise AccountError("This is the last active manager account; add another manager first.")
    row.active = active
    if not active:
        _revoke_sessions(session, row.id, now)
    audit.record(session, actor=actor, action="user.activate" if active else "user.deactivate",
                 entity="user_account", entity_id=row.id, old={"active": not active}, new={"active": active}, at=now)
    session.commit()
    return _view(row)


def update_account(
    session: Session, *, username: str, display_name: str, role: str, email: str | None, actor: str,
    now: dt.datetime,
) -> Account:
    """Change someone's name, role or single-sign-on e-mail (their sessions end when the role changes)."""
    row = _require(session, username)
    _validate_role(role)
    mail = _validate_email(email)
    name = (display_name or "").strip() or row.username
    if len(name) > 120:
        raise AccountError("The name can have at most 120 characters.")
    if row.role == MANAGER and role != MANAGER and row.active and _active_managers(session) <= 1:
        raise AccountError("This is the last active manager account; add another manager first.")
    if mail and session.scalars(select(UserAccount).where(UserAccount.email == mail, UserAccount.id != row.id)).first():
        raise AccountError(f"Another account already uses {mail}.")
    if mail is None and not row.password_hash:
        raise AccountError("An account without a password needs an e-mail address for single sign-on.")
    old = {"display_name": row.display_name, "role": row.role, "email": row.email}
    new = {"display_name": name, "role": role, "email": mail}
    if old == new:
        return _view(row)
    if row.role != role:
        _revoke_sessions(session, row.id, now)
    row.display_name, row.role, row.email = name, role, mail
    audit.record(session, actor=actor, action="user.update", entity="user_account", entity_id=row.id,
                 old=old, new=new, at=now)
    session.commit()
    return _view(row)


def account_for_email(session: Session, email: str | None) -> Account | None:
    """The active account single sign-on maps an e-mail address to."""
    mail = (email or "").strip().lower()
    if not mail:
        return None
    row = session.scalars(select(UserAccount).where(UserAccount.email == mail, UserAccount.active)).first()
    return _view(row) if row else None


# --- throttling -------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    base_delay_seconds: int
    max_delay_seconds: int
    window: dt.timedelta

    def delay_after(self, failures: int) -> int:
        """Seconds to wait after the last of ``failures`` counted failures."""
        if failures < self.free_failures:
            return 0
        return min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (failures - self.free_failures))


ACCOUNT_POLICY = ThrottlePolicy(free_failures=3, base_delay_seconds=5, max_delay_seconds=900,
                                window=dt.timedelta(hours=24))
ADDRESS_POLICY = ThrottlePolicy(free_failures=20, base_delay_seconds=5, max_delay_seconds=900,
                                window=dt.timedelta(minutes=15))


@dataclass(frozen=True)
class Throttle:
    wait_seconds: int  # 0: go ahead
    reason: str  # "", "account" or "address"
    failures: int  # failures counted for the binding reason


def _attempt_key(username: str) -> str:
    return normalize_username(username)[:60]


def throttle_state(session: Session, username: str, address: str, now: dt.datetime) -> Throttle:
    """How long this user name / address must still wait before trying a password."""
    key = _attempt_key(username)
    last_success = session.scalar(
        select(func.max(SignInAttempt.at)).where(SignInAttempt.username == key, SignInAttempt.succeeded)
    )
    since = now - ACCOUNT_POLICY.window
    if last_success is not None and last_success > since:
        since = last_success
    account = session.execute(
        select(func.count(SignInAttempt.id), func.max(SignInAttempt.at)).where(
            SignInAttempt.username == key, ~SignInAttempt.succeeded, SignInAttempt.at > since
        )
    ).one()
    by_address = session.execute(
        select(func.count(SignInAttempt.id), func.max(SignInAttempt.at)).where(
            SignInAttempt.address == address[:64], ~SignInAttempt.succeeded,
            SignInAttempt.at > now - ADDRESS_POLICY.window,
        )
    ).one()
    best = Throttle(0, "", 0)
    for reason, (count, last), policy in (("account", account, ACCOUNT_POLICY), ("address", by_address, ADDRESS_POLICY)):
        delay = policy.delay_after(count)
        if delay and last is not None:
            remaining = int((last + dt.timedelta(seconds=delay) - now).total_seconds() + 0.999)
            if remaining > best.wait_seconds:
                best = Throttle(remaining, reason, count)
    return best


@dataclass(frozen=True)
class SignInResult:
    account: Account | None
    message: str  # what to tell the person when ``account`` is None
    wait_seconds: int = 0


WRONG_CREDENTIALS = "The user name or password is not right."


def authenticate(session: Session, *, username: str, password: str, address: str, now: dt.datetime) -> SignInResult:
    """Check a password sign-in, with throttling; every outcome is audited (never the password)."""
    key = _attempt_key(username)
    address = (address or "unknown")[:64]
    throttle = throttle_state(session, key, address, now)
    anonymous = f"sign-in from {address}"[:120]
    if throttle.wait_seconds:
        audit.record(session, actor=anonymous, action="signin.throttled", entity="user_account",
                     entity_id=key[:40], old=None,
                     new={"address": address, "by": throttle.reason, "failures": throttle.failures,
                          "wait_seconds": throttle.wait_seconds}, at=now)
        session.commit()
        return SignInResult(None, _wait_message(throttle.wait_seconds), throttle.wait_seconds)
    row = _row(session, key) if key else None
    ok = verify_password(row.password_hash if row else None, password or "")
    reason = ""
    if row is None:
        reason = "unknown user name"
    elif not ok:
        reason = "wrong password" if row.password_hash else "account has no password (single sign-on only)"
    elif not row.active:
        reason, ok = "account deactivated", False
    session.add(SignInAttempt(at=now, username=key, address=address, succeeded=ok))
    if not ok:
        session.flush()
        after = throttle_state(session, key, address, now)
        audit.record(session, actor=anonymous, action="signin.failed", entity="user_account",
                     entity_id=key[:40] or None, old=None,
                     new={"address": address, "reason": reason, "wait_seconds": after.wait_seconds}, at=now)
        session.commit()
        message = WRONG_CREDENTIALS
        if after.wait_seconds:
            message += " " + _wait_message(after.wait_seconds)
        return SignInResult(None, message, after.wait_seconds)
    assert row is not None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    row.last_sign_in_at = now
    audit.record(session, actor=actor_label(row.display_name, row.username), action="signin",
                 entity="user_account", entity_id=row.id, old=None,
                 new={"address": address, "method": "password"}, at=now)
    session.commit()
    return SignInResult(_view(row), "")


def _wait_message(seconds: int) -> str:
    if seconds >= 90:
        span = f"{(seconds + 59) // 60} minutes"
    else:
        span = f"{seconds} seconds"
    return f"Too many failed sign-ins: wait {span} before trying again."


def record_sso_sign_in(session: Session, *, account: Account, address: str, now: dt.datetime) -> None:
    row = session.get(UserAccount, account.id)
    row.last_sign_in_at = now
    audit.record(session, actor=account.actor, action="signin", entity="user_account", entity_id=account.id,
                 old=None, new={"address": address[:64], "method": "sso"}, at=now)
    session.commit()


def record_sso_refused(session: Session, *, email: str, address: str, now: dt.datetime) -> None:
    audit.record(session, actor=f"single sign-on ({email[:80]})", action="signin.failed", entity="user_account",
                 entity_id=None, old=None,
                 new={"address": address[:64], "reason": "no active account with this e-mail", "method": "sso"},
                 at=now)
    session.commit()


# --- sessions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    """A valid sign-in session and the account behind it."""

    session_id: int
    account: Account
    method: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class StartedSession:
    session_id: int
    claim_ticket: str  # one-time, a minute long: traded for the HttpOnly cookie


def start_session(
    session: Session, *, account: Account, method: str, address: str, user_agent: str, now: dt.datetime
) -> StartedSession:
    ticket = new_token()
    row = UserSession(
        user_id=account.id, token_hash=None, claim_hash=hash_token(ticket), claim_expires_at=now + CLAIM_LIFETIME,
        method=method, created_at=now, expires_at=now + SESSION_LIFETIME, last_seen_at=now,
        address=(address or "")[:64], user_agent=(user_agent or "")[:200],
    )
    session.add(row)
    session.commit()
    return StartedSession(row.id, ticket)


def claim_session(
    session: Session, ticket: str, now: dt.datetime, address: str | None = None
) -> tuple[str, dt.datetime] | None:
    """Trade a one-time claim ticket for the session's cookie token (and its expiry).

    The ticket works once, for a minute, and (given ``address``) only from the
    address that signed in; the token is made here, so it never passes
    through the page's scripts.
    """
    if not well_formed_token(ticket):
        return None
    row = session.scalars(select(UserSession).where(UserSession.claim_hash == hash_token(ticket))).first()
    if row is None:
        return None
    expired = row.claim_expires_at is None or row.claim_expires_at < now
    elsewhere = address is not None and (address or "")[:64] != row.address
    row.claim_hash, row.claim_expires_at = None, None
    if expired or elsewhere or not _usable(row, now):
        session.commit()
        return None
    token = new_token()
    row.token_hash = hash_token(token)
    session.commit()
    return token, row.expires_at


def _usable(row: UserSession, now: dt.datetime) -> bool:
    return row.revoked_at is None and row.expires_at > now and row.user is not None and row.user.active


def _signed_in(row: UserSession) -> SignedIn:
    return SignedIn(row.id, _view(row.user), row.method, row.expires_at)


def session_by_id(session: Session, session_id: int, now: dt.datetime) -> SignedIn | None:
    """The session a browser tab holds, if it is still valid (not ended, expired or deactivated)."""
    row = session.get(UserSession, session_id)
    if row is None:
        return None
    session.refresh(row)
    if not _usable(row, now):
        return None
    return _signed_in(row)


def session_by_token(session: Session, token: str | None, now: dt.datetime) -> SignedIn | None:
    """The session a sign-in cookie stands for, if it is still valid."""
    if not well_formed_token(token):
        return None
    row = session.scalars(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is None or not _usable(row, now):
        return None
    row.last_seen_at = now
    session.commit()
    return _signed_in(row)


def end_session(session: Session, session_id: int, *, actor: str, now: dt.datetime) -> None:
    """Sign out: the session (and its cookie) stop working at once."""
    row = session.get(UserSession, session_id)
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = now
    row.claim_hash = None
    audit.record(session, actor=actor, action="signout", entity="user_account", entity_id=row.user_id,
                 old=None, new={"session": row.id}, at=now)
    session.commit()


def end_session_by_token(session: Session, token: str | None, now: dt.datetime) -> None:
    """The cookie-clearing endpoint's half of sign-out (idempotent)."""
    if not well_formed_token(token):
        return
    row = session.scalars(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is not None and row.revoked_at is None:
        end_session(session, row.id, actor=actor_label(row.user.display_name, row.user.username), now=now)


def end_other_sessions(session: Session, *, user_id: int, keep_session_id: int | None, actor: str,
                       now: dt.datetime) -> int:
    """Sign out everywhere else; returns how many sessions ended."""
    count = _revoke_sessions(session, user_id, now, keep=keep_session_id)
    audit.record(session, actor=actor, action="signout.others", entity="user_account", entity_id=user_id,
                 old=None, new={"sessions_ended": count}, at=now)
    session.commit()
    return count


def _revoke_sessions(session: Session, user_id: int, now: dt.datetime, keep: int | None = None) -> int:
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.expires_at > now)
        .values(revoked_at=now, claim_hash=None)
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    return session.execute(stmt).rowcount


def active_sessions(session: Session, user_id: int, now: dt.datetime) -> list[dict]:
    rows = session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return [{"id": r.id, "started": r.created_at, "last_seen": r.last_seen_at, "expires": r.expires_at,
             "address": r.address, "browser": r.user_agent, "method": r.method} for r in rows]


# --- privacy ----------------------------------------------------------------------------


def patient_name_mode(session: Session) -> str:
    from data.goals import practice  # (pandas comes with data.goals; the admin command does not need it)

    return practice(session).patient_names


def set_patient_name_mode(session: Session, *, mode: str, actor: str, now: dt.datetime) -> None:
    """How signed-in manager and front-desk screens name patients (links and physicians: initials)."""
    from data.goals import practice

    if mode not in PATIENT_NAME_MODES:
        raise AccountError("Choose initials or full names.")
    row = practice(session)
    if row.patient_names == mode:
        return
    old = row.patient_names
    row.patient_names = mode
    audit.record(session, actor=actor, action="practice.patient_names", entity="practice", entity_id=1,
                 old={"patient_names": old}, new={"patient_names": mode}, at=now)
    session.commit()
