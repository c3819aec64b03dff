"""Replaying a cassette, as a client of the sandbox sees it: which recording a run matches, the
order repeated runs and Get Agent requests are answered in, results that follow the recorded
times, the 404s that name the closest recording, and what is left to the sandbox itself."""

from __future__ import annotations

from typing import Any

import pytest

from promptlayer_agents.sandbox._app import create_app
from promptlayer_agents.sandbox._cassette import (
    AgentExchange,
    Answer,
    Cassette,
    Interaction,
    ResultsExchange,
    RunExchange,
    results_query,
)
from promptlayer_agents.sandbox._replayer import (
    Replayer,
    RunRequest,
    canonical,
    check_speed,
    is_transient,
    replaying,
)

from ..fakes import FakeClock
from .sandbox_calls import RESULTS, RUN, Reply, call, state_of

ALL = results_query(True, None, None)
DEFINITION: dict[str, Any] = {
    "workflow_name": "recorded-bot",
    "version": 3,
    "release_labels": ["prod"],
    "nodes": [{"name": "Reply", "node_type": "PROMPT_TEMPLATE", "is_output_node": True}],
}


def _started(execution_id: int = 7, **extra: Any) -> Answer:
    body = {"success": True, "workflow_version_execution_id": execution_id, **extra}
    return Answer(201, body=body)


def _run(inputs: dict[str, Any], answer: Answer | None = None, **fields: Any) -> RunExchange:
    recorded = {"agent": "greeter", "label": None, "version": None, **fields}
    return RunExchange(
        recorded["agent"],
        recorded["label"],
        recorded["version"],
        inputs,
        {},
        answer or _started(),
        tuple(recorded.get("redacted", ())),
    )


def _results(after: float, body: Any, status: int = 202, query: Any = ALL) -> ResultsExchange:
    return ResultsExchange(7, after, query, Answer(status, body=body))


class Replay:
    """A sandbox app replaying the interactions, on a fake clock."""

    def __init__(self, *interactions: Interaction, **options: Any) -> None:
        self.app = create_app({"agents": []})
        self.clock = FakeClock()
        self.cassette = Cassette("rec.yaml", interactions)
        state_of(self.app).tape = replaying(
            state_of(self.app), self.cassette, clock=self.clock.monotonic, **options
        )

    def run(self, inputs: Any = None, agent: str = "greeter", **body: Any) -> Reply:
        if inputs is not None:
            body["input_variables"] = inputs
        return call(self.app, "POST", RUN.format(agent), body=body)

    def results(self, execution_id: int, **params: Any) -> Reply:
        query = {"workflow_version_execution_id": execution_id, **params}
        return call(self.app, "GET", RESULTS, params=query)

    def agent(self, name: str = "greeter", **params: Any) -> Reply:
        return call(self.app, "GET", f"/workflows/{name}", params=params)


def _plain(method: str, path: str, **options: Any) -> Reply:
    """What a sandbox without a cassette answers (nothing served, nothing started)."""
    return call(create_app({"agents": []}), method, path, **options)


# -- runs ---------------------------------------------------------------------------------------


def test_a_matching_run_gets_the_recorded_answer_with_a_new_execution_id() -> None:
    recorded = Answer(201, body={"workflow_version_execution_id": 7, "note": "é"}, retry_after="3")
    replay = Replay(_run({"name": "Ada"}, recorded))

    first, second = replay.run({"name": "Ada"}), replay.run({"name": "Ada"})

    assert (first.status, first.json()) == (201, {"workflow_version_execution_id": 1, "note": "é"})
    assert first.headers["retry-after"] == "3"
    assert first.headers["content-type"] == "application/json"
    assert second.json()["workflow_version_execution_id"] == 2
    assert state_of(replay.app).executions.records() == []  # replayed, nothing executed


def test_repeated_runs_are_answered_in_recorded_order_then_the_last_again() -> None:
    busy = Answer(503, body={"success": False, "message": "busy"}, retry_after="2")
    replay = Replay(
        _run({"name": "Ada"}, busy),
        _run({"name": "Bo"}, Answer(400, text="no Bo")),
        _run({"name": "Ada"}, _started(8)),
        _run({"name": "Ada"}, Answer(429, body={"success": False})),
    )

    statuses = [replay.run({"name": "Ada"}).status for _ in range(5)]
    bo = [replay.run({"name": "Bo"}) for _ in range(2)]

    assert statuses == [503, 201, 429, 429, 429]
    assert [(r.status, r.body, r.headers["content-type"]) for r in bo] == 2 * [
        (400, b"no Bo", "text/plain; charset=utf-8")
    ]


