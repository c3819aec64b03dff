from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.execution_node_map import ExecutionNodeMap


T = TypeVar("T", bound="NodeStates")


@_attrs_define
class NodeStates:
    """The state of every node, carried by an error answer.

    Attributes:
        output (ExecutionNodeMap | Unset): Every node of the execution, by node name.
    """

    output: ExecutionNodeMap | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        output: dict[str, Any] | Unset = UNSET
        if not isinstance(self.output, Unset):
            output = self.output.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if output is not UNSET:
            field_dict["output"] = output

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _output = d.pop("output", UNSET)
        output: ExecutionNodeMap | Unset
        if isinstance(_output, Unset):
            output = UNSET
        else:
            output = ExecutionNodeMap.from_dict(_output)

        node_states = cls(
            output=output,
        )

        node_states.additional_properties = d
        return node_states

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


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.execution_node_map import ExecutionNodeMap  # noqa: E402
