"""The dive's steps (planner.dive) on a scripted master: a fixing that leaves more
people short is undone and its cell barred, and the dive gives up when the bar
does too; a dive that ends high is run again from the start and the lower end
kept."""

import pytest

import planner.dive
from planner.dive import dive


class _Var:
    def __init__(self) -> None:
        self.ub, self.x = float("inf"), 0.0

    def solution_value(self) -> float:
        return self.x

    def SetUb(self, ub: float) -> None:  # noqa: N802 (pywraplp's name)
        self.ub = ub


class _Lp:
    def infinity(self) -> float:
        return float("inf")


class _Objective:
    def GetCoefficient(self, var) -> float:  # noqa: N802
        return 100.0


class _Master:
    """One person, one night template, two days, one person needed a night: the
    'LP' spreads the person evenly over the patterns still open and takes the
    people short from ``short()`` of the person's fixings."""

    def __init__(self, person, short) -> None:
        self.columns = [[(frozenset({(0, 0, 0)}), _Var()), (frozenset({(0, 1, 0)}), _Var())]]
        self.understaffing = [_Var()]
        self.lp, self.objective, self.person, self.rule = _Lp(), _Objective(), person, short
        self.settle()

    def settle(self):
        open_ = [var for _, var in self.columns[0] if var.ub > 0]
        for _, var in self.columns[0]:
            var.x = 1 / len(open_) if var.ub > 0 else 0.0
        self.understaffing[0].x = self.rule(self.person)
        return 100.0 * self.understaffing[0].x, {}

    def short_templates(self):
        return {0}

    def short(self) -> float:
        return self.understaffing[0].x

    def add(self, e, work, cost) -> None:
        pass  # both patterns are in from the start

    def heaviest(self):
        return [max(self.columns[0], key=lambda wv: wv[1].x)[0]]


class _Person:
    e, exact = 0, object()

    def __init__(self) -> None:
        self.on, self.off = {}, frozenset()

    def fix(self, on, off=frozenset()) -> bool:
        self.on, self.off = dict(on), off
        return True

    def price(self, group, prices):
        works = [frozenset({(0, 0, 0)}), frozenset({(0, 1, 0)})]
        return [([(w, 0) for w in works if all((0, d, t) in w for d, t in self.on.items())
                  and not any((0, d, t) in w for d, t in self.off)], 0.0)]


def test_the_dive_bars_a_cell_whose_fixing_left_more_people_short_and_ends_whole(monkeypatch):
    """Kim's two nights at one half each, 0.5 short (1 rounded up): fixing night 1
    leaves 1.5 short, so it is undone and barred (the other branch), which
    leaves her night 0 whole: the pattern the dive ends with."""
    monkeypatch.setattr(planner.dive, "PICK", 1)
    kim = _Person()
    master = _Master(kim, lambda who: 1.5 if who.on else 0.5)
    found = dive(master, [kim], kim.price, master.settle, scale=1)
    assert found == ([frozenset({(0, 0, 0)})], {0})
    assert kim.on == {} and kim.off == frozenset({(1, 0)})


def test_the_dive_gives_up_when_both_branches_leave_more_people_short(monkeypatch):
    monkeypatch.setattr(planner.dive, "PICK", 1)
    kim = _Person()
    master = _Master(kim, lambda who: 1.5 if who.on or who.off else 0.5)
    assert dive(master, [kim], kim.price, master.settle, scale=1) is None


def _dives_scripted(monkeypatch, ends: dict[float, float]):
    """Run ``dive`` over dives that end at the LP value ``ends[sure]`` from 1000:
    (what it returned, each dive's threshold and whether it found the master
    and people free of fixings and bars)."""
    seen = []

    def one(master, people, price, settle, scale, targets, short0, sure):
        free = all(var.ub == float("inf") for _, var in master.columns[0]) and not people[0].on
        seen.append((sure, free))
        people[0].fix({0: 0})
        master.columns[0][1][1].SetUb(0)
        return planner.dive.Dived([frozenset({("dive", sure)})], 1000.0, ends[sure])

    monkeypatch.setattr(planner.dive, "_dive", one)
    kim = _Person()
    master = _Master(kim, lambda who: 0.5)
    return dive(master, [kim], kim.price, master.settle, scale=1), seen


def test_a_dive_ending_over_three_quarters_of_1_percent_up_is_redone_from_the_start_and_the_lower_kept(monkeypatch):
    found, seen = _dives_scripted(monkeypatch, {0.9: 1008.0, 0.8: 1004.0})
    assert found == ([frozenset({("dive", 0.8)})], {0})
    assert seen == [(0.9, True), (0.8, True)]  # the second dive started with nothing fixed or barred


@pytest.mark.parametrize("ends, dives", [
    ({0.9: 1008.0, 0.8: 1008.0}, [0.9, 0.8]),  # the second ends no lower
    ({0.9: 1007.5, 0.8: 1000.0}, [0.9]),  # within 0.75 %: no second dive
])
def test_the_first_dive_is_kept_unless_a_second_after_a_high_first_ends_lower(monkeypatch, ends, dives):
    found, seen = _dives_scripted(monkeypatch, ends)
    assert found == ([frozenset({("dive", 0.9)})], {0})
    assert [sure for sure, _ in seen] == dives