def test_each_set_of_matching_recordings_keeps_its_own_order() -> None:
    replay = Replay(
        _run({"name": "Ada"}, Answer(503, body={})),
        _run({"name": "Bo"}, Answer(429, body={})),
        _run({"name": "Ada"}, _started()),
        _run({"name": "Bo"}, _started()),
    )

    statuses = [replay.run({"name": name}).status for name in ("Ada", "Bo", "Ada", "Bo")]

    assert statuses == [503, 429, 201, 201]


def test_a_run_with_a_value_the_sandbox_cannot_store_gets_its_422() -> None:
    replay = Replay(_run({"x": 1}))
    content = b'{"input_variables": {"x": 1e999}}'

    answer = call(replay.app, "POST", RUN.format("greeter"), content=content)

    assert answer == _plain("POST", RUN.format("greeter"), content=content)
    assert answer.status == 422


def test_a_failed_run_replays_its_status_and_retry_after_without_an_execution() -> None:
    replay = Replay(_run({}, Answer(503, body={"success": False}, retry_after="5")))

    answer = replay.run({})

    assert (answer.status, answer.json(), answer.headers["retry-after"]) == (
        503,
        {"success": False},
        "5",
    )
    assert replay.run({}).status == 503


def test_a_recorded_dropped_connection_is_dropped_again() -> None:
    replay = Replay(_run({"name": "Ada"}, Answer(failure="connect", message="refused")))

    assert not replay.run({"name": "Ada"}).complete


@pytest.mark.parametrize(
    ("asked", "recorded"),
    [
        ({"b": [1, {"y": 2, "x": 1}], "a": "é"}, {"a": "é", "b": [1, {"x": 1, "y": 2}]}),
        ({"key": "anything at all"}, {"key": "[REDACTED]"}),
        (None, {}),  # no input_variables: no inputs
    ],
)
def test_inputs_match_as_json_whatever_their_order_and_redacted_ones_match_any_value(
    asked: Any, recorded: dict[str, Any]
) -> None:
    redacted = ["key"] if "key" in recorded else []
    replay = Replay(_run(recorded, redacted=redacted))

    assert replay.run(asked).status == 201


def test_a_run_matches_only_its_agent_label_and_version() -> None:
    replay = Replay(
        _run({}, _started(1), label="prod"),
        _run({}, _started(2), version=4),
        _run({}, _started(3), agent="other"),
    )

    assert replay.run({}, workflow_label_name="prod").status == 201
    assert replay.run({}, workflow_version_number=4).status == 201
    assert replay.run({}, agent="other").status == 201
    others: list[dict[str, Any]] = [
        {},
        {"workflow_label_name": "dev"},
        {"workflow_version_number": 5},
    ]
    for body in others:
        assert replay.run({}, **body).status == 404


def test_an_unmatched_run_is_refused_naming_the_closest_recording_and_what_differs() -> None:
    closest = _run({"name": "Ada", "extra": "x" * 70})
    replay = Replay(
        AgentExchange("greeter", None, None, Answer(200, body={})),
        _run({"name": "Bo"}, agent="other"),
        _run({"name": "Bo"}, label="prod"),
        closest,
    )

    answer = replay.run({"name": "Bo", "new": "ü"})

    assert answer.status == 404
    assert answer.json() == {
        "success": False,
        "message": "No recorded run matches this one. The closest recording (interaction 4 of "
        "rec.yaml) differs: input 'extra' missing (recorded "
        f'"{"x" * 56}...); input \'name\' is "Bo" (recorded "Ada"); '
        "input 'new' was not recorded",
        "closest": closest.to_data()["run"],
    }


def test_an_unmatched_run_names_a_different_label_version_and_agent() -> None:
    replay = Replay(_run({}, agent="ghost", label="prod", version=2))

    message = replay.run({}).json()["message"]

    assert message.endswith(
        'differs: agent "greeter" (recorded "ghost"); label null (recorded "prod"); '
        "version null (recorded 2)"
    )


def test_the_closest_recording_differs_by_agent_last_then_label_then_inputs() -> None:
    """A recording of another agent is farther than any of this agent's, and one with another
    label farther than any with this label, however many inputs differ."""
    many = {f"input{i}": i for i in range(12)}
    by_label = _run(many, label="prod")
    by_inputs = _run({})
    by_agent = _run(many, agent="other")
    replay = Replay(by_agent, by_label, by_inputs)

    assert "interaction 3 of" in replay.run(many).json()["message"]

    replay = Replay(by_agent, by_label)
    assert "interaction 2 of" in replay.run({"x": 1}).json()["message"]

    replay = Replay(_run(many, version=2), by_inputs)
    assert "interaction 2 of" in replay.run(many).json()["message"]


