"""Replaying a cassette with state: a recorded run gets a new execution, whose results follow the
recorded progression in time.

- A run matches a recording by agent, label, version and input variables (compared as canonical
  JSON; an input recorded as redacted matches any value). Repeated runs of the same recording are
  answered in the order they were recorded (a 503 then a 201 replays as a 503 then a 201), then
  the last one again for every further run. A recorded answer that started an execution gives
  the run a new execution id.
- A results request for that id, `t` seconds after the run, gets the last answer recorded at or
  before `t * speed` seconds after the recorded run (with the same `return_all_outputs` and node
  filters). The progression never goes back: no request sees an earlier answer than one already
  given for that execution. A recorded failure (429, 5xx, a dropped connection) is given once,
  to the first request that reaches it; the next request gets the answer after it.
- Get Agent answers as recorded, in order, then the last again.
- Anything unmatched is refused with 404 naming the closest recording and what differs, unless
  `fallback` is set: then the sandbox executes it as usual (with the recorded definitions added to
  the agents it serves). The key is the sandbox's own, as without a cassette.
"""

from __future__ import annotations

import bisect
import json
import math
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from . import _checks
from ._app import SandboxState
from ._cassette import (
    AgentExchange,
    Answer,
    Cassette,
    ResultsExchange,
    RunExchange,
    response_for,
    results_query,
)
from ._errors import error_response
from ._paths import agent_segment

DEFAULT_LIMIT = 1000  # replayed executions remembered; the oldest are forgotten
SHOWN = 60  # characters of a value shown in a message


def canonical(value: Any) -> str:
    """A value as the matching compares it: JSON with sorted keys."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=True)


def is_transient(answer: Answer) -> bool:
    """A failure a retry may get past (429, 5xx, no answer): replayed once, not as a state."""
    return answer.failure is not None or answer.status == 429 or (answer.status or 0) >= 500


def pick(
    afters: Sequence[float], transient: Sequence[bool], floor: int, elapsed: float
) -> tuple[int, int]:
    """Which recorded answer a results request `elapsed` (recorded) seconds after the run gets,
    and the floor for the next request: never below `floor`, a transient failure given once."""
    due = bisect.bisect_right(afters, elapsed) - 1
    index = max(floor, due, 0)
    last = len(afters) - 1
    return index, (index + 1 if transient[index] and index < last else index)


def check_speed(speed: object) -> None:
    """Raise ValueError unless the speed is a finite number > 0."""
    if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0 < speed < math.inf:
        raise ValueError(f"speed must be a number > 0 (2 plays twice as fast), not {speed!r}")


@dataclass
class Replayed:
    """An execution started by replaying a recorded run."""

    recorded_id: int
    started: float
    floors: dict[Any, int] = field(default_factory=dict)  # per results query


@dataclass(frozen=True)
class RunRequest:
    """A run request's matched fields."""

    agent: str
    label: str | None
    version: int | None
    inputs: dict[str, Any]

    def differences(self, run: RunExchange) -> list[str]:
        """What differs between this request and a recorded run, in words."""
        found = []
        for what, mine, recorded in [
            ("agent", self.agent, run.agent),
            ("label", self.label, run.label),
            ("version", self.version, run.version),
        ]:
            if mine != recorded:
                found.append(f"{what} {_shown(mine)} (recorded {_shown(recorded)})")
        for name in sorted(set(self.inputs) | set(run.input_variables)):
            if name not in self.inputs:
                found.append(
                    f"input {name!r} missing (recorded {_shown(run.input_variables[name])})"
                )
            elif name not in run.input_variables:
                found.append(f"input {name!r} was not recorded")
            elif name not in run.redacted_inputs and canonical(self.inputs[name]) != canonical(
                run.input_variables[name]
            ):
                mine, recorded = self.inputs[name], run.input_variables[name]
                found.append(f"input {name!r} is {_shown(mine)} (recorded {_shown(recorded)})")
        return found


