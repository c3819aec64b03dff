from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing, plain, read_list, wrong

if TYPE_CHECKING:
    from ..models.edge_conditional import EdgeConditional


T = TypeVar("T", bound="AgentEdge")


@_attrs_define(frozen=True)
class AgentEdge:
    """A connection from one node to another, taken when its conditionals hold.

    Attributes:
        id (str): The edge's id (a UUID).
        source_node_name (str):
        target_node_name (str):
        is_and (bool): Whether every conditional must hold (AND) or any one (OR).
        conditionals (list[EdgeConditional] | None): The rules deciding whether the edge is taken.
    """

    id: str
    source_node_name: str
    target_node_name: str
    is_and: bool
    conditionals: list[EdgeConditional] | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["id"] = plain(self.id)
        field_dict["source_node_name"] = plain(self.source_node_name)
        field_dict["target_node_name"] = plain(self.target_node_name)
        field_dict["is_and"] = plain(self.is_and)
        if self.conditionals is not None:
            field_dict["conditionals"] = plain(self.conditionals)
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

        id = _data.get("id")
        if id is None:
            raise missing(_data, "id", "a string")
        if not isinstance(id, str):
            raise wrong("id", "a string", id)

        source_node_name = _data.get("source_node_name")
        if source_node_name is None:
            raise missing(_data, "source_node_name", "a string")
        if not isinstance(source_node_name, str):
            raise wrong("source_node_name", "a string", source_node_name)

        target_node_name = _data.get("target_node_name")
        if target_node_name is None:
            raise missing(_data, "target_node_name", "a string")
        if not isinstance(target_node_name, str):
            raise wrong("target_node_name", "a string", target_node_name)

        is_and = _data.get("is_and")
        if is_and is None:
            raise missing(_data, "is_and", "a boolean")
        if not isinstance(is_and, bool):
            raise wrong("is_and", "a boolean", is_and)

        conditionals = _data.get("conditionals")
        if conditionals is not None:
            if not isinstance(conditionals, list):
                raise wrong("conditionals", "a list", conditionals)
            conditionals = read_list(
                EdgeConditional.from_dict, conditionals, "conditionals"
            )

        agent_edge = cls(
            id=id,
            source_node_name=source_node_name,
            target_node_name=target_node_name,
            is_and=is_and,
            conditionals=conditionals,
        )
        object.__setattr__(agent_edge, "_json", _data)
        return agent_edge


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.edge_conditional import EdgeConditional  # noqa: E402
