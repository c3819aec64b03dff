"""How often to ask for results while an execution runs."""

from __future__ import annotations

from dataclasses import dataclass

from ._config import (
    POLL_INITIAL,
    POLL_JITTER,
    POLL_MAXIMUM,
    POLL_MULTIPLIER,
    POLL_STRETCH,
    POLL_STRETCH_AFTER,
)
from ._errors import InvalidInputError


@dataclass(frozen=True)
class PollPolicy:
    """Poll after `initial` seconds, then `multiplier` times longer each time up to `maximum`;
    once `stretch_after` seconds have been waited, pause at least `stretch` times the time waited
    so far (0: never), so that a long run costs few requests and is still seen within about that
    fraction of its length. Each pause is varied by up to +/- `jitter` (a fraction) so that many
    waiters do not align."""

    initial: float = POLL_INITIAL
    maximum: float = POLL_MAXIMUM
    multiplier: float = POLL_MULTIPLIER
    jitter: float = POLL_JITTER
    stretch: float = POLL_STRETCH
    stretch_after: float = POLL_STRETCH_AFTER

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.maximum:
            raise InvalidInputError(f"poll intervals must satisfy 0 < initial <= maximum: {self}")
        if self.multiplier < 1 or not 0 <= self.jitter < 1:
            raise InvalidInputError(f"poll multiplier must be >= 1 and jitter in [0, 1): {self}")
        if not 0 <= self.stretch < 1 or not self.stretch_after >= 0:
            raise InvalidInputError(
                f"poll stretch must be in [0, 1) and stretch_after >= 0: {self}"
            )


def poll_policy(poll_interval: object) -> PollPolicy:
    """The policy a caller asked for: the default, a fixed interval in seconds, or their own."""
    if poll_interval is None:
        return PollPolicy()
    if isinstance(poll_interval, PollPolicy):
        return poll_interval
    if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float):
        raise InvalidInputError(
            f"poll_interval must be seconds or a PollPolicy, not {poll_interval!r}"
        )
    seconds = poll_interval  # every pause this long, however long the wait
    return PollPolicy(initial=seconds, maximum=seconds, multiplier=1.0, jitter=0.0, stretch=0.0)


def poll_delay(
    policy: PollPolicy,
    polls: int,
    *,
    waited: float,
    retry_after: float | None,
    random: float,
) -> float:
    """Seconds before the next poll, after `polls` polls and `waited` seconds of waiting; never
    sooner than the server's Retry-After. `random` is in [0, 1)."""
    try:
        base = min(policy.maximum, policy.initial * policy.multiplier**polls)
    except OverflowError:  # a very long wait: long past the cap
        base = policy.maximum
    if waited >= policy.stretch_after:
        base = max(base, policy.stretch * waited)
    delay = base * (1 + policy.jitter * (2 * random - 1))
    return max(delay, retry_after) if retry_after is not None else delay
