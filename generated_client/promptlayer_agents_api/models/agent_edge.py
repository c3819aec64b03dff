from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.edge_conditional import EdgeConditional


T = TypeVar("T", bound="AgentEdge")


@_attrs_define
class AgentEdge:
    """A connection from one node to another, taken when its conditionals hold.

    Attributes:
        id (str): The edge's id (a UUID).
        source_node_name (str):
        target_node_name (str):
        is_and (bool): Whether every conditional must hold (AND) or any one (OR).
        conditionals (list[EdgeConditional] | Unset): The rules deciding whether the edge is taken.
    """

    id: str
    source_node_name: str
    target_node_name: str
    is_and: bool
    conditionals: list[EdgeConditional] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        source_node_name = self.source_node_name

        target_node_name = self.target_node_name

        is_and = self.is_and

        conditionals: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.conditionals, Unset):
            conditionals = []
            for conditionals_item_data in self.conditionals:
                conditionals_item = conditionals_item_data.to_dict()
                conditionals.append(conditionals_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "source_node_name": source_node_name,
                "target_node_name": target_node_name,
                "is_and": is_and,
            }
        )
        if conditionals is not UNSET:
            field_dict["conditionals"] = conditionals

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        source_node_name = d.pop("source_node_name")

        target_node_name = d.pop("target_node_name")

        is_and = d.pop("is_and")

        _conditionals = d.pop("conditionals", UNSET)
        conditionals: list[EdgeConditional] | Unset = UNSET
        if _conditionals is not UNSET:
            conditionals = []
            for conditionals_item_data in _conditionals:
                conditionals_item = EdgeConditional.from_dict(conditionals_item_data)

                conditionals.append(conditionals_item)

        agent_edge = cls(
            id=id,
            source_node_name=source_node_name,
            target_node_name=target_node_name,
            is_and=is_and,
            conditionals=conditionals,
        )

        agent_edge.additional_properties = d
        return agent_edge

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
from ..models.edge_conditional import EdgeConditional  # noqa: E402
