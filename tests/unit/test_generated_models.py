"""The generated models are the public types: frozen and slotted, `T | None` with no `Unset`,
`to_dict()` the JSON as it came, and `from_dict` checking every field in one pass, naming the JSON
path of what is wrong. Checked over every model, and over every field of real documents."""

from __future__ import annotations

import copy
import inspect
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import promptlayer_agents_api.models as models
from promptlayer_agents_api.types import ModelError

from .test_definitions import FULL

MODELS = [
    getattr(models, name)
    for name in models.__all__
    if inspect.isclass(getattr(models, name)) and attrs.has(getattr(models, name))
]

NODE_MAP: dict[str, Any] = {
    "Lookup": {
        "status": "FAILED",
        "value": None,
        "error_message": "Variable 'question' not found",
        "raw_error_message": "KeyError: 'question'",
        "is_output_node": False,
    },
    "Node 2": {"status": "SUCCESS", "value": {"a": [1, 2]}, "is_output_node": True},
}
DOCUMENTS: list[tuple[Any, dict[str, Any]]] = [
    (models.AgentVersion, FULL),
    (models.ExecutionNodeMap, NODE_MAP),
    (models.ExecutionCallback, {"workflow_version_execution_id": 9, "final_output": NODE_MAP}),
    (
        models.RunAgentResponse,
        {"success": True, "message": "ok", "warning": None, "workflow_version_execution_id": 7},
    ),
    (
        models.RunAgentRequest,
        {"workflow_label_name": "prod", "metadata": {"u": "1"}, "input_variables": {"q": [1]}},
    ),
]

# Where PromptLayer's spec leaves the shape open: any value reads (the operands, a node's value,
# its configuration, the input variables, an error's detail), and the free-form conditionals.
OPEN = {"value", "left_config", "right_config", "configuration", "input_variables", "detail"}


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON document, outermost first."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _leaves(item, (*path, index))
    return found


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return changed


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _is_open(path: tuple[Any, ...]) -> bool:
    return bool(OPEN & {step for step in path if isinstance(step, str)}) or (
        "conditionals" in path and path.index("conditionals") < len(path) - 2
    )


OTHER_KINDS: list[Any] = [3, 1.5, True, "text", [1], {"k": "v"}]


@given(st.data())
def test_a_value_of_another_kind_is_named_by_its_path(data: st.DataObject) -> None:
    """Replace any value of a real document with one of another JSON kind: the model raises
    naming exactly that path; only where the spec leaves the shape open does it read, and then
    `to_dict()` gives the changed document back as it came."""
    model, document = data.draw(st.sampled_from(DOCUMENTS))
    path = data.draw(
        st.sampled_from([p for p in _leaves(document) if _at(document, p) is not None])
    )
    old = _at(document, path)
    new = data.draw(st.sampled_from([v for v in OTHER_KINDS if _kind(v) != _kind(old)]))
    changed = _replaced(document, path, new)

    try:
        read = model.from_dict(changed)
    except ModelError as error:
        assert (tuple(error.path), error.problem.startswith("expected ")) == (path, True)
    else:
        assert _is_open(path), (path, new)
        assert read.to_dict() == changed


@pytest.mark.parametrize(("model", "document"), DOCUMENTS)
def test_a_document_reads_and_comes_back_as_it_came_with_unknown_fields(
    model: Any, document: dict[str, Any]
) -> None:
    with_extra = {**document, "added_later": {"x": [1]}}
    read = model.from_dict(with_extra)

    assert read.to_dict() == with_extra
    read.to_dict()["added_later"]["x"].append(3)  # a copy: changing it changes no model
    assert read.to_dict()["added_later"] == {"x": [1]}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_frozen_slotted_and_has_no_unset(model: Any) -> None:
    instance = _any_instance(model)

    assert "__slots__" in model.__dict__ and not hasattr(instance, "__dict__")
    assert all("Unset" not in str(field.type) for field in attrs.fields(model))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(instance, attrs.fields(model)[0].name, None)


