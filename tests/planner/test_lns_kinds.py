"""Adaptive shares of the LNS neighbourhood kinds (planner.lns.KindWeights)."""

import random

import pytest

from planner.lns import KINDS, KindWeights


def test_shares_start_at_the_base_shares():
    assert KindWeights().shares() == pytest.approx(dict(KINDS))


def test_a_kind_that_improves_quickly_gains_share_over_one_that_fails_slowly():
    w = KindWeights(base=(("need", 0.5), ("days", 0.5)), rate=0.5, floor=0.1)
    w.reward("need", True, 0.1)   # success 0.75 over 0.1 s: 7.5 per second
    w.reward("days", False, 0.3)  # success 0.25 over 0.2 s: 1.25 per second
    assert w.shares() == pytest.approx({"need": 0.5, "days": 0.5 * 1.25 / 7.5})


def test_a_kind_that_never_improves_keeps_its_floor_share():
    w = KindWeights(base=(("need", 0.6), ("staff", 0.4)), rate=0.5, floor=0.1)
    for _ in range(40):
        w.reward("need", True, 0.1)
        w.reward("staff", False, 0.1)
    assert w.shares() == pytest.approx({"need": 0.6, "staff": 0.04})
    rng = random.Random(0)
    drawn = [w.choose(rng) for _ in range(2000)]
    assert 0.03 < drawn.count("staff") / len(drawn) < 0.09  # 0.04 / 0.64 = 0.0625


def test_a_kind_outside_the_base_is_ignored():
    w = KindWeights()
    w.reward("flow", True, 0.1)
    assert w.shares() == pytest.approx(dict(KINDS))
