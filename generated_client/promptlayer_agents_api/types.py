"""Contains some shared types for properties, and what the models share to read and write JSON"""

import json
import unicodedata
from collections.abc import Callable, Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, Any, BinaryIO, Generic, Literal, TypeAlias, TypeVar
from urllib.parse import urlsplit

from attrs import define


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


JSON: TypeAlias = "dict[str, JSON] | list[JSON] | str | int | float | bool | None"
"""Any value a JSON document can hold: the type of the fields whose shape the API leaves open (a
node's value and configuration, a condition's operands, input variables)."""

Step = str | int
"""One step of a JSON path: an object's key or a list's index."""


class ModelError(ValueError):
    """JSON that a model cannot read: `path` says where (keys and list indexes, outermost first),
    `problem` what is wrong. `str()` gives both, e.g. `nodes[2].id: expected a string, got 3`.
    `rule` is the JSON Schema keyword the value broke: `type`, `required`, or a constraint of the
    spec (`minimum`, `exclusiveMinimum`, `maximum`, `exclusiveMaximum`, `minLength`, `maxLength`,
    `pattern`, `format`).

    The path is built only when reading fails: each model that reads a child adds its own step
    as the error passes up (`within`)."""

    def __init__(self, path: list[Step], problem: str, rule: str = "type") -> None:
        super().__init__(path, problem, rule)
        self.path = path
        self.problem = problem
        self.rule = rule

    def within(self, *steps: Step | None) -> "ModelError":
        """This error, with these steps put in front of its path (None steps are left out)."""
        self.path[0:0] = [step for step in steps if step is not None]
        self.args = (self.path, self.problem, self.rule)
        return self

    def __str__(self) -> str:
        return (
            f"{format_path(self.path)}: {self.problem}" if self.path else self.problem
        )


def format_path(path: list[Step]) -> str:
    """A JSON path as text: `nodes[2].id`; a key that is not a name is quoted: `["Node 1"]`."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step.isidentifier():
            text += f".{step}" if text else step
        else:
            text += f"[{_encodable(json.dumps(step, ensure_ascii=False))}]"
    return text


def _encodable(text: str) -> str:
    """Text that UTF-8 can encode: a lone surrogate (which JSON may carry) as its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def describe(value: object) -> str:
    """A JSON value, short, for an error message: `3`, `"abc"`, `null`, `a list`, `an object`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)[:40]
    if isinstance(value, str):
        text = _encodable(json.dumps(value[:40], ensure_ascii=False))
        return text if len(value) <= 40 else text[:-1] + '..."'
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, Mapping) else type(value).__name__


def wrong(step: Step | None, wanted: str, value: object) -> ModelError:
    """The error for a value of the wrong type at this step."""
    return ModelError(
        [] if step is None else [step], f"expected {wanted}, got {describe(value)}"
    )


def missing(data: Mapping[str, Any], key: str, wanted: str) -> ModelError:
    """The error for a required field that is absent or null."""
    if key in data:
        return wrong(key, wanted, None)
    return ModelError([key], "missing", "required")


def outside(step: Step, wanted: str, value: object, rule: str) -> ModelError:
    """The error for a value of the right type that breaks the spec's constraint `rule`."""
    return ModelError([step], f"expected {wanted}, got {describe(value)}", rule)


def is_uri(value: str) -> bool:
    """Whether text is an absolute URI (`format: uri`): a scheme, a host when it has an
    authority (`//`), a port in range, and no whitespace or control character anywhere (a URL
    parser silently drops tabs and newlines, so `http://a<TAB>@b/` would read as host `b`)."""
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it raises ValueError when out of range
    except ValueError:  # "http://[::1": no URI at all
        return False
    has_authority = value[len(parts.scheme) + 1 :].startswith("//")
    return bool(parts.scheme) and (not has_authority or bool(parts.hostname))


def read_list(read: Callable[[Any], T], items: list[Any], step: Step | None) -> list[T]:
    """Each item read by `read`; a ModelError names the item's index."""
    try:
        return [read(item) for item in items]
    except ModelError:
        for index, item in enumerate(items):
            try:
                read(item)
            except ModelError as error:
                raise error.within(step, index) from None
        raise


def plain(value: Any) -> Any:
    """A model's field as JSON: a model as its `to_dict()`, a list item by item."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if to_dict is not None else value


__all__ = [
    "JSON",
    "UNSET",
    "File",
    "FileTypes",
    "ModelError",
    "RequestFiles",
    "Response",
    "Unset",
]
