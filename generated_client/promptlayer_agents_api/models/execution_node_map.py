from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import ModelError, plain, wrong

if TYPE_CHECKING:
    from ..models.node_result import NodeResult


T = TypeVar("T", bound="ExecutionNodeMap")


@_attrs_define(frozen=True, eq=False)
class ExecutionNodeMap(Mapping[str, "NodeResult"]):
    """Every node of the execution, by node name."""

    additional_properties: dict[str, NodeResult] = _attrs_field(factory=dict)
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
                raise wrong(_key, "an object", _value)
            try:
                _value = NodeResult.from_dict(_value)
            except ModelError as _error:
                raise _error.within(_key) from None

            additional_properties[_key] = _value
        execution_node_map = cls(additional_properties)
        object.__setattr__(execution_node_map, "_json", _data)
        return execution_node_map

    def __getitem__(self, key: str) -> NodeResult:
        return self.additional_properties[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.additional_properties)

    def __len__(self) -> int:
        return len(self.additional_properties)


# Imported here, once, rather than in each call (see the template's comment); after the class, so
# that models which refer to each other can import each other.
from ..models.node_result import NodeResult  # noqa: E402
