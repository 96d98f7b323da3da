"""Synthetic instances in the Curtois & Qu format, larger than the published ones.

    python -m benchmarks.curtois_synthetic STAFF DAYS SHIFT_TYPES [--seed N] > big.txt

Instances 13-24 of the benchmark (up to 150 staff x 364 days x 32 shift types) are
not in the shared data; these files have their shape so that the engine can be
tried at that size (``python -m planner solve big.txt --time-limit 60``). Every
person may work at least one shift type, so the files have rosters; their
optimum is unknown. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
import string


def staff_id(k: int) -> str:
    letters = string.ascii_uppercase
    return letters[k] if k < 26 else letters[k // 26 - 1] + letters[k % 26]


def instance(staff: int, days: int, types: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    shifts = [f"s{i}" for i in range(types)]
    lines = ["SECTION_HORIZON", "# h", str(days), "", "SECTION_SHIFTS",
             "# ShiftID, Length in mins, Shifts which cannot follow this shift | separated"]
    for i, s in enumerate(shifts):
        cannot_follow = "|".join(shifts[j] for j in range(i) if rng.random() < 0.3)
        lines.append(f"{s},{rng.choice([480, 600, 720])},{cannot_follow}")
    lines += ["", "SECTION_STAFF", "# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
                                   "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends"]
    for k in range(staff):
        allowed = [rng.random() < 0.3 for _ in shifts]
        allowed[rng.randrange(types)] = True
        max_shifts = "|".join(f"{s}={days if ok else 0}" for s, ok in zip(shifts, allowed))
        lines.append(f"{staff_id(k)},{max_shifts},{days * 480 * 5 // 7},{days * 480 * 3 // 7},"
                     f"{rng.choice([4, 5, 6])},{rng.choice([1, 2])},{rng.choice([1, 2])},{days // 14}")
    lines += ["", "SECTION_DAYS_OFF", "# EmployeeID, DayIndexes (start at zero)"]
    for k in range(staff):
        lines.append(staff_id(k) + "," + ",".join(str(d) for d in sorted(rng.sample(range(days), days // 30))))
    for section in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS"):
        lines += ["", section, "# EmployeeID, Day, ShiftID, Weight"]
        for _ in range(staff * days // 10):
            lines.append(f"{staff_id(rng.randrange(staff))},{rng.randrange(days)},{rng.choice(shifts)},"
                         f"{rng.randint(1, 3)}")
    lines += ["", "SECTION_COVER", "# Day, ShiftID, Requirement, Weight for under, Weight for over"]
    for d in range(days):
        for s in shifts:
            lines.append(f"{d},{s},{rng.randint(0, max(1, staff // types))},100,1")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.curtois_synthetic", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("staff", type=int)
    parser.add_argument("days", type=int)
    parser.add_argument("types", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if min(args.staff, args.days, args.types) < 1 or args.staff > 26 * 27:
        parser.error("staff (1-702), days and shift types must be positive")
    print(instance(args.staff, args.days, args.types, args.seed), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
