"""Plans of plain subtrees (`schema.plans`) kept from one request to the next. A plan depends on
the schema, the operation's selections and, through @skip, @include and @defer or a fragment's
arguments, on the request's variables. For an operation with none of those it depends on its
selections alone, and every request of that operation can use the plan the first one made:
planning was a twentieth of the CPU of the application by code (one object of five fields).

An operation with any directive or fragment argument is planned per request, as before. The
operation and its fragments are held beside their plans, so the identities that key them cannot
be taken by another document while the plans are kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from graphql.execution.collect_fields import FieldDetailsList

from .plans import Subtree

MAX_PLANS = 4096
ATTRIBUTE = "_govgraph_shared_plans"

Key = tuple[GraphQLObjectType, int, tuple[int, ...]]


class SharedPlans:
    def __init__(self, max_plans: int = MAX_PLANS) -> None:
        # operation id → (operation, fragments, whether its plans may be shared)
        self._operations: LRUCache[int, tuple[OperationDefinitionNode, Any, bool]]
        self._operations = LRUCache(maxsize=max_plans)
        self._plans: LRUCache[Key, tuple[OperationDefinitionNode, Any, Subtree | None]]
        self._plans = LRUCache(maxsize=max_plans)

    def shareable(self, operation: OperationDefinitionNode, fragments: Mapping[str, Any]) -> bool:
        known = self._operations.get(id(operation))
        if known is None or known[0] is not operation:
            definitions = [getattr(f, "definition", f) for f in fragments.values()]
            plain = _plain(operation.selection_set) and all(
                not d.directives and _plain(d.selection_set) for d in definitions
            )
            known = self._operations[id(operation)] = (operation, fragments, plain)
        return known[2]

    def get_or_plan(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, Any],
        kind: GraphQLObjectType,
        details: FieldDetailsList,
        planned: Callable[[], Subtree | None],
    ) -> Subtree | None:
        key = (kind, id(operation), tuple(id(d.node) for d in details))
        known = self._plans.get(key)
        if known is None or known[0] is not operation:
            known = self._plans[key] = (operation, fragments, planned())
        return known[2]


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