CANDIDATES: list[Any] = [
    {},
    FULL["nodes"][0],
    FULL["edges"][0],
    {"success": True, "workflow": {"id": 1, "name": "a"}},
    {"id": 1, "name": "a"},
    {"loc": ["body"], "msg": "m", "type": "t"},
    {"event_type": "agent_run_finished", "details": {"agent_execution_id": 787}},
    *(document for _, document in DOCUMENTS),
]


def _any_instance(model: Any) -> Any:
    """An instance of the model, read from the first document it accepts."""
    for document in CANDIDATES:
        try:
            return model.from_dict(document)
        except ModelError:
            continue
    raise AssertionError(f"no document reads as {model.__name__}")


@pytest.mark.parametrize(
    ("document", "path", "problem"),
    [
        ({**FULL, "version": None}, ["version"], "expected an integer, got null"),
        ({k: v for k, v in FULL.items() if k != "nodes"}, ["nodes"], "missing"),
        (
            {**FULL, "nodes": [{**FULL["nodes"][0], "dependencies": ["a", 2]}]},
            ["nodes", 0, "dependencies", 1],
            "expected a string, got 2",
        ),
    ],
)
def test_required_fields_and_list_items_are_named(
    document: dict[str, Any], path: list[Any], problem: str
) -> None:
    with pytest.raises(ModelError) as raised:
        models.AgentVersion.from_dict(document)

    assert (raised.value.path, raised.value.problem) == (path, problem)


def test_an_optional_field_may_be_null_and_reads_as_none() -> None:
    node = models.AgentNode.from_dict({**FULL["nodes"][0], "workflow_version_id": None})

    assert node.workflow_version_id is None
    assert node.to_dict()["workflow_version_id"] is None


def test_the_error_says_where_as_text_and_survives_pickling() -> None:
    error = ModelError(["nodes", 2, "id"], "expected a string, got 3")

    assert str(error) == "nodes[2].id: expected a string, got 3"
    assert str(ModelError(["Node 1", "status"], "x")) == '["Node 1"].status: x'
    copied = pickle.loads(pickle.dumps(error))
    assert (copied.path, copied.problem, str(copied)) == (error.path, error.problem, str(error))


@given(
    label=st.none() | st.text(min_size=1),
    number=st.none() | st.integers(min_value=1),
    url=st.none() | st.just("https://example.com/cb"),
)
def test_a_model_built_in_code_leaves_out_what_is_none(
    label: str | None, number: int | None, url: str | None
) -> None:
    body = models.RunAgentRequest(
        workflow_label_name=label, workflow_version_number=number, callback_url=url
    ).to_dict()

    expected = {"workflow_label_name": label, "workflow_version_number": number}
    expected |= {"callback_url": url, "return_all_outputs": False}
    assert body == {k: v for k, v in expected.items() if v is not None}
    assert models.RunAgentRequest.from_dict(body).to_dict() == body


@given(key=st.text(max_size=5), value=st.text(max_size=50))
def test_an_error_can_always_be_printed_and_sent_as_utf_8(key: str, value: str) -> None:
    """Whatever text a wrong value or a map's key holds (lone surrogates too), the error's
    message encodes as UTF-8: the sandbox answers it in a 422, the client prints it."""
    for body in ({"workflow_version_number": value}, {"metadata": {key: 5}}):
        with pytest.raises(ModelError) as raised:
            models.RunAgentRequest.from_dict(body)
        str(raised.value).encode("utf-8")


@pytest.mark.parametrize(("sent", "read"), [(3.0, 3), (3, 3), (7.0, 7)])
def test_an_integer_written_as_a_float_reads_as_an_int(sent: float, read: int) -> None:
    answer = {"success": True, "message": "ok", "workflow_version_execution_id": sent}

    parsed = models.RunAgentResponse.from_dict(answer)

    assert parsed.workflow_version_execution_id == read
    assert type(parsed.workflow_version_execution_id) is int
    assert parsed.to_dict() == answer
    with pytest.raises(ModelError, match=r"expected an integer, got 3\.5"):
        models.RunAgentResponse.from_dict({**answer, "workflow_version_execution_id": 3.5})
