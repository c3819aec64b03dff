from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import ModelError, missing, plain, read_list, wrong

if TYPE_CHECKING:
    from ..models.agent_edge import AgentEdge
    from ..models.agent_node import AgentNode
    from ..models.required_input_variables import RequiredInputVariables


T = TypeVar("T", bound="AgentVersion")


@_attrs_define(frozen=True)
class AgentVersion:
    """One version of an agent, with its full node and edge definitions.

    Attributes:
        success (bool):
        workflow_id (int): The agent's id.
        workflow_name (str): The agent's name.
        version (int): This version's number.
        workflow_version_id (int): This version's id.
        nodes (list[AgentNode]): Every node of this version.
        edges (list[AgentEdge]): Conditional connections between nodes.
        commit_message (str | None): The message this version was saved with.
        required_input_variables (RequiredInputVariables | None):
        release_labels (list[str] | None): Release labels attached to this version.
        created_at (str | None): When this version was created, an ISO 8601 timestamp as the API wrote it (PromptLayer's
            spec types it as a plain string).
    """

    success: bool
    workflow_id: int
    workflow_name: str
    version: int
    workflow_version_id: int
    nodes: list[AgentNode]
    edges: list[AgentEdge]
    commit_message: str | None = None
    required_input_variables: RequiredInputVariables | None = None
    release_labels: list[str] | None = None
    created_at: str | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["success"] = plain(self.success)
        field_dict["workflow_id"] = plain(self.workflow_id)
        field_dict["workflow_name"] = plain(self.workflow_name)
        field_dict["version"] = plain(self.version)
        field_dict["workflow_version_id"] = plain(self.workflow_version_id)
        field_dict["nodes"] = plain(self.nodes)
        field_dict["edges"] = plain(self.edges)
        if self.commit_message is not None:
            field_dict["commit_message"] = plain(self.commit_message)
        if self.required_input_variables is not None:
            field_dict["required_input_variables"] = plain(
                self.required_input_variables
            )
        if self.release_labels is not None:
            field_dict["release_labels"] = plain(self.release_labels)
        if self.created_at is not None:
            field_dict["created_at"] = plain(self.created_at)
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
        if success is None:
            raise missing(_data, "success", "a boolean")
        if not isinstance(success, bool):
            raise wrong("success", "a boolean", success)

        workflow_id = _data.get("workflow_id")
        if workflow_id is None:
            raise missing(_data, "workflow_id", "an integer")
        if not (isinstance(workflow_id, int) and not isinstance(workflow_id, bool)):
            if not (
                isinstance(workflow_id, float) and workflow_id.is_integer()
            ):  # 3.0 is an integer in JSON
                raise wrong("workflow_id", "an integer", workflow_id)
            workflow_id = int(workflow_id)

        workflow_name = _data.get("workflow_name")
        if workflow_name is None:
            raise missing(_data, "workflow_name", "a string")
        if not isinstance(workflow_name, str):
            raise wrong("workflow_name", "a string", workflow_name)

        version = _data.get("version")
        if version is None:
            raise missing(_data, "version", "an integer")
        if not (isinstance(version, int) and not isinstance(version, bool)):
            if not (
                isinstance(version, float) and version.is_integer()
            ):  # 3.0 is an integer in JSON
                raise wrong("version", "an integer", version)
            version = int(version)

        workflow_version_id = _data.get("workflow_version_id")
        if workflow_version_id is None:
            raise missing(_data, "workflow_version_id", "an integer")
        if not (
            isinstance(workflow_version_id, int)
            and not isinstance(workflow_version_id, bool)
        ):
            if not (
                isinstance(workflow_version_id, float)
                and workflow_version_id.is_integer()
            ):  # 3.0 is an integer in JSON
                raise wrong("workflow_version_id", "an integer", workflow_version_id)
            workflow_version_id = int(workflow_version_id)

        nodes = _data.get("nodes")
        if nodes is None:
            raise missing(_data, "nodes", "a list")
        if not isinstance(nodes, list):
            raise wrong("nodes", "a list", nodes)
        nodes = read_list(AgentNode.from_dict, nodes, "nodes")

        edges = _data.get("edges")
        if edges is None:
            raise missing(_data, "edges", "a list")
        if not isinstance(edges, list):
            raise wrong("edges", "a list", edges)
        edges = read_list(AgentEdge.from_dict, edges, "edges")

        commit_message = _data.get("commit_message")
        if commit_message is not None:
            if not isinstance(commit_message, str):
                raise wrong("commit_message", "a string", commit_message)

        required_input_variables = _data.get("required_input_variables")
        if required_input_variables is not None:
            try:
                required_input_variables = RequiredInputVariables.from_dict(
                    required_input_variables
                )
            except ModelError as _error:
                raise _error.within("required_input_variables") from None

        release_labels = _data.get("release_labels")
        if release_labels is not None:
            if not isinstance(release_labels, list):
                raise wrong("release_labels", "a list", release_labels)
            for _index, _item in enumerate(release_labels):
                if not isinstance(_item, str):
                    raise wrong(_index, "a string", _item).within("release_labels")

        created_at = _data.get("created_at")
        if created_at is not None:
            if not isinstance(created_at, str):
                raise wrong("created_at", "a string", created_at)

        agent_version = cls(
            success=success,
            workflow_id=workflow_id,
            workflow_name=workflow_name,
            version=version,
            workflow_version_id=workflow_version_id,
            nodes=nodes,
            edges=edges,
            commit_message=commit_message,
            required_input_variables=required_input_variables,
            release_labels=release_labels,
            created_at=created_at,
        )
        object.__setattr__(agent_version, "_json", _data)
        return agent_version


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.agent_edge import AgentEdge  # noqa: E402
from ..models.agent_node import AgentNode  # noqa: E402
from ..models.required_input_variables import RequiredInputVariables  # noqa: E402
