from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing, outside, plain, wrong

T = TypeVar("T", bound="RunAgentResponse")


@_attrs_define(frozen=True)
class RunAgentResponse:
    """The answer to running an agent; the execution continues in the background.

    Attributes:
        success (bool): Whether the execution was created.
        message (str): A message describing the result.
        workflow_version_execution_id (int): The id to read the execution's results with (a positive integer).
        warning (str | None): Missing or unexpected input variables, if any; the run still started.
    """

    success: bool
    message: str
    workflow_version_execution_id: int
    warning: str | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["success"] = plain(self.success)
        field_dict["message"] = plain(self.message)
        field_dict["workflow_version_execution_id"] = plain(
            self.workflow_version_execution_id
        )
        if self.warning is not None:
            field_dict["warning"] = plain(self.warning)
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

        message = _data.get("message")
        if message is None:
            raise missing(_data, "message", "a string")
        if not isinstance(message, str):
            raise wrong("message", "a string", message)

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

        if workflow_version_execution_id < 1:
            raise outside(
                "workflow_version_execution_id",
                "at least 1",
                workflow_version_execution_id,
                "minimum",
            )

        warning = _data.get("warning")
        if warning is not None:
            if not isinstance(warning, str):
                raise wrong("warning", "a string", warning)

        run_agent_response = cls(
            success=success,
            message=message,
            workflow_version_execution_id=workflow_version_execution_id,
            warning=warning,
        )
        object.__setattr__(run_agent_response, "_json", _data)
        return run_agent_response
