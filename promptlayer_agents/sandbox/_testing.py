"""The sandbox as a test controls it: what the `promptlayer_sandbox` pytest fixture hands a test.

One server can serve a whole test session: `reset()` gives each test a clean start (no agents it
did not add, no executions, no scripts, no faults, the clock as time).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from promptlayer_agents_api.models import AgentVersion

from ..definitions import AgentDefinition
from ._callables import DEFAULT_CALLABLE_TIMEOUT
from ._catalog import CatalogError, json_problem, load_catalog
from ._engine import Run
from ._faults import Faults
from ._nodes import Script
from ._record_modes import Cassettes
from ._server import Sandbox

NOT_GIVEN: Any = object()
RESET_TIMEOUT = 10.0


class PromptLayerSandbox:
    """A sandbox on 127.0.0.1 that a test controls: agents to serve, what their nodes produce,
    faults, progress by polls, and the runs the code under test started."""

    def __init__(self, agents: Any = None, **options: Any) -> None:
        self._agents = {"agents": []} if agents is None else agents
        self._sandbox = Sandbox(self._agents, **options)
        self.cassettes = Cassettes()  # the fixture sets this test's (`--promptlayer-record`)

    @property
    def url(self) -> str:
        """The sandbox's base URL (what PROMPTLAYER_BASE_URL is set to)."""
        return self._sandbox.url

    @property
    def api_key(self) -> str:
        """The API key it accepts (what PROMPTLAYER_API_KEY is set to)."""
        return self._sandbox.api_key

    @property
    def sandbox(self) -> Sandbox:
        """The server underneath, for what this class does not cover (request counts)."""
        return self._sandbox

    def start(self) -> None:
        self._sandbox.start()

    def stop(self) -> None:
        self._sandbox.stop()

    def add_agent(
        self, definition: Mapping[str, Any] | AgentDefinition | AgentVersion
    ) -> AgentVersion:
        """Serve a definition given as Get Agent answers it (`promptlayer-agents get NAME
        --json`, or what `Agents.get` returns), under its workflow_name with its version and
        release labels; another version of an agent already served adds a version. Returns the
        version as `get` answers it."""
        data = (
            definition.to_dict()
            if isinstance(definition, AgentDefinition | AgentVersion)
            else definition
        )
        if not isinstance(data, Mapping):
            raise TypeError(
                "add_agent takes a Get Agent definition: a mapping, an AgentDefinition (what "
                f"Agents.get returns) or an AgentVersion, not {type(definition).__name__}"
            )
        try:
            return self._sandbox.state.catalog.add(data)
        except CatalogError as error:
            raise ValueError(f"add_agent: {error}") from error

    def script(
        self,
        agent: str,
        node: str,
        *,
        value: Any = NOT_GIVEN,
        error: str | None = None,
        duration: float | None = None,
    ) -> None:
        """What `node` of `agent` produces in later runs: `value` (or, if callable, what it
        returns when called with the run's input variables and finished nodes' values, by
        name), or a failure with the message `error`; `duration` seconds it takes.

        A callable runs on its own thread, isolated: whatever it raises (`SystemExit` and
        `pytest.fail` included) or returns that JSON cannot carry fails the node with the
        reason, and one still running after `callable_timeout` seconds (see `configure`) fails
        the node and is abandoned."""
        served = self._sandbox.state.catalog.find(agent)
        if served is None:
            raise ValueError(f"script: no agent named {agent!r} is served (add_agent it first)")
        if not any(node == n.name for v in served.versions for n in v.nodes):
            raise ValueError(f"script: agent {agent!r} has no node named {node!r}")
        if value is not NOT_GIVEN and error is not None:
            raise ValueError("script: give a value or an error, not both")
        if value is NOT_GIVEN and error is None and duration is None:
            raise ValueError("script: give a value, an error or a duration")
        if error is not None and not isinstance(error, str):
            raise ValueError("script: error is the node's error message, a string")
        if duration is not None and (
            isinstance(duration, bool)
            or not isinstance(duration, int | float)
            or not 0 <= duration < math.inf
        ):
            raise ValueError("script: duration is a number of seconds >= 0, and finite")
        problem = None if callable(value) or value is NOT_GIVEN else json_problem(value)
        if problem:
            raise ValueError(f"script: the value must be JSON the API can answer: {problem}")
        scripted = Script(
            value=None if value is NOT_GIVEN else value,
            has_value=value is not NOT_GIVEN,
            error=error,
            duration=None if duration is None else float(duration),
        )
        self._sandbox.state.executions.scripts.setdefault(served.name, {})[node] = scripted

    @property
    def runs(self) -> list[Run]:
        """The executions started since the last reset, oldest first, each with its agent,
        version, execution_id, input_variables, metadata, current status, each node's result
        (`nodes`) and the main output (`output`)."""
        return self._sandbox.state.executions.records()

    def configure(
        self,
        *,
        polls_per_node: int | None = None,
        callable_timeout: float = DEFAULT_CALLABLE_TIMEOUT,
        **faults: Any,
    ) -> None:
        """Set this test's progress mode, script callables' timeout and faults.
        `polls_per_node=N`: every node finishes N results polls after it started, whatever the
        time. `callable_timeout`: seconds a script callable may run before its node fails.
        Other keywords are `Faults` fields (latency, the fractions of 429s, 503s and drops,
        retry_after, seed)."""
        if polls_per_node is not None and (
            not isinstance(polls_per_node, int)
            or isinstance(polls_per_node, bool)
            or polls_per_node < 0
        ):
            raise ValueError("polls_per_node is a whole number of polls >= 0")
        if (
            isinstance(callable_timeout, bool)
            or not isinstance(callable_timeout, int | float)
            or not 0 < callable_timeout < math.inf
        ):
            raise ValueError("callable_timeout is a number of seconds > 0, and finite")
        unknown = sorted(set(faults) - {f.name for f in dataclasses.fields(Faults)})
        if unknown:
            settings = ["polls_per_node", "callable_timeout"]
            known = ", ".join([*settings, *(f.name for f in dataclasses.fields(Faults))])
            raise ValueError(f"unknown sandbox setting(s) {', '.join(unknown)}; known: {known}")
        chosen = Faults(**faults)
        state = self._sandbox.state
        state.executions.polls_per_node = polls_per_node
        state.executions.callable_timeout = float(callable_timeout)
        state.faults, state.random = chosen, random.Random(chosen.seed)

    def blocked_scripts(self) -> list[str]:
        """The script callables of this test's runs still running (abandoned once past their
        timeout), each as "agent, node, callable"; the fixture reports them in the test's
        teardown."""
        return self._sandbox.state.executions.blocked_calls()

    def replay(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        speed: float = 1.0,
        fallback: str | None = None,
        redact_inputs: Iterable[str] = (),
    ) -> Path:
        """Answer this test's requests from a cassette: `path` (relative to the test file's
        folder), else cassettes/<test module>/<test name>.yaml next to it. Replays at `speed`
        (`fallback="execute"` runs what matches no recording), or records it when the record mode
        says so, forwarding with the environment's key and redacting `redact_inputs`. Returns the
        cassette's path."""
        return self.cassettes.use(self._sandbox.state, path, speed, fallback, redact_inputs)

    def reset(self) -> None:
        """A clean start: only the agents the sandbox started with, no executions (running
        ones are stopped, a blocked script callable abandoned), execution ids from 1 again, no
        scripts, no faults, progress by the clock."""
        state = self._sandbox.state
        executions = state.executions
        if executions.loop is not None and executions.loop.is_running():
            future = asyncio.run_coroutine_threadsafe(executions.stop(), executions.loop)
            try:
                future.result(RESET_TIMEOUT)
            except TimeoutError:
                future.cancel()
                raise RuntimeError(
                    f"the sandbox did not stop its executions within {RESET_TIMEOUT:g} s"
                ) from None
        executions.forget()
        state.tape = None
        state.catalog = load_catalog(self._agents)
        state.requests.clear()
        self.configure()
