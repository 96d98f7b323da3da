"""The demo practice's fixed cast: locations, roles, staff, providers, visit types.

Figures follow ``shared/PRACTICE-FACTS.md``: about four support staff per
provider, 0.6 NP/PA per physician, BLS-based pay (RN about $36/h, MA and
front desk $17-22/h, manager about $48/h).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRACTICE_NAME = "Maple Grove Family Medicine"

LOCATIONS = (
    # name, address, exam rooms
    ("Main Street", "410 Main Street", 12),
    ("Riverside", "88 River Road, Suite 200", 7),
)

ROLES = (
    # code, name, is_provider, is_clinical, required credential
    ("physician", "Physician", True, True, "Medical license"),
    ("np", "Nurse practitioner", True, True, "NP license"),
    ("pa", "Physician assistant", True, True, "PA license"),
    ("rn", "Registered nurse", False, True, "RN license"),
    ("ma", "Medical assistant", False, True, None),
    ("tech", "Lab and X-ray technician", False, True, "Radiologic technologist license"),
    ("front_desk", "Front desk", False, False, None),
    ("billing", "Billing specialist", False, False, None),
    ("manager", "Office manager", False, False, None),
)

SKILLS = (
    ("phlebotomy", "Phlebotomy"),
    ("ecg", "ECG"),
    ("spirometry", "Spirometry"),
    ("vaccines", "Vaccine administration"),
    ("xray", "X-ray"),
    ("spanish", "Spanish"),
    ("iv", "IV therapy"),
    ("coding", "Medical coding"),
    ("scheduling", "Scheduling and referrals"),
)

VISIT_TYPES = (
    # name, minutes, new patient, booking weight
    ("Follow-up", 15, False, 44),
    ("Sick visit", 15, False, 26),
    ("Annual physical", 30, False, 12),
    ("New patient", 30, True, 10),
    ("Procedure", 20, False, 8),
)


@dataclass(frozen=True)
class StaffSeed:
    first: str
    last: str
    role: str
    location: int  # index into LOCATIONS
    rate: float
    hours: float = 40.0
    employment: str = "full_time"
    skills: tuple[str, ...] = ()
    # Provider-only fields: degree, how their clinic days run.
    degree: str | None = None
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    pace: float = 1.0  # above 1 runs behind
    lunch_return_minutes: float = 0.0  # late back from lunch
    credential_expiry_offsets: dict[str, int] = field(default_factory=dict)  # days from today


STAFF: tuple[StaffSeed, ...] = (
    # Providers, Main Street
    StaffSeed("Anita", "Patel", "physician", 0, 118.0, degree="MD", pace=0.97, skills=("spanish",)),
    StaffSeed("James", "Okafor", "physician", 0, 112.0, degree="DO", pace=1.16, lunch_return_minutes=9,
              workdays=(0, 1, 2, 3)),
    StaffSeed("Maria", "Gonzalez", "physician", 0, 121.0, degree="MD", pace=1.02, skills=("spanish",),
              workdays=(0, 1, 3, 4)),
    StaffSeed("Sarah", "Kim", "np", 0, 62.0, degree="NP", pace=0.94),
    StaffSeed("David", "Chen", "pa", 0, 58.0, degree="PA", pace=1.05, lunch_return_minutes=4,
              workdays=(0, 2, 3, 4)),
    # Providers, Riverside
    StaffSeed("Robert", "Hughes", "physician", 1, 116.0, degree="MD", pace=1.22, lunch_return_minutes=12),
    StaffSeed("Emily", "Novak", "physician", 1, 114.0, degree="MD", pace=1.0, workdays=(0, 1, 2, 4)),
    StaffSeed("Lisa", "Moreno", "np", 1, 61.0, degree="NP", pace=0.98, skills=("spanish",)),
    # Registered nurses
    StaffSeed("Karen", "Walsh", "rn", 0, 38.5, skills=("iv", "vaccines", "ecg"),
              credential_expiry_offsets={"RN license": 19}),
    StaffSeed("Thomas", "Reed", "rn", 0, 36.0, skills=("iv", "phlebotomy")),
    StaffSeed("Priya", "Nair", "rn", 0, 37.25, hours=24, employment="part_time", skills=("vaccines", "ecg")),
    StaffSeed("Grace", "Lee", "rn", 1, 36.5, skills=("iv", "vaccines", "spanish")),
    StaffSeed("Kim", "Alvarez", "rn", 1, 35.75, skills=("ecg", "phlebotomy"),
              credential_expiry_offsets={"RN license": -6}),
    # Medical assistants
    StaffSeed("Jasmine", "Brooks", "ma", 0, 20.5, skills=("phlebotomy", "ecg")),
    StaffSeed("Luis", "Ramirez", "ma", 0, 19.75, skills=("phlebotomy", "spanish", "vaccines")),
    StaffSeed("Megan", "Foster", "ma", 0, 19.0, skills=("spirometry", "ecg")),
    StaffSeed("Tyler", "Nguyen", "ma", 0, 18.5, skills=("phlebotomy",)),
    StaffSeed("Aisha", "Johnson", "ma", 0, 21.0, skills=("phlebotomy", "ecg", "vaccines")),
    StaffSeed("Brandon", "Scott", "ma", 0, 18.25, hours=24, employment="part_time", skills=("vaccines",)),
    StaffSeed("Olivia", "Martin", "ma", 0, 19.5, hours=0, employment="per_diem", skills=("phlebotomy",)),
    StaffSeed("Sofia", "Herrera", "ma", 1, 20.0, skills=("phlebotomy", "spanish")),
    StaffSeed("Ethan", "Wright", "ma", 1, 18.75, skills=("ecg", "spirometry")),
    StaffSeed("Chloe", "Adams", "ma", 1, 19.25, skills=("vaccines", "phlebotomy")),
    StaffSeed("Marcus", "Bell", "ma", 1, 18.5, hours=30, employment="part_time", skills=("phlebotomy",)),
    # Lab and X-ray
    StaffSeed("Hannah", "Price", "tech", 0, 26.5, skills=("xray", "phlebotomy"),
              credential_expiry_offsets={"Radiologic technologist license": 44}),
    # Front desk
    StaffSeed("Rachel", "Green", "front_desk", 0, 19.0, skills=("scheduling",)),
    StaffSeed("Kevin", "Turner", "front_desk", 0, 18.0, skills=("scheduling", "spanish")),
    StaffSeed("Amy", "Collins", "front_desk", 0, 17.5, hours=24, employment="part_time"),
    StaffSeed("Daniel", "Ortiz", "front_desk", 0, 18.25, skills=("spanish",)),
    StaffSeed("Natalie", "Perry", "front_desk", 1, 18.5, skills=("scheduling",)),
    StaffSeed("Jordan", "Hayes", "front_desk", 1, 17.75, hours=30, employment="part_time"),
    # Back office
    StaffSeed("Laura", "Bennett", "billing", 0, 24.5, skills=("coding",)),
    StaffSeed("Steven", "Ward", "billing", 0, 23.0, skills=("coding",)),
    StaffSeed("Monica", "Diaz", "billing", 1, 22.5, hours=30, employment="part_time", skills=("coding", "spanish")),
    StaffSeed("Christine", "Howard", "manager", 0, 48.5, skills=("scheduling", "coding")),
)

PATIENT_FIRST_NAMES = (
    "Aaron Abigail Adrian Alice Amelia Andrew Angela Anthony Ava Benjamin Beth Brian Caleb Camila "
    "Carlos Caroline Charles Charlotte Chris Claire Connor Daisy Daniel Deborah Diego Dorothy Dylan "
    "Edward Elena Eli Elijah Ella Emma Eric Evelyn Faith Felix Fiona Frank Gabriel George Gloria "
    "Harper Harold Henry Ian Irene Isaac Isabella Jack Jacob Jade Janet Jason Jean Jeffrey Joan "
    "John Jose Joseph Joyce Julia Justin Kaitlyn Keith Kelly Kenneth Laura Leah Leo Liam Lily "
    "Logan Lucas Lucy Luke Madison Mark Mary Mason Mateo Matthew Mia Michael Nancy Nathan Nora "
    "Oliver Owen Pamela Paul Peter Quinn Rebecca Richard Riley Rose Ruth Ryan Samuel Sandra Sean "
    "Sharon Sophia Stella Susan Teresa Victor Victoria Vincent Walter William Wyatt Xavier Yvonne Zoe"
).split()

PATIENT_LAST_NAMES = (
    "Abbott Allen Anderson Armstrong Bailey Baker Barnes Bishop Black Boyd Bradley Brown Bryant "
    "Burke Butler Campbell Carter Castillo Chavez Clark Cole Cook Cooper Cruz Cunningham Davis Dixon "
    "Duncan Edwards Ellis Evans Ferguson Fisher Flores Ford Fox Garcia Gibson Gomez Gordon Graham "
    "Grant Gray Griffin Hall Hamilton Harris Hart Henderson Hernandez Hill Holmes Hudson Hunt "
    "Jackson James Jenkins Jones Jordan Kelly Kennedy King Knight Lane Lewis Long Lopez Marshall "
    "Mason Matthews Mendoza Meyer Miller Mills Mitchell Moore Morgan Morris Murphy Murray Myers "
    "Nelson Nichols Olson Owens Palmer Parker Payne Perez Perkins Peterson Phillips Pierce Porter "
    "Powell Quinn Ramos Reyes Reynolds Rice Richardson Rivera Roberts Robinson Rodriguez Rogers Ross "
    "Russell Sanchez Sanders Shaw Simmons Simpson Smith Snyder Spencer Stevens Stone Sullivan "
    "Taylor Thomas Thompson Torres Tucker Vasquez Wagner Walker Wallace Warren Washington Watson "
    "Webb Wells West White Williams Willis Wilson Wood Young"
).split()

# US federal holidays the demo clinic closes on, as (month, day) or a rule.
FIXED_HOLIDAYS = {(1, 1), (7, 4), (12, 25)}
