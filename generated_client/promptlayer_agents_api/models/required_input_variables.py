from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import plain, wrong

T = TypeVar("T", bound="RequiredInputVariables")


@_attrs_define(frozen=True, eq=False)
class RequiredInputVariables(Mapping[str, "str"]):
    """Input variable names mapped to their types."""

    additional_properties: dict[str, str] = _attrs_field(factory=dict)
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        return {key: plain(value) for key, value in self.additional_properties.items()}

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """The model of this JSON object, each field's type checked as it is read. Raises
        ModelError naming the path of what is wrong (e.g. `nodes[2].id: expected a string,
        got 3`)."""
        if not isinstance(src_dict, dict):
            if not isinstance(src_dict, Mapping):
                raise wrong(None, "an object", src_dict)
        _data = dict(src_dict)
        additional_properties = {}
        for _key, _value in _data.items():
            if _value is None:
                raise wrong(_key, "a string", _value)
            if not isinstance(_value, str):
                raise wrong(_key, "a string", _value)

            additional_properties[_key] = _value
        required_input_variables = cls(additional_properties)
        object.__setattr__(required_input_variables, "_json", _data)
        return required_input_variables

    def __getitem__(self, key: str) -> str:
        return self.additional_properties[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.additional_properties)

    def __len__(self) -> int:
        return len(self.additional_properties)
