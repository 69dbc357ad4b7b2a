"""One subgraph per agency: the SDL each serves to a router, cut from the one schema.

A system whose fields on the shared entities are apart (`EXTENDS` of its schema module, as the
engagement platform's are) is a subgraph of its own: the entities it extends appear there with
their key and its fields only, and what its fields reach comes along. `core` is the rest of the
graph (urban management, civil affairs and legal aid, until their fields are apart too), and
`all` the whole graph in one subgraph. A value type both reach (an identity match, a field
error) is `@shareable`: each resolves it for its own fields.
"""

from __future__ import annotations

import importlib

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_specified_scalar_type,
    print_type,
)
from strawberry import Schema

from .entities import ENTITY_KEYS, FEDERATION_VERSION
from .extensions import SYSTEM_SCHEMAS

# Each registered system schema module names the subgraph its agency runs (`SUBGRAPH`).
SYSTEM_SUBGRAPHS = {importlib.import_module(module).SUBGRAPH: module for module in SYSTEM_SCHEMAS}
SUBGRAPHS = ("all", "core", *SYSTEM_SUBGRAPHS)
ROOTS = ("Query", "Mutation")
HIDDEN = ("_Entity", "_Service", "_Any", "_FieldSet", "link__Purpose", "link__Import")
FEDERATION_FIELDS = ("_entities", "_service")


def owned_fields(schema: Schema, module: str) -> dict[str, set[str]]:
    """The GraphQL fields a system's schema module adds to each shared type."""
    convert = schema.config.name_converter
    system = importlib.import_module(module)
    found: dict[str, set[str]] = {
        name: {convert.get_graphql_name(f) for f in cls.__strawberry_definition__.fields}
        for name, cls in system.EXTENDS.items()
    }
    for name, fields in getattr(system, "OWNS", {}).items():  # declared by name
        found.setdefault(name, set()).update(fields)
    return found


def _apart(schema: Schema) -> dict[str, set[str]]:
    """Every field some system's own subgraph answers, by type."""
    found: dict[str, set[str]] = {}
    for module in SYSTEM_SUBGRAPHS.values():
        for name, fields in owned_fields(schema, module).items():
            found.setdefault(name, set()).update(fields)
    return found


def _fields_in(graph: GraphQLSchema, name: str, owned: dict[str, set[str]], core: bool) -> set[str]:
    named = graph.type_map[name]
    every = set(getattr(named, "fields", {})) - set(FEDERATION_FIELDS)
    if core:
        return every - owned.get(name, set())
    key = {ENTITY_KEYS[name]} if name in ENTITY_KEYS else set()
    return (owned.get(name, set()) | key) & every


def _reach(
    graph: GraphQLSchema, start: dict[str, set[str]], owned: dict[str, set[str]], core: bool
) -> dict[str, set[str]]:
    """Each type the start fields reach, with the fields of it this subgraph serves."""
    included: dict[str, set[str]] = {}
    todo = list(start.items())
    while todo:
        name, fields = todo.pop()
        if name in included and fields <= included[name]:
            continue
        included[name] = included.get(name, set()) | fields
        named = graph.type_map[name]
        for field_name in fields:
            field = named.fields[field_name]  # type: ignore[attr-defined]
            targets = [get_named_type(field.type)]
            targets += [get_named_type(a.type) for a in getattr(field, "args", {}).values()]
            for target in targets:
                todo += _entry(graph, target, owned, core)
        if isinstance(named, GraphQLInterfaceType) and core:
            for implementation in graph.get_possible_types(named):
                todo.append(
                    (implementation.name, _fields_in(graph, implementation.name, owned, core))
                )
        if isinstance(named, GraphQLObjectType) and (core or name not in ENTITY_KEYS):
            for interface in named.interfaces:
                todo.append((interface.name, set(interface.fields)))
        if isinstance(named, GraphQLUnionType):
            for member in named.types:
                todo += _entry(graph, member, owned, core)
    return included


def _entry(
    graph: GraphQLSchema, target: GraphQLNamedType, owned: dict[str, set[str]], core: bool
) -> list[tuple[str, set[str]]]:
    if is_specified_scalar_type(target) or target.name in HIDDEN:
        return []
    if isinstance(target, GraphQLObjectType | GraphQLInterfaceType):
        if target.name in ENTITY_KEYS:
            return [(target.name, _fields_in(graph, target.name, owned, core))]
        return [(target.name, set(target.fields))]
    if isinstance(target, GraphQLInputObjectType):
        return [(target.name, set(target.fields))]  # and what its fields take
    return [(target.name, set())]


def _served(schema: Schema, subgraph: str) -> dict[str, set[str]]:
    graph = schema._schema
    owned = _apart(schema)
    if subgraph == "core":
        start = {r: _fields_in(graph, r, owned, True) for r in ROOTS}
        for name in ENTITY_KEYS:
            start[name] = _fields_in(graph, name, owned, True)
        # Every other type of the schema that no system's own subgraph reaches alone.
        return _reach(graph, start, owned, core=True)
    mine = owned_fields(schema, SYSTEM_SUBGRAPHS[subgraph])
    start = {name: _fields_in(graph, name, mine, False) for name in mine}
    return _reach(graph, start, mine, core=False)


def _printed(graph: GraphQLSchema, name: str, fields: set[str], shared: bool, subgraph: str) -> str:
    named = graph.type_map[name]
    directives = ""
    if name in ENTITY_KEYS:
        directives += f' @key(fields: "{ENTITY_KEYS[name]}")'
    elif shared and isinstance(named, GraphQLObjectType) and name not in ROOTS:
        directives += " @shareable"
    if isinstance(named, GraphQLObjectType):
        interfaces = named.interfaces if subgraph == "core" or name not in ENTITY_KEYS else []
        named = GraphQLObjectType(
            name,
            fields={n: f for n, f in named.fields.items() if n in fields},
            interfaces=interfaces,
            description=named.description,
        )
    text = print_type(named)
    if not directives:
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith(f"type {name}") and line.endswith("{"):
            lines[index] = line[:-2] + directives + " {"
            break
    return "\n".join(lines)


def subgraph_sdl_of(schema: Schema, subgraph: str) -> str:
    """The SDL `subgraph` serves to a router (`core` or a system's own; see `SUBGRAPHS`)."""
    graph = schema._schema
    served = _served(schema, subgraph)
    others = [_served(schema, s) for s in ("core", *SYSTEM_SUBGRAPHS) if s != subgraph]
    reached_elsewhere = set().union(*(set(o) for o in others)) if others else set()
    imports = '"@key", "@shareable"'
    header = (
        f'extend schema @link(url: "https://specs.apollo.dev/federation/v{FEDERATION_VERSION}",'
        f" import: [{imports}])"
    )
    blocks = [header]
    for name in sorted(served):
        named = graph.type_map[name]
        if isinstance(named, GraphQLScalarType | GraphQLEnumType | GraphQLInputObjectType):
            blocks.append(print_type(named))
            continue
        blocks.append(_printed(graph, name, served[name], name in reached_elsewhere, subgraph))
    return "\n\n".join(blocks) + "\n"
