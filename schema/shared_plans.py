"""Plans of plain subtrees (`schema.plans`) kept from one request to the next. A plan depends on
the schema, the operation's selections and, through @skip, @include and @defer or a fragment's
arguments, on the request's variables. For an operation with none of those it depends on its
selections alone, and every request of that operation can use the plan the first one made:
planning was a twentieth of the CPU of the application by code (one object of five fields).

An operation with any directive or fragment argument is planned per request, as before. The
operation and its fragments are held beside their plans, so the identities that key them cannot
be taken by another document while the plans are kept; at most 512 operations' plans are kept,
as many as parsed documents are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from .plans import Subtree

# Operations whose plans are kept, the least recently used dropped first with their plans: as
# many as the gateway keeps parsed documents by default, so that the plans hold no more of them.
MAX_OPERATIONS = 512
ATTRIBUTE = "_govgraph_shared_plans"

# (the object type, the ids of the selected field nodes) → its plan, or None: not plain
Plans = dict[tuple[GraphQLObjectType, tuple[int, ...]], Subtree | None]


@dataclass(frozen=True, slots=True)
class KnownOperation:
    operation: OperationDefinitionNode
    fragments: Mapping[str, Any]  # kept alive with the operation: their nodes' ids key plans
    shareable: bool
    plans: Plans


class SharedPlans:
    def __init__(self, max_operations: int = MAX_OPERATIONS) -> None:
        self._operations: LRUCache[int, KnownOperation] = LRUCache(maxsize=max_operations)

    def plans_for(
        self, operation: OperationDefinitionNode, fragments: Mapping[str, Any]
    ) -> Plans | None:
        """The plans every request of `operation` may share, or None where its selections
        follow its variables."""
        known = self._operations.get(id(operation))
        if known is None or known.operation is not operation:
            definitions = [getattr(f, "definition", f) for f in fragments.values()]
            shareable = _plain(operation.selection_set) and all(
                not d.directives and _plain(d.selection_set) for d in definitions
            )
            known = KnownOperation(operation, fragments, shareable, {})
            self._operations[id(operation)] = known
        return known.plans if known.shareable else None


def plans_of(schema: GraphQLSchema) -> SharedPlans:
    """The schema's own plans, made with it and gone with it."""
    plans = getattr(schema, ATTRIBUTE, None)
    if not isinstance(plans, SharedPlans):
        plans = SharedPlans()
        setattr(schema, ATTRIBUTE, plans)
    return plans


def _plain(selections: SelectionSetNode | None) -> bool:
    """No directive and no fragment argument anywhere in the selections."""
    if selections is None:
        return True
    return all(_plain_selection(s) for s in selections.selections)


def _plain_selection(selection: Any) -> bool:
    if selection.directives:
        return False
    if isinstance(selection, FragmentSpreadNode):
        return not getattr(selection, "arguments", None)
    if isinstance(selection, FieldNode | InlineFragmentNode):
        return _plain(selection.selection_set)
    return False
