"""5. Poll schedule: a simulation of `wait`'s default schedule over run lengths 0.2-600 s, how the
default was chosen, and why no blind schedule can meet the waiting goal.

The model is `run_and_wait`: the run is accepted at t = 0; the first poll goes out one round trip
later (`FIRST_POLL` = 0.1 s, a real round trip to PromptLayer; on loopback it is ~1 ms); each next
poll follows after `poll_delay(...)` (the facade's own function, jitter included). A run of length
L is seen at the first poll at or after L: its *delay fraction* is (that poll - L) / L, and its
*requests* are the polls made until then. The baseline is a fixed 1 s poller started the same way.

Figures, never pass/fail; no sockets, no sleeping: it runs in well under a second per schedule.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from promptlayer_agents import PollPolicy
from promptlayer_agents._polling import poll_delay

from .common import Sizes, table

FIRST_POLL = 0.1
"""Seconds from starting the run to the first poll: a real round trip."""
MIX = (0.2, 30.0)
"""The goal's mix: run lengths log-uniform between these, in seconds."""
GOAL_P95 = 0.25
"""The goal: 95 % of runs in the mix are seen within this fraction of their length."""
CURVE = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
FIXED = PollPolicy(initial=1.0, maximum=1.0, multiplier=1.0, jitter=0.0)
PREVIOUS = PollPolicy(initial=0.25, maximum=3.0, multiplier=1.5, jitter=0.1)
"""The default before this simulation chose the current one."""


@dataclass(frozen=True)
class Outcome:
    """One run seen by one schedule."""

    fraction: float
    requests: int


def seen(policy: PollPolicy, length: float, rng: random.Random) -> Outcome:
    """When `policy` sees a run of `length` seconds end, and after how many polls."""
    at, polls = FIRST_POLL, 1
    while at < length:
        at += poll_delay(policy, polls - 1, retry_after=None, random=rng.random())
        polls += 1
    return Outcome((at - length) / length, polls)


def mix(samples: int, seed: int = 14) -> list[float]:
    """Run lengths, log-uniform over MIX, the same for every schedule (common random numbers)."""
    rng = random.Random(seed)
    low, high = (math.log(x) for x in MIX)
    return [math.exp(rng.uniform(low, high)) for _ in range(samples)]


@dataclass(frozen=True)
class Score:
    """A schedule over the mix: median and p95 delay fraction, requests per run against FIXED."""

    policy: PollPolicy
    median: float
    p95: float
    requests: float
    request_ratio: float


def score(policy: PollPolicy, lengths: Sequence[float], fixed_requests: float) -> Score:
    """`policy` over every run of the mix."""
    rng = random.Random(1)
    outcomes = [seen(policy, length, rng) for length in lengths]
    fractions = sorted(o.fraction for o in outcomes)
    requests = statistics.fmean(o.requests for o in outcomes)
    return Score(
        policy,
        statistics.median(fractions),
        fractions[int(0.95 * (len(fractions) - 1))],
        requests,
        requests / fixed_requests,
    )


def fixed_requests(lengths: Sequence[float]) -> float:
    """Requests per run of the fixed 1 s poller over the mix."""
    rng = random.Random(1)
    return statistics.fmean(seen(FIXED, length, rng).requests for length in lengths)


def candidates() -> list[PollPolicy]:
    """The geometric schedules searched: first pause, multiplier, cap (jitter stays 10 %)."""
    return [
        PollPolicy(initial=initial, maximum=maximum, multiplier=multiplier, jitter=0.1)
        for initial in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0)
        for multiplier in (1.0, 1.1, 1.2, 1.25, 1.3, 1.4, 1.5, 1.75, 2.0)
        for maximum in (1.0, 2.0, 3.0, 5.0, 10.0)
        if initial <= maximum
    ]


