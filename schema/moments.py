"""The DateTime and Date scalars, as every system here can keep a time: ISO 8601, as
Strawberry's own, and in the years 1900 to 2199.

Strawberry's scalars take any year Python does. A time in the year 9999 or 1 overflows when it
is taken into Beijing time or a day is added to it (a 500 before this), and no system here
would keep it. Refused where the value is coerced, before anything runs: `BAD_VARIABLES` for a
variable, a validation error for a literal, each naming the value and the years allowed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from dateutil.parser import isoparse
from strawberry.schema.types.base_scalars import (
    DateDefinition,
    DateTimeDefinition,
    wrap_parser,
)
from strawberry.types.scalar import ScalarDefinition

FIRST_YEAR = 1900
LAST_YEAR = 2199
YEARS = f"years {FIRST_YEAR}-{LAST_YEAR}"
_Moment = TypeVar("_Moment", date, datetime)


def _within_years(parse: Callable[[str], _Moment]) -> Callable[[str], _Moment]:
    def parsed(value: str) -> _Moment:
        moment = parse(value)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ValueError(f"须在{FIRST_YEAR}至{LAST_YEAR}年之间 / {YEARS}")
        return moment

    return parsed


def _bounded(definition: ScalarDefinition, parse: Callable[[str], Any]) -> ScalarDefinition:
    # The description stays Strawberry's: another team's subgraph declares the same scalar
    # with it, and a description of our own would be a composition hint for every one of them.
    return dataclasses.replace(
        definition, parse_value=wrap_parser(_within_years(parse), definition.name)
    )


SCALARS: dict[object, ScalarDefinition] = {
    # dateutil's ISO 8601 parser, as Strawberry's own DateTime: every form it took is taken.
    datetime: _bounded(DateTimeDefinition, isoparse),
    date: _bounded(DateDefinition, date.fromisoformat),
}
