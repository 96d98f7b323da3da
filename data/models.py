"""The practice's data as typed SQLAlchemy 2 ORM models.

Times are naive wall-clock times in the practice's own time zone: a clinic
reads "09:20", and every figure is computed between two such times.
The schema itself is created and upgraded by Alembic (``data/migrations``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    MetaData,
    Table,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Practice(Base):
    """The one practice this database serves, with its practice-wide choices."""

    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # What "seen" means for every wait figure: "roomed" (by clinical staff,
    # the default) or "provider" (with the provider).
    seen_definition: Mapped[str] = mapped_column(String(16), default="roomed")
    board_refresh_seconds: Mapped[int] = mapped_column(default=10)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Last calendar day the demo practice was brought up to date for.
    demo_day: Mapped[dt.date | None]
    # How signed-in staff screens name patients: "initials" (default) or "full".
    # Shared dashboard links and physician accounts always show initials.
    patient_names: Mapped[str] = mapped_column(String(16), default="initials", server_default="initials")

    __table_args__ = (
        CheckConstraint("seen_definition IN ('roomed', 'provider')", name="seen_definition"),
        CheckConstraint("board_refresh_seconds >= 2", name="refresh_floor"),
        CheckConstraint("patient_names IN ('initials', 'full')", name="patient_names"),
    )


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    exam_rooms: Mapped[int] = mapped_column(default=6)
    active: Mapped[bool] = mapped_column(default=True)


class Role(Base):
    """A job a person is hired for: physician, NP, PA, RN, MA, front desk, ..."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    is_provider: Mapped[bool] = mapped_column(default=False)
    is_clinical: Mapped[bool] = mapped_column(default=False)
    # Credential type a person must hold, unexpired, to work in this role.
    required_credential: Mapped[str | None] = mapped_column(String(60))


staff_skills = Table(
    "staff_skills",
    Base.metadata,
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    home_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    # full_time, part_time or per_diem
    employment_type: Mapped[str] = mapped_column(String(16), default="full_time")
    pay_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))  # dollars per hour
    contracted_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("40"))
    active: Mapped[bool] = mapped_column(default=True)

    role: Mapped[Role] = relationship()
    home_location: Mapped[Location | None] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=staff_skills)
    credentials: Mapped[list[Credential]] = relationship(back_populates="staff")

    __table_args__ = (
        CheckConstraint("pay_rate >= 0", name="pay_rate_nonnegative"),
        CheckConstraint("contracted_hours >= 0 AND contracted_hours <= 80", name="contracted_hours_range"),
        CheckConstraint(
            "employment_type IN ('full_time', 'part_time', 'per_diem')", name="employment_type"
        ),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Credential(Base):
    """A license or certification with its expiry, e.g. an RN license or BLS."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[dt.date | None]
    expires_on: Mapped[dt.date | None]

    staff: Mapped[Staff] = relationship(back_populates="credentials")


class Provider(Base):
    """A staff member who sees patients on their own schedule (MD, DO, NP, PA)."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    degree: Mapped[str] = mapped_column(String(8))  # MD, DO, NP, PA
    specialty: Mapped[str] = mapped_column(String(60), default="Family medicine")
    default_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    active: Mapped[bool] = mapped_column(default=True)

    staff: Mapped[Staff] = relationship()
    default_location: Mapped[Location] = relationship()


class Patient(Base):
    """Minimal identifying data: the board shows initials only."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    birth_year: Mapped[int | None]

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}.{self.last_name[:1]}.".upper()


class VisitType(Base):
    __tablename__ = "visit_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    duration_minutes: Mapped[int]
    is_new_patient: Mapped[bool] = mapped_column(default=False)


class Appointment(Base):
    """A booked slot and the visit that follows it, one timestamp per status.

    ``status`` moves only through ``data.visit_flow``; ``version`` increases
    with every change so that two browsers cannot silently overwrite each other.
    """

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    visit_type_id: Mapped[int] = mapped_column(ForeignKey("visit_types.id"))
    scheduled_at: Mapped[dt.datetime]
    duration_minutes: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    booked_at: Mapped[dt.datetime | None]
    checked_in_at: Mapped[dt.datetime | None]
    roomed_at: Mapped[dt.datetime | None]
    provider_at: Mapped[dt.datetime | None]
    checked_out_at: Mapped[dt.datetime | None]
    no_show_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    left_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    location: Mapped[Location] = relationship()
    provider: Mapped[Provider] = relationship()
    patient: Mapped[Patient] = relationship()
    visit_type: Mapped[VisitType] = relationship()

    __table_args__ = (
        Index("ix_appointments_scheduled_at", "scheduled_at"),
        Index("ix_appointments_location_scheduled", "location_id", "scheduled_at"),
        Index("ix_appointments_provider_scheduled", "provider_id", "scheduled_at"),
        CheckConstraint(
            "status IN ('scheduled', 'checked_in', 'roomed', 'with_provider', 'checked_out',"
            " 'no_show', 'cancelled', 'left')",
            name="status",
        ),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )


class DemoStep(Base):
    """The demo practice's script for today: when each visit *will* move on.

    Only the demo uses this table; the simulator copies a planned time into the
    appointment when the clock passes it, so the real columns only ever hold
    what has happened.
    """

    __tablename__ = "demo_steps"

    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(String(16))  # seen, no_show, cancelled, left
    arrive_at: Mapped[dt.datetime | None]
    room_at: Mapped[dt.datetime | None]
    provider_at: Mapped[dt.datetime | None]
    checkout_at: Mapped[dt.datetime | None]
    resolve_at: Mapped[dt.datetime | None]  # when a no-show, cancel or walk-out is recorded


class Goal(Base):
    """The practice's wait-time goal from ``effective_from`` until the next goal."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[dt.date]
    wait_target_minutes: Mapped[int]
    warning_minutes: Mapped[int]
    target_share: Mapped[float]
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        CheckConstraint("wait_target_minutes > 0", name="target_positive"),
        CheckConstraint(
            "warning_minutes >= 0 AND warning_minutes < wait_target_minutes", name="warning_below_target"
        ),
        CheckConstraint("target_share > 0 AND target_share <= 1", name="share_range"),
    )


