"""Time, sleep and chance in one object, so tests can replace all three at once and never wait."""

from __future__ import annotations

import random
import time


class Clock:
    """The real clocks, pauses and random numbers. Tests pass a subclass that moves only when
    slept on (`tests/fakes.py`)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back: deadlines are measured on it."""
        return time.monotonic()

    def time(self) -> float:
        """The wall clock (for Retry-After dates)."""
        return time.time()

    def random(self) -> float:
        """A number in [0, 1), for jitter."""
        return random.random()

    def sleep(self, seconds: float) -> None:
        """Pause the blocking client."""
        time.sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        """Pause the async client."""
        import asyncio  # here, not at the top: a blocking client need not pay to import it

        await asyncio.sleep(seconds)


SYSTEM_CLOCK = Clock()
