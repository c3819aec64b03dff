"""The default poll schedule's shape, pinned on the fake clock so that a later change cannot
silently slow typical runs down: a fast ramp in the first second, then about one poll a second up
to a minute, then pauses of about 3 % of the time waited. And its targets, on the simulation in
bench/schedule.py, at every run length listed there."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa
from bench import schedule
from promptlayer_agents._polling import poll_delay

from ..fakes import FakeClock, Make, node, reply

RUNNING = {"Answer": node("RUNNING", output=True)}
FINISHED = {"Answer": node("SUCCESS", "42", output=True)}
JITTER_EXTREMES = [0.0, 0.5, 0.999999]


def waited_and_pauses(sleeps: list[float]) -> list[tuple[float, float]]:
    """(time waited when the pause began, the pause), from a fake clock's sleeps."""
    starts = itertools.accumulate(sleeps, initial=0.0)
    return list(zip(starts, sleeps, strict=False))


def wait_out(harness: Make, clock: FakeClock, seconds: float) -> list[tuple[float, float]]:
    """The pauses of a default wait on a run that never ends, until its deadline."""
    h = harness(default=reply(202, RUNNING))
    with pytest.raises(pa.WaitTimeoutError):
        h.wait(787, timeout=seconds)
    assert clock.now == pytest.approx(seconds)  # the deadline holds
    return waited_and_pauses(clock.sleeps)[:-1]  # the last pause is cut short by the deadline


@pytest.mark.parametrize("random", JITTER_EXTREMES)
def test_the_first_second_is_a_fast_ramp(harness: Make, clock: FakeClock, random: float) -> None:
    clock._random = random
    pauses = [p for waited, p in wait_out(harness, clock, 5.0) if waited < 1.0]

    assert len(pauses) >= 5  # a sub-second run is seen within a fraction of its length
    assert len(pauses) <= 6  # ... for at most 7 requests
    assert pauses[0] <= 0.11
    assert pauses == sorted(pauses)
    assert all(p <= 0.56 for p in pauses)


@pytest.mark.parametrize("random", JITTER_EXTREMES)
def test_up_to_a_minute_the_pause_is_at_most_about_a_second(
    harness: Make, clock: FakeClock, random: float
) -> None:
    clock._random = random
    pauses = wait_out(harness, clock, 64.0)

    assert max(p for _, p in pauses) <= 1.1  # 1 s, +10 % jitter: as soon as a 1 s poller
    assert all(p >= 0.89 for waited, p in pauses if waited >= 3.0)  # nor more often


@pytest.mark.parametrize("random", JITTER_EXTREMES)
def test_a_long_wait_pauses_about_three_percent_of_the_time_waited(
    harness: Make, clock: FakeClock, random: float
) -> None:
    clock._random = random
    pauses = wait_out(harness, clock, 600.0)

    late = [(waited, p) for waited, p in pauses if waited >= 70.0]
    assert late
    assert all(0.0265 <= p / waited <= 0.0335 for waited, p in late)  # 3 % +- jitter


def test_requests_stay_close_to_a_1_s_pollers_for_a_minute_and_far_below_after(
    harness: Make, clock: FakeClock
) -> None:
    """With the jitter at its mean: a 1 s poller polls at once and then every second."""
    pauses = wait_out(harness, clock, 600.0)
    polls_by = [1 + sum(1 for waited, p in pauses if waited + p <= t) for t in (1, 10, 60, 600)]

    assert polls_by[0] <= 7
    assert polls_by[1] <= 11 + 5
    assert polls_by[2] <= 61 + 5
    assert polls_by[3] <= 601 / 4


def test_retry_after_on_a_poll_pushes_the_next_one_later(harness: Make, clock: FakeClock) -> None:
    running = [reply(202, RUNNING)] * 20
    h = harness(*running, reply(202, RUNNING, {"Retry-After": "7"}), reply(200, FINISHED))

    h.wait(787)

    assert clock.sleeps[-1] == 7.0
    assert max(clock.sleeps[:-1]) <= 1.0


def test_a_429_while_waiting_pushes_the_next_poll_later(harness: Make, clock: FakeClock) -> None:
    running = [reply(202, RUNNING)] * 20
    h = harness(*running, reply(429, headers={"Retry-After": "6"}), reply(200, FINISHED))

    result = h.wait(787)

    assert result.output == "42"
    assert 6.0 in clock.sleeps
    assert len(h.api.requests) == 22


def test_a_fixed_interval_stays_fixed_however_long_the_wait(
    harness: Make, clock: FakeClock
) -> None:
    h = harness(default=reply(202, RUNNING))

    with pytest.raises(pa.WaitTimeoutError):
        h.wait(787, timeout=200.0, poll_interval=2.5)

    assert set(clock.sleeps) == {2.5}
    assert clock.now == pytest.approx(200.0)


