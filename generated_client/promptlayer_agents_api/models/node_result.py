from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.node_status import NodeStatus, check_node_status
from ..types import UNSET, Unset

T = TypeVar("T", bound="NodeResult")


@_attrs_define
class NodeResult:
    """One node's state within an execution. Every field is optional, as in PromptLayer's spec.

    Attributes:
        status (NodeStatus | str | Unset): One of the documented `NodeStatus` values; a status the API adds later is
            kept as a plain
            string. PromptLayer's spec leaves it optional.
        value (Any | Unset): The node's output, any JSON value; null until the node succeeds.
        error_message (None | str | Unset): Why the node failed, if it did.
        raw_error_message (None | str | Unset): The underlying error text, if the node failed.
        is_output_node (bool | Unset): Whether this node is one of the agent's output nodes.
    """

    status: NodeStatus | str | Unset = UNSET
    value: Any | Unset = UNSET
    error_message: None | str | Unset = UNSET
    raw_error_message: None | str | Unset = UNSET
    is_output_node: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, str):
            status = self.status
        else:
            status = self.status

        value = self.value

        error_message: None | str | Unset
        if isinstance(self.error_message, Unset):
            error_message = UNSET
        else:
            error_message = self.error_message

        raw_error_message: None | str | Unset
        if isinstance(self.raw_error_message, Unset):
            raw_error_message = UNSET
        else:
            raw_error_message = self.raw_error_message

        is_output_node = self.is_output_node

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if value is not UNSET:
            field_dict["value"] = value
        if error_message is not UNSET:
            field_dict["error_message"] = error_message
        if raw_error_message is not UNSET:
            field_dict["raw_error_message"] = raw_error_message
        if is_output_node is not UNSET:
            field_dict["is_output_node"] = is_output_node

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_status(data: object) -> NodeStatus | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = check_node_status(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NodeStatus | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        value = d.pop("value", UNSET)

        def _parse_error_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_message = _parse_error_message(d.pop("error_message", UNSET))

        def _parse_raw_error_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        raw_error_message = _parse_raw_error_message(d.pop("raw_error_message", UNSET))

        is_output_node = d.pop("is_output_node", UNSET)

        node_result = cls(
            status=status,
            value=value,
            error_message=error_message,
            raw_error_message=raw_error_message,
            is_output_node=is_output_node,
        )

        node_result.additional_properties = d
        return node_result

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
