"""The poll schedule a caller chooses: checked before anything is sent, and kept exactly."""

from __future__ import annotations

from typing import Any

import pytest

import promptlayer_agents as pa

from ..fakes import FakeClock, Make, node, reply

RUNNING = {"Answer": node("RUNNING", output=True)}
FINISHED = {"Answer": node("SUCCESS", "42", output=True)}


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"initial": 0.0}, "0 < initial <= maximum"),
        ({"initial": -1.0}, "0 < initial <= maximum"),
        ({"initial": 4.0, "maximum": 3.0}, "0 < initial <= maximum"),
        ({"multiplier": 0.5}, r"multiplier must be >= 1"),
        ({"jitter": 1.0}, r"jitter in \[0, 1\)"),
        ({"jitter": 1.5}, r"jitter in \[0, 1\)"),
        ({"jitter": -0.1}, r"jitter in \[0, 1\)"),
    ],
)
def test_a_poll_policy_that_cannot_work_is_refused(options: dict[str, Any], match: str) -> None:
    with pytest.raises(pa.InvalidInputError, match=match):
        pa.PollPolicy(**options)


def test_the_edges_of_a_poll_policy_are_accepted() -> None:
    policy = pa.PollPolicy(initial=3.0, maximum=3.0, multiplier=1.0, jitter=0.0)
    assert (policy.initial, policy.maximum) == (3.0, 3.0)
    assert (policy.multiplier, policy.jitter) == (1.0, 0.0)
    assert pa.PollPolicy(jitter=0.99).jitter == 0.99


@pytest.mark.parametrize(
    ("poll_interval", "match"),
    [
        (0, "0 < initial <= maximum"),
        (-2.0, "0 < initial <= maximum"),
        ("2", "poll_interval must be seconds or a PollPolicy, not '2'"),
        (True, "poll_interval must be seconds or a PollPolicy, not True"),
        ([1.0], r"poll_interval must be seconds or a PollPolicy, not \[1.0\]"),
    ],
)
def test_a_bad_poll_interval_is_refused_before_sending(
    harness: Make, poll_interval: object, match: str
) -> None:
    h = harness()

    with pytest.raises(pa.InvalidInputError, match=match):
        h.wait(787, poll_interval=poll_interval)
    with pytest.raises(pa.InvalidInputError, match=match):
        h.run_and_wait("bot", poll_interval=poll_interval)

    assert h.api.requests == []


@pytest.mark.parametrize("random", [0.0, 0.999999])
def test_a_fixed_poll_interval_has_no_jitter(
    harness: Make, clock: FakeClock, random: float
) -> None:
    clock._random = random
    h = harness(*[reply(202, RUNNING)] * 3, reply(200, FINISHED))

    h.wait(787, poll_interval=1.5)

    assert clock.sleeps == [1.5, 1.5, 1.5]


def test_a_poll_policy_is_followed(harness: Make, clock: FakeClock) -> None:
    h = harness(*[reply(202, RUNNING)] * 4, reply(200, FINISHED))

    h.wait(787, poll_interval=pa.PollPolicy(initial=1.0, maximum=5.0, multiplier=2.0, jitter=0.0))

    assert clock.sleeps == [1.0, 2.0, 4.0, 5.0]


def test_a_schedule_that_grows_past_any_number_stays_at_its_maximum(
    harness: Make, clock: FakeClock
) -> None:
    h = harness(*[reply(202, RUNNING)] * 4, reply(200, FINISHED))
    huge = pa.PollPolicy(initial=0.5, maximum=3.0, multiplier=1e200, jitter=0.0)

    h.wait(787, poll_interval=huge)

    assert clock.sleeps == [0.5, 3.0, 3.0, 3.0]
