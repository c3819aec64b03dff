from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.node_configuration import NodeConfiguration


T = TypeVar("T", bound="AgentNode")


@_attrs_define
class AgentNode:
    """One node of an agent version.

    Attributes:
        id (str): The node's id (a UUID).
        name (str): The node's name, unique within the version.
        node_type (str): The kind of node, e.g. VARIABLE, PROMPT_TEMPLATE, CODE_EXECUTION.
        is_output_node (bool): Whether the node's value is an output of the agent.
        configuration (NodeConfiguration): The node's configuration; its structure depends on `node_type`.
        dependencies (list[str]): Names of the nodes or input variables this node reads.
        workflow_version_id (int | Unset): The version this node belongs to.
    """

    id: str
    name: str
    node_type: str
    is_output_node: bool
    configuration: NodeConfiguration
    dependencies: list[str]
    workflow_version_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        node_type = self.node_type

        is_output_node = self.is_output_node

        configuration = self.configuration.to_dict()

        dependencies = self.dependencies

        workflow_version_id = self.workflow_version_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "node_type": node_type,
                "is_output_node": is_output_node,
                "configuration": configuration,
                "dependencies": dependencies,
            }
        )
        if workflow_version_id is not UNSET:
            field_dict["workflow_version_id"] = workflow_version_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        node_type = d.pop("node_type")

        is_output_node = d.pop("is_output_node")

        configuration = NodeConfiguration.from_dict(d.pop("configuration"))

        dependencies = cast(list[str], d.pop("dependencies"))

        workflow_version_id = d.pop("workflow_version_id", UNSET)

        agent_node = cls(
            id=id,
            name=name,
            node_type=node_type,
            is_output_node=is_output_node,
            configuration=configuration,
            dependencies=dependencies,
            workflow_version_id=workflow_version_id,
        )

        agent_node.additional_properties = d
        return agent_node

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
from ..models.node_configuration import NodeConfiguration  # noqa: E402