def test_a_value_of_60_characters_is_shown_whole_and_a_longer_one_cut() -> None:
    replay = Replay(_run({"a": "x" * 58}), _run({"b": "y" * 59}))

    message = replay.run({}).json()["message"]

    assert f"input 'a' missing (recorded \"{'x' * 58}\")" in message
    replay = Replay(_run({"b": "y" * 59}))
    assert f'(recorded "{"y" * 56}...)' in replay.run({}).json()["message"]


def test_a_run_in_a_cassette_without_runs_is_refused_saying_so() -> None:
    replay = Replay(AgentExchange("greeter", None, None, Answer(200, body={})))

    answer = replay.run({})

    assert (answer.status, answer.json()) == (
        404,
        {
            "success": False,
            "message": "No recorded run matches: the cassette rec.yaml holds no runs",
        },
    )


@pytest.mark.parametrize(
    ("key", "body"),
    [
        ("pl_wrong", {"input_variables": {}}),  # the sandbox's 401
        ("pl_sandbox", {"input_variables": []}),  # its 422
        ("pl_sandbox", {"workflow_label_name": "a", "workflow_version_number": 1}),  # its 422
    ],
)
def test_a_bad_run_request_gets_the_sandboxs_own_answer(key: str, body: dict[str, Any]) -> None:
    replay = Replay(_run({}))
    path = RUN.format("greeter")

    answer = call(replay.app, "POST", path, key=key, body=body)

    assert answer == _plain("POST", path, key=key, body=body)
    assert answer.status in (401, 422)


def test_a_client_gone_before_its_body_gets_the_sandboxs_400() -> None:
    replay = Replay(_run({}))

    answer = call(replay.app, "POST", RUN.format("greeter"), body={}, disconnect=True)

    assert answer.status == 400
    assert "disconnected" in answer.json()["message"]


def test_an_unmatched_run_with_fallback_is_executed_by_the_sandbox() -> None:
    replay = Replay(_run({"name": "Ada"}), fallback=True)

    answer = replay.run({"name": "Bo"})

    assert (answer.status, answer.json()["message"]) == (404, "Workflow not found")


def test_replayed_executions_past_the_limit_are_forgotten_oldest_first() -> None:
    replay = Replay(_run({}), _results(0.0, {"Reply": "hi"}, status=200), limit=2)
    ids = [replay.run({}).json()["workflow_version_execution_id"] for _ in range(3)]

    answers = [replay.results(i, return_all_outputs="true") for i in ids]

    assert [a.status for a in answers] == [404, 200, 200]
    assert "1" in answers[0].json()["message"]


# -- Get Agent ----------------------------------------------------------------------------------


def test_get_agent_answers_as_recorded_in_order_then_the_last_again() -> None:
    replay = Replay(
        AgentExchange("greeter", None, 2, Answer(503, text="busy")),
        AgentExchange("greeter", "prod", None, Answer(200, body={"label": "prod"})),
        AgentExchange("greeter", None, 2, Answer(429, text="slow down")),
        AgentExchange("greeter", None, 2, Answer(200, body={"version": 2})),
    )

    by_version = [replay.agent(version="2") for _ in range(4)]

    assert [(a.status, a.body) for a in by_version] == [
        (503, b"busy"),
        (429, b"slow down"),
        (200, b'{"version": 2}'),
        (200, b'{"version": 2}'),
    ]
    assert replay.agent(label="prod").json() == {"label": "prod"}


def test_an_unrecorded_get_agent_is_refused_naming_what_was_recorded() -> None:
    replay = Replay(
        AgentExchange("zed", "prod", None, Answer(200, body={})),
        AgentExchange("greeter", None, 2, Answer(200, body={})),
        AgentExchange("greeter", None, 2, Answer(200, body={})),
    )

    answer = replay.agent(version="3")

    assert (answer.status, answer.json()["message"]) == (
        404,
        'No Get Agent answer was recorded for agent "greeter" with label null and version 3 in '
        'rec.yaml; recorded (agent, label, version): "greeter" (null, 2), "zed" ("prod", null)',
    )
    assert Replay().agent(label="dev").json()["message"] == (
        'No Get Agent answer was recorded for agent "greeter" with label "dev" and version null '
        "in rec.yaml; recorded (agent, label, version): none"
    )


