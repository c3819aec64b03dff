from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing, plain, read_list, wrong

T = TypeVar("T", bound="ValidationIssue")


@_attrs_define(frozen=True)
class ValidationIssue:
    """One validation problem, as FastAPI reports it.

    Attributes:
        loc (list[int | str]): Where the problem is, e.g. `["body", "workflow_version_number"]`.
        msg (str):
        type_ (str):
    """

    loc: list[int | str]
    msg: str
    type_: str
    _json: dict[str, Any] | None = _attrs_field(
        default=None, init=False, repr=False, eq=False
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON: as it came when the model was read (a copy), else the fields set."""
        if self._json is not None:
            return copy.deepcopy(self._json)
        field_dict: dict[str, Any] = {}
        field_dict["loc"] = plain(self.loc)
        field_dict["msg"] = plain(self.msg)
        field_dict["type"] = plain(self.type_)
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

        loc = _data.get("loc")
        if loc is None:
            raise missing(_data, "loc", "a list")
        if not isinstance(loc, list):
            raise wrong("loc", "a list", loc)

        def read_item(value: Any) -> Any:
            if value is None:
                raise wrong(None, "a value", value)
            if not (
                isinstance(value, str)
                or (isinstance(value, int) and not isinstance(value, bool))
            ):
                raise wrong(None, "a string or an integer", value)

            return value

        loc = read_list(read_item, loc, "loc")

        msg = _data.get("msg")
        if msg is None:
            raise missing(_data, "msg", "a string")
        if not isinstance(msg, str):
            raise wrong("msg", "a string", msg)

        type_ = _data.get("type")
        if type_ is None:
            raise missing(_data, "type", "a string")
        if not isinstance(type_, str):
            raise wrong("type", "a string", type_)

        validation_issue = cls(
            loc=loc,
            msg=msg,
            type_=type_,
        )
        object.__setattr__(validation_issue, "_json", _data)
        return validation_issue
