"""One subgraph per agency: the SDL each serves to a router, cut from the one schema.

Each registered system schema module names its agency's subgraph and the fields it answers on
the shared types (added there, `EXTENDS`, as the engagement platform's are, or declared by name,
`OWNS`, as civil affairs' and legal aid's are): the entities appear there with their key and
those fields only, and what the fields reach comes along. `urban` is the rest: urban
management's grids, cases and departments, and the graph-wide roots (`node`, `case`, `cases`),
which answer for any system's records. `all` is the whole graph in one subgraph. A value type both reach (an identity match, a field
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
REST = "urban"  # the subgraph that answers what no system module claims
SUBGRAPHS = ("all", REST, *SYSTEM_SUBGRAPHS)
ROOTS = ("Query", "Mutation")
# Federation's own machinery: in a subgraph's schema, not in what clients are shown.
FEDERATION_FIELDS = ("_entities", "_service")
FEDERATION_TYPES = ("_Entity", "_Service", "_Any", "_FieldSet", "link__Purpose", "link__Import")
FEDERATION_DIRECTIVES = ("key", "link")


def owned_fields(schema: Schema, module: str) -> dict[str, set[str]]:
    """The GraphQL fields a system's schema module answers on each shared type: those it adds
    (`EXTENDS`) and those it declares by name (`OWNS`)."""
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


def _fields_in(graph: GraphQLSchema, name: str, owned: dict[str, set[str]], rest: bool) -> set[str]:
    named = graph.type_map[name]
    every = set(getattr(named, "fields", {})) - set(FEDERATION_FIELDS)
    if rest:
        return every - owned.get(name, set())
    key = {ENTITY_KEYS[name]} if name in ENTITY_KEYS else set()
    return (owned.get(name, set()) | key) & every


def _reach(
    graph: GraphQLSchema, start: dict[str, set[str]], owned: dict[str, set[str]], rest: bool
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
                todo += _entry(graph, target, owned, rest)
        if isinstance(named, GraphQLInterfaceType) and rest:
            for implementation in graph.get_possible_types(named):
                todo.append(
                    (implementation.name, _fields_in(graph, implementation.name, owned, rest))
                )
        if isinstance(named, GraphQLObjectType) and (rest or name not in ENTITY_KEYS):
            for interface in named.interfaces:
                todo.append((interface.name, set(interface.fields)))
        if isinstance(named, GraphQLUnionType):
            for member in named.types:
                todo += _entry(graph, member, owned, rest)
    return included


def _entry(
    graph: GraphQLSchema, target: GraphQLNamedType, owned: dict[str, set[str]], rest: bool
) -> list[tuple[str, set[str]]]:
    if is_specified_scalar_type(target) or target.name in FEDERATION_TYPES:
        return []
    if isinstance(target, GraphQLObjectType | GraphQLInterfaceType):
        if target.name in ENTITY_KEYS:
            return [(target.name, _fields_in(graph, target.name, owned, rest))]
        return [(target.name, set(target.fields))]
    if isinstance(target, GraphQLInputObjectType):
        return [(target.name, set(target.fields))]  # and what its fields take
    return [(target.name, set())]


def _served(schema: Schema, subgraph: str) -> dict[str, set[str]]:
    graph = schema._schema
    owned = _apart(schema)
    if subgraph == REST:
        start = {r: _fields_in(graph, r, owned, True) for r in ROOTS}
        for name in ENTITY_KEYS:
            start[name] = _fields_in(graph, name, owned, True)
        # Every other type of the schema that no system's own subgraph reaches alone.
        return _reach(graph, start, owned, rest=True)
    mine = owned_fields(schema, SYSTEM_SUBGRAPHS[subgraph])
    start = {name: _fields_in(graph, name, mine, False) for name in mine}
    return _reach(graph, start, mine, rest=False)


def _target(graph: GraphQLSchema, type_name: str, field_name: str) -> GraphQLNamedType:
    """The named type a field gives."""
    named = graph.type_map[type_name]
    assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)  # noqa: S101
    found: GraphQLNamedType = get_named_type(named.fields[field_name].type)
    return found


def _leaves(graph: GraphQLSchema, name: str) -> set[str]:
    named = graph.type_map[name]
    return {
        n
        for n, f in getattr(named, "fields", {}).items()
        if not f.args and isinstance(get_named_type(f.type), GraphQLScalarType | GraphQLEnumType)
    }


def _provided(graph: GraphQLSchema, served: dict[str, set[str]]) -> dict[tuple[str, str], set[str]]:
    """Fields that return an entity this subgraph resolves whole (a case's reporter: the
    resident, found by phone) while another subgraph owns some of its leaves: those leaves it
    provides on that path (`@provides`), so the router asks no one else for them."""
    found: dict[tuple[str, str], set[str]] = {}
    for type_name, fields in served.items():
        named = graph.type_map[type_name]
        if not isinstance(named, GraphQLObjectType):
            continue
        for field_name in fields:
            target = _target(graph, type_name, field_name)
            if target.name in ENTITY_KEYS and isinstance(target, GraphQLObjectType):
                missing = _leaves(graph, target.name) - served.get(target.name, set())
                if missing:
                    found[(type_name, field_name)] = missing
    return found


def _marked(text: str, field_directives: dict[str, str]) -> str:
    """`text` with a directive after each named field's (one-line) definition."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        name = stripped.split(":", 1)[0]
        if line.startswith("  ") and not line.startswith("   ") and name in field_directives:
            lines[index] = line + field_directives[name]
    return "\n".join(lines)


def _printed(graph: GraphQLSchema, name: str, fields: set[str], shared: bool, subgraph: str) -> str:
    named = graph.type_map[name]
    directives = ""
    if name in ENTITY_KEYS:
        directives += f' @key(fields: "{ENTITY_KEYS[name]}")'
    elif shared and isinstance(named, GraphQLObjectType) and name not in ROOTS:
        directives += " @shareable"
    if isinstance(named, GraphQLObjectType):
        interfaces = named.interfaces if subgraph == REST or name not in ENTITY_KEYS else []
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
    """The SDL `subgraph` serves to a router (`urban` or a system's own; see `SUBGRAPHS`)."""
    graph = schema._schema
    served = _served(schema, subgraph)
    others = [_served(schema, s) for s in (REST, *SYSTEM_SUBGRAPHS) if s != subgraph]
    reached_elsewhere = set().union(*(set(o) for o in others)) if others else set()
    provided = _provided(graph, served)
    marks: dict[str, dict[str, str]] = {}
    # What the others provide on their paths, this subgraph shares where it owns it.
    for other in others:
        for (type_name, field_name), leaves in _provided(graph, other).items():
            entity = _target(graph, type_name, field_name).name
            for leaf in leaves & served.get(entity, set()):
                marks.setdefault(entity, {})[leaf] = " @shareable"
    for (type_name, field_name), leaves in provided.items():
        entity = _target(graph, type_name, field_name).name
        served[entity] = served[entity] | leaves
        for leaf in leaves:  # and the enums and scalars the leaves are of
            kind = _target(graph, entity, leaf)
            if not is_specified_scalar_type(kind):
                served.setdefault(kind.name, set())
        marks.setdefault(entity, {}).update(dict.fromkeys(leaves, " @external"))
        listed = " ".join(sorted(leaves))
        marks.setdefault(type_name, {})[field_name] = f' @provides(fields: "{listed}")'
    imports = '"@key", "@shareable", "@external", "@provides"'
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
        text = _printed(graph, name, served[name], name in reached_elsewhere, subgraph)
        blocks.append(_marked(text, marks.get(name, {})))
    return "\n\n".join(blocks) + "\n"
