"""Search strategy: staged CP-SAT solves over one model.

CP-SAT's own portfolio is thin on 2 cores: one full-problem worker plus one
thread interleaving LNS. Small models go straight to the proof stage: the full
model with the redundant run-pattern flow and an LP-heavy worker (``max_lp``).
Larger ones (clinic months, benchmark instances with 20+ staff) are solved in
stages, each hinting the next with its best roster:

1. a constructed roster (``planner.construct``), or any roster of the lean
   model (no objective, no redundant flow); where people interact only
   through staffing needs, column generation (``planner.columns``) then
   spends ``pattern_share`` of the limit on a roster of coordinated
   whole-horizon patterns, and the LNS starts from that one (its Lagrangian
   bound joins the probe's below);
2. improvement to the end: fix-and-optimise LNS (``planner.lns``) on the full
   objective, with the lean model's LP bound computed beside it
   (``BoundProbe``); it stops early when a bound proves the roster optimal.

There is no coverage-only stage between them any more: a solve of the
staffing penalties alone for 10 % of the limit was measured against starting
the LNS at once, and the LNS alone did as well or better on Curtois 7-12 and
the clinic month (planner/README.md).

Shares of the time limit are ``SearchParams`` fields. See planner/README.md.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner import columns
from planner.lns import RunningSolves, fixed_except, lns, one_worker_lp, shift_cells
from planner.model import Model
from planner.rules.patterns import complete_flow_values


@dataclass
class SearchParams:
    """Knobs of the staged search (fractions of the time limit)."""

    staged_min_variables: int = 1200
    feasibility_share: float = 0.5  # a satisfaction solve stops at its first roster
    # A model below ``staged_min_variables`` whose full model (shifts plus flow
    # arcs) is above this size is solved on the lean model instead: the full
    # model's LP would not finish in a minute on 2 cores.
    proof_max_variables: int = 25_000
    # Seconds per LNS sub-solve: by default 1/120 of the time limit, so short
    # solves take many small steps, times sqrt(lean variables / 4000), so large
    # models, whose copy and presolve cost more per step, take longer ones
    # (0.46 s on Curtois 8, 0.9 s on Curtois 12 at a minute; 0.12 s on the
    # clinic month at 10 s, raised to the floor below, 0.24 s at 20 s).
    # Measurements in planner/README.md.
    lns_step_seconds: float | None = None
    lns_step_share: float = 1 / 120
    lns_step_reference_variables: int = 4000
    # Never shorter: a step's copy, load and presolve take a few hundredths of
    # a second, and on a slower machine 0.12 s steps left too little search
    # (clinic month at 10 s, 28 seeds: mean gap 0.64 % with 0.12 s steps, 0.49 %
    # with 0.2 s; planner/README.md).
    lns_step_min_seconds: float = 0.2
    # The lean model's LP bound, computed beside the LNS (BoundProbe): up to
    # half of a short limit, since the clinic month's LP needs about a second
    # (with 15 % of a 4 s repair, two of three sick-call repairs got no bound),
    # and on to ``probe_most_seconds`` (or that share) while its bound still
    # rises (``probe_finished``).
    probe_seconds: float = 2.0
    probe_share: float = 0.5
    probe_most_seconds: float = 5.0
    construct: bool = True  # start from a greedy roster (planner.construct)
    # Where people interact only through needs (planner.columns.separable), this
    # share of the limit goes to column generation, whose roster starts the LNS.
    pattern_share: float = 0.2
    # When the column generation ended with a dive (planner.dive), the LNS keeps
    # the dived templates as the dive left them for this share of the limit.
    dive_kept_share: float = 1 / 6
    # Above this many (estimated) shift variables the whole model is not built:
    # a constructed roster is improved by window sub-problems (planner.large).
    large_variables: int = 100_000
    full_subsolvers: list[str] = field(default_factory=lambda: ["max_lp"])


def configure(solver: cp_model.CpSolver, seconds: float, workers: int, seed: int,
              params: SearchParams | None = None, proof: bool = False) -> None:
    """Parameters for one stage (``proof``: the LP-heavy final stage)."""
    params = params or SearchParams()
    prm = solver.parameters
    prm.max_time_in_seconds = max(0.05, float(seconds))
    prm.num_workers = max(1, int(workers))
    prm.random_seed = int(seed)
    if proof and prm.num_workers >= 2 and params.full_subsolvers:
        prm.subsolvers.extend(params.full_subsolvers)


class Incumbent(cp_model.CpSolverSolutionCallback):
    """Best roster across stages; reports progress on the full objective."""

    def __init__(self, scale: int, on_progress, started: float, full: bool = True, roster_of=None) -> None:
        super().__init__()
        self.scale = scale
        self.on_progress = on_progress
        # roster_of(values) -> assignments; when set, every Progress carries its roster.
        self.roster_of = roster_of if on_progress is not None else None
        self.started = started
        self.full = full
        self.count = 0
        self.best: float | None = None
        self.bound: float = float("-inf")
        self.time_to_best: float | None = None
        self.stopped = False
        self._lock = threading.Lock()

    def on_solution_callback(self) -> None:
        if not self.full:
            return
        self.bound = max(self.bound, self.best_objective_bound)
        obj = self.objective_value
        if self.best is None or obj < self.best:
            self.report(obj, list(self.response_proto.solution) if self.roster_of is not None else None)
        if self.stopped:
            self.stop_search()

    def raise_bound(self, bound: float) -> None:
        """A lower bound found elsewhere (``BoundProbe``, ``planner.columns``); later
        progress reports carry it."""
        with self._lock:
            self.bound = max(self.bound, bound)

    def proven(self) -> bool:
        """Whether the best roster meets the best bound (it is optimal)."""
        return self.best is not None and self.bound >= self.best

    def report(self, obj: float, values=None) -> None:
        """Record an improving objective (internal units) and tell ``on_progress``;
        ``values`` is the roster behind it, in whatever form ``roster_of`` reads."""
        with self._lock:
            self._report(obj, values)

    def _report(self, obj: float, values) -> None:
        if self.best is not None and obj >= self.best:
            return
        self.count += 1
        self.best = obj
        elapsed = time.perf_counter() - self.started
        self.time_to_best = elapsed
        if self.on_progress is not None:
            from planner.result import Progress

            bound = self.bound / self.scale if self.bound > float("-inf") else None
            roster = self.roster_of(values) if self.roster_of is not None and values is not None else None
            if self.on_progress(Progress(obj / self.scale, bound, elapsed, roster)):
                self.stopped = True


class BoundProbe:
    """A one-worker, LP-heavy solve of the lean model beside the LNS, for its bound.

    On clinic months the lean model's LP (hourly needs, pay) is as tight as the
    full model's and settles in about half a second, while the proof stage may
    not finish its larger LP before a short time limit; the probe makes the
    gap known early and keeps it from depending on the last seconds. Its bound
    is valid for the full model (which only adds redundant constraints). It
    runs ``seconds``, or on to ``most_seconds`` while its bound still rises.
    """

    def __init__(self, lean: cp_model.CpModel, seconds: float, seed: int, cb: Incumbent,
                 most_seconds: float | None = None) -> None:
        self.model = lean.clone()  # the LNS re-hints ``lean`` while this runs
        self.model.clear_hints()
        self.cb = cb
        self.bound = float("-inf")
        self.values: list[int] | None = None
        self.optimal = False  # the probe solved the whole lean model: its values are best
        self.seconds = seconds
        self.solver = one_worker_lp(max(seconds, most_seconds or seconds), seed)
        self.solver.best_bound_callback = self._raised
        self._started = time.perf_counter()
        self._risen: float | None = None  # when the bound last rose by PROBE_RISE or more
        self._mark = float("-inf")
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _raised(self, bound: float) -> None:
        """Every rise of the bound reaches the next progress report at once."""
        self.cb.raise_bound(bound)
        if self._risen is None or bound >= self._mark + PROBE_RISE * max(1.0, abs(self._mark)):
            self._mark, self._risen = bound, time.perf_counter()

    def _watch(self) -> None:
        while not self._done.wait(0.05):
            since = None if self._risen is None else time.perf_counter() - self._risen
            if probe_finished(time.perf_counter() - self._started, self.seconds, since):
                self.solver.stop_search()
                return

    def _run(self) -> None:
        code = self.solver.solve(self.model)
        self._done.set()
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.values = list(self.solver.response_proto.solution)
            self.optimal = code == cp_model.OPTIMAL
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
            self.bound = self.solver.best_objective_bound
            self.cb.raise_bound(self.bound)

    def running(self) -> bool:
        """Whether the probe is still solving: the LNS may then step in one
        thread fewer, so that on two cores the probe and the LNS have one each
        instead of three busy threads sharing two (clinic month at 10 s, 40
        interleaved seeds: mean gap 0.29 % against 0.36 %, 2 above 0.5 %
        against 7; planner/README.md, fifteenth session)."""
        return not self._done.is_set()

    def finish(self) -> None:
        self.solver.stop_search()
        self._thread.join()


PROBE_RISE = 1e-3  # a relative rise of the probe's bound that counts as still rising
PROBE_STALL_SECONDS = 0.5  # past its time, the probe stops once its bound has not risen this long


def probe_finished(elapsed: float, seconds: float, since_rise: float | None) -> bool:
    """Whether the bound probe stops now: at ``seconds``, unless its bound has not
    risen yet (``since_rise`` None: the root LP is still being solved) or rose less
    than ``PROBE_STALL_SECONDS`` ago; the solver's own limit caps it.

    With a busy process on one core beside a 10 s clinic solve, a probe stopped at
    2 s left bounds up to 18 % low (the LP had not settled), so the gap missed
    whatever the roster; run on, it settled in 2.65-3.06 s (planner/README.md)."""
    return elapsed >= seconds and since_rise is not None and since_rise >= PROBE_STALL_SECONDS


def _hint_all(model: cp_model.CpModel, values) -> None:
    model.clear_hints()
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


def _run(model: cp_model.CpModel, seconds: float, workers: int, seed: int, params: SearchParams,
         cb: Incumbent | None, stop=None, proof: bool = False):
    solver = cp_model.CpSolver()
    configure(solver, seconds, workers, seed, params, proof)
    if stop is not None:
        code = stop.solve(solver, model, cb)
    else:
        code = solver.solve(model, cb) if cb is not None else solver.solve(model)
    return solver, code


def staged_solve(m: Model, time_limit: float, workers: int, seed: int, cb: Incumbent,
                 params: SearchParams | None = None, stop=None, hinted: bool = False):
    """Run the stages; returns (final solver or None, status code, best values or None)."""
    params = params or SearchParams()
    deadline = time.perf_counter() + time_limit
    left = lambda: deadline - time.perf_counter()  # noqa: E731
    best_values = greedy = least_short = None
    big = len(m.x) >= params.staged_min_variables
    # The lean model drops the redundant run-pattern flow: its extra arc variables
    # help the LP bound but slow down first rosters and LNS. Flow values are
    # completed from the work days before hinting the full model.
    lean = _without_flow(m)
    if hinted:
        # Start from the hinted roster itself (a published roster in a repair):
        # fix its shifts, solve the rest, and improve it with the LNS below.
        best_values = _hinted_start(m, lean, min(2.0, 0.3 * time_limit))
    if best_values is None and params.construct and not hinted and not _stopped(cb, stop):
        # A greedy roster in a fraction of a second (planner.construct), completed
        # by CP-SAT with its shifts fixed: the first roster the caller sees.
        best_values = _constructed_start(m, lean, seed, min(2.0, 0.2 * time_limit))
    if best_values is not None:
        _hint_all(lean, best_values)
        cb.report(objective_of(m, best_values), best_values)
    if (big and best_values is not None and not hinted and params.pattern_share > 0
            and columns.separable(m.p) and not _stopped(cb, stop)):
        # The LNS starts from the column-generation roster even when the
        # greedy one scores better: its patterns are coordinated across people
        # and the month, which the LNS rarely reaches (planner.columns).
        greedy = best_values
        patterned, least_short, dived = _pattern_values(m, lean, best_values,
                                                        params.pattern_share * time_limit, workers, seed,
                                                        cb, stop)
        best_values = patterned or best_values
        # (a dive over every template leaves the kept LNS nothing to move: Curtois 7)
        if (patterned is not None and dived and any(t not in dived for _, _, t in m.x)
                and not _stopped(cb, stop) and left() > 0.5):
            best_values = _keep_dived(m, lean, patterned, dived, time_limit, workers, seed, cb, params,
                                      stop, least_short, min(left() / 2, params.dive_kept_share * time_limit))
        if _stopped(cb, stop) or left() <= 0.5:
            best_values = _better(m, greedy, best_values)  # no time left for the LNS
    if best_values is None:  # any roster; a hint, if given, guides this search
        probe = lean.clone()
        probe.clear_objective()
        solver, code = _run(probe, max(0.2, params.feasibility_share * time_limit), workers, seed,
                            params, None, stop=stop)
        if code == cp_model.INFEASIBLE:
            return solver, code, None
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best_values = list(solver.response_proto.solution)
            _hint_all(lean, best_values)
            cb.report(objective_of(m, best_values), best_values)
    if big and best_values is not None and not _stopped(cb, stop) and left() > 0.5:
        # Large models: the LNS runs to the end and the bound comes from the
        # lean model's LP beside it (a proof stage on the full model was
        # slower to a good roster and gave weaker bounds on Curtois 7-12 and
        # the clinic month; measurements in planner/README.md).
        # The LNS gives the probe a core, except after column generation
        # (every Curtois instance), where it was not measured (BoundProbe.running).
        best_values, proven = _improve(m, lean, best_values, deadline, workers, seed, cb,
                                       params, stop, time_limit, give_probe_a_core=greedy is None,
                                       least_short=least_short)
        if greedy is not None and _better(m, greedy, best_values) is greedy:
            # the LNS from the pattern roster did not get below the greedy one in time
            best_values, proven = greedy, objective_of(m, greedy) <= cb.bound
        complete_flow_values(m, best_values)
        return None, cp_model.OPTIMAL if proven else cp_model.FEASIBLE, best_values
    final_model, proof = m.cp, True
    if not _provable(m, params):
        final_model, proof = lean, False
        if best_values is not None:
            _hint_all(lean, best_values)
    if best_values is not None and proof:
        if complete_flow_values(m, best_values):
            _hint_all(m.cp, best_values)
        else:
            best_values = None
    if _stopped(cb, stop):
        if best_values is not None:
            complete_flow_values(m, best_values)
        return None, cp_model.FEASIBLE if best_values else cp_model.UNKNOWN, best_values
    solver, code = _run(final_model, max(0.05, left()), workers, seed, params, cb, stop=stop,
                        proof=proof)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        final = list(solver.response_proto.solution)
        if best_values is None or objective_of(m, final) <= objective_of(m, best_values):
            best_values = final
    if best_values is not None:
        complete_flow_values(m, best_values)  # lean solutions extend to the full model
        if code == cp_model.UNKNOWN:
            code = cp_model.FEASIBLE
    return solver, code, best_values


def _improve(m: Model, lean: cp_model.CpModel, values, deadline: float, workers: int, seed: int,
             cb: Incumbent, params: SearchParams, stop, time_limit: float,
             give_probe_a_core: bool = False, least_short: int | None = None):
    """The LNS until ``deadline`` with a ``BoundProbe`` beside it: (best values, proven).

    The search stops early once the probe's bound meets the best roster (a
    repair with most cells pinned is often proven in a fraction of a second).
    """
    cb.report(objective_of(m, values), values)
    probe = BoundProbe(lean, min(params.probe_seconds, params.probe_share * time_limit), seed, cb,
                       min(params.probe_most_seconds, params.probe_share * time_limit))
    step = lns_step(len(lean.proto.variables), time_limit, params)
    try:
        values = lns(m, lean, values, deadline, workers, seed, cb.report,
                     lambda: _stopped(cb, stop) or probe.optimal or cb.proven(),
                     objective_of, step, probe.running if give_probe_a_core else None, least_short)
    finally:
        probe.finish()
    better = probe.values
    if better is not None and objective_of(m, better) < objective_of(m, values):
        values = better
        cb.report(objective_of(m, values), values)
    # The probe raises ``cb.bound`` itself, so one comparison covers every bound.
    return values, probe.optimal or objective_of(m, values) <= cb.bound


def lns_step(variables: int, time_limit: float, params: SearchParams) -> float:
    """Seconds per LNS sub-solve for a lean model of ``variables`` (see SearchParams)."""
    if params.lns_step_seconds:
        return params.lns_step_seconds
    scale = (variables / params.lns_step_reference_variables) ** 0.5
    return min(2.0, max(params.lns_step_min_seconds, params.lns_step_share * time_limit * scale))


def _provable(m: Model, params: SearchParams) -> bool:
    """Whether the full model is small enough for the proof stage."""
    return len(m.cp.proto.variables) <= params.proof_max_variables


def _hinted_start(m: Model, lean: cp_model.CpModel, seconds: float):
    """Complete values for the lean model from its (shift) hint, or None.

    First every shift is fixed to the hint. If that breaks a hard rule (the
    hinted roster has the absent person on duty for a hard need, say), the
    independent checker names the broken rules; the cells around them are
    freed (the person's fortnight, everyone on the day) and the rest stays
    fixed, so the completed roster stays close to the hint.
    """
    from planner.check import evaluate
    from planner.solve import roster_from

    started = time.perf_counter()
    hint = dict(zip(lean.proto.solution_hint.vars, lean.proto.solution_hint.values))
    if any(v.index not in hint for v in m.x.values()):
        return None
    values = [0] * len(lean.proto.variables)
    for v in m.x.values():
        values[v.index] = hint[v.index]
    done = _complete(m, lean, values, min(1.0, seconds))
    if done is not None:
        return done
    broken = evaluate(m.p, roster_from(m, values)).violations
    if not broken or any(b.staff is None and b.day is None for b in broken):
        return None
    free: set[tuple[int, int]] = set()
    h = m.p.num_days
    for b in broken:
        people = [m.s_index[b.staff]] if b.staff is not None else range(len(m.p.staff))
        days = range(h) if b.day is None else range(max(0, b.day - (7 if b.staff else 1)),
                                                   min(h, b.day + (8 if b.staff else 2)))
        free.update((e, d) for e in people for d in days)
    fixed = _shifts_fixed(lean, m, values, free)
    return _solve_alone(fixed, max(0.1, seconds - (time.perf_counter() - started)), optimal_only=False)


def _shifts_fixed(model: cp_model.CpModel, m: Model, values, free=frozenset()) -> cp_model.CpModel:
    """A copy of ``model`` with every shift variable fixed as in ``values``, except
    those of the (person, day) cells in ``free``; it keeps ``model``'s hint."""
    return fixed_except(model, shift_cells(m), values, free, hint=False)


def _solve_alone(model: cp_model.CpModel, seconds: float, optimal_only: bool = True):
    """One-thread solve of a small (mostly fixed) model: its values, or None."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    code = solver.solve(model)
    if code == cp_model.OPTIMAL or (code == cp_model.FEASIBLE and not optimal_only):
        return list(solver.response_proto.solution)
    return None


def _complete(m: Model, lean: cp_model.CpModel, values, seconds: float):
    """The least-objective values of ``lean`` with every shift fixed as in ``values``."""
    fixed = _shifts_fixed(lean, m, values)
    fixed.clear_hints()
    return _solve_alone(fixed, seconds)


def _constructed_start(m: Model, lean: cp_model.CpModel, seed: int, seconds: float):
    """Values of the lean model for a constructed roster (``planner.construct``), or None."""
    from planner.construct import construct

    deadline = time.perf_counter() + seconds
    roster = construct(m.p, seed=seed, deadline=deadline)
    if roster is None:
        return None
    on = {(m.s_index[a.staff], a.day, m.t_index[a.template]) for a in roster}
    values = [0] * len(lean.proto.variables)
    for key, v in m.x.items():
        if key in on:
            values[v.index] = 1
    if len(on) != sum(values):
        return None  # a cell without a variable (should not happen): let CP-SAT start
    return _complete(m, lean, values, max(0.2, deadline - time.perf_counter()))


def _pattern_values(m: Model, lean: cp_model.CpModel, values, seconds: float, workers: int,
                    seed: int, cb: Incumbent, stop):
    """The lean-model values of the column-generation roster started from
    ``values`` (``planner.columns``; None if there is none), the people its LP
    leaves short, rounded up, which the LNS takes for the least possible (None
    without an LP), and the templates its dive settled (``planner.dive``)."""
    started = time.perf_counter()
    found = columns.pattern_start(m, columns.roster_patterns(m, values), seconds, workers, seed,
                                  lambda: _stopped(cb, stop))
    if found is None:
        return None, None, frozenset()
    if found.bound is not None and math.isfinite(found.bound):
        # Objectives are whole internal units: the bound rounds up (after a
        # margin for GLOP's floating point).
        cb.raise_bound(math.ceil(found.bound - 1e-6 * max(1.0, abs(found.bound))))
    on = set().union(*found.patterns)
    chosen = [0] * len(lean.proto.variables)
    for key, v in m.x.items():
        if key in on:
            chosen[v.index] = 1
    done = _complete(m, lean, chosen, max(1.0, seconds - (time.perf_counter() - started)))
    if done is not None:
        cb.report(objective_of(m, done), done)
    return done, math.ceil(found.short - 1e-6), found.dived


def _keep_dived(m: Model, lean: cp_model.CpModel, values, dived: frozenset, time_limit: float,
                workers: int, seed: int, cb: Incumbent, params: SearchParams, stop,
                least_short: int | None, seconds: float):
    """The LNS for ``seconds`` with every cell of the ``dived`` templates kept as in
    ``values`` (planner.dive): on Curtois 8 the free LNS from the dive's roster
    re-planned the nights it had settled."""
    kept = {(e, d, t): [v.index] for (e, d, t), v in m.x.items() if t in dived}
    model = fixed_except(lean, kept, values, hint=True)
    step = lns_step(len(lean.proto.variables), time_limit, params)
    return lns(m, model, values, time.perf_counter() + seconds, workers, seed, cb.report,
               lambda: _stopped(cb, stop) or cb.proven(), objective_of, step, None, least_short)


def _better(m: Model, first, second):
    """The values of lower objective (``first`` on a tie)."""
    return first if objective_of(m, first) <= objective_of(m, second) else second


def _without_flow(m: Model) -> cp_model.CpModel:
    return m.lean.clone()


def polish(m: Model, values, seconds: float = 5.0):
    """Tighten the slack variables of a roster: same shifts, least objective.

    Intermediate CP-SAT solutions may leave a lower-bounded slack (people over
    a need, overtime minutes) above its least value; with every shift fixed the
    rest is solved at once, so the reported objective is the roster's own.
    """
    fixed = _shifts_fixed(m.cp, m, values)
    _hint_all(fixed, values)
    return _solve_alone(fixed, seconds) or values


def objective_of(m: Model, values) -> int:
    """Objective of a full assignment, in internal units."""
    o = m.cp.proto.objective
    return sum(c * values[v] for v, c in zip(o.vars, o.coeffs)) + int(o.offset)


class StopSignal(RunningSolves):
    """Relays a ``threading.Event`` (the UI's Stop button) to whichever solver runs
    through it, from construction until ``close()``."""

    def __init__(self, event) -> None:
        super().__init__(event.is_set)
        self.event = event
        self.__enter__()

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def close(self) -> None:
        self.__exit__(None, None, None)


def _stopped(cb: Incumbent, stop) -> bool:
    return cb.stopped or (stop is not None and stop.requested)
