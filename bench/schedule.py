"""5. Poll schedule: a simulation of `wait`'s default schedule over run lengths 0.2-600 s, against
a plain 1 s poller, the targets it is held to, and the search that chose it.

The model is `run_and_wait`: the run is accepted at t = 0; the first poll goes out one round trip
later (`FIRST_POLL` = 0.1 s, a real round trip to PromptLayer; on loopback it is ~1 ms); each next
poll follows after `poll_delay(...)` (the facade's own function, jitter included), with the time
waited counted from the first poll, as `wait` counts it. A run of length L is seen at the first
poll at or after L: its *delay* is that poll's time - L, and its *requests* are the polls made
until then. Each run length is sampled within +-5 % (so that the phase of the polls varies), the
same lengths for every schedule, from a seeded generator: the figures are the same on every run.

Figures, never pass/fail (tests/unit/test_poll_schedule.py holds the default to `target`); no
sockets, no sleeping.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from promptlayer_agents import PollPolicy
from promptlayer_agents._polling import poll_delay

from .common import Sizes, table

FIRST_POLL = 0.1
"""Seconds from starting the run to the first poll: a real round trip."""
CURVE = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
"""The run lengths the targets are checked at, in seconds."""
BETWEEN = tuple(round(math.sqrt(a * b), 2) for a, b in itertools.pairwise(CURVE))
"""Lengths halfway between those on a log scale, where the search checks the targets too, so
that it does not pick a schedule that only meets them at the lengths listed."""
FIXED = PollPolicy(initial=1.0, maximum=1.0, multiplier=1.0, jitter=0.0, stretch=0.0)
"""The baseline: the loop a user would write, one poll a second."""
PREVIOUS = PollPolicy(initial=0.2, maximum=5.0, multiplier=1.4, jitter=0.1, stretch=0.0)
"""The default before this one (chosen for sub-second runs, slow on 2-120 s ones)."""


@dataclass(frozen=True)
class Outcome:
    """One run seen by one schedule."""

    length: float
    delay: float
    requests: int


def seen(policy: PollPolicy, length: float, rng: random.Random) -> Outcome:
    """When `policy` sees a run of `length` seconds end, and after how many polls."""
    at, polls = FIRST_POLL, 1
    while at < length:
        waited = at - FIRST_POLL
        at += poll_delay(policy, polls - 1, waited=waited, retry_after=None, random=rng.random())
        polls += 1
    return Outcome(length, at - length, polls)


@dataclass(frozen=True)
class Figures:
    """A schedule on runs of about one length: delay after the run ended (median, p95, in
    seconds; p95 also as a fraction of the run) and requests per run (median)."""

    length: float
    median: float
    p95: float
    p95_fraction: float
    requests: float


def figures(policy: PollPolicy, length: float, repeats: int) -> Figures:
    """`policy` on `repeats` runs of `length` +-5 %: the same runs and jitter for every policy."""
    lengths = random.Random(f"lengths {length}")
    jitter = random.Random(f"jitter {length}")
    outcomes = [seen(policy, length * lengths.uniform(0.95, 1.05), jitter) for _ in range(repeats)]
    delays = sorted(o.delay for o in outcomes)
    fractions = sorted(o.delay / o.length for o in outcomes)
    return Figures(
        length,
        statistics.median(delays),
        _p95(delays),
        _p95(fractions),
        statistics.median(o.requests for o in outcomes),
    )


def _p95(ordered: Sequence[float]) -> float:
    return ordered[int(0.95 * (len(ordered) - 1))]


@dataclass(frozen=True)
class Target:
    """What a schedule must do on runs of one length, against the 1 s poller's requests."""

    median: float | None  # seconds, or no bound
    p95: float  # seconds ...
    p95_fraction: float | None  # ... or, if this is met, this fraction of the run
    requests: float  # at most this many (median)


def target(length: float, fixed_requests: float) -> Target:
    """The targets: under 1 s, seen fast and cheaply; 1-60 s, as soon as a 1 s poller, for at
    most 5 more requests; beyond 60 s, within 3 % of the run for fewer requests than the 1 s
    poller (a quarter of them from 600 s on)."""
    if length < 1:
        return Target(median=0.15, p95=0.3, p95_fraction=None, requests=7)
    if length <= 60:
        return Target(median=0.6, p95=1.1, p95_fraction=None, requests=fixed_requests + 5)
    fewer = fixed_requests / 4 if length >= 600 else fixed_requests - 1  # at least one fewer
    return Target(median=None, p95=1.1, p95_fraction=0.03, requests=fewer)


def missed(ours: Figures, fixed: Figures) -> list[str]:
    """The targets `ours` misses at its run length (none: an empty list)."""
    goal = target(ours.length, fixed.requests)
    misses = []
    if goal.median is not None and ours.median > goal.median:
        misses.append(f"median {ours.median:.2f} s > {goal.median:g} s")
    fraction_met = goal.p95_fraction is not None and ours.p95_fraction <= goal.p95_fraction
    if ours.p95 > goal.p95 and not fraction_met:
        misses.append(f"p95 {ours.p95:.2f} s > {goal.p95:g} s")
    if ours.requests > goal.requests:
        misses.append(f"requests {ours.requests:g} > {goal.requests:g}")
    return misses