def lower_bound_requests(goal: float = GOAL_P95) -> float:
    """The fewest requests per run ANY schedule (not just geometric ones) needs to see 95 % of the
    mix within `goal` of their length; the 5 % left unseen are best the shortest runs.

    A poll at t sees in time only runs of length in [t / (1 + goal), t]: a 1/ln(1 + goal) share of
    a log-unit. Cheapest is to cover the range top down with polls at 30/(1+goal)^k, leaving the
    shortest 5 % uncovered; a run of length L then pays for every poll before L, plus the one that
    sees it. With u = ln(L / start) uniform on [0, W]: E[polls] = 1 + E[max(0, u)] / ln(1 + goal).
    """
    low, high = (math.log(x) for x in MIX)
    width = high - low
    start = 0.05 * width
    mean_excess = (width - start) ** 2 / (2 * width)
    return 1 + mean_excess / math.log(1 + goal)


def curve(policy: PollPolicy, repeats: int) -> list[list[object]]:
    """Delay fraction (median, p95 over jitter and phase) and requests at each run length."""
    rng = random.Random(2)
    rows: list[list[object]] = []
    for centre in CURVE:
        ours = [seen(policy, centre * rng.uniform(0.95, 1.05), rng) for _ in range(repeats)]
        fixed = [seen(FIXED, centre * rng.uniform(0.95, 1.05), rng) for _ in range(repeats)]
        rows.append(
            [
                f"{centre:g} s",
                _fractions(ours),
                f"{statistics.median(o.requests for o in ours):g}",
                _fractions(fixed),
                f"{statistics.median(o.requests for o in fixed):g}",
            ]
        )
    return rows


def _fractions(outcomes: Sequence[Outcome]) -> str:
    ordered = sorted(o.fraction for o in outcomes)
    return f"{statistics.median(ordered):.2f} / {ordered[int(0.95 * (len(ordered) - 1))]:.2f}"


def _name(policy: PollPolicy) -> str:
    return f"{policy.initial:g} s x{policy.multiplier:g} <= {policy.maximum:g} s"


def run(sizes: Sizes) -> None:
    """The search, the frontier, the bound, and the default's curve against the 1 s poller."""
    lengths = mix(sizes.schedule_samples)
    baseline = fixed_requests(lengths)
    scores = [score(policy, lengths, baseline) for policy in candidates()]
    default = score(PollPolicy(), lengths, baseline)
    previous = score(PREVIOUS, lengths, baseline)
    affordable = [s for s in scores if s.request_ratio <= 1.0]
    best = sorted(affordable, key=lambda s: (s.p95, s.requests))[:5]
    meets = sorted((s for s in scores if s.p95 <= GOAL_P95), key=lambda s: s.requests)[:3]
    rows = [
        [label, _name(s.policy), f"{s.median:.3f}", f"{s.p95:.3f}", f"{s.request_ratio:.2f}"]
        for label, group in (
            ("default", [default]),
            ("previous default", [previous]),
            ("best within 1 s poller's requests", best),
            ("cheapest meeting p95 <= 25 %", meets),
        )
        for s in group
    ]
    table(
        f"5. Poll schedule, simulated over {len(lengths)} runs log-uniform {MIX[0]:g}-{MIX[1]:g} s "
        f"(first poll at {FIRST_POLL:g} s); delay as a fraction of the run; requests against a "
        f"fixed 1 s poller ({baseline:.2f} per run); {len(scores)} geometric schedules searched",
        ["", "schedule", "median delay", "p95 delay", "requests ratio"],
        rows,
    )
    bound = lower_bound_requests()
    print(
        f"  fewest requests any schedule needs for p95 <= {GOAL_P95:.0%}: {bound:.2f} per run "
        f"= {bound / baseline:.2f}x the 1 s poller"
    )
    table(
        f"5b. The default ({_name(PollPolicy())}, jitter {PollPolicy().jitter:g}) by run length: "
        "delay fraction median / p95, and requests (median)",
        ["run length", "default delay", "default requests", "1 s poller delay", "1 s requests"],
        curve(PollPolicy(), sizes.schedule_repeats),
    )
