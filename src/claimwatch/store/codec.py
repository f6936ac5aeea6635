"""DynamoDB's number type is Decimal: convert at the boundary so the core only sees floats/ints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def to_item(value: Any) -> Any:
    """Python value -> DynamoDB-safe value (floats become Decimal, empty strings/sets kept out)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: to_item(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_item(v) for v in value]
    return value


def from_item(value: Any) -> Any:
    """DynamoDB value -> plain Python (Decimal becomes int or float, sets become sorted lists)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_item(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_item(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(from_item(v) for v in value)
    return value
