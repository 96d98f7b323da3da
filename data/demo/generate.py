"""Build the demo practice: its cast, twelve months of visits, and a goal.

Deterministic for a given seed and "today": every random draw comes from a
``random.Random`` seeded by the seed and the day, so tests can rebuild it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from data.demo import reference as ref
from data.demo.day_sim import PlannedVisit, VisitKind, book_day, play_day
from data.demo.schedule import ProviderProfile, clinic_days
from data.models import (
    Appointment,
    Credential,
    Goal,
    Location,
    Patient,
    Practice,
    Provider,
    Role,
    Skill,
    Staff,
    VisitType,
)

DEFAULT_SEED = 7
PATIENT_COUNT = 9000
GOAL_AGE_DAYS = 150  # the goal was introduced about five months ago


@dataclass(frozen=True)
class DemoCast:
    """What the visit generator needs from the reference rows it inserted."""

    profiles: list[ProviderProfile]
    kinds: list[VisitKind]
    patient_ids: list[int]
    goal_from: dt.date
    seed: int


def goal_start(today: dt.date) -> dt.date:
    """The Monday about five months before ``today`` when the goal began."""
    day = today - dt.timedelta(days=GOAL_AGE_DAYS)
    return day - dt.timedelta(days=day.weekday())


def create_demo_practice(
    session: Session,
    *,
    today: dt.date,
    seed: int = DEFAULT_SEED,
    months: int = 12,
) -> DemoCast:
    """Insert the demo practice and its visit history up to yesterday.

    Today's live schedule is added separately by ``data.demo.live``.
    """
    goal_from = goal_start(today)
    session.add(
        Practice(id=1, name=ref.PRACTICE_NAME, seen_definition="roomed", board_refresh_seconds=10,
                 is_demo=True, demo_day=today - dt.timedelta(days=1))
    )
    locations = [Location(name=n, address=a, exam_rooms=r) for n, a, r in ref.LOCATIONS]
    roles = {
        code: Role(code=code, name=name, is_provider=prov, is_clinical=clin, required_credential=cred)
        for code, name, prov, clin, cred in ref.ROLES
    }
    skills = {code: Skill(code=code, name=name) for code, name in ref.SKILLS}
    session.add_all([*locations, *roles.values(), *skills.values()])
    rng = random.Random(f"{seed}:cast")
    profiles_by_staff: list[tuple[Provider, ref.StaffSeed]] = []
    for seed_row in ref.STAFF:
        person = Staff(
            first_name=seed_row.first,
            last_name=seed_row.last,
            role=roles[seed_row.role],
            home_location=locations[seed_row.location],
            employment_type=seed_row.employment,
            pay_rate=Decimal(str(seed_row.rate)),
            contracted_hours=Decimal(str(seed_row.hours)),
            skills=[skills[s] for s in seed_row.skills],
        )
        session.add(person)
        person.credentials = _credentials(rng, seed_row, roles[seed_row.role], today)
        if seed_row.degree:
            title = "Dr. " if seed_row.degree in ("MD", "DO") else ""
            name = f"{title}{seed_row.first} {seed_row.last}" if not title else f"{title}{seed_row.last}"
            provider = Provider(
                staff=person,
                display_name=f"{name}, {seed_row.degree}",
                degree=seed_row.degree,
                default_location=locations[seed_row.location],
            )
            session.add(provider)
            profiles_by_staff.append((provider, seed_row))
    kinds_rows = [VisitType(name=n, duration_minutes=m, is_new_patient=new) for n, m, new, _ in ref.VISIT_TYPES]
    session.add_all(kinds_rows)
    session.add(
        Goal(effective_from=goal_from, wait_target_minutes=17, warning_minutes=12, target_share=0.9,
             created_at=dt.datetime.combine(goal_from, dt.time(7, 45)), created_by="Christine Howard",
             note="No patient waits more than 17 minutes from check-in")
    )
    session.flush()
    patient_ids = _insert_patients(session, random.Random(f"{seed}:patients"))
    cast = DemoCast(
        profiles=[
            ProviderProfile(p.id, p.default_location_id, s.workdays, s.pace, s.lunch_return_minutes)
            for p, s in profiles_by_staff
        ],
        kinds=[
            VisitKind(row.id, row.duration_minutes, row.is_new_patient, weight)
            for row, (_, _, _, weight) in zip(kinds_rows, ref.VISIT_TYPES, strict=True)
        ],
        patient_ids=patient_ids,
        goal_from=goal_from,
        seed=seed,
    )
    first_day = today - dt.timedelta(days=round(months * 365 / 12))
    insert_history(session, cast, first_day, today - dt.timedelta(days=1))
    session.commit()
    return cast


def load_cast(session: Session, seed: int = DEFAULT_SEED) -> DemoCast:
    """Rebuild the generator's view of an existing demo practice."""
    by_name = {s.first + " " + s.last: s for s in ref.STAFF}
    profiles = []
    for provider in session.scalars(select(Provider).order_by(Provider.id)):
        s = by_name.get(provider.staff.first_name + " " + provider.staff.last_name)
        profiles.append(
            ProviderProfile(provider.id, provider.default_location_id, s.workdays if s else (0, 1, 2, 3, 4),
                            s.pace if s else 1.0, s.lunch_return_minutes if s else 0.0)
        )
    weights = {n: w for n, _, _, w in ref.VISIT_TYPES}
    kinds = [
        VisitKind(v.id, v.duration_minutes, v.is_new_patient, weights.get(v.name, 5))
        for v in session.scalars(select(VisitType).order_by(VisitType.id))
    ]
    patient_ids = list(session.scalars(select(Patient.id).order_by(Patient.id)))
    goal_from = session.scalars(select(Goal.effective_from).order_by(Goal.effective_from)).first()
    return DemoCast(profiles, kinds, patient_ids, goal_from or dt.date.max, seed)


