"""What an operation asks for below the field being resolved, read before its items are walked.

A list's resolver that knows its items will be asked for a relation can start the calls behind
that relation at once, while the executor walks the items, instead of after the walk. Only the
operation's own selections are read: aliases, fragments and `@skip`/`@include` count as the
executor would count them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from strawberry.types.base import get_object_definition
from strawberry.types.nodes import SelectedField, Selection

# A field's name, or its name and the type names a fragment's condition may give at that level:
# the runtime type of the items there and the interfaces it implements.
Step = str | tuple[str, Collection[str]]


def type_names(cls: type) -> frozenset[str]:
    """A Strawberry object type's GraphQL name and those of its interfaces."""
    definition = get_object_definition(cls, strict=True)
    return frozenset({definition.name, *(i.name for i in definition.interfaces)})


def asks_for(selected: Sequence[Selection], path: Sequence[Step]) -> bool:
    """Whether the operation asks, below the field being resolved (`info.selected_fields`), for
    every field of `path` in turn (`("edges", "node", ("reporter", URBAN))`)."""
    level = list(selected)
    for step in path:
        name, kinds = (step, None) if isinstance(step, str) else step
        found = [f for s in level for f in _fields(_below(s), kinds) if f.name == name]
        if not found:
            return False
        level = list(found)
    return True


def _below(selection: Selection) -> list[Selection]:
    return selection.selections if isinstance(selection, SelectedField) else []


def _fields(selections: list[Selection], kinds: Collection[str] | None) -> Iterator[SelectedField]:
    for s in selections:
        if _left_out(s.directives):
            continue
        if isinstance(s, SelectedField):
            yield s
        elif kinds is None or s.type_condition is None or s.type_condition in kinds:
            yield from _fields(s.selections, kinds)


def _left_out(directives: dict[str, dict[str, object]]) -> bool:
    skip = directives.get("skip")
    include = directives.get("include")
    return (skip is not None and skip.get("if") is True) or (
        include is not None and include.get("if") is False
    )
