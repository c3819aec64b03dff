from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.input_variables import InputVariables
    from ..models.run_metadata import RunMetadata


T = TypeVar("T", bound="RunAgentRequest")


@_attrs_define
class RunAgentRequest:
    """How to run the agent. `workflow_label_name` and `workflow_version_number` are mutually
    exclusive; with neither, the latest version runs.

        Attributes:
            workflow_label_name (None | str | Unset): Run the version that carries this release label (e.g. `prod`).
                Mutually exclusive with
                `workflow_version_number`.
            workflow_version_number (int | None | Unset): Run this version number (> 0). Mutually exclusive with
                `workflow_label_name`.
            metadata (None | RunMetadata | Unset):
            input_variables (InputVariables | Unset): The agent's input variables by name; values are any JSON.
            return_all_outputs (bool | Unset): Whether the results of this execution carry every node (`true`) or only the
                main output.
                 Default: False.
            callback_url (None | str | Unset): When given, the API answers 202 at once and later POSTs an
                `ExecutionCallback` to this URL
                when the execution is final.
    """

    workflow_label_name: None | str | Unset = UNSET
    workflow_version_number: int | None | Unset = UNSET
    metadata: None | RunMetadata | Unset = UNSET
    input_variables: InputVariables | Unset = UNSET
    return_all_outputs: bool | Unset = False
    callback_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        workflow_label_name: None | str | Unset
        if isinstance(self.workflow_label_name, Unset):
            workflow_label_name = UNSET
        else:
            workflow_label_name = self.workflow_label_name

        workflow_version_number: int | None | Unset
        if isinstance(self.workflow_version_number, Unset):
            workflow_version_number = UNSET
        else:
            workflow_version_number = self.workflow_version_number

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, RunMetadata):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        input_variables: dict[str, Any] | Unset = UNSET
        if not isinstance(self.input_variables, Unset):
            input_variables = self.input_variables.to_dict()

        return_all_outputs = self.return_all_outputs

        callback_url: None | str | Unset
        if isinstance(self.callback_url, Unset):
            callback_url = UNSET
        else:
            callback_url = self.callback_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if workflow_label_name is not UNSET:
            field_dict["workflow_label_name"] = workflow_label_name
        if workflow_version_number is not UNSET:
            field_dict["workflow_version_number"] = workflow_version_number
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if input_variables is not UNSET:
            field_dict["input_variables"] = input_variables
        if return_all_outputs is not UNSET:
            field_dict["return_all_outputs"] = return_all_outputs
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_workflow_label_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        workflow_label_name = _parse_workflow_label_name(
            d.pop("workflow_label_name", UNSET)
        )

        def _parse_workflow_version_number(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        workflow_version_number = _parse_workflow_version_number(
            d.pop("workflow_version_number", UNSET)
        )

        def _parse_metadata(data: object) -> None | RunMetadata | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = RunMetadata.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunMetadata | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        _input_variables = d.pop("input_variables", UNSET)
        input_variables: InputVariables | Unset
        if isinstance(_input_variables, Unset):
            input_variables = UNSET
        else:
            input_variables = InputVariables.from_dict(_input_variables)

        return_all_outputs = d.pop("return_all_outputs", UNSET)

        def _parse_callback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        callback_url = _parse_callback_url(d.pop("callback_url", UNSET))

        run_agent_request = cls(
            workflow_label_name=workflow_label_name,
            workflow_version_number=workflow_version_number,
            metadata=metadata,
            input_variables=input_variables,
            return_all_outputs=return_all_outputs,
            callback_url=callback_url,
        )

        run_agent_request.additional_properties = d
        return run_agent_request

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
from ..models.input_variables import InputVariables  # noqa: E402
from ..models.run_metadata import RunMetadata  # noqa: E402
