from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import ModelError, missing, plain, wrong

if TYPE_CHECKING:
    from ..models.agent_summary import AgentSummary


T = TypeVar("T", bound="AgentSummaryResponse")


@_attrs_define(frozen=True)
class AgentSummaryResponse:
    """The older form of the Get Agent answer, with only the agent's summary.

    Attributes:
        success (bool):
        workflow (AgentSummary):
    """

    success: bool
    workflow: AgentSummary
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["success"] = plain(self.success)
        field_dict["workflow"] = plain(self.workflow)
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

        workflow = _data.get("workflow")
        if workflow is None:
            raise missing(_data, "workflow", "an object")
        try:
            workflow = AgentSummary.from_dict(workflow)
        except ModelError as _error:
            raise _error.within("workflow") from None

        agent_summary_response = cls(
            success=success,
            workflow=workflow,
        )
        object.__setattr__(agent_summary_response, "_json", _data)
        return agent_summary_response


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.agent_summary import AgentSummary  # noqa: E402
