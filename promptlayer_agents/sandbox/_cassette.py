"""Cassettes: what a recording proxy saw of PromptLayer's Agents API, as a YAML file.

The format (version 1), one interaction per list item, in the order they happened:

```yaml
promptlayer_cassette: 1          # the format version; required
interactions:
- run:                           # a run request, as matched on replay
    agent: greeter
    label: prod                  # workflow_label_name, or null
    version: null                # workflow_version_number, or null
    input_variables: {name: Ada}
    metadata: {}
    redacted_inputs: []          # inputs whose values were replaced (any value matches them)
  answer: {status: 201, body: {...}}
- results:                       # a results answer for the execution that run started
    execution_id: 8812           # the id upstream gave it
    after: 0.412                 # seconds since the run request arrived
    return_all_outputs: true
  answer: {status: 202, body: {...}}
- agent: {agent: greeter, label: null, version: 2}     # a Get Agent request
  answer: {status: 200, body: {...}}
complete: true                   # written last: a file without it was cut short
```

An answer is `status` with `body` (JSON) or `text` (any other body), and `retry_after` when upstream
sent that header; or `failure` (`connect`, `timeout` or `transport`) with a `message` when upstream
never answered. No header that could hold a credential is ever written.

Loading checks everything before returning anything: a file that is not YAML, cut short, of another
format version, or with an interaction of the wrong shape raises `CassetteError` naming the file and
the line.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from starlette.responses import Response

from ._faults import DroppedConnection

FORMAT_VERSION = 1
VERSION_KEY = "promptlayer_cassette"
FAILURES = ("connect", "timeout", "transport")
REDACTED = "[REDACTED]"
HEADER = (
    "# A promptlayer-agents cassette: answers of PromptLayer's Agents API, recorded by\n"
    "# `promptlayer-agents sandbox --record` and replayed by `--replay`. No credential is stored.\n"
)

Path_ = list[str | int]


class CassetteError(ValueError):
    """A cassette that cannot be loaded: the message names the file and, when known, the line."""

    def __init__(self, path: str | os.PathLike[str], problem: str, line: int | None = None) -> None:
        self.path, self.problem, self.line = str(path), problem, line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"cassette {where}: {problem}")


@dataclass(frozen=True)
class Answer:
    """What upstream answered, or how reaching it failed."""

    status: int | None = None
    body: Any = None
    text: str | None = None
    retry_after: str | None = None
    failure: str | None = None
    message: str | None = None

    def to_data(self) -> dict[str, Any]:
        if self.failure is not None:
            return {"failure": self.failure, "message": self.message or ""}
        data: dict[str, Any] = {"status": self.status}
        if self.text is not None:
            data["text"] = self.text
        else:
            data["body"] = self.body
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        return data


@dataclass(frozen=True)
class RunExchange:
    """A run request and its answer. `redacted_inputs` were recorded without their values."""

    agent: str
    label: str | None
    version: int | None
    input_variables: dict[str, Any]
    metadata: dict[str, Any]
    answer: Answer
    redacted_inputs: tuple[str, ...] = ()

    @property
    def execution_id(self) -> int | None:
        """The id upstream gave the execution, when it started one."""
        body = self.answer.body
        found = body.get("workflow_version_execution_id") if isinstance(body, dict) else None
        return found if type(found) is int else None

    def to_data(self) -> dict[str, Any]:
        run = {
            "agent": self.agent,
            "label": self.label,
            "version": self.version,
            "input_variables": self.input_variables,
            "metadata": self.metadata,
            "redacted_inputs": list(self.redacted_inputs),
        }
        return {"run": run, "answer": self.answer.to_data()}


@dataclass(frozen=True)
class ResultsExchange:
    """A results answer, `after` seconds since the run that started the execution."""

    execution_id: int
    after: float
    query: tuple[tuple[str, Any], ...]
    answer: Answer

    def to_data(self) -> dict[str, Any]:
        results = {"execution_id": self.execution_id, "after": round(self.after, 6)}
        return {"results": {**results, **dict(self.query)}, "answer": self.answer.to_data()}


@dataclass(frozen=True)
class AgentExchange:
    """A Get Agent request and its answer."""

    agent: str
    label: str | None
    version: int | None
    answer: Answer

    def to_data(self) -> dict[str, Any]:
        agent = {"agent": self.agent, "label": self.label, "version": self.version}
        return {"agent": agent, "answer": self.answer.to_data()}


Interaction = RunExchange | ResultsExchange | AgentExchange
RESULTS_QUERY = ("return_all_outputs", "workflow_node_id", "workflow_node_name")


@dataclass(frozen=True)
class Cassette:
    """A loaded cassette: its interactions in the order they were recorded."""

    path: str
    interactions: tuple[Interaction, ...] = ()

    @property
    def runs(self) -> list[RunExchange]:
        return [i for i in self.interactions if isinstance(i, RunExchange)]

    @property
    def results(self) -> list[ResultsExchange]:
        return [i for i in self.interactions if isinstance(i, ResultsExchange)]

    @property
    def agents(self) -> list[AgentExchange]:
        return [i for i in self.interactions if isinstance(i, AgentExchange)]


def results_query(return_all_outputs: bool, node_id: str | None, node_name: str | None) -> Any:
    """The results parameters an answer depends on, in the form a cassette stores them."""
    values = (return_all_outputs, node_id, node_name)
    return tuple((k, v) for k, v in zip(RESULTS_QUERY, values, strict=True) if v is not None)


def response_for(answer: Answer) -> Response:
    """What a client gets for a recorded answer: its status and body, or, for a failure to reach
    upstream, a connection dropped before the answer was complete (as the proxy answered it)."""
    if answer.failure is not None:
        return DroppedConnection()
    headers = {} if answer.retry_after is None else {"Retry-After": answer.retry_after}
    if answer.text is not None:
        return Response(answer.text, answer.status or 500, headers, media_type="text/plain")
    content = json.dumps(answer.body, ensure_ascii=False, allow_nan=True)
    return Response(content, answer.status or 500, headers, media_type="application/json")


# -- loading ------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases: a cassette never needs them, and a few nested ones
    make a value that takes exponential time to compare or answer."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(problem="aliases (*name) are not allowed", problem_mark=mark)
        return super().compose_node(parent, index)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, writing a value seen twice in full rather than as an alias."""

    def ignore_aliases(self, data: object) -> bool:
        return True


