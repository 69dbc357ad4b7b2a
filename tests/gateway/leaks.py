"""The generated leak test's two halves.

`selections` walks the schema from a root field to every field the policy names personal,
through every object, interface and connection on the way (no type twice on one path), and
returns one merged selection and the number of root-to-personal-field paths it holds.

`Checker` reads an answer as the role it was sent for: every resident in it must be in that
role's scope, every personal field must be whole, masked or absent as the policy says, and no
raw value the role may not see whole may appear anywhere in the text, compared with the raw
values from the population (not a regex: grid codes hold phone-like digit runs).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)

from gateway.access.auth import Role
from gateway.access.kinds import Kind
from gateway.access.policy import FREE_TEXT, ON_DUTY, PERSONAL_FIELDS, Access, view
from mocks.population import Population
from mocks.population.residents import index_of_registry_number

KEYS = ("registryNumber", "number", "code", "fullTime")


def _possible(schema: GraphQLSchema, named: Any) -> list[GraphQLObjectType]:
    if isinstance(named, GraphQLObjectType):
        return [named]
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        return list(schema.get_possible_types(named))
    return []


def selections(
    schema: GraphQLSchema, type_name: str, on_path: frozenset[str] = frozenset(), depth: int = 0
) -> tuple[str, int]:
    """(selection set text, number of paths to personal fields) for one object type."""
    parent = schema.get_type(type_name)
    assert isinstance(parent, GraphQLObjectType)
    parts: list[str] = ["__typename", *(k for k in KEYS if k in parent.fields)]
    count = 0
    for name, definition in parent.fields.items():
        key = f"{type_name}.{name}"
        named = get_named_type(definition.type)
        if key in PERSONAL_FIELDS or key in ON_DUTY:
            parts.append(name if is_leaf_type(named) else f"{name} {{ type label }}")
            count += 1
            continue
        if key in FREE_TEXT:  # a phone or an ID number typed into it is checked as any other
            parts.append(name)
            count += 1
            continue
        if is_leaf_type(named) or depth >= 12:
            continue
        required = [
            a
            for a, arg in definition.args.items()
            if isinstance(arg.type, GraphQLNonNull) and arg.default_value is None
        ]
        if required:
            continue
        arguments = "(first: 1)" if "first" in definition.args else ""
        inner: list[str] = []
        below = 0
        for concrete in _possible(schema, named):
            if concrete.name in on_path or concrete.name == type_name:
                continue
            text, found = selections(schema, concrete.name, on_path | {type_name}, depth + 1)
            if found:
                inner.append(f"... on {concrete.name} {{ {text} }}")
                below += found
        if below:
            parts.append(f"{name}{arguments} {{ {' '.join(inner)} }}")
            count += below
    return " ".join(parts), count


def root_selection(schema: GraphQLSchema, root: str, field_name: str) -> tuple[str, int]:
    definition = schema.get_type(root).fields[field_name]  # type: ignore[union-attr]
    named = get_named_type(definition.type)
    inner: list[str] = []
    total = 0
    for concrete in _possible(schema, named):
        text, found = selections(schema, concrete.name, frozenset({root}), 1)
        if found:
            inner.append(f"... on {concrete.name} {{ {text} }}")
            total += found
    return " ".join(inner), total


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if len(self.items) < 400:
            self.items.append(text)


def resident_raw(population: Population, registry_number: str) -> dict[Kind, str]:
    index = index_of_registry_number(registry_number)
    assert index is not None, registry_number
    p = population.person(index)
    return {
        Kind.NAME: p.name,
        Kind.ID_NUMBER: p.id_number,
        Kind.PHONE: p.phone_digits or "",
        Kind.ADDRESS: p.current_address,
        Kind.HUKOU_ADDRESS: p.registered_address,
        Kind.BIRTH_DATE: p.birth.isoformat(),
    }


RESIDENT_FIELDS = {
    "name": Kind.NAME,
    "idNumber": Kind.ID_NUMBER,
    "phone": Kind.PHONE,
    "address": Kind.ADDRESS,
    "registeredAddress": Kind.HUKOU_ADDRESS,
    "birthDate": Kind.BIRTH_DATE,
}


def walk(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))


class Checker:
    """What one role may learn, checked against the population's raw values."""

    def __init__(self, population: Population, role: Role, in_scope: Callable[[str], bool]) -> None:
        self.population = population
        self.role = role
        self.in_scope = in_scope

    def people_in(self, data: Any) -> Iterator[dict[Kind, str]]:
        """Raw values of everyone an answer is about: residents, reporters, applicants,
        dispute parties and part-time grid workers."""
        population = self.population
        for _, node in walk(data):
            if not isinstance(node, dict):
                continue
            kind = node.get("__typename")
            if kind == "Resident" and node.get("registryNumber"):
                yield resident_raw(population, node["registryNumber"])
            elif kind == "UrbanCase" and node.get("number"):
                case = population.case(node["number"])
                if case is not None and case.reporter is not None:
                    r = case.reporter
                    yield {Kind.NAME: r.name, Kind.PHONE: r.phone, Kind.ID_NUMBER: r.id_number}
            elif kind == "LegalAidCase" and node.get("number"):
                for a in population.legal.applications:
                    if a.record_code == node["number"]:
                        x = a.applicant
                        yield {
                            Kind.NAME: x.name,
                            Kind.PHONE: x.phone,
                            Kind.ID_NUMBER: x.id_number,
                            Kind.ADDRESS: x.address,
                            Kind.LEGAL_NARRATIVE: a.description,
                        }
            elif kind == "Dispute" and node.get("number"):
                for d in population.legal.disputes:
                    if d.id == node["number"]:
                        for party in d.parties:
                            yield {
                                Kind.NAME: party.name,
                                Kind.PHONE: party.phone,
                                Kind.ID_NUMBER: party.id_number,
                            }
            elif kind == "PlatformUser" and node.get("id"):
                openid = base64.urlsafe_b64decode(node["id"]).decode().partition(":")[2]
                user = population.engagement.user(openid)
                if user is not None:
                    yield {Kind.NAME: user.nickname, Kind.PHONE: user.phone}
                    if user.person_index is not None:
                        yield resident_raw(
                            population, population.person(user.person_index).registry_number
                        )
            elif kind in ("Grid", "Building") and node.get("code"):
                grid = population.geography.grid_by_code.get(node["code"][:15])
                top = population.top_grid(grid) if grid is not None else None
                for worker in population.workers(top) if top is not None else []:
                    if not worker.full_time:
                        yield {Kind.NAME: worker.name, Kind.PHONE: worker.phone}

    def check(self, body: dict[str, Any], problems: Problems, label: str) -> bool:
        """Adds what leaks to `problems`; True when the answer carried a personal value."""
        data = body.get("data")
        carried = False
        forbidden: dict[str, Kind] = {}
        shown_whole: set[str] = set()  # e.g. a registered address that is the current one
        for raw in self.people_in(data):
            for kind, value in raw.items():
                if value and view(self.role, kind) is not Access.WHOLE:
                    forbidden[value] = kind
                elif value:
                    shown_whole.add(value)
        for value in shown_whole:
            forbidden.pop(value, None)
        long_values = [
            (v, k)
            for v, k in forbidden.items()
            if k in (Kind.ID_NUMBER, Kind.PHONE) and len(v) >= 11
        ]
        for path, node in walk(data):
            if not isinstance(node, dict):
                continue
            typename = node.get("__typename")
            duty = typename == "GridWorker" and node.get("fullTime") is True
            for name, text in node.items():
                if not isinstance(text, str) or duty:  # staff on duty: public contacts
                    continue
                if text in forbidden:
                    problems.add(f"{label}: {forbidden[text].value} whole at {(*path, name)}")
                for value, kind in long_values:
                    if value in text and value != text:
                        problems.add(f"{label}: {kind.value} inside a string at {(*path, name)}")
            for name in node:
                if f"{typename}.{name}" in PERSONAL_FIELDS and node[name] not in (None, [], ""):
                    carried = True
            if typename == "Resident" and node.get("registryNumber"):
                number = node["registryNumber"]
                if not self.in_scope(number):
                    problems.add(f"{label}: resident out of scope at {path}")
                raw = resident_raw(self.population, number)
                for name, kind in RESIDENT_FIELDS.items():
                    if name not in node:
                        continue
                    access = view(self.role, kind)
                    shown = node[name]
                    if access is Access.WHOLE and shown != (raw[kind] or None):
                        problems.add(f"{label}: {name} should be whole at {path}")
                    if access is Access.DENIED and shown is not None:
                        problems.add(f"{label}: {name} should be absent at {path}")
                    masked = access in (Access.MASKED, Access.MASKED_LOW)
                    if masked and raw[kind] and shown in (None, raw[kind]):
                        problems.add(f"{label}: {name} should be masked at {path}")
        return carried
