"""Cassettes: what is written loads back the same, and a cassette that is corrupt, cut short or of
another version is refused whole, with the file and the line. Replay's choice of results answer
never goes back."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlayer_agents.sandbox._cassette import (
    AgentExchange,
    Answer,
    CassetteError,
    CassetteWriter,
    Interaction,
    ResultsExchange,
    RunExchange,
    dump,
    load,
    results_query,
)
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
