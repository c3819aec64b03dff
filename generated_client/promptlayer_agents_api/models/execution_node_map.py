from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.node_result import NodeResult


T = TypeVar("T", bound="ExecutionNodeMap")


@_attrs_define
class ExecutionNodeMap:
    """Every node of the execution, by node name."""

    additional_properties: dict[str, NodeResult] = _attrs_field(
        init=False, factory=dict
    )

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        execution_node_map = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = NodeResult.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        execution_node_map.additional_properties = additional_properties
        return execution_node_map

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> NodeResult:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: NodeResult) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.node_result import NodeResult  # noqa: E402
