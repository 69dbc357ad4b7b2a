"""Cheap checks on a parsed document before anything runs: depth, aliases, directives, repeated
fields, root fields and an estimated cost (list sizes from page arguments, weights where a field
costs a backend call). Each limit has its own error code; in production the message does not
reveal the limit's value.

Fragments are followed once per path, so a circular fragment cannot loop the analysis (schema
validation refuses it afterwards anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from connectors.errors import LimitError

DEFAULT_PAGE = 20
# Fields that cost a backend call each time they resolve (one per parent), by Type.field.
BACKEND_WEIGHTS = {
    "residents": 5,
    "cases": 5,
    "reportedCases": 10,
    "legalAidCases": 10,
    "disputes": 10,
    "enrolments": 3,
    "household": 2,
    "building": 2,
    "reporter": 3,
    "applicant": 3,
    "resident": 3,
    "members": 3,
    "statistics": 5,
}

if TYPE_CHECKING:
    from gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 15
    max_aliases: int = 15
    max_directives: int = 50
    max_repeated_fields: int = 5
    max_root_fields: int = 10
    max_cost: int = 5000
    max_page_size: int = 100
    reveal: bool = True

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_directives=settings.max_directives,
            max_repeated_fields=settings.max_repeated_fields,
            max_root_fields=settings.max_root_fields,
            max_cost=settings.max_cost,
            max_page_size=settings.page_size_cap,
            reveal=not settings.production,
        )


@dataclass(slots=True)
class Analysis:
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    cost: float = 0.0


class LimitExceededError(LimitError):
    def __init__(self, code: str, what: str, value: int, limit: int, reveal: bool) -> None:
        detail = f"{what}: {value} > {limit}" if reveal else what
        super().__init__(f"请求超出限制（{detail}）/ request exceeds a limit ({detail})")
        self.extensions["code"] = code


def analyse(
    document: DocumentNode, operation_name: str | None, limits: Limits, variables: dict[str, object]
) -> Analysis:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    analysis = Analysis()
    walker = _Walker(fragments, limits, variables, analysis)
    for operation in chosen or operations:
        roots = walker.fields_of(operation.selection_set, frozenset())
        if len(roots) > limits.max_root_fields:
            raise LimitExceededError(
                "ROOT_FIELD_LIMIT", "root fields", len(roots), limits.max_root_fields, limits.reveal
            )
        walker.count_directives(operation.directives)
        analysis.cost += walker.cost(operation.selection_set, 1, frozenset())
    checks = (
        ("DEPTH_LIMIT", "depth", analysis.depth, limits.max_depth),
        ("ALIAS_LIMIT", "aliases", analysis.aliases, limits.max_aliases),
        ("DIRECTIVE_LIMIT", "directives", analysis.directives, limits.max_directives),
        ("COST_LIMIT", "cost", int(analysis.cost), limits.max_cost),
    )
    for code, what, value, limit in checks:
        if value > limit:
            raise LimitExceededError(code, what, value, limit, limits.reveal)
    return analysis


class _Walker:
    def __init__(
        self,
        fragments: dict[str, FragmentDefinitionNode],
        limits: Limits,
        variables: dict[str, object],
        analysis: Analysis,
    ) -> None:
        self.fragments = fragments
        self.limits = limits
        self.variables = variables
        self.analysis = analysis
        self._counted: set[int] = set()

    def count_directives(self, directives: tuple[object, ...] | None) -> None:
        self.analysis.directives += len(directives or ())

    def fields_of(
        self, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> list[FieldNode]:
        """The fields a selection set selects, fragments expanded (each once per path)."""
        if selection_set is None:
            return []
        found: list[FieldNode] = []
        for selection in selection_set.selections:
            if id(selection) not in self._counted:
                self._counted.add(id(selection))
                self.count_directives(selection.directives)
                if isinstance(selection, FieldNode) and selection.alias is not None:
                    self.analysis.aliases += 1
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found += self.fields_of(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    if id(fragment) not in self._counted:
                        self._counted.add(id(fragment))
                        self.count_directives(fragment.directives)
                    found += self.fields_of(fragment.selection_set, seen | {name})
        names: dict[str, int] = {}
        for field in found:
            key = (field.alias or field.name).value
            names[key] = names.get(key, 0) + 1
            if names[key] > self.limits.max_repeated_fields:
                raise LimitExceededError(
                    "FIELD_REPEAT_LIMIT",
                    "repeated fields",
                    names[key],
                    self.limits.max_repeated_fields,
                    self.limits.reveal,
                )
        return found

    def cost(
        self, selection_set: SelectionSetNode | None, depth: int, seen: frozenset[str]
    ) -> float:
        self.analysis.depth = max(self.analysis.depth, depth)
        if self.analysis.depth > self.limits.max_depth:
            raise LimitExceededError(
                "DEPTH_LIMIT",
                "depth",
                self.analysis.depth,
                self.limits.max_depth,
                self.limits.reveal,
            )
        total = 0.0
        for field in self.fields_of(selection_set, seen):
            name = field.name.value
            if name.startswith("__"):
                # Introspection: the schema bounds it and no backend is called; tools such as
                # GraphiQL nest `ofType` deeper than any data query (GraphQL Armor skips it too).
                total += 1
                continue
            weight = 1 + BACKEND_WEIGHTS.get(name, 0)
            size = self._page_size(field)
            children = (
                self.cost(field.selection_set, depth + 1, seen) if field.selection_set else 0.0
            )
            total += weight + size * children
            if total > self.limits.max_cost * 10:
                break  # far over budget already: stop walking a hostile document
        return total

    def _page_size(self, field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            size = DEFAULT_PAGE
            if isinstance(value, IntValueNode):
                size = int(value.value)
            elif isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    size = given
            if size > self.limits.max_page_size:
                raise LimitExceededError(
                    "PAGE_SIZE_LIMIT",
                    "page size",
                    size,
                    self.limits.max_page_size,
                    self.limits.reveal,
                )
            return max(1, size)
        return 1