class _Problem(Exception):
    """A shape problem at a path inside the document (turned into a line by `load`)."""

    def __init__(self, where: Path_, problem: str) -> None:
        super().__init__(problem)
        self.where, self.problem = where, problem


def load(path: str | os.PathLike[str]) -> Cassette:
    """The cassette in the file, entirely checked, or CassetteError naming the file and line."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CassetteError(path, "no such file") from None
    except OSError as error:
        raise CassetteError(path, f"cannot be read ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CassetteError(
            path, "is not UTF-8 text", raw[: error.start].count(b"\n") + 1
        ) from None
    node, data = _parsed(path, text)
    try:
        return Cassette(str(path), _document(data))
    except _Problem as problem:
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        line = _line_of(node, problem.where) if node is not None else 1
        raise CassetteError(path, problem.problem, min(line, max(last, 1))) from None


def _parsed(path: str | os.PathLike[str], text: str) -> tuple[yaml.Node | None, Any]:
    """The YAML document's node tree (for line numbers) and its data, or CassetteError."""
    try:
        loader = _Loader(text)  # the reader already refuses characters YAML does not allow
        try:
            node = loader.get_single_node()
            return node, loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(filter(None, [error.context, error.problem]))
        at = mark.line + 1 if mark is not None else None
        raise CassetteError(path, f"is not valid YAML: {problem}", at) from None
    except yaml.reader.ReaderError as error:
        at = text[: error.position].count("\n") + 1
        raise CassetteError(path, f"is not valid YAML: {error.reason}", at) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise CassetteError(path, f"is not valid YAML: {error}") from None


def _document(data: Any) -> tuple[Interaction, ...]:
    if not isinstance(data, dict):
        raise _Problem([], f"is not a cassette: expected a mapping with {VERSION_KEY!r}")
    if VERSION_KEY not in data:
        raise _Problem([], f"is not a cassette: no {VERSION_KEY!r} format version")
    version = data[VERSION_KEY]
    if version != FORMAT_VERSION or type(version) is not int:
        raise _Problem(
            [VERSION_KEY],
            f"unknown cassette format version {version!r} "
            f"(this promptlayer-agents reads version {FORMAT_VERSION})",
        )
    items = data.get("interactions", [])
    if not isinstance(items, list):
        raise _Problem(["interactions"], "'interactions' must be a list")
    interactions = tuple(_interaction(item, ["interactions", i]) for i, item in enumerate(items))
    if data.get("complete") is not True:
        raise _Problem(
            ["interactions", len(items)] if items else [],
            "the file is cut short: it does not end with 'complete: true'",
        )
    return interactions