@pytest.mark.parametrize(
    "params",
    [{"version": "0"}, {"version": "x"}, {"label": "prod", "version": "2"}],
)
def test_a_bad_get_agent_request_gets_the_sandboxs_own_answer(params: dict[str, str]) -> None:
    replay = Replay(AgentExchange("greeter", "prod", 2, Answer(200, body={})))

    assert replay.agent(**params) == _plain("GET", "/workflows/greeter", params=params)


def test_an_unrecorded_get_agent_with_fallback_is_answered_by_the_sandbox() -> None:
    replay = Replay(AgentExchange("greeter", None, None, Answer(404, body={})), fallback=True)

    assert replay.agent("other").json()["message"] == "Workflow not found"


# -- results ------------------------------------------------------------------------------------


def test_results_follow_the_recorded_times_scaled_by_the_speed() -> None:
    replay = Replay(
        _run({}),
        _results(2.0, {"step": 2}),
        _results(0.5, {"step": 1}),
        _results(4.0, {"step": 3}, status=200),
        speed=2,
    )
    replay.clock.sleep(100)  # the run comes 100 s into the replay
    execution_id = replay.run({}).json()["workflow_version_execution_id"]
    seen = []
    for wait in (0.0, 0.9, 0.2, 1.0):  # at 0, 0.9, 1.1 and 2.1 s: 0, 1.8, 2.2 and 4.2 recorded
        replay.clock.sleep(wait)
        answer = replay.results(execution_id, return_all_outputs="true")
        seen.append((answer.status, answer.json()["step"]))

    assert seen == [(202, 1), (202, 1), (202, 2), (200, 3)]


def test_results_with_equal_times_keep_their_recorded_order() -> None:
    replay = Replay(_run({}), _results(1.0, "first"), _results(1.0, "second"))
    execution_id = replay.run({}).json()["workflow_version_execution_id"]
    replay.clock.sleep(5)

    assert replay.results(execution_id, return_all_outputs="true").json() == "second"


def test_each_results_query_follows_its_own_progression() -> None:
    node, main = results_query(True, None, "Reply"), results_query(False, None, None)
    replay = Replay(
        _run({}),
        _results(0.0, "main, early", query=main),
        _results(1.0, "main, late", query=main),
        _results(0.0, {"Reply": "early"}, query=node),
        _results(3.0, {"Reply": "late"}, query=node),
        _results(1.0, {"n7": "late"}, query=results_query(True, "n7", None)),
    )
    execution_id = replay.run({}).json()["workflow_version_execution_id"]
    replay.clock.sleep(1.5)

    assert replay.results(execution_id).json() == "main, late"
    params = {"return_all_outputs": "true", "workflow_node_name": "Reply"}
    assert replay.results(execution_id, **params).json() == {"Reply": "early"}
    params = {"return_all_outputs": "true", "workflow_node_id": "n7"}
    assert replay.results(execution_id, **params).json() == {"n7": "late"}


def test_a_transient_failure_is_given_once_and_never_goes_back() -> None:
    replay = Replay(
        _run({}),
        _results(0.0, "early"),
        ResultsExchange(7, 1.0, ALL, Answer(503, text="busy")),
        _results(2.0, "late"),
    )
    execution_id = replay.run({}).json()["workflow_version_execution_id"]
    replay.clock.sleep(1.0)

    bodies = [replay.results(execution_id, return_all_outputs="true").body for _ in range(2)]

    assert bodies == [b"busy", b'"late"']


def test_results_never_recorded_for_that_query_are_refused_naming_those_recorded() -> None:
    node = results_query(True, "n1", None)
    replay = Replay(
        _run({}),
        _results(0.0, {}, query=node),
        _results(0.0, {}),
        ResultsExchange(8, 0.0, (), Answer(200, body={})),
    )
    execution_id = replay.run({}).json()["workflow_version_execution_id"]

    answer = replay.results(execution_id)

    assert (answer.status, answer.json()["message"]) == (
        404,
        'No results were recorded for execution 7 with {"return_all_outputs": false} in '
        'rec.yaml; recorded with: {"return_all_outputs": true, "workflow_node_id": "n1"}, '
        '{"return_all_outputs": true}',
    )


def test_results_of_a_run_recorded_without_any_say_none_were() -> None:
    replay = Replay(_run({}))
    execution_id = replay.run({}).json()["workflow_version_execution_id"]

    message = replay.results(execution_id, return_all_outputs="true").json()["message"]

    assert message.endswith("in rec.yaml; recorded with: none")


