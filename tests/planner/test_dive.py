"""The dive after the column generation (planner.dive) on Curtois 9, whose LP
leaves 3.67 people short, all of them on nights in good rosters: the dive
settles the nights, so that the heaviest patterns leave no more nights short
than the LP's count rounded up; without it they leave many more."""

from planner import columns, curtois
from planner.build import build_model
from planner.columns import pattern_start, roster_patterns
from planner.search import _constructed_start, _without_flow

from bench_data import INSTANCES, needs_bench


def _nights_short(p, patterns) -> int:
    night = [t.id for t in p.templates].index("N")
    worked = set().union(*patterns)
    return sum(max(0, c.required - sum(1 for e in range(len(p.staff)) if (e, c.day, night) in worked))
               for c in p.shift_covers if c.template == "N")


@needs_bench
def test_the_dive_settles_curtois_9s_nights_at_the_lps_shortfall_rounded_up(monkeypatch):
    p = curtois.load(INSTANCES / "Instance9.txt")
    m = build_model(p)
    start = roster_patterns(m, _constructed_start(m, _without_flow(m), 0, 2.0))
    found = pattern_start(m, start, seconds=12, workers=2, seed=0)
    assert found.converged and abs(found.short - 11 / 3) < 1e-6
    assert found.dived == {[t.id for t in p.templates].index("N")}
    assert _nights_short(p, found.patterns) <= 4
    monkeypatch.setattr(columns, "DIVE_MOST_SHARE", 0)
    plain = pattern_start(m, start, seconds=12, workers=2, seed=0)
    assert plain.dived == frozenset() and _nights_short(p, plain.patterns) > 4
