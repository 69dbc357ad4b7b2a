"""Errors the schema raises itself. The gateway's error tree is not imported here: a GraphQL
error with `extensions.code` is what clients see either way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import GraphQLError

from adapters.normalise import ascii_digits

if TYPE_CHECKING:
    from .mutations import FieldError


def bad_input(argument: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "argument": argument})


def code_argument(argument: str, value: str | None, digits: int) -> str | None:
    if value is not None and (len(value) != digits or not ascii_digits(value)):
        raise bad_input(
            argument, f"{argument} 应为{digits}位数字 / {argument} must be {digits} digits"
        )
    return value


class Rejected(Exception):
    """A write the legacy system refused for a reason a form can show (raised by the data
    source, turned into a field error by the mutation)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def field_errors(error: Rejected) -> list[FieldError]:
    """A refusal as the field errors every mutation's payload carries."""
    from .mutations import FieldError  # defined with the mutations (imported late: no circle)

    return [FieldError(field=error.field, message=error.message)]
