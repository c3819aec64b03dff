"""`Faults`: named like the sandbox command's flags, the names before 0.2 still accepted."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import pytest
from starlette.responses import JSONResponse
from starlette.types import Message

from promptlayer_agents.sandbox import Faults
from promptlayer_agents.sandbox._faults import DroppedConnection, injected, maybe_dropped


def test_faults_are_named_like_the_flags() -> None:
    faults = Faults(latency=0.5, rate_limit=0.1, unavailable=0.2, drop=0.3, retry_after=2)

    assert (faults.rate_limit, faults.unavailable, faults.drop) == (0.1, 0.2, 0.3)


def test_the_old_names_still_work() -> None:
    assert Faults(rate_limited=0.25, dropped=0.5) == Faults(rate_limit=0.25, drop=0.5)


@pytest.mark.parametrize(
    "make",
    [lambda: Faults(rate_limit=1.5), lambda: Faults(drop=-0.1), lambda: Faults(rate_limited=2.0)],
)
def test_a_fraction_outside_0_1_is_refused_with_its_name(make: Callable[[], Faults]) -> None:
    with pytest.raises(ValueError, match=r"faults\.(rate_limit|drop) is a fraction"):
        make()


class _Dice(random.Random):
    """Dice that always roll the same number."""

    def __init__(self, roll: float) -> None:
        super().__init__(0)
        self.roll = roll

    def random(self) -> float:
        return self.roll


@pytest.mark.parametrize(
    ("roll", "status"),
    [(0.0, 429), (0.49, 429), (0.5, 503), (0.74, 503), (0.75, None), (0.99, None)],
)
def test_a_roll_under_the_rate_limit_is_429_then_under_both_503(
    roll: float, status: int | None
) -> None:
    fault = injected(Faults(rate_limit=0.5, unavailable=0.25, retry_after=4), _Dice(roll))

    assert (fault.status_code if fault else None) == status
    if fault is not None:
        assert fault.headers["retry-after"] == "4"


def test_no_fault_is_injected_at_a_fraction_of_zero_whatever_the_dice() -> None:
    answer = JSONResponse({})

    assert injected(Faults(), _Dice(0.0)) is None
    assert maybe_dropped(Faults(), _Dice(0.0), answer) is answer
    assert isinstance(maybe_dropped(Faults(drop=0.5), _Dice(0.49), answer), DroppedConnection)
    assert maybe_dropped(Faults(drop=0.5), _Dice(0.5), answer) is answer


def test_a_dropped_connection_sends_a_head_and_part_of_a_body_only() -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(DroppedConnection()({"type": "http"}, receive, send))

    assert sent == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
        },
        {"type": "http.response.body", "body": b'{"succ', "more_body": True},
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"latency": -0.1}, "faults.latency and faults.retry_after must be >= 0"),
        ({"retry_after": -1}, "faults.latency and faults.retry_after must be >= 0"),
        ({"unavailable": 1.01}, "faults.unavailable is a fraction in [0, 1]"),
        ({"dropped": -0.5}, "faults.drop is a fraction in [0, 1]"),
    ],
)
def test_bad_faults_are_refused_naming_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Faults(**fields)

    assert str(raised.value) == message


def test_fractions_at_the_bounds_are_accepted() -> None:
    faults = Faults(latency=0, rate_limit=0, unavailable=1, drop=1, retry_after=0)

    assert (faults.unavailable, faults.drop, faults.retry_after) == (1, 1, 0)
