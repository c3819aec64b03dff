from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import ModelError, missing, plain, wrong

if TYPE_CHECKING:
    from ..models.execution_node_map import ExecutionNodeMap


T = TypeVar("T", bound="ExecutionCallback")


@_attrs_define(frozen=True)
class ExecutionCallback:
    """The body POSTed to `callback_url` when an execution started with one is final.

    Attributes:
        workflow_version_execution_id (int): The execution this callback reports.
        final_output (ExecutionNodeMap): Every node of the execution, by node name.
    """

    workflow_version_execution_id: int
    final_output: ExecutionNodeMap
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["workflow_version_execution_id"] = plain(
            self.workflow_version_execution_id
        )
        field_dict["final_output"] = plain(self.final_output)
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

        workflow_version_execution_id = _data.get("workflow_version_execution_id")
        if workflow_version_execution_id is None:
            raise missing(_data, "workflow_version_execution_id", "an integer")
        if not (
            isinstance(workflow_version_execution_id, int)
            and not isinstance(workflow_version_execution_id, bool)
        ):
            if not (
                isinstance(workflow_version_execution_id, float)
                and workflow_version_execution_id.is_integer()
            ):  # 3.0 is an integer in JSON
                raise wrong(
                    "workflow_version_execution_id",
                    "an integer",
                    workflow_version_execution_id,
                )
            workflow_version_execution_id = int(workflow_version_execution_id)

        final_output = _data.get("final_output")
        if final_output is None:
            raise missing(_data, "final_output", "an object")
        try:
            final_output = ExecutionNodeMap.from_dict(final_output)
        except ModelError as _error:
            raise _error.within("final_output") from None

        execution_callback = cls(
            workflow_version_execution_id=workflow_version_execution_id,
            final_output=final_output,
        )
        object.__setattr__(execution_callback, "_json", _data)
        return execution_callback


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.execution_node_map import ExecutionNodeMap  # noqa: E402
