from typing import Literal

ConditionOperator = Literal[
    "!=", "<", "<=", "=", ">", ">=", "in", "is_not_null", "is_null", "not_in"
]

CONDITION_OPERATOR_VALUES: set[ConditionOperator] = {
    "!=",
    "<",
    "<=",
    "=",
    ">",
    ">=",
    "in",
    "is_not_null",
    "is_null",
    "not_in",
}


def check_condition_operator(value: str) -> ConditionOperator:
    if value in CONDITION_OPERATOR_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CONDITION_OPERATOR_VALUES!r}"
    )
