from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import ModelError, is_uri, outside, plain, wrong

if TYPE_CHECKING:
    from ..models.input_variables import InputVariables
    from ..models.run_metadata import RunMetadata


T = TypeVar("T", bound="RunAgentRequest")


@_attrs_define(frozen=True)
class RunAgentRequest:
    """How to run the agent. `workflow_label_name` and `workflow_version_number` are mutually
    exclusive; with neither, the latest version runs.

        Attributes:
            workflow_label_name (str | None): Run the version that carries this release label (e.g. `prod`). Mutually exclusive with
                `workflow_version_number`.
            workflow_version_number (int | None): Run this version number (> 0). Mutually exclusive with `workflow_label_name`.
            metadata (RunMetadata | None):
            input_variables (InputVariables | None): The agent's input variables by name; values are any JSON.
            return_all_outputs (bool): Whether the results of this execution carry every node (`true`) or only the main output.
            callback_url (str | None): When given, the API answers 202 at once and later POSTs an `ExecutionCallback` to this URL
                when the execution is final, so it is an http(s) URL (the pattern; PromptLayer's own
                spec says only `format: uri`).
    """

    workflow_label_name: str | None = None
    workflow_version_number: int | None = None
    metadata: RunMetadata | None = None
    input_variables: InputVariables | None = None
    return_all_outputs: bool = False
    callback_url: str | None = None
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        if self.workflow_label_name is not None:
            field_dict["workflow_label_name"] = plain(self.workflow_label_name)
        if self.workflow_version_number is not None:
            field_dict["workflow_version_number"] = plain(self.workflow_version_number)
        if self.metadata is not None:
            field_dict["metadata"] = plain(self.metadata)
        if self.input_variables is not None:
            field_dict["input_variables"] = plain(self.input_variables)
        field_dict["return_all_outputs"] = plain(self.return_all_outputs)
        if self.callback_url is not None:
            field_dict["callback_url"] = plain(self.callback_url)
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

        workflow_label_name = _data.get("workflow_label_name")
        if workflow_label_name is not None:
            if not isinstance(workflow_label_name, str):
                raise wrong("workflow_label_name", "a string", workflow_label_name)

            if len(workflow_label_name) < 1:
                raise outside(
                    "workflow_label_name",
                    "at least 1 character",
                    workflow_label_name,
                    "minLength",
                )

        workflow_version_number = _data.get("workflow_version_number")
        if workflow_version_number is not None:
            if not (
                isinstance(workflow_version_number, int)
                and not isinstance(workflow_version_number, bool)
            ):
                if not (
                    isinstance(workflow_version_number, float)
                    and workflow_version_number.is_integer()
                ):  # 3.0 is an integer in JSON
                    raise wrong(
                        "workflow_version_number", "an integer", workflow_version_number
                    )
                workflow_version_number = int(workflow_version_number)

            if workflow_version_number <= 0:
                raise outside(
                    "workflow_version_number",
                    "more than 0",
                    workflow_version_number,
                    "exclusiveMinimum",
                )

        metadata = _data.get("metadata")
        if metadata is not None:
            try:
                metadata = RunMetadata.from_dict(metadata)
            except ModelError as _error:
                raise _error.within("metadata") from None

        input_variables = _data.get("input_variables")
        if input_variables is not None:
            try:
                input_variables = InputVariables.from_dict(input_variables)
            except ModelError as _error:
                raise _error.within("input_variables") from None

        return_all_outputs = _data.get("return_all_outputs")
        if return_all_outputs is None:
            return_all_outputs = False
        else:
            if not isinstance(return_all_outputs, bool):
                raise wrong("return_all_outputs", "a boolean", return_all_outputs)

        callback_url = _data.get("callback_url")
        if callback_url is not None:
            if not isinstance(callback_url, str):
                raise wrong("callback_url", "a string", callback_url)

            if re.search("^[Hh][Tt][Tt][Pp][Ss]?://", callback_url) is None:
                raise outside(
                    "callback_url",
                    "text matching ^[Hh][Tt][Tt][Pp][Ss]?://",
                    callback_url,
                    "pattern",
                )
            if not is_uri(callback_url):
                raise outside("callback_url", "a URI", callback_url, "format")

        run_agent_request = cls(
            workflow_label_name=workflow_label_name,
            workflow_version_number=workflow_version_number,
            metadata=metadata,
            input_variables=input_variables,
            return_all_outputs=return_all_outputs,
            callback_url=callback_url,
        )
        object.__setattr__(run_agent_request, "_json", _data)
        return run_agent_request


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.input_variables import InputVariables  # noqa: E402
from ..models.run_metadata import RunMetadata  # noqa: E402
