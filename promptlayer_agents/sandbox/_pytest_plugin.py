"""The pytest plugin (entry point `pytest11`): the `promptlayer_sandbox` fixture and the
`promptlayer` marker.

pytest imports this module at start-up in every project where promptlayer-agents is installed, so
it imports nothing but pytest: the sandbox (and the `sandbox` extra it needs) loads only when a
test asks for the fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._testing import PromptLayerSandbox

MARKER = (
    "promptlayer(polls_per_node=None, callable_timeout=10, **faults): this test's "
    "promptlayer_sandbox settings: every node finishing on its Nth results poll, how long a "
    "script callable may run, and faults (the keyword arguments of "
    "promptlayer_agents.sandbox.Faults)"
)
RECORDED = pytest.StashKey[set[Path]]()  # the cassettes this session has recorded


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--promptlayer-record` and `--promptlayer-upstream`, for `promptlayer_sandbox.replay()`."""
    group = parser.getgroup("promptlayer", "PromptLayer sandbox cassettes")
    group.addoption(
        "--promptlayer-record",
        choices=("none", "once", "all"),
        default="none",
        help="promptlayer_sandbox.replay(): none replays only (default); once records the "
        "cassettes that are missing; all records every one again",
    )
    group.addoption(
        "--promptlayer-upstream",
        metavar="URL",
        default=None,
        help="where recording forwards (default: PROMPTLAYER_BASE_URL, else PromptLayer)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, so --strict-markers accepts it."""
    config.addinivalue_line("markers", MARKER)


@pytest.fixture(scope="session")
def _promptlayer_sandbox_server() -> Iterator[PromptLayerSandbox]:
    """One sandbox server for the session, stopped at its end."""
    try:
        from ._testing import PromptLayerSandbox
    except ImportError as error:
        missing = (error.name or "a dependency").split(".")[0]
    else:
        missing = ""
    if missing:
        pytest.fail(
            f"promptlayer_sandbox needs the 'sandbox' extra ({missing} is missing): "
            "pip install 'promptlayer-agents[sandbox]'",
            pytrace=False,
        )
    server = PromptLayerSandbox()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def promptlayer_sandbox(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    _promptlayer_sandbox_server: PromptLayerSandbox,
) -> Iterator[PromptLayerSandbox]:
    """A clean PromptLayer sandbox on 127.0.0.1 for this test, with PROMPTLAYER_BASE_URL and
    PROMPTLAYER_API_KEY pointing at it; `@pytest.mark.promptlayer(...)` configures it."""
    sandbox = _promptlayer_sandbox_server
    sandbox.reset()
    settings: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("promptlayer"))):
        if marker.args:
            raise pytest.UsageError("@pytest.mark.promptlayer takes keyword arguments only")
        settings.update(marker.kwargs)
    sandbox.configure(**settings)
    sandbox.cassettes = _cassettes(request, monkeypatch)
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", sandbox.url)
    monkeypatch.setenv("PROMPTLAYER_API_KEY", sandbox.api_key)
    try:
        yield sandbox
    finally:
        blocked = sandbox.blocked_scripts()
        sandbox.reset()
    if blocked:  # reported in this test only: the next one gets a clean, working sandbox
        pytest.fail(
            "promptlayer_sandbox: script callable(s) still running at the end of the test, "
            f"abandoned: {'; '.join(blocked)}",
            pytrace=False,
        )


def _cassettes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """This test's cassette settings: the record mode, its folder and name, and the upstream
    and key recording uses (the environment's, read before the fixture replaces them)."""
    from ._record_modes import Cassettes, default_name
    from ._recorder import DEFAULT_UPSTREAM

    config = request.config
    return Cassettes(
        mode=config.getoption("promptlayer_record", "none"),
        directory=request.path.parent,
        default_name=default_name(request.path.stem, request.node.name),
        upstream=config.getoption("promptlayer_upstream", None)
        or os.environ.get("PROMPTLAYER_BASE_URL")
        or DEFAULT_UPSTREAM,
        api_key=os.environ.get("PROMPTLAYER_API_KEY"),
        use_key=lambda key: monkeypatch.setenv("PROMPTLAYER_API_KEY", key),
        recorded=config.stash.setdefault(RECORDED, set()),
    )