def _interaction(item: Any, where: Path_) -> Interaction:
    if not isinstance(item, dict):
        raise _Problem(where, "an interaction must be a mapping")
    kinds = [kind for kind in ("run", "results", "agent") if kind in item]
    if len(kinds) != 1 or "answer" not in item:
        raise _Problem(where, "an interaction has one of 'run', 'results' or 'agent', and 'answer'")
    answer = _answer(item["answer"], [*where, "answer"])
    kind = kinds[0]
    request = _mapping(item[kind], [*where, kind])
    at = [*where, kind]
    if kind == "run":
        inputs = _mapping(request.get("input_variables", {}), [*at, "input_variables"])
        redacted = request.get("redacted_inputs", [])
        if not isinstance(redacted, list) or not all(isinstance(n, str) for n in redacted):
            raise _Problem([*at, "redacted_inputs"], "'redacted_inputs' must be a list of names")
        return RunExchange(
            agent=_text(request, "agent", at),
            label=_text(request, "label", at, optional=True),
            version=_number(request, "version", at),
            input_variables=inputs,
            metadata=_mapping(request.get("metadata", {}), [*at, "metadata"]),
            answer=answer,
            redacted_inputs=tuple(redacted),
        )
    if kind == "results":
        execution_id = _number(request, "execution_id", at)
        after = request.get("after")
        if execution_id is None:
            raise _Problem([*at, "execution_id"], "'execution_id' is required")
        if isinstance(after, bool) or not isinstance(after, int | float) or not after >= 0:
            raise _Problem([*at, "after"], "'after' must be a number of seconds >= 0")
        query = tuple((k, request[k]) for k in RESULTS_QUERY if request.get(k) is not None)
        return ResultsExchange(execution_id, float(after), query, answer)
    return AgentExchange(
        agent=_text(request, "agent", at),
        label=_text(request, "label", at, optional=True),
        version=_number(request, "version", at),
        answer=answer,
    )


def _answer(value: Any, where: Path_) -> Answer:
    data = _mapping(value, where)
    if "failure" in data:
        if data["failure"] not in FAILURES:
            raise _Problem([*where, "failure"], f"'failure' must be one of {', '.join(FAILURES)}")
        return Answer(failure=data["failure"], message=str(data.get("message", "")))
    status = data.get("status")
    if type(status) is not int or not 100 <= status <= 599:
        raise _Problem([*where, "status"], "an answer needs an HTTP 'status' (100-599)")
    if ("body" in data) == ("text" in data):
        raise _Problem(where, "an answer has either a JSON 'body' or a 'text', not both")
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        raise _Problem([*where, "text"], "'text' must be a string")
    retry_after = data.get("retry_after")
    return Answer(
        status=status,
        body=data.get("body"),
        text=text,
        retry_after=None if retry_after is None else str(retry_after),
    )


def _mapping(value: Any, where: Path_) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _Problem(where, "expected a mapping with string keys")
    return value


def _text(data: Mapping[str, Any], key: str, where: Path_, optional: bool = False) -> Any:
    value = data.get(key)
    if (value is None and not optional) or (value is not None and not isinstance(value, str)):
        raise _Problem([*where, key], f"{key!r} must be a string")
    return value


def _number(data: Mapping[str, Any], key: str, where: Path_) -> int | None:
    value = data.get(key)
    if value is not None and (type(value) is not int or value < 1):
        raise _Problem([*where, key], f"{key!r} must be a whole number >= 1, or null")
    return value


def _line_of(node: yaml.Node, where: Path_) -> int:
    """The line (1-based) of the YAML node at a path, or of the deepest one found on the way."""
    for step in where:
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if getattr(k, "value", None) == step]
            if not found:
                break
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return node.end_mark.line + 1
            node = node.value[step]
        else:
            break
    return node.start_mark.line + 1


# -- writing ------------------------------------------------------------------------------------


def dump(interactions: Sequence[Interaction]) -> str:
    """The cassette's text: readable block YAML, keys in a fixed order, one item per exchange."""
    document = {
        VERSION_KEY: FORMAT_VERSION,
        "interactions": [i.to_data() for i in interactions],
        "complete": True,
    }
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=False,  # PyYAML reads some characters it writes raw (U+0085) as line breaks
        default_flow_style=False,
        width=100,
    )
    return HEADER + body


@dataclass
class CassetteWriter:
    """Appends interactions to a cassette file, rewriting it whole through a temporary file and
    a rename after each one, so the file on disk is always a complete cassette."""

    path: Path
    interactions: list[Interaction] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, append: bool) -> CassetteWriter:
        """A writer for the file: continuing it when `append` and it exists (it must load),
        else starting it empty (written at once, so an unused cassette still exists)."""
        target = Path(path)
        kept = load(target).interactions if append and target.exists() else ()
        writer = cls(target, list(kept))
        writer.save()
        return writer

    def append(self, interaction: Interaction) -> None:
        with self._lock:
            self.interactions.append(interaction)
            self.save()

    def save(self) -> None:
        text = dump(self.interactions)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
