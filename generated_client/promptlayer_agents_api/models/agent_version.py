from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_edge import AgentEdge
    from ..models.agent_node import AgentNode
    from ..models.required_input_variables import RequiredInputVariables


T = TypeVar("T", bound="AgentVersion")


@_attrs_define
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
        commit_message (None | str | Unset): The message this version was saved with.
        required_input_variables (None | RequiredInputVariables | Unset):
        release_labels (list[str] | Unset): Release labels attached to this version.
        created_at (None | str | Unset): When this version was created, an ISO 8601 timestamp as the API wrote it
            (PromptLayer's
            spec types it as a plain string).
    """

    success: bool
    workflow_id: int
    workflow_name: str
    version: int
    workflow_version_id: int
    nodes: list[AgentNode]
    edges: list[AgentEdge]
    commit_message: None | str | Unset = UNSET
    required_input_variables: None | RequiredInputVariables | Unset = UNSET
    release_labels: list[str] | Unset = UNSET
    created_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        workflow_id = self.workflow_id

        workflow_name = self.workflow_name

        version = self.version

        workflow_version_id = self.workflow_version_id

        nodes = []
        for nodes_item_data in self.nodes:
            nodes_item = nodes_item_data.to_dict()
            nodes.append(nodes_item)

        edges = []
        for edges_item_data in self.edges:
            edges_item = edges_item_data.to_dict()
            edges.append(edges_item)

        commit_message: None | str | Unset
        if isinstance(self.commit_message, Unset):
            commit_message = UNSET
        else:
            commit_message = self.commit_message

        required_input_variables: dict[str, Any] | None | Unset
        if isinstance(self.required_input_variables, Unset):
            required_input_variables = UNSET
        elif isinstance(self.required_input_variables, RequiredInputVariables):
            required_input_variables = self.required_input_variables.to_dict()
        else:
            required_input_variables = self.required_input_variables

        release_labels: list[str] | Unset = UNSET
        if not isinstance(self.release_labels, Unset):
            release_labels = self.release_labels

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "workflow_id": workflow_id,
                "workflow_name": workflow_name,
                "version": version,
                "workflow_version_id": workflow_version_id,
                "nodes": nodes,
                "edges": edges,
            }
        )
        if commit_message is not UNSET:
            field_dict["commit_message"] = commit_message
        if required_input_variables is not UNSET:
            field_dict["required_input_variables"] = required_input_variables
        if release_labels is not UNSET:
            field_dict["release_labels"] = release_labels
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        success = d.pop("success")

        workflow_id = d.pop("workflow_id")

        workflow_name = d.pop("workflow_name")

        version = d.pop("version")

        workflow_version_id = d.pop("workflow_version_id")

        nodes = []
        _nodes = d.pop("nodes")
        for nodes_item_data in _nodes:
            nodes_item = AgentNode.from_dict(nodes_item_data)

            nodes.append(nodes_item)

        edges = []
        _edges = d.pop("edges")
        for edges_item_data in _edges:
            edges_item = AgentEdge.from_dict(edges_item_data)

            edges.append(edges_item)

        def _parse_commit_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        commit_message = _parse_commit_message(d.pop("commit_message", UNSET))

        def _parse_required_input_variables(
            data: object,
        ) -> None | RequiredInputVariables | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                required_input_variables_type_0 = RequiredInputVariables.from_dict(data)

                return required_input_variables_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RequiredInputVariables | Unset, data)

        required_input_variables = _parse_required_input_variables(
            d.pop("required_input_variables", UNSET)
        )

        release_labels = cast(list[str], d.pop("release_labels", UNSET))

        def _parse_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

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

        agent_version.additional_properties = d
        return agent_version

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
from ..models.agent_edge import AgentEdge  # noqa: E402
from ..models.agent_node import AgentNode  # noqa: E402
from ..models.required_input_variables import RequiredInputVariables  # noqa: E402