class AuditEntry(Base):
    """One change: who, what, when, old value to new value. Rows are never edited."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


class UserAccount(Base):
    """Someone who signs in to ClinicOps, with the role that decides what they may do.

    ``password_hash`` is an argon2 hash (never the password); it is empty for an
    account that signs in only through single sign-on (matched by ``email``).
    """

    __tablename__ = "user_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(200), unique=True)  # lower-case, for single sign-on
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    password_changed_at: Mapped[dt.datetime | None]
    last_sign_in_at: Mapped[dt.datetime | None]

    __table_args__ = (
        CheckConstraint("role IN ('manager', 'front_desk', 'physician')", name="role"),
    )


class SignInAttempt(Base):
    """One password sign-in attempt: what the throttle counts. Never holds a password."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    username: Mapped[str] = mapped_column(String(60))  # as typed, lower-cased and cut to 60
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool]

    __table_args__ = (
        Index("ix_sign_in_attempts_username_at", "username", "at"),
        Index("ix_sign_in_attempts_address_at", "address", "at"),
    )


class UserSession(Base):
    """A signed-in browser. Only hashes of its tokens are stored.

    ``claim_hash`` is a one-time ticket (a minute long) that the browser trades
    for an HttpOnly cookie holding the session token, whose hash is
    ``token_hash``; a tab that never claims it stays signed in until it closes.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    claim_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    claim_expires_at: Mapped[dt.datetime | None]
    method: Mapped[str] = mapped_column(String(16))  # password or sso
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[UserAccount] = relationship()


class DashboardLink(Base):
    """A read-only view shared without sign-in: a scope, an expiry and a token hash.

    ``scope_kind`` names the view (e.g. ``operations``) and ``scope_params``
    fixes its filters; the token itself is shown once, when the link is made.
    """

    __tablename__ = "dashboard_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    scope_kind: Mapped[str] = mapped_column(String(40))
    scope_params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(120))
    last_access_at: Mapped[dt.datetime | None]
    access_count: Mapped[int] = mapped_column(default=0)


__all__ = [
    "Appointment",
    "AuditEntry",
    "Base",
    "Credential",
    "DashboardLink",
    "DemoStep",
    "Goal",
    "Location",
    "Patient",
    "Practice",
    "Provider",
    "Role",
    "Skill",
    "SignInAttempt",
    "Staff",
    "UserAccount",
    "UserSession",
    "VisitType",
    "staff_skills",
]
