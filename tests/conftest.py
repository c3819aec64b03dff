"""Fixtures shared by every test folder, and the folder markers.

Tests under `tests/unit` are marked `unit` (fast, no server, no subprocess), under
`tests/integration` `integration` (real servers on 127.0.0.1, subprocesses), under `tests/docs`
`docs` (the README's examples), under `tests/adversarial` `adversarial` (each promise under attack,
one module per promise): `pytest -m unit` runs the fast ones alone. Every facade test runs on
both the blocking and the asyncio client.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from promptlayer_agents.sandbox import Sandbox

from .fakes import Answer, FakeClock, Harness, ScriptedAPI

# Generated inputs are the same on every run (a seed per test), so that a run of the suite, in CI
# or on a laptop, passes or fails the same way; HYPOTHESIS_PROFILE=explore searches afresh.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

FOLDERS = ("unit", "integration", "docs", "adversarial")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the name of its folder."""
    here = Path(__file__).parent
    for item in items:
        folder = item.path.relative_to(here).parts[0]
        if folder in FOLDERS:
            item.add_marker(getattr(pytest.mark, folder))


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def harness(mode: str, clock: FakeClock) -> Iterator[Callable[..., Harness]]:
    """make(*answers, default=None, **client_options) -> a Harness over a ScriptedAPI."""

    made: list[Harness] = []

    def make(*answers: Answer, default: Answer | None = None, **options: Any) -> Harness:
        made.append(Harness(mode, ScriptedAPI(answers, default), clock, **options))
        return made[-1]

    yield make
    for harness in made:
        harness.shut()


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """start(**options) -> a running Sandbox on 127.0.0.1; every one is stopped after the test."""
    started: list[Sandbox] = []

    def start(*args: Any, **options: Any) -> Sandbox:
        sandbox = Sandbox(*args, **options)
        sandbox.start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """The sandbox with its bundled demo agents."""
    return sandbox_factory()


@pytest.fixture(autouse=True)
def _command_output_restored() -> Iterator[None]:
    """The command line sets the package's loggers (level, handler) and the status line's quiet
    flag for the whole process, as a command should; each test gets them back as they were, so
    that a `-q` in one test does not hide the warnings another one expects."""
    import logging

    from promptlayer_agents._logging import LOGGERS
    from promptlayer_agents.cli._terminal import StatusLine

    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [(logger.level, list(logger.handlers)) for logger in loggers]
    quiet = StatusLine.quiet
    yield
    for logger, (level, handlers) in zip(loggers, saved, strict=True):
        logger.setLevel(level)
        logger.handlers[:] = handlers
    StatusLine.quiet, StatusLine.active = quiet, None
