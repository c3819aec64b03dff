"""The real clock: the one object the client takes time, pauses and chance from."""

from __future__ import annotations

import asyncio
import time

from promptlayer_agents._clock import SYSTEM_CLOCK


def test_the_system_clock_reads_the_real_clocks() -> None:
    before = time.monotonic()
    assert before <= SYSTEM_CLOCK.monotonic() <= time.monotonic()
    assert abs(SYSTEM_CLOCK.time() - time.time()) < 60
    draws = [SYSTEM_CLOCK.random() for _ in range(50)]
    assert all(0.0 <= draw < 1.0 for draw in draws) and len(set(draws)) > 1


def test_the_system_clock_pauses_for_the_time_asked() -> None:
    SYSTEM_CLOCK.sleep(0)
    asyncio.run(SYSTEM_CLOCK.async_sleep(0))
