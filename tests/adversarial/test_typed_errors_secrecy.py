"""Typed errors cross process boundaries whole: every public error class survives a pickle round
trip with all its attributes (built from generated values), and comes back out of a real
ProcessPoolExecutor worker as itself, execution id and all, instead of breaking the pool."""

from __future__ import annotations

import inspect
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa
from promptlayer_agents import ExecutionResult, NodeState

ERROR_CLASSES = sorted(
    (
        value
        for value in (getattr(pa, name) for name in pa.__all__)
        if isinstance(value, type) and issubclass(value, BaseException)
    ),
    key=lambda cls: cls.__name__,
)

TEXT = st.text(max_size=40)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=10,
)
NODES = st.builds(
    NodeState,
    status=st.sampled_from(["SUCCESS", "FAILED", "RUNNING", None, "ODD"]),
    value=JSONISH,
    error_message=st.none() | TEXT,
    raw_error_message=st.none() | TEXT,
    is_output_node=st.booleans(),
)
RESULTS = st.builds(
    ExecutionResult,
    execution_id=st.integers(min_value=1, max_value=2**53),
    done=st.booleans(),
    output=JSONISH,
    nodes=st.dictionaries(TEXT, NODES, max_size=3),
)

ARGUMENTS: dict[str, st.SearchStrategy[Any]] = {
    "message": TEXT,
    "status_code": st.integers(min_value=100, max_value=599),
    "body": JSONISH,
    "request_id": st.none() | TEXT,
    "excerpt": TEXT,
    "execution_id": st.integers(min_value=1, max_value=2**53),
    "waited": st.floats(min_value=0, max_value=1e6),
    "last_result": st.none() | RESULTS,
    "result": RESULTS,
    "argument": st.none() | TEXT,
    "problem": st.none() | TEXT,
}
"""A strategy for each argument name of the error classes' constructors: a class with an
argument not listed here fails `_error` below, naming it."""


@st.composite
def _error(draw: st.DrawFn, cls: type[BaseException]) -> BaseException:
    """An instance of `cls` made by its own constructor from generated arguments, with
    generated values for the attributes every error has, and notes."""
    parameters = [
        parameter
        for parameter in inspect.signature(cls.__init__).parameters.values()
        if parameter.name != "self"
    ]
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):  # Exception's own (*args)
        error = cls(draw(TEXT))
    else:
        missing = [p.name for p in parameters if p.name not in ARGUMENTS]
        assert not missing, f"no strategy for {cls.__name__}'s arguments {missing}"
        positional = [
            draw(ARGUMENTS[p.name]) for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD
        ]
        keywords = {p.name: draw(ARGUMENTS[p.name]) for p in parameters if p.kind is p.KEYWORD_ONLY}
        error = cls(*positional, **keywords)
    if draw(st.booleans()):
        error.execution_id = draw(ARGUMENTS["execution_id"])  # type: ignore[attr-defined]
    error.may_have_started = draw(st.booleans())  # type: ignore[attr-defined]
    for note in draw(st.lists(TEXT, max_size=2)):
        error.add_note(note)
    return error


def _same(copy: BaseException, error: BaseException) -> None:
    assert type(copy) is type(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)
    assert (str(copy), repr(copy)) == (str(error), repr(error))
    assert isinstance(copy, pa.PromptLayerError)
    assert (copy.execution_id, copy.may_have_started) == (
        error.execution_id,  # type: ignore[attr-defined]
        error.may_have_started,  # type: ignore[attr-defined]
    )


def test_every_public_error_class_is_listed() -> None:
    assert pa.PromptLayerError in ERROR_CLASSES and len(ERROR_CLASSES) >= 15


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_error_survives_a_pickle_round_trip(cls: type[BaseException], data: Any) -> None:
    error = data.draw(_error(cls))

    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        _same(pickle.loads(pickle.dumps(error, protocol)), error)


def _raise(error: BaseException) -> None:
    """Run in a worker process: raise the error it was sent (pickled both ways)."""
    raise error


@settings(max_examples=1, deadline=None, database=None)
@given(data=st.data())
def test_every_error_comes_back_whole_from_a_process_pool(data: Any) -> None:
    errors = [data.draw(_error(cls)) for cls in ERROR_CLASSES]
    errors.append(pa.ExecutionFailedError(data.draw(RESULTS)))
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter, as on macOS and Windows

    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        futures = [pool.submit(_raise, error) for error in errors]
        for future, error in zip(futures, errors, strict=True):
            raised = future.exception(timeout=120)
            assert raised is not None
            _same(raised, error)


def test_a_failed_run_keeps_its_execution_id_through_a_process_pool() -> None:
    failed = NodeState(status="FAILED", error_message="boom", is_output_node=True)
    error = pa.ExecutionFailedError(ExecutionResult(787, True, None, {"A": failed}))
    timeout = pa.WaitTimeoutError(788, waited=3.5, last_result=None)

    with ProcessPoolExecutor(max_workers=1) as pool:
        for sent in (error, timeout):
            with pytest.raises(type(sent)) as caught:
                pool.submit(_raise, sent).result(timeout=120)
            assert caught.value.execution_id == sent.execution_id
    assert isinstance(caught.value, pa.WaitTimeoutError) and caught.value.waited == 3.5