def _credentials(rng: random.Random, s: ref.StaffSeed, role: Role, today: dt.date) -> list[Credential]:
    kinds = []
    if role.required_credential:
        kinds.append(role.required_credential)
    if role.is_clinical:
        kinds.append("BLS certification")
    if s.degree in ("MD", "DO", "NP", "PA"):
        kinds.append("DEA registration")
    if s.role == "ma":
        kinds.append("CMA certification")
    out = []
    for kind in kinds:
        offset = s.credential_expiry_offsets.get(kind, rng.randint(60, 700))
        expires = today + dt.timedelta(days=offset)
        out.append(
            Credential(kind=kind, number=f"{kind[:2].upper()}-{rng.randint(100000, 999999)}",
                       issued_on=expires - dt.timedelta(days=730), expires_on=expires)
        )
    return out


def _insert_patients(session: Session, rng: random.Random) -> list[int]:
    rows = [
        {
            "mrn": f"MG{100000 + i}",
            "first_name": rng.choice(ref.PATIENT_FIRST_NAMES),
            "last_name": rng.choice(ref.PATIENT_LAST_NAMES),
            "birth_year": rng.randint(1936, 2024),
        }
        for i in range(PATIENT_COUNT)
    ]
    session.execute(insert(Patient), rows)
    return list(session.scalars(select(Patient.id).order_by(Patient.id)))


def patient_picker(rng: random.Random, patient_ids: list[int]):
    """Some patients come often: a skewed draw over the panel."""
    n = len(patient_ids)
    return lambda: patient_ids[min(n - 1, int(n * rng.random() ** 1.3))]


def plan_day(cast: DemoCast, day: dt.date, force_open: bool = False) -> list[PlannedVisit]:
    """Every visit of ``day`` with its outcome and times, deterministically."""
    visits: list[PlannedVisit] = []
    for provider_day in clinic_days(day, cast.profiles, cast.seed, cast.goal_from, force_open):
        rng = random.Random(f"{cast.seed}:{day.isoformat()}:{provider_day.provider_id}")
        booked = book_day(rng, provider_day, cast.kinds, patient_picker(rng, cast.patient_ids))
        visits.extend(play_day(rng, provider_day, booked))
    return visits


def final_row(v: PlannedVisit) -> dict:
    """An appointment row for a visit that is already over (history)."""
    row = {
        "location_id": v.location_id,
        "provider_id": v.provider_id,
        "patient_id": v.patient_id,
        "visit_type_id": v.visit_type_id,
        "scheduled_at": v.scheduled_at,
        "duration_minutes": v.duration_minutes,
        "booked_at": v.booked_at,
        "checked_in_at": None,
        "roomed_at": None,
        "provider_at": None,
        "checked_out_at": None,
        "no_show_at": None,
        "cancelled_at": None,
        "left_at": None,
        "version": 1,
    }
    if v.outcome == "seen":
        row.update(status="checked_out", checked_in_at=v.arrive_at, roomed_at=v.room_at,
                   provider_at=v.provider_at, checked_out_at=v.checkout_at)
    elif v.outcome == "left":
        row.update(status="left", checked_in_at=v.arrive_at, left_at=v.resolve_at)
    elif v.outcome == "no_show":
        row.update(status="no_show", no_show_at=v.resolve_at)
    else:
        row.update(status="cancelled", cancelled_at=v.resolve_at)
    return row


def insert_history(session: Session, cast: DemoCast, first: dt.date, last: dt.date) -> int:
    """Insert finished visits for every clinic day from ``first`` to ``last``."""
    count = 0
    batch: list[dict] = []
    day = first
    while day <= last:
        batch.extend(final_row(v) for v in plan_day(cast, day))
        if len(batch) > 5000:
            session.execute(insert(Appointment), batch)
            count += len(batch)
            batch = []
        day += dt.timedelta(days=1)
    if batch:
        session.execute(insert(Appointment), batch)
        count += len(batch)
    return count