def test_a_poll_policy_sets_every_part_of_the_schedule(harness: Make, clock: FakeClock) -> None:
    h = harness(default=reply(202, RUNNING))
    policy = pa.PollPolicy(
        initial=1.0, multiplier=2.0, maximum=4.0, jitter=0.0, stretch=0.1, stretch_after=20.0
    )

    with pytest.raises(pa.WaitTimeoutError):
        h.wait(787, timeout=100.0, poll_interval=policy)

    pauses = waited_and_pauses(clock.sleeps)[:-1]
    assert [p for _, p in pauses[:4]] == [1.0, 2.0, 4.0, 4.0]
    assert all(p == 4.0 for waited, p in pauses if 7.0 <= waited < 20.0)
    assert all(p == pytest.approx(0.1 * waited) for waited, p in pauses if waited >= 40.0)


def test_a_poll_policy_without_stretch_keeps_its_maximum(harness: Make, clock: FakeClock) -> None:
    h = harness(default=reply(202, RUNNING))
    policy = pa.PollPolicy(initial=0.5, multiplier=2.0, maximum=3.0, jitter=0.0, stretch=0.0)

    with pytest.raises(pa.WaitTimeoutError):
        h.wait(787, timeout=300.0, poll_interval=policy)

    assert max(clock.sleeps) == 3.0


def test_the_stretch_begins_when_stretch_after_seconds_have_been_waited() -> None:
    policy = pa.PollPolicy(
        initial=1.0, maximum=1.0, multiplier=1.0, jitter=0.0, stretch=0.1, stretch_after=20.0
    )

    def pause(waited: float) -> float:
        return poll_delay(policy, 30, waited=waited, retry_after=None, random=0.5)

    assert [pause(19.99), pause(20.0), pause(50.0)] == [1.0, 2.0, 5.0]
    assert pause(5.0) == 1.0  # before it, the pause is the plateau, however many polls


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"stretch": -0.01}, r"stretch must be in \[0, 1\)"),
        ({"stretch": 1.0}, r"stretch must be in \[0, 1\)"),
        ({"stretch": float("nan")}, r"stretch must be in \[0, 1\)"),
        ({"stretch_after": -1.0}, "stretch_after >= 0"),
        ({"stretch_after": float("nan")}, "stretch_after >= 0"),
    ],
)
def test_a_stretch_that_cannot_work_is_refused(options: dict[str, float], match: str) -> None:
    with pytest.raises(pa.InvalidInputError, match=match):
        pa.PollPolicy(**options)


@settings(max_examples=200, deadline=None)
@given(
    waited=st.floats(min_value=0.0, max_value=1e6),
    polls=st.integers(min_value=0, max_value=10_000),
    random=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    retry_after=st.none() | st.floats(min_value=0.0, max_value=120.0),
)
def test_the_default_pause_is_bounded_by_its_parts(
    waited: float, polls: int, random: float, retry_after: float | None
) -> None:
    """Whatever the time waited and the number of polls: never more than about a second before
    the stretch begins, never more than 3 % of the time waited (+ jitter) after it, and never
    sooner than a Retry-After."""
    policy = pa.PollPolicy()
    pause = poll_delay(policy, polls, waited=waited, retry_after=retry_after, random=random)

    longest = policy.maximum
    if waited >= policy.stretch_after:
        longest = max(longest, policy.stretch * waited)
    assert pause <= max(longest * (1 + policy.jitter), retry_after or 0.0)
    assert pause >= policy.initial * (1 - policy.jitter)
    if retry_after is not None:
        assert pause >= retry_after


@pytest.mark.parametrize("length", schedule.CURVE, ids=[f"{x:g}s" for x in schedule.CURVE])
def test_the_default_meets_the_targets_in_the_simulation(length: float) -> None:
    """1000 runs of about `length` (+-5 %), seeded: the same figures every time."""
    ours = schedule.figures(pa.PollPolicy(), length, 1000)
    fixed = schedule.figures(schedule.FIXED, length, 1000)

    assert schedule.missed(ours, fixed) == []


def test_the_simulation_holds_the_previous_default_to_account() -> None:
    """The targets have teeth: the schedule they replaced misses them on typical agent runs."""
    missed = [
        length
        for length in (5.0, 10.0, 20.0, 30.0)
        if schedule.missed(
            schedule.figures(schedule.PREVIOUS, length, 200),
            schedule.figures(schedule.FIXED, length, 200),
        )
    ]
    assert missed == [5.0, 10.0, 20.0, 30.0]


@pytest.mark.parametrize(
    "options",
    [{"stretch": 0.0}, {"stretch": 0.99}, {"stretch_after": 0.0}, {"stretch_after": 0.5}],
    ids=str,
)
def test_a_stretch_at_the_edges_of_its_range_is_accepted(options: dict[str, float]) -> None:
    """No stretch at all, or a stretch from the first poll (or half a second) on."""
    policy = pa.PollPolicy(**options)

    assert {name: getattr(policy, name) for name in options} == options