def _shown(value: Any) -> str:
    text = canonical(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def _distance(request: RunRequest, run: RunExchange) -> tuple[bool, int, int]:
    """How far a recording is from a request: a different agent first, then label or version,
    then the number of differing inputs (compared in that order, however many inputs differ)."""
    differences = request.differences(run)
    return (
        request.agent != run.agent,
        sum(d.startswith(("label ", "version ")) for d in differences),
        len(differences),
    )


class Replayer:
    """Answers from a cassette (see the module's docstring); `clock` is seconds on a clock that
    never goes back."""

    def __init__(
        self,
        cassette: Cassette,
        *,
        speed: float = 1.0,
        fallback: bool = False,
        clock: Callable[[], float] = time.monotonic,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        check_speed(speed)
        self.cassette, self.speed, self.fallback = cassette, float(speed), fallback
        self.clock, self.limit = clock, limit
        self.executions: OrderedDict[int, Replayed] = OrderedDict()
        self._runs_served: Counter[tuple[int, ...]] = Counter()
        self._agents_served: Counter[tuple[str, str | None, int | None]] = Counter()
        self._progressions: dict[tuple[int, Any], list[ResultsExchange]] = {}
        for exchange in cassette.results:
            key = (exchange.execution_id, exchange.query)
            self._progressions.setdefault(key, []).append(exchange)
        for progression in self._progressions.values():
            progression.sort(key=lambda e: e.after)  # stable: equal times keep their order

    async def answer(
        self, request: Request, operation: str, state: SandboxState
    ) -> Response | None:
        """The recorded answer, the 404 for no recording, or None: let the sandbox answer (a
        wrong key, a malformed request, an unknown execution, or the fallback)."""
        if request.headers.get("x-api-key") != state.api_key:
            return None
        if operation == "run":
            return await self._run(request, state)
        if operation == "agent":
            return self._agent(request)
        return self._results(request)

    async def _run(self, request: Request, state: SandboxState) -> Response | None:
        target = agent_segment(request)
        try:
            body, problems = _checks.run_body(await request.body())
        except ClientDisconnect:
            return None
        if body is None or problems or target is None:
            return None
        label, number = body.workflow_label_name, body.workflow_version_number
        if label is not None and number is not None:
            return None
        inputs = body.input_variables
        asked = RunRequest(target[0], label, number, {} if inputs is None else inputs.to_dict())
        matching = [run for run in self.cassette.runs if not asked.differences(run)]
        if not matching:
            return None if self.fallback else self._no_run(asked)
        group = tuple(map(id, matching))  # the recordings this request matches
        run = matching[min(self._runs_served[group], len(matching) - 1)]
        self._runs_served[group] += 1
        if run.execution_id is None:
            return response_for(run.answer)
        new_id = state.executions.new_id()
        self.executions[new_id] = Replayed(run.execution_id, self.clock())
        while len(self.executions) > self.limit:
            self.executions.popitem(last=False)
        answer = {**run.answer.body, "workflow_version_execution_id": new_id}
        return response_for(
            Answer(run.answer.status, body=answer, retry_after=run.answer.retry_after)
        )

    def _no_run(self, asked: RunRequest) -> Response:
        runs = self.cassette.runs
        if not runs:
            message = f"No recorded run matches: the cassette {self.cassette.path} holds no runs"
            return error_response(404, message)
        closest = min(runs, key=lambda run: _distance(asked, run))
        number = self.cassette.interactions.index(closest) + 1
        differences = "; ".join(asked.differences(closest))
        message = (
            f"No recorded run matches this one. The closest recording (interaction {number} of "
            f"{self.cassette.path}) differs: {differences}"
        )
        return error_response(404, message, closest=closest.to_data()["run"])

    def _agent(self, request: Request) -> Response | None:
        target = agent_segment(request)
        version, problem = _checks.positive_int(request.query_params.get("version"), ["query"])
        label = request.query_params.get("label")
        if target is None or problem or (label is not None and version is not None):
            return None
        key = (target[0], label, version)
        recorded = [a for a in self.cassette.agents if (a.agent, a.label, a.version) == key]
        if not recorded:
            return None if self.fallback else self._no_agent(*key)
        exchange = recorded[min(self._agents_served[key], len(recorded) - 1)]
        self._agents_served[key] += 1
        return response_for(exchange.answer)

    def _no_agent(self, name: str, label: str | None, version: int | None) -> Response:
        asked = f"agent {_shown(name)} with label {_shown(label)} and version {_shown(version)}"
        recorded = sorted(
            {
                f"{_shown(a.agent)} ({_shown(a.label)}, {_shown(a.version)})"
                for a in self.cassette.agents
            }
        )
        known = ", ".join(recorded) if recorded else "none"
        return error_response(
            404,
            f"No Get Agent answer was recorded for {asked} in {self.cassette.path}; "
            f"recorded (agent, label, version): {known}",
        )

    def _results(self, request: Request) -> Response | None:
        params = request.query_params
        execution_id, problem = _checks.positive_int(
            params.get("workflow_version_execution_id"), ["query"]
        )
        everything, bad_flag = _checks.flag(params.get("return_all_outputs"), ["query"])
        replayed = self.executions.get(execution_id) if execution_id else None
        if problem or bad_flag or replayed is None:
            return None
        query = results_query(
            everything, params.get("workflow_node_id"), params.get("workflow_node_name")
        )
        progression = self._progressions.get((replayed.recorded_id, query))
        if not progression:
            recorded = sorted(
                {canonical(dict(q)) for i, q in self._progressions if i == replayed.recorded_id}
            )
            return error_response(
                404,
                f"No results were recorded for execution {replayed.recorded_id} with "
                f"{canonical(dict(query))} in {self.cassette.path}; recorded with: "
                f"{', '.join(recorded) or 'none'}",
            )
        elapsed = (self.clock() - replayed.started) * self.speed
        index, replayed.floors[query] = pick(
            [e.after for e in progression],
            [is_transient(e.answer) for e in progression],
            replayed.floors.get(query, 0),
            elapsed,
        )
        return response_for(progression[index].answer)


def replaying(state: SandboxState, cassette: Cassette, **options: Any) -> Replayer:
    """A replayer for the cassette; with `fallback`, the recorded definitions are added to the
    agents the sandbox executes (versions it already serves are kept as they are)."""
    replayer = Replayer(cassette, **options)
    if replayer.fallback:
        for exchange in cassette.agents:
            add_definition(state, exchange)
    return replayer


def add_definition(state: SandboxState, exchange: AgentExchange) -> None:
    """Serve a recorded Get Agent answer's definition, unless that version is served already."""
    from ._catalog import CatalogError

    body = exchange.answer.body
    if exchange.answer.status != 200 or not isinstance(body, dict):
        return
    served = state.catalog.find(exchange.agent)
    if served is not None and any(v.version == body.get("version") for v in served.versions):
        return
    try:
        state.catalog.add(body)
    except CatalogError as error:
        raise ValueError(
            f"--fallback execute cannot serve the recorded definition of {exchange.agent!r}: "
            f"{error}"
        ) from error
