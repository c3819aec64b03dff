from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import JSON, ModelError, plain, wrong

if TYPE_CHECKING:
    from ..models.execution_node_map import ExecutionNodeMap


T = TypeVar("T", bound="NoOutputNodeError")


@_attrs_define(frozen=True)
class NoOutputNodeError:
    """The answer for an agent with no output node; `output` holds the nodes' states.

    Attributes:
        success (bool | None): Always false.
        message (str | None):
        error (str | None):
        detail (JSON): Any JSON value: usually a string, or a list of `ValidationIssue`s; lists of strings,
            objects without `msg` and numbers are read too.
        output (ExecutionNodeMap | None): Every node of the execution, by node name.
    """

    success: bool | None = None
    message: str | None = None
    error: str | None = None
    detail: JSON = None
    output: ExecutionNodeMap | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        if self.success is not None:
            field_dict["success"] = plain(self.success)
        if self.message is not None:
            field_dict["message"] = plain(self.message)
        if self.error is not None:
            field_dict["error"] = plain(self.error)
        if self.detail is not None:
            field_dict["detail"] = plain(self.detail)
        if self.output is not None:
            field_dict["output"] = plain(self.output)
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """The model of this JSON object, each field's type checked as it is read. Raises
        ModelError naming the path of what is wrong (e.g. `nodes[2].id: expected a string,
        got 3`)."""
        if not isinstance(src_dict, dict):
            if not isinstance(src_dict, Mapping):
                raise wrong(None, "an object", src_dict)
        _data = dict(src_dict)

        success = _data.get("success")
        if success is not None:
            if not isinstance(success, bool):
                raise wrong("success", "a boolean", success)

        message = _data.get("message")
        if message is not None:
            if not isinstance(message, str):
                raise wrong("message", "a string", message)

        error = _data.get("error")
        if error is not None:
            if not isinstance(error, str):
                raise wrong("error", "a string", error)

        detail = _data.get("detail")

        output = _data.get("output")
        if output is not None:
            try:
                output = ExecutionNodeMap.from_dict(output)
            except ModelError as _error:
                raise _error.within("output") from None

        no_output_node_error = cls(
            success=success,
            message=message,
            error=error,
            detail=detail,
            output=output,
        )
        object.__setattr__(no_output_node_error, "_json", _data)
        return no_output_node_error


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.execution_node_map import ExecutionNodeMap  # noqa: E402
