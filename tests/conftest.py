"""Fixtures: every facade test runs on both the blocking and the asyncio client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .fakes import Answer, FakeClock, Harness, ScriptedAPI


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def harness(mode: str, clock: FakeClock) -> Callable[..., Harness]:
    """make(*answers, default=None, **client_options) -> a Harness over a ScriptedAPI."""

    def make(*answers: Answer, default: Answer | None = None, **options: Any) -> Harness:
        return Harness(mode, ScriptedAPI(answers, default), clock, **options)

    return make
