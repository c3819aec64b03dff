from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.node_status import NodeStatus
from ..types import JSON, plain, wrong

T = TypeVar("T", bound="NodeResult")


@_attrs_define(frozen=True)
class NodeResult:
    """One node's state within an execution. Every field is optional, as in PromptLayer's spec.

    Attributes:
        status (NodeStatus | str | None): One of the documented `NodeStatus` values; a status the API adds later is kept as a plain
            string. PromptLayer's spec leaves it optional.
        value (JSON): The node's output, any JSON value; null until the node succeeds.
        error_message (str | None): Why the node failed, if it did.
        raw_error_message (str | None): The underlying error text, if the node failed.
        is_output_node (bool | None): Whether this node is one of the agent's output nodes.
    """

    status: NodeStatus | str | None = None
    value: JSON = None
    error_message: str | None = None
    raw_error_message: str | None = None
    is_output_node: bool | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        if self.status is not None:
            field_dict["status"] = plain(self.status)
        if self.value is not None:
            field_dict["value"] = plain(self.value)
        if self.error_message is not None:
            field_dict["error_message"] = plain(self.error_message)
        if self.raw_error_message is not None:
            field_dict["raw_error_message"] = plain(self.raw_error_message)
        if self.is_output_node is not None:
            field_dict["is_output_node"] = plain(self.is_output_node)
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

        status = _data.get("status")
        if status is not None:
            if not isinstance(status, str):
                raise wrong("status", "a string", status)

        value = _data.get("value")

        error_message = _data.get("error_message")
        if error_message is not None:
            if not isinstance(error_message, str):
                raise wrong("error_message", "a string", error_message)

        raw_error_message = _data.get("raw_error_message")
        if raw_error_message is not None:
            if not isinstance(raw_error_message, str):
                raise wrong("raw_error_message", "a string", raw_error_message)

        is_output_node = _data.get("is_output_node")
        if is_output_node is not None:
            if not isinstance(is_output_node, bool):
                raise wrong("is_output_node", "a boolean", is_output_node)

        node_result = cls(
            status=status,
            value=value,
            error_message=error_message,
            raw_error_message=raw_error_message,
            is_output_node=is_output_node,
        )
        object.__setattr__(node_result, "_json", _data)
        return node_result
