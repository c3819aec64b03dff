"""Cassettes: what is written loads back the same, and a cassette that is corrupt, cut short or of
another version is refused whole, with the file and the line. Replay's choice of results answer
never goes back."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlayer_agents.sandbox._cassette import (
    AgentExchange,
    Answer,
    Cassette,
    CassetteError,
    CassetteWriter,
    Interaction,
    ResultsExchange,
    RunExchange,
    dump,
    load,
    response_for,
    results_query,
)
from promptlayer_agents.sandbox._faults import DroppedConnection
from promptlayer_agents.sandbox._replayer import pick

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
NAMES = st.text(min_size=1, max_size=12)
ANSWERS = st.one_of(
    st.builds(Answer, status=st.integers(100, 599), body=JSON),
    st.builds(Answer, status=st.integers(100, 599), text=st.text(max_size=30)),
    st.builds(
        Answer,
        failure=st.sampled_from(["connect", "timeout", "transport"]),
        message=st.text(max_size=20),
    ),
)
LABELS = st.none() | NAMES
VERSIONS = st.none() | st.integers(1, 10**6)
INTERACTIONS: st.SearchStrategy[Interaction] = st.one_of(
    st.builds(
        RunExchange,
        agent=NAMES,
        label=LABELS,
        version=VERSIONS,
        input_variables=st.dictionaries(NAMES, JSON, max_size=3),
        metadata=st.dictionaries(NAMES, st.text(max_size=10), max_size=2),
        answer=ANSWERS,
        redacted_inputs=st.lists(NAMES, max_size=2).map(tuple),
    ),
    st.builds(
        ResultsExchange,
        execution_id=st.integers(1, 10**9),
        after=st.floats(0, 10**4).map(lambda f: round(f, 6)),
        query=st.builds(results_query, st.booleans(), st.none() | NAMES, st.none() | NAMES),
        answer=ANSWERS,
    ),
    st.builds(AgentExchange, agent=NAMES, label=LABELS, version=VERSIONS, answer=ANSWERS),
)


def _example() -> list[Interaction]:
    body = {"workflow_version_execution_id": 7, "success": True}
    return [
        RunExchange("greeter", "prod", None, {"name": "Ada"}, {}, Answer(201, body=body)),
        ResultsExchange(7, 0.5, results_query(True, None, None), Answer(202, body={"A": {}})),
        ResultsExchange(7, 1.0, results_query(True, None, None), Answer(503, text="busy")),
        ResultsExchange(7, 1.5, results_query(True, None, None), Answer(200, body={"A": {}})),
        AgentExchange("greeter", None, 2, Answer(failure="timeout", message="ReadTimeout")),
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(interactions=st.lists(INTERACTIONS, max_size=5))
def test_what_is_written_loads_back_the_same(
    tmp_path: Path, interactions: list[Interaction]
) -> None:
    path = tmp_path / "any.yaml"
    path.write_text(dump(interactions), encoding="utf-8")

    assert list(load(path).interactions) == interactions


def test_every_cut_of_a_cassette_is_refused_with_the_file_and_a_line(tmp_path: Path) -> None:
    text = dump(_example())
    path = tmp_path / "cut.yaml"
    lines = text.count("\n")
    breaks = {i + d for i, c in enumerate(text) if c == "\n" for d in (-1, 0, 1)}
    ends = sorted((set(range(0, len(text), 3)) | breaks) - {len(text) - 1, len(text)})
    for end in ends:  # every line boundary, and much between (not the final newline alone)
        path.write_text(text[:end], encoding="utf-8")

        with pytest.raises(CassetteError) as caught:
            load(path)

        assert caught.value.path == str(path)
        assert caught.value.line is not None and 1 <= caught.value.line <= lines, end
        assert str(caught.value).startswith(f"cassette {path}:{caught.value.line}: ")


HEAD = "promptlayer_cassette: 1\ninteractions:\n"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (
            "promptlayer_cassette: 2\ninteractions: []\ncomplete: true\n",
            1,
            "unknown cassette format version 2",
        ),
        ("promptlayer_cassette: '1'\ninteractions: []\ncomplete: true\n", 1, "format version '1'"),
        ("interactions: []\ncomplete: true\n", 1, "no 'promptlayer_cassette' format version"),
        ("promptlayer_cassette: 1\ninteractions: [\n", 3, "is not valid YAML"),
        ("promptlayer_cassette: 1\n  bad: indentation\n", 2, "is not valid YAML"),
        (
            HEAD + "- run: {agent: a}\n  answer: {status: 201, body: {}}\n"
            "- results: {execution_id: 3, after: -1}\n"
            "  answer: {status: 202, body: {}}\ncomplete: true\n",
            5,
            "'after' must be a number of seconds >= 0",
        ),
        (
            HEAD + "- agent: {agent: a}\n  answer:\n    status: 200\n"
            "    body: {}\n    text: also\ncomplete: true\n",
            5,
            "either a JSON 'body' or a 'text'",
        ),
        (
            HEAD + "- agent: {agent: a}\n  answer: {failure: fire}\ncomplete: true\n",
            4,
            "'failure' must be one of",
        ),
        (
            HEAD + "- just text\ncomplete: true\n",
            3,
            "must be a mapping",
        ),
    ],
)
def test_a_bad_cassette_names_the_file_the_line_and_the_problem(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CassetteError, match=problem) as caught:
        load(path)

    assert (caught.value.path, caught.value.line) == (str(path), line)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"promptlayer_cassette: 1\ninteractions: []\n\xff\xfe\n")

    with pytest.raises(CassetteError, match=r"binary.yaml:3: is not UTF-8 text"):
        load(path)


def test_a_missing_cassette_is_named(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=r"missing.yaml: no such file"):
        load(tmp_path / "missing.yaml")


def test_the_writer_leaves_a_complete_cassette_after_every_exchange(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "rec.yaml"
    writer = CassetteWriter.open(path, append=True)
    assert load(path).interactions == ()  # an unused cassette exists, and loads

    for count, interaction in enumerate(_example(), start=1):
        writer.append(interaction)
        assert list(load(path).interactions) == _example()[:count]
    assert sorted(p.name for p in path.parent.iterdir()) == ["rec.yaml"]  # no temporary left


def test_appending_continues_a_cassette_and_starting_afresh_does_not(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    first, second, *_ = _example()
    CassetteWriter.open(path, append=True).append(first)

    CassetteWriter.open(path, append=True).append(second)
    assert list(load(path).interactions) == [first, second]

    CassetteWriter.open(path, append=False)
    assert load(path).interactions == ()


def test_appending_to_a_corrupt_cassette_is_refused_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.yaml"
    path.write_text("promptlayer_cassette: 1\ninteractions: [\n", encoding="utf-8")

    with pytest.raises(CassetteError, match=r"corrupt\.yaml:3"):
        CassetteWriter.open(path, append=True)
    assert path.read_text(encoding="utf-8") == "promptlayer_cassette: 1\ninteractions: [\n"


PROGRESSIONS = st.lists(st.tuples(st.floats(0, 100), st.booleans()), min_size=1, max_size=8).map(
    sorted
)


@given(progression=PROGRESSIONS, steps=st.lists(st.floats(0, 10), max_size=20))
def test_replayed_results_never_go_back_and_give_each_failure_once(
    progression: list[tuple[float, bool]], steps: list[float]
) -> None:
    afters = [after for after, _ in progression]
    transient = [failed for _, failed in progression]
    last = len(afters) - 1
    floor, elapsed, served = 0, 0.0, []
    for step in [*steps, 1000.0]:  # any polling schedule, then one poll after the end
        elapsed += step
        index, floor = pick(afters, transient, floor, elapsed)
        served.append(index)
        assert index >= sum(after <= elapsed for after in afters) - 1  # at least what is due

    assert served == sorted(served)
    failures = [i for i in served if transient[i] and i != last]
    assert len(failures) == len(set(failures))
    assert served[-1] == last


def test_replayed_results_follow_the_recorded_times() -> None:
    afters, transient = [0.2, 1.0, 2.0, 3.0], [False, False, True, False]

    assert pick(afters, transient, 0, 0.0) == (0, 0)  # before the first: the first
    assert pick(afters, transient, 0, 1.5) == (1, 1)
    assert pick(afters, transient, 1, 2.5) == (2, 3)  # the failure, given once
    assert pick(afters, transient, 3, 2.6) == (3, 3)  # then what came after it
    assert pick(afters, transient, 3, 0.1) == (3, 3)  # never back


def _load_text(tmp_path: Path, text: str) -> Cassette:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def _refusal(tmp_path: Path, text: str) -> CassetteError:
    with pytest.raises(CassetteError) as caught:
        _load_text(tmp_path, text)
    return caught.value


@pytest.mark.parametrize(
    ("item", "line", "problem"),
    [
        (
            "- {results: {execution_id: 3, after: 1}}",
            3,
            "an interaction has one of 'run', 'results' or 'agent', and 'answer'",
        ),
        (
            "- {run: {agent: a}, agent: {agent: a}, answer: {status: 200, body: 1}}",
            3,
            "an interaction has one of 'run', 'results' or 'agent', and 'answer'",
        ),
        (
            "- {agent: [a], answer: {status: 200, body: 1}}",
            3,
            "expected a mapping with string keys",
        ),
        (
            "- {agent: {agent: a}, answer: {status: 200, 1: 2, body: 1}}",
            3,
            "expected a mapping with string keys",
        ),
        ("- {agent: {agent: 3}, answer: {status: 200, body: 1}}", 3, "'agent' must be a string"),
        ("- {agent: {label: x}, answer: {status: 200, body: 1}}", 3, "'agent' must be a string"),
        (
            "- {agent: {agent: a, label: 1}, answer: {status: 200, body: 1}}",
            3,
            "'label' must be a string",
        ),
        (
            "- {agent: {agent: a, version: 0}, answer: {status: 200, body: 1}}",
            3,
            "'version' must be a whole number >= 1, or null",
        ),
        (
            "- {agent: {agent: a, version: true}, answer: {status: 200, body: 1}}",
            3,
            "'version' must be a whole number >= 1, or null",
        ),
        (
            "- {agent: {agent: a, version: '2'}, answer: {status: 200, body: 1}}",
            3,
            "'version' must be a whole number >= 1, or null",
        ),
        (
            "- run: {agent: a, redacted_inputs: x}\n  answer: {status: 201, body: {}}",
            3,
            "'redacted_inputs' must be a list of names",
        ),
        (
            "- run: {agent: a, redacted_inputs: [1]}\n  answer: {status: 201, body: {}}",
            3,
            "'redacted_inputs' must be a list of names",
        ),
        (
            "- run: {agent: a, input_variables: [1]}\n  answer: {status: 201, body: {}}",
            3,
            "expected a mapping with string keys",
        ),
        (
            "- run: {agent: a, metadata: 1}\n  answer: {status: 201, body: {}}",
            3,
            "expected a mapping with string keys",
        ),
        (
            "- results: {after: 1}\n  answer: {status: 200, body: 1}",
            3,
            "'execution_id' is required",
        ),
        (
            "- results: {execution_id: 1}\n  answer: {status: 200, body: 1}",
            3,
            "'after' must be a number of seconds >= 0",
        ),
        (
            "- results: {execution_id: 1, after: true}\n  answer: {status: 200, body: 1}",
            3,
            "'after' must be a number of seconds >= 0",
        ),
        (
            "- results: {execution_id: 1, after: '1'}\n  answer: {status: 200, body: 1}",
            3,
            "'after' must be a number of seconds >= 0",
        ),
        (
            "- results: {execution_id: 1, after: .nan}\n  answer: {status: 200, body: 1}",
            3,
            "'after' must be a number of seconds >= 0",
        ),
        (
            "- {agent: {agent: a}, answer: {body: 1}}",
            3,
            "an answer needs an HTTP 'status' (100-599)",
        ),
        (
            "- {agent: {agent: a}, answer: {status: 99, body: 1}}",
            3,
            "an answer needs an HTTP 'status' (100-599)",
        ),
        (
            "- {agent: {agent: a}, answer: {status: 600, body: 1}}",
            3,
            "an answer needs an HTTP 'status' (100-599)",
        ),
        (
            "- {agent: {agent: a}, answer: {status: true, body: 1}}",
            3,
            "an answer needs an HTTP 'status' (100-599)",
        ),
        (
            "- {agent: {agent: a}, answer: {status: 200}}",
            3,
            "an answer has either a JSON 'body' or a 'text', not both",
        ),
        ("- {agent: {agent: a}, answer: {status: 200, text: 5}}", 3, "'text' must be a string"),
        ("- {agent: {agent: a}, answer: 5}", 3, "expected a mapping with string keys"),
        (
            "- {agent: {agent: a}, answer: {failure: refused}}",
            3,
            "'failure' must be one of connect, timeout, transport",
        ),
    ],
)
def test_an_interaction_of_the_wrong_shape_is_refused_with_its_line_and_problem(
    tmp_path: Path, item: str, line: int, problem: str
) -> None:
    refused = _refusal(tmp_path, f"{HEAD}{item}\ncomplete: true\n")

    assert (refused.line, refused.problem) == (line, problem)
    assert str(refused) == f"cassette {tmp_path / 'c.yaml'}:{line}: {problem}"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("- 1\n- 2\n", 1, "is not a cassette: expected a mapping with 'promptlayer_cassette'"),
        ("", 1, "is not a cassette: expected a mapping with 'promptlayer_cassette'"),
        (
            "promptlayer_cassette: true\ncomplete: true\n",
            1,
            "unknown cassette format version True (this promptlayer-agents reads version 1)",
        ),
        (
            "promptlayer_cassette: 1\ninteractions: {a: 1}\ncomplete: true\n",
            2,
            "'interactions' must be a list",
        ),
        (
            "promptlayer_cassette: 1\ninteractions: []\n",
            1,
            "the file is cut short: it does not end with 'complete: true'",
        ),
        (
            "promptlayer_cassette: 1\ncomplete: 'true'\n",
            1,
            "the file is cut short: it does not end with 'complete: true'",
        ),
        (
            "promptlayer_cassette: 1\ninteractions:\n"
            "- {agent: {agent: a}, answer: {failure: timeout}}\n",
            3,
            "the file is cut short: it does not end with 'complete: true'",
        ),
        (
            "promptlayer_cassette: 1\na: &x [1]\nb: *x\n",
            3,
            "is not valid YAML: aliases (*name) are not allowed",
        ),
        (
            "promptlayer_cassette: 1\nbad: \x07\n",
            2,
            "is not valid YAML: special characters are not allowed",
        ),
        (
            "promptlayer_cassette: 1\nbad: 'x\n",
            3,
            "is not valid YAML: while scanning a quoted scalar found unexpected end of stream",
        ),
        (
            "promptlayer_cassette: 1\n--- 2\n",
            2,
            "is not valid YAML: expected a single document in the stream but found another "
            "document",
        ),
        (
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            None,
            "is not valid YAML: maximum recursion depth exceeded",
        ),
    ],
)
def test_a_document_that_is_no_cassette_is_refused_with_its_line_and_problem(
    tmp_path: Path, text: str, line: int | None, problem: str
) -> None:
    refused = _refusal(tmp_path, text)

    assert (refused.line, refused.path, refused.problem) == (
        line,
        str(tmp_path / "c.yaml"),
        problem,
    )
    where = refused.path if line is None else f"{refused.path}:{line}"
    assert str(refused) == f"cassette {where}: {refused.problem}"


def test_a_folder_is_no_cassette(tmp_path: Path) -> None:
    with pytest.raises(CassetteError) as caught:
        load(tmp_path)

    assert str(caught.value) == f"cassette {tmp_path}: cannot be read (Is a directory)"


def test_a_cassette_without_interactions_is_empty(tmp_path: Path) -> None:
    assert _load_text(tmp_path, "promptlayer_cassette: 1\ncomplete: true\n") == Cassette(
        str(tmp_path / "c.yaml")
    )


def test_optional_fields_take_their_defaults(tmp_path: Path) -> None:
    cassette = _load_text(
        tmp_path,
        HEAD + "- run: {agent: a}\n  answer: {status: 201, body: null}\n"
        "- results: {execution_id: 4, after: 2, return_all_outputs: null, workflow_node_id: n,"
        " other: x}\n  answer: {status: 200, text: t, retry_after: 5}\n"
        "- agent: {agent: a, label: null}\n  answer: {failure: transport}\ncomplete: true\n",
    )

    assert list(cassette.interactions) == [
        RunExchange("a", None, None, {}, {}, Answer(201, body=None)),
        ResultsExchange(
            4, 2.0, (("workflow_node_id", "n"),), Answer(200, text="t", retry_after="5")
        ),
        AgentExchange("a", None, None, Answer(failure="transport", message="")),
    ]
    assert type(cassette.results[0].after) is float
    assert (cassette.runs, cassette.agents) == (
        [cassette.interactions[0]],
        [cassette.interactions[2]],
    )


@pytest.mark.parametrize(
    ("body", "execution_id"),
    [
        ({"workflow_version_execution_id": 7}, 7),
        ({"workflow_version_execution_id": True}, None),
        ({"workflow_version_execution_id": 7.0}, None),
        ({"workflow_version_execution_id": "7"}, None),
        ({}, None),
        ([7], None),
    ],
)
def test_a_run_started_an_execution_only_when_upstream_gave_an_integer_id(
    body: Any, execution_id: int | None
) -> None:
    assert RunExchange("a", None, None, {}, {}, Answer(201, body=body)).execution_id == execution_id


def test_a_failure_without_a_message_is_written_with_an_empty_one() -> None:
    assert Answer(failure="connect").to_data() == {"failure": "connect", "message": ""}
    assert Answer(200, text="t", retry_after="3").to_data() == {
        "status": 200,
        "text": "t",
        "retry_after": "3",
    }
    assert Answer(200, body=None).to_data() == {"status": 200, "body": None}


def test_a_value_used_twice_is_written_out_in_full() -> None:
    shared = {"deep": ["value"]}
    text = dump([RunExchange("a", None, None, shared, shared, Answer(201, body=shared))])

    assert "&" not in text and "*" not in text
    assert text.count("deep:") == 3


def test_the_text_is_readable_block_yaml_in_a_fixed_order() -> None:
    text = dump(
        [ResultsExchange(3, 1 / 3, (("return_all_outputs", True),), Answer(200, body="é\x85"))]
    )

    assert text == (
        "# A promptlayer-agents cassette: answers of PromptLayer's Agents API, recorded by\n"
        "# `promptlayer-agents sandbox --record` and replayed by `--replay`. No credential is "
        "stored.\n"
        "promptlayer_cassette: 1\n"
        "interactions:\n"
        "- results:\n"
        "    execution_id: 3\n"
        "    after: 0.333333\n"
        "    return_all_outputs: true\n"
        "  answer:\n"
        "    status: 200\n"
        '    body: "\\xE9\\N"\n'
        "complete: true\n"
    )


def test_long_values_are_folded_near_100_columns(tmp_path: Path) -> None:
    words = " ".join(["word"] * 60)
    text = dump([AgentExchange("a", None, None, Answer(200, text=words))])

    body = text.split("    status: 200\n")[1]
    assert body == (
        "    text: " + " ".join(["word"] * 19) + "\n"
        "      " + " ".join(["word"] * 20) + "\n"
        "      " + " ".join(["word"] * 20) + "\n"
        "      word\n"
        "complete: true\n"
    )
    assert _load_text(tmp_path, text).agents[0].answer.text == words


@pytest.mark.parametrize(
    ("answer", "status", "headers", "content"),
    [
        (Answer(201, body={"a": "é", "n": float("nan")}), 201, {}, '{"a": "é", "n": NaN}'),
        (Answer(None, body=[1]), 500, {}, "[1]"),
        (Answer(503, text="busy", retry_after="4"), 503, {"retry-after": "4"}, "busy"),
        (Answer(None, text="x"), 500, {}, "x"),
    ],
)
def test_a_recorded_answer_is_answered_with_its_status_body_and_retry_after(
    answer: Answer, status: int, headers: dict[str, str], content: str
) -> None:
    response = response_for(answer)

    assert (response.status_code, bytes(response.body).decode()) == (status, content)
    assert {k: v for k, v in response.headers.items() if k == "retry-after"} == headers
    expected = "text/plain" if answer.text is not None else "application/json"
    assert response.media_type == expected


def test_a_recorded_failure_is_answered_by_dropping_the_connection() -> None:
    assert isinstance(response_for(Answer(failure="timeout", message="m")), DroppedConnection)


def test_the_writer_replaces_the_file_through_a_temporary_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rec.yaml"
    replaced: list[tuple[str, str]] = []
    synced: list[int] = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(source: Any, target: Any) -> None:
        assert Path(source).read_text(encoding="utf-8") == dump([])  # complete before the rename
        replaced.append((str(source), str(target)))
        real_replace(source, target)

    def fsync(descriptor: int) -> None:
        synced.append(descriptor)
        real_fsync(descriptor)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "fsync", fsync)

    CassetteWriter.open(path, append=False)

    assert replaced == [(str(tmp_path / f".rec.yaml.{os.getpid()}.tmp"), str(path))]
    assert len(synced) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.yaml"]


def test_writers_on_threads_lose_no_exchange(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    writer = CassetteWriter.open(path, append=False)
    exchanges = [AgentExchange(f"a{i}", None, None, Answer(200, body=i)) for i in range(8)]
    threads = [threading.Thread(target=writer.append, args=(e,)) for e in exchanges]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sorted(i.agent for i in load(path).agents) == sorted(e.agent for e in exchanges)


@pytest.mark.parametrize(
    ("item", "line", "problem"),
    [
        (
            "- agent:\n    agent: a\n  answer:\n    message: m\n    failure: fire",
            7,
            "'failure' must be one of connect, timeout, transport",
        ),
        (
            "- agent:\n    agent: a\n  answer:\n    body: 1\n    status: 99",
            7,
            "an answer needs an HTTP 'status' (100-599)",
        ),
        (
            "- agent:\n    agent: a\n  answer:\n    status: 200\n    text: 5",
            7,
            "'text' must be a string",
        ),
        (
            "- run:\n    label: x\n    agent: 3\n  answer: {status: 201, body: {}}",
            5,
            "'agent' must be a string",
        ),
        (
            "- run:\n    agent: a\n    label: 1\n  answer: {status: 201, body: {}}",
            5,
            "'label' must be a string",
        ),
        (
            "- run:\n    agent: a\n    version: 0\n  answer: {status: 201, body: {}}",
            5,
            "'version' must be a whole number >= 1, or null",
        ),
        (
            "- agent:\n    agent: a\n    version: x\n  answer: {status: 201, body: {}}",
            5,
            "'version' must be a whole number >= 1, or null",
        ),
        (
            "- run:\n    agent: a\n    input_variables: [1]\n  answer: {status: 201, body: {}}",
            5,
            "expected a mapping with string keys",
        ),
        (
            "- run:\n    agent: a\n    metadata: 1\n  answer: {status: 201, body: {}}",
            5,
            "expected a mapping with string keys",
        ),
        (
            "- run:\n    agent: a\n    redacted_inputs: x\n  answer: {status: 201, body: {}}",
            5,
            "'redacted_inputs' must be a list of names",
        ),
        (
            "- results:\n    after: 1\n    execution_id: null\n  answer: {status: 200, body: 1}",
            5,
            "'execution_id' is required",
        ),
        (
            "- results:\n    execution_id: 1\n    after: -1\n  answer: {status: 200, body: 1}",
            5,
            "'after' must be a number of seconds >= 0",
        ),
    ],
)
def test_a_problem_is_placed_on_the_line_of_the_field_at_fault(
    tmp_path: Path, item: str, line: int, problem: str
) -> None:
    """The field at fault is below the first line of its mapping."""
    refused = _refusal(tmp_path, f"{HEAD}{item}\ncomplete: true\n")

    assert (refused.line, refused.problem) == (line, problem)


def test_an_unknown_version_is_placed_on_its_line(tmp_path: Path) -> None:
    refused = _refusal(tmp_path, "interactions: []\npromptlayer_cassette: 2\ncomplete: true\n")

    assert (refused.line, refused.problem) == (
        2,
        "unknown cassette format version 2 (this promptlayer-agents reads version 1)",
    )


def test_the_edges_of_each_range_load(tmp_path: Path) -> None:
    cassette = _load_text(
        tmp_path,
        HEAD + "- run: {agent: a, version: 1}\n  answer: {status: 100, body: 1}\n"
        "- results: {execution_id: 1, after: 0}\n  answer: {status: 599, text: t}\n"
        "- results: {execution_id: 1, after: 0.5}\n  answer: {failure: connect, message: m}\n"
        "complete: true\n",
    )

    assert list(cassette.interactions) == [
        RunExchange("a", None, 1, {}, {}, Answer(100, body=1)),
        ResultsExchange(1, 0.0, (), Answer(599, text="t")),
        ResultsExchange(1, 0.5, (), Answer(failure="connect", message="m")),
    ]


def test_a_cassette_cut_short_before_more_keys_names_the_line_after_its_interactions(
    tmp_path: Path,
) -> None:
    refused = _refusal(
        tmp_path,
        HEAD + "- {agent: {agent: a}, answer: {failure: timeout}}\ncomplete: false\nnote: x\n",
    )

    assert (refused.line, refused.problem) == (
        4,
        "the file is cut short: it does not end with 'complete: true'",
    )


def test_a_line_is_folded_once_it_passes_100_columns() -> None:
    text = dump([AgentExchange("a", None, None, Answer(200, text=" ".join(["www"] * 24)))])

    assert text.endswith("    text: " + " ".join(["www"] * 23) + "\n      www\ncomplete: true\n")


def test_a_cut_without_a_final_newline_names_its_last_line(tmp_path: Path) -> None:
    refused = _refusal(tmp_path, HEAD + "- {agent: {agent: a}, answer: {failure: timeout}}")

    assert (refused.line, refused.problem) == (
        3,
        "the file is cut short: it does not end with 'complete: true'",
    )


def test_a_file_of_comments_is_no_cassette_from_its_first_line(tmp_path: Path) -> None:
    refused = _refusal(tmp_path, "# a comment\n\n# another\n")

    assert (refused.line, refused.problem) == (
        1,
        "is not a cassette: expected a mapping with 'promptlayer_cassette'",
    )


@pytest.mark.parametrize(
    ("item", "line", "problem"),
    [
        ("- just text", 3, "an interaction must be a mapping"),
        (
            "- results:\n    after: 1\n    execution_id: 0\n  answer: {status: 200, body: 1}",
            5,
            "'execution_id' must be a whole number >= 1, or null",
        ),
    ],
)
def test_an_interaction_that_is_no_mapping_or_has_a_bad_id_is_refused_at_its_line(
    tmp_path: Path, item: str, line: int, problem: str
) -> None:
    refused = _refusal(tmp_path, f"{HEAD}{item}\ncomplete: true\n")

    assert (refused.line, refused.problem) == (line, problem)