@pytest.mark.parametrize(
    "params",
    [
        {"workflow_version_execution_id": "0"},
        {"workflow_version_execution_id": "x"},
        {"workflow_version_execution_id": "1", "return_all_outputs": "maybe"},
        {"workflow_version_execution_id": "5"},  # not an execution the replay started
        {},
    ],
)
def test_a_bad_or_unknown_results_request_gets_the_sandboxs_own_answer(
    params: dict[str, str],
) -> None:
    replay = Replay(_run({}), _results(0.0, "x"))
    replay.run({})

    assert call(replay.app, "GET", RESULTS, params=params) == _plain("GET", RESULTS, params=params)


# -- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("speed", [0, -1, float("inf"), float("nan"), True, "2", None])
def test_a_speed_that_is_not_a_finite_number_above_0_is_refused(speed: Any) -> None:
    with pytest.raises(ValueError, match=r"speed must be a number > 0 \(2 plays twice as fast\)"):
        check_speed(speed)
    with pytest.raises(ValueError, match=f"not {speed!r}"):
        Replayer(Cassette("rec.yaml"), speed=speed)


@pytest.mark.parametrize("speed", [1, 0.001, 1e9])
def test_a_finite_speed_above_0_is_taken(speed: float) -> None:
    assert Replayer(Cassette("rec.yaml"), speed=speed).speed == speed


@pytest.mark.parametrize(
    ("answer", "transient"),
    [
        (Answer(failure="timeout"), True),
        (Answer(429, body={}), True),
        (Answer(500, body={}), True),
        (Answer(599, text=""), True),
        (Answer(499, body={}), False),
        (Answer(428, body={}), False),
        (Answer(200, body={}), False),
    ],
)
def test_transient_answers_are_429_5xx_and_no_answer(answer: Answer, transient: bool) -> None:
    assert is_transient(answer) is transient


def test_matching_compares_canonical_json() -> None:
    assert canonical({"b": float("nan"), "a": "é"}) == '{"a": "é", "b": NaN}'


def test_a_request_differs_by_a_redacted_input_only_when_it_is_missing() -> None:
    recorded = _run({"key": "[REDACTED]"}, redacted=["key"])

    assert RunRequest("greeter", None, None, {"key": 1}).differences(recorded) == []
    assert RunRequest("greeter", None, None, {}).differences(recorded) == [
        "input 'key' missing (recorded \"[REDACTED]\")"
    ]


# -- fallback definitions -----------------------------------------------------------------------


def test_fallback_serves_the_recorded_definitions_and_executes_with_them() -> None:
    replay = Replay(
        AgentExchange("recorded-bot", None, None, Answer(200, body=DEFINITION)),
        AgentExchange("recorded-bot", None, 3, Answer(200, body=DEFINITION)),  # served already
        AgentExchange("recorded-bot", None, 9, Answer(404, body={"version": 9, **DEFINITION})),
        AgentExchange("recorded-bot", None, 8, Answer(200, text="not a definition")),
        fallback=True,
    )

    served = state_of(replay.app).catalog.find("recorded-bot")
    assert served is not None and [v.version for v in served.versions] == [3]
    answer = replay.run({}, agent="recorded-bot")
    assert answer.status == 201
    assert len(state_of(replay.app).executions.records()) == 1


def test_without_fallback_the_recorded_definitions_are_not_served() -> None:
    replay = Replay(AgentExchange("recorded-bot", None, None, Answer(200, body=DEFINITION)))

    assert state_of(replay.app).catalog.find("recorded-bot") is None


def test_a_served_version_is_kept_over_the_recorded_one() -> None:
    mine = {**DEFINITION, "release_labels": ["mine"]}
    app = create_app({"agents": [{"workflow_name": "recorded-bot", "versions": [mine]}]})
    recorded = AgentExchange("recorded-bot", None, None, Answer(200, body=DEFINITION))

    replaying(state_of(app), Cassette("rec.yaml", (recorded,)), fallback=True)

    served = state_of(app).catalog.find("recorded-bot")
    assert served is not None and [v.release_labels for v in served.versions] == [["mine"]]


def test_a_recorded_definition_the_sandbox_cannot_serve_is_refused_naming_the_agent() -> None:
    broken = AgentExchange("recorded-bot", None, None, Answer(200, body={"version": 1}))

    with pytest.raises(
        ValueError,
        match=r"--fallback execute cannot serve the recorded "
        r"definition of 'recorded-bot': a definition needs a workflow_name",
    ):
        replaying(state_of(create_app({"agents": []})), Cassette("r", (broken,)), fallback=True)
