"""The policy table against the schema: every field and argument that holds a personal value has
a rule, and every rule names something that exists. A new personal field without a rule fails
here; the leak matrix then checks what each rule does."""

from __future__ import annotations

import re

from graphql import GraphQLInputObjectType, GraphQLObjectType, get_named_type

from gateway.access.auth import Role
from gateway.access.policy import (
    FREE_TEXT,
    FREE_TEXT_VIEWS,
    NOT_MASKED,
    NOT_PERSONAL_ARGUMENTS,
    ON_DUTY,
    PERSONAL_ARGUMENTS,
    PERSONAL_FIELDS,
    RELATIONS,
    VIEWS,
    Access,
)
from gateway.http.graphql import build_gateway_schema

# What a field or argument holding a person's value is called, in this schema or a new one.
PERSONAL_LOOKING = re.compile(
    r"(name|phone|mobile|idnumber|identity|address|birth|age$|^sex$|tags?$|leader|applicant|"
    r"reporter|reported|members|part(y|ies)|resident|mediator|description|contact)",
    re.IGNORECASE,
)
# What free text that people write is called: it may hold a phone or an ID number typed into it.
FREE_TEXT_LOOKING = re.compile(
    r"^(description|content|note|title|comment|remark|outcome|place|address|reason|message)$",
    re.IGNORECASE,
)
FREE_OR_RULED = "the schema's free text, each in FREE_TEXT or with a reason in NOT_MASKED"
SCHEMA = build_gateway_schema()._schema


def _fields() -> dict[str, str]:
    found = {}
    for type_name, kind in SCHEMA.type_map.items():
        if type_name.startswith("__") or not isinstance(kind, GraphQLObjectType):
            continue
        for field_name in kind.fields:
            found[f"{type_name}.{field_name}"] = field_name
    return found


def _arguments() -> set[str]:
    found: set[str] = set()

    def inputs(prefix: str, kind: object) -> None:
        if isinstance(kind, GraphQLInputObjectType):
            for name, field in kind.fields.items():
                found.add(f"{prefix}.{name}")
                inputs(f"{prefix}.{name}", get_named_type(field.type))

    for type_name, kind in SCHEMA.type_map.items():
        if type_name.startswith("__") or not isinstance(kind, GraphQLObjectType):
            continue
        for field_name, field in kind.fields.items():
            for arg_name, arg in field.args.items():
                key = f"{type_name}.{field_name}.{arg_name}"
                found.add(key)
                inputs(key, get_named_type(arg.type))
    return found


def test_every_personal_looking_field_has_a_rule() -> None:
    ruled = (
        PERSONAL_FIELDS.keys()
        | NOT_MASKED.keys()
        | ON_DUTY.keys()
        | RELATIONS.keys()
        | FREE_TEXT.keys()
    )
    missing = [
        key
        for key, name in _fields().items()
        if (PERSONAL_LOOKING.search(name) or FREE_TEXT_LOOKING.search(name))
        and key not in ruled
        and not key.startswith("Mutation.")
        and not name.endswith(("Code", "Codes"))
    ]
    assert missing == [], (
        f"personal-looking fields with no rule in gateway.access.policy: {missing}"
    )


def test_every_rule_names_a_field_of_the_schema() -> None:
    fields = _fields()
    for key in (*PERSONAL_FIELDS, *NOT_MASKED, *ON_DUTY, *RELATIONS, *FREE_TEXT):
        assert key in fields, f"the policy names {key}, which the schema does not have"
    assert set(PERSONAL_FIELDS.values()) <= VIEWS.keys()
    assert not FREE_TEXT.keys() & (PERSONAL_FIELDS.keys() | NOT_MASKED.keys()), FREE_OR_RULED


def test_free_text_never_shows_more_of_a_kind_than_the_kind_view() -> None:
    revealing = [Access.WHOLE, Access.MASKED, Access.MASKED_LOW, Access.DENIED]
    for kind, row in FREE_TEXT_VIEWS.items():
        for role, level in row.items():
            assert revealing.index(level) >= revealing.index(VIEWS[kind].get(role, Access.DENIED))
    # a resident sees a phone or ID number typed into free text as a neighbour's, not whole
    assert all(row[Role.RESIDENT] is not Access.WHOLE for row in FREE_TEXT_VIEWS.values())


def test_every_argument_that_takes_a_personal_value_has_a_rule() -> None:
    arguments = _arguments()
    for key in PERSONAL_ARGUMENTS:
        assert key in arguments, f"PERSONAL_ARGUMENTS names {key}, which the schema does not have"
    missing = [
        key
        for key in arguments
        if PERSONAL_LOOKING.search(key.rsplit(".", 1)[-1])
        and key not in PERSONAL_ARGUMENTS
        and key not in NOT_PERSONAL_ARGUMENTS
        and not key.rsplit(".", 1)[-1].endswith(("Code", "code"))
    ]
    assert missing == [], f"personal-looking arguments with no rule: {missing}"


def test_a_new_personal_field_without_a_rule_is_caught() -> None:
    fields = {"Resident.motherName": "motherName", "Grid.name": "name", "Grid.code": "code"}
    ruled = PERSONAL_FIELDS.keys() | NOT_MASKED.keys()
    caught = [k for k, n in fields.items() if PERSONAL_LOOKING.search(n) and k not in ruled]
    assert caught == ["Resident.motherName"]
