from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import ModelError, missing, plain, wrong

if TYPE_CHECKING:
    from ..models.node_configuration import NodeConfiguration


T = TypeVar("T", bound="AgentNode")


@_attrs_define(frozen=True)
class AgentNode:
    """One node of an agent version.

    Attributes:
        id (str): The node's id (a UUID).
        name (str): The node's name, unique within the version.
        node_type (str): The kind of node, e.g. VARIABLE, PROMPT_TEMPLATE, CODE_EXECUTION.
        is_output_node (bool): Whether the node's value is an output of the agent.
        configuration (NodeConfiguration): The node's configuration; its structure depends on `node_type`.
        dependencies (list[str]): Names of the nodes or input variables this node reads.
        workflow_version_id (int | None): The version this node belongs to.
    """

    id: str
    name: str
    node_type: str
    is_output_node: bool
    configuration: NodeConfiguration
    dependencies: list[str]
    workflow_version_id: int | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["id"] = plain(self.id)
        field_dict["name"] = plain(self.name)
        field_dict["node_type"] = plain(self.node_type)
        field_dict["is_output_node"] = plain(self.is_output_node)
        field_dict["configuration"] = plain(self.configuration)
        field_dict["dependencies"] = plain(self.dependencies)
        if self.workflow_version_id is not None:
            field_dict["workflow_version_id"] = plain(self.workflow_version_id)
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

        name = _data.get("name")
        if name is None:
            raise missing(_data, "name", "a string")
        if not isinstance(name, str):
            raise wrong("name", "a string", name)

        node_type = _data.get("node_type")
        if node_type is None:
            raise missing(_data, "node_type", "a string")
        if not isinstance(node_type, str):
            raise wrong("node_type", "a string", node_type)

        is_output_node = _data.get("is_output_node")
        if is_output_node is None:
            raise missing(_data, "is_output_node", "a boolean")
        if not isinstance(is_output_node, bool):
            raise wrong("is_output_node", "a boolean", is_output_node)

        configuration = _data.get("configuration")
        if configuration is None:
            raise missing(_data, "configuration", "an object")
        try:
            configuration = NodeConfiguration.from_dict(configuration)
        except ModelError as _error:
            raise _error.within("configuration") from None

        dependencies = _data.get("dependencies")
        if dependencies is None:
            raise missing(_data, "dependencies", "a list")
        if not isinstance(dependencies, list):
            raise wrong("dependencies", "a list", dependencies)
        for _index, _item in enumerate(dependencies):
            if not isinstance(_item, str):
                raise wrong(_index, "a string", _item).within("dependencies")

        workflow_version_id = _data.get("workflow_version_id")
        if workflow_version_id is not None:
            if not (
                isinstance(workflow_version_id, int)
                and not isinstance(workflow_version_id, bool)
            ):
                if not (
                    isinstance(workflow_version_id, float)
                    and workflow_version_id.is_integer()
                ):  # 3.0 is an integer in JSON
                    raise wrong(
                        "workflow_version_id", "an integer", workflow_version_id
                    )
                workflow_version_id = int(workflow_version_id)

        agent_node = cls(
            id=id,
            name=name,
            node_type=node_type,
            is_output_node=is_output_node,
            configuration=configuration,
            dependencies=dependencies,
            workflow_version_id=workflow_version_id,
        )
        object.__setattr__(agent_node, "_json", _data)
        return agent_node


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.node_configuration import NodeConfiguration  # noqa: E402
