"""Reading one legacy record field by field, so every adapter fails the same way: a
ContractError naming system, record kind and field, never the value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from connectors.errors import ContractError

from .normalise import beijing_time, id_number_is_valid

T = TypeVar("T")


class RecordReader:
    __slots__ = ("kind", "record", "system")

    def __init__(self, system: str, kind: str, record: Mapping[str, Any]) -> None:
        self.system = system
        self.kind = kind
        self.record = record

    def error(self, name: str, problem: str) -> ContractError:
        return ContractError(self.system, self.kind, name, problem)

    def text(self, name: str, required: bool = True) -> str:
        value = self.record.get(name)
        if value.__class__ is str:  # the common case first: one type check, one strip
            stripped: str = value.strip()
        elif value is None:
            stripped = ""
        elif isinstance(value, str):
            stripped = value.strip()
        else:
            raise self.error(name, "not a string")
        if required and not stripped:
            raise self.error(name, "missing")
        return stripped

    def optional(self, name: str) -> str | None:
        return self.text(name, required=False) or None

    def parsed(self, name: str, parse: Callable[[str], T], required: bool = True) -> T | None:
        """parse(text), or None for an empty optional field."""
        value = self.record.get(name)
        # A plain string, as most fields are, is read here; anything else as `text` reads it.
        text = value.strip() if value.__class__ is str else self.text(name, required=False)
        if not text:
            if required:
                raise self.error(name, "missing")
            return None
        try:
            return parse(text)
        except (ValueError, TypeError, IndexError):
            raise self.error(name, "unparseable") from None

    def required(self, name: str, parse: Callable[[str], T]) -> T:
        value = self.parsed(name, parse)
        assert value is not None  # noqa: S101  (a required field is never empty)
        return value

    def count(self, name: str) -> int:
        return self.parsed(name, int, required=False) or 0

    def beijing(self, name: str, required: bool = False) -> datetime | None:
        return self.parsed(name, _beijing, required)

    def integer(self, name: str) -> int:
        """A JSON integer (booleans are not numbers here)."""
        value = self.record.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, "not an integer")
        return value

    def number(self, name: str) -> float:
        value = self.record.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, "not a number")
        return float(value)

    def flag(self, name: str) -> bool:
        value = self.record.get(name)
        if not isinstance(value, bool):
            raise self.error(name, "not a boolean")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.record.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(name, "not a list of strings")
        return tuple(value)

    def records(self, name: str, required: bool = True) -> list[Mapping[str, Any]]:
        """A list of records; an absent optional one (SOAP leaves out empty arrays) is []."""
        value = self.record.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(name, "not a list of records")
        return value

    def id_number(self, name: str) -> str:
        """An ID number that passes GB 11643, upper-cased."""
        id_number = self.text(name).upper()
        if not id_number_is_valid(id_number):
            raise self.error(name, "fails GB 11643 check")
        return id_number

    def one_of(self, name: str, allowed: Mapping[str, T]) -> T:
        label = self.text(name)
        if label not in allowed:
            raise self.error(name, "unknown value")
        return allowed[label]


def _beijing(text: str) -> datetime:
    parsed = beijing_time(text)
    assert parsed is not None  # noqa: S101  (text is not empty)
    return parsed
