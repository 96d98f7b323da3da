"""Where the Curtois & Qu instances are (beside the project, never copied into it), and the mark
that skips a test without them."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / ".." / "shared" / "bench-data" / "curtois"
INSTANCES = BENCH / "instances"

needs_bench = pytest.mark.skipif(not (INSTANCES / "Instance1.txt").exists(),
                                 reason=f"benchmark data not found at {BENCH}")
