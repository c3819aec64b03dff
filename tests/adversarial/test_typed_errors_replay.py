"""Whatever a cassette file holds, loading it gives a whole cassette or a CassetteError naming the
file: no other exception, nothing half-loaded, and no alias bomb."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlayer_agents.sandbox import CassetteError
from promptlayer_agents.sandbox._cassette import (
    AgentExchange,
    Answer,
    Cassette,
    ResultsExchange,
    RunExchange,
    dump,
    load,
    results_query,
)

VALID = dump(
    [
        RunExchange("a", None, 2, {"x": [1, {"y": None}]}, {"m": "v"}, Answer(201, body={"id": 1})),
        ResultsExchange(1, 0.5, results_query(True, "n", None), Answer(429, text="slow down")),
        AgentExchange("a", "prod", None, Answer(failure="timeout", message="ReadTimeout")),
    ]
).encode()
YAML_BITS = [b"- ", b": ", b"{", b"}", b"[", b"]", b"&a ", b"*a", b"!!python/object ", b"\t", b"\n"]


def _outcome(path: Path, data: bytes) -> Cassette | CassetteError:
    path.write_bytes(data)
    try:
        return load(path)
    except CassetteError as error:
        assert error.path == str(path)
        return error


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=200) | st.lists(st.sampled_from(YAML_BITS), max_size=30).map(b"".join)
)
def test_any_bytes_load_or_give_a_cassette_error(tmp_path: Path, data: bytes) -> None:
    _outcome(tmp_path / "any.yaml", data)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.integers(0, len(VALID)),
    length=st.integers(0, 20),
    insert=st.binary(max_size=10) | st.sampled_from(YAML_BITS),
)
def test_a_damaged_cassette_loads_whole_or_not_at_all(
    tmp_path: Path, start: int, length: int, insert: bytes
) -> None:
    damaged = VALID[:start] + insert + VALID[start + length :]

    outcome = _outcome(tmp_path / "damaged.yaml", damaged)

    if isinstance(outcome, Cassette):  # a damage that still reads: every interaction is whole
        assert len(outcome.interactions) <= 3 or b"- " in insert
        assert all(i.answer.status or i.answer.failure for i in outcome.interactions)


def test_an_alias_bomb_is_refused_at_its_line(tmp_path: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 12)]
    bomb = "promptlayer_cassette: 1\n" + "\n".join(levels) + "\ninteractions: []\ncomplete: true\n"

    with pytest.raises(CassetteError, match=r"bomb\.yaml:3: is not valid YAML: aliases"):
        _outcome_or_raise(tmp_path / "bomb.yaml", bomb.encode())


def _outcome_or_raise(path: Path, data: bytes) -> Cassette:
    path.write_bytes(data)
    return load(path)
