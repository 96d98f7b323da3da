"""The redundant run-pattern flow accepts exactly the sequences the checker accepts."""

from itertools import product

import pytest

from planner.check import evaluate
from planner.domain import Assignment
from planner.rules import names
from planner.rules.patterns import run_automaton

from roster_helpers import person, score_fixed, tiny

RUN_RULES = {names.MAX_CONSECUTIVE, names.MIN_CONSECUTIVE, names.MIN_DAYS_OFF}


def accepts(start, trans, bits) -> bool:
    state = start
    for b in bits:
        nxt = [s for label, s in trans[state] if label == b]
        if not nxt:
            return False
        state = nxt[0]
    return True


@pytest.mark.parametrize("max_cons,min_cons,min_off", [(3, 2, 2), (None, 3, 1), (2, 1, 3)])
def test_run_automaton_matches_the_checker_on_every_sequence(max_cons, min_cons, min_off):
    h = 9
    kim = person("kim", max_consecutive_days=max_cons, min_consecutive_days=min_cons,
                 min_consecutive_days_off=min_off)
    p = tiny(num_days=h, staff=[kim])
    start, trans = run_automaton(max_cons, min_cons, min_off, h)
    for bits in product((0, 1), repeat=h):
        roster = [Assignment("kim", d, "D") for d, b in enumerate(bits) if b]
        ok = not [v for v in evaluate(p, roster).violations if v.rule in RUN_RULES]
        assert accepts(start, trans, bits) == ok, bits


def test_run_pattern_flow_keeps_weekend_limit_and_runs_in_the_model():
    kim = person("kim", max_weekends=1, min_consecutive_days=2, max_consecutive_days=4)
    p = tiny(num_days=14, staff=[kim])
    assert score_fixed(p, [("kim", d, "D") for d in (4, 5, 6, 7)])[0] == "optimal"
    assert score_fixed(p, [("kim", d, "D") for d in (5, 6, 12, 13)])[0] == "infeasible"
    assert score_fixed(p, [("kim", d, "D") for d in (1, 2, 3, 4, 5)])[0] == "infeasible"
