"""The wait's deadline holds with the default schedule, whatever its length and however the server
pushes polls later: the wait ends at the deadline, never after it, and its polls stay few."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa

from ..fakes import FakeClock, Harness, ScriptedAPI, node, reply

RUNNING = {"Answer": node("RUNNING", output=True)}


def polls_within(seconds: float) -> int:
    """A generous bound on the default's polls in a wait of `seconds` with the jitter at its
    lowest: a fast ramp, one poll each 0.9 s up to 65 s, then pauses of 2.7 % of the time waited."""
    if seconds <= 65:
        return 8 + int(seconds / 0.9)
    stretched = 0
    waited = 65.0
    while waited < seconds:
        waited *= 1.027
        stretched += 1
    return 8 + int(65 / 0.9) + stretched


@settings(max_examples=60, deadline=None)
@given(
    timeout=st.floats(min_value=0.01, max_value=1500.0),
    random=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    pushes=st.lists(st.integers(min_value=0, max_value=30), max_size=40),
    mode=st.sampled_from(["sync", "async"]),
)
def test_a_wait_ends_at_its_deadline_whatever_the_server_asks(
    timeout: float, random: float, pushes: list[int], mode: str
) -> None:
    """`pushes`: the Retry-After (seconds) on each poll in turn, 0 for none; the run never ends."""
    answers = [reply(202, RUNNING, {"Retry-After": str(p)} if p else None) for p in pushes]
    clock = FakeClock(random)
    h = Harness(mode, ScriptedAPI(answers, default=reply(202, RUNNING)), clock)
    try:
        with pytest.raises(pa.WaitTimeoutError) as caught:
            h.wait(787, timeout=timeout)
    finally:
        h.shut()

    assert clock.now == pytest.approx(timeout)
    assert caught.value.waited == pytest.approx(timeout)
    assert len(h.api.requests) <= polls_within(timeout) + 1  # + the last look at the deadline