def curve(
    policy: PollPolicy, repeats: int, lengths: Sequence[float] = CURVE
) -> list[tuple[Figures, Figures]]:
    """`policy` and the 1 s poller at every length of `lengths`."""
    return [(figures(policy, x, repeats), figures(FIXED, x, repeats)) for x in lengths]


def candidates() -> list[PollPolicy]:
    """The schedules searched: ramp (first pause, multiplier), plateau, when and how much the
    pauses stretch with the time waited (jitter stays 10 %)."""
    return [
        PollPolicy(
            initial=initial,
            multiplier=multiplier,
            maximum=maximum,
            stretch_after=after,
            stretch=stretch,
            jitter=0.1,
        )
        for initial in (0.05, 0.1, 0.15)
        for multiplier in (1.3, 1.5, 2.0)
        for maximum in (1.0,)
        for after in (60.0, 65.0, 80.0)
        for stretch in (0.025, 0.03, 0.035)
    ]


@dataclass(frozen=True)
class Score:
    """A schedule over every length: targets missed, and its cost and delay summed over them."""

    policy: PollPolicy
    misses: int  # at the lengths of CURVE
    misses_between: int  # at those of BETWEEN
    requests: float  # summed over CURVE
    p95: float  # summed over CURVE


def score(policy: PollPolicy, baseline: dict[float, Figures], repeats: int) -> Score:
    """`policy` against the targets at every length of CURVE and BETWEEN."""
    ours = {length: figures(policy, length, repeats) for length in baseline}
    misses = {length: len(missed(ours[length], baseline[length])) for length in baseline}
    return Score(
        policy,
        sum(misses[length] for length in CURVE),
        sum(misses[length] for length in BETWEEN),
        sum(ours[length].requests for length in CURVE),
        sum(ours[length].p95 for length in CURVE),
    )


def name(policy: PollPolicy) -> str:
    """A schedule in one line."""
    text = f"{policy.initial:g} s x{policy.multiplier:g} <= {policy.maximum:g} s"
    if policy.stretch:
        text += f", {policy.stretch:.1%} of the time waited after {policy.stretch_after:g} s"
    return text


def _row(label: str, s: Score) -> list[object]:
    return [label, name(s.policy), s.misses, s.misses_between, f"{s.requests:g}", f"{s.p95:.2f}"]


def run(sizes: Sizes) -> None:
    """The search, then the default's curve against the 1 s poller and the previous default."""
    search = sizes.schedule_search
    baseline = {length: figures(FIXED, length, search) for length in CURVE + BETWEEN}
    scores = [score(policy, baseline, search) for policy in candidates()]
    best = sorted(scores, key=lambda s: (s.misses + s.misses_between, s.requests, s.p95))[:5]
    table(
        f"5. Poll schedule, simulated at run lengths {', '.join(f'{x:g}' for x in CURVE)} s "
        f"and between them ({', '.join(f'{x:g}' for x in BETWEEN)} s), +-5 %, {search} runs "
        f"each, first poll at {FIRST_POLL:g} s: targets missed, requests and p95 delay summed "
        f"over the listed lengths; {len(scores)} schedules searched",
        ["", "schedule", "missed", "missed between", "requests", "p95 delay s"],
        [_row("default", score(PollPolicy(), baseline, search))]
        + [_row("previous default", score(PREVIOUS, baseline, search))]
        + [_row("1 s poller", score(FIXED, baseline, search))]
        + [_row("best searched", s) for s in best],
    )
    lengths = sorted(CURVE + BETWEEN)
    previous = {x: figures(PREVIOUS, x, sizes.schedule_repeats) for x in lengths}
    rows = [
        [
            f"{ours.length:g} s" + ("" if ours.length in CURVE else " (between)"),
            f"{ours.median:.2f} / {ours.p95:.2f}",
            f"{ours.requests:g}",
            f"{fixed.median:.2f} / {fixed.p95:.2f}",
            f"{fixed.requests:g}",
            f"{previous[ours.length].median:.2f} / {previous[ours.length].p95:.2f}",
            f"{previous[ours.length].requests:g}",
            "; ".join(missed(ours, fixed)) or "met",
        ]
        for ours, fixed in curve(PollPolicy(), sizes.schedule_repeats, lengths)
    ]
    table(
        f"5b. The default ({name(PollPolicy())}, jitter {PollPolicy().jitter:g}) by run length, "
        f"{sizes.schedule_repeats} runs each: delay after the run ended, median / p95 s, and "
        "requests (median), next to the 1 s poller and the previous default",
        ["run", "default", "requests", "1 s poller", "requests", "previous", "requests", "targets"],
        rows,
    )
    table(
        "5c. The default's pauses: the pause after the poll at time waited t (no jitter)",
        ["time waited s", "pause s"],
        [[f"{t:g}", f"{pause:.3g}"] for t, pause in pauses(replace(PollPolicy(), jitter=0.0))],
    )


def pauses(policy: PollPolicy, until: float = 600.0) -> list[tuple[float, float]]:
    """The schedule's curve: (time waited, pause) at each poll of the ramp, then at about every
    doubling of the time waited."""
    points: list[tuple[float, float]] = []
    waited, polls, shown = 0.0, 0, 0.0
    while waited <= until:
        pause = poll_delay(policy, polls, waited=waited, retry_after=None, random=0.5)
        if pause < policy.maximum or waited >= shown:
            points.append((round(waited, 3), pause))
            shown = 2 * max(waited, 1.0)
        waited += pause
        polls += 1
    return points
