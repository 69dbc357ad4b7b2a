"""Applies the access policy to every field it covers as it resolves, and fills the audit
record: the one place where `gateway.access.policy` takes effect."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any, NoReturn

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    default_field_resolver,
)
from strawberry.extensions import SchemaExtension

from connectors.errors import ForbiddenError
from gateway.access.audit import AuditLog, AuditRecord
from gateway.access.auth import Principal, Role
from gateway.access.free_text import people_named
from gateway.access.free_text import shown as shown_in_text
from gateway.access.kinds import Kind
from gateway.access.policy import (
    FIELD_POLICY,
    FREE_TEXT,
    FREE_TEXT_VIEWS,
    ON_DUTY,
    PERSONAL_FIELDS,
    Access,
    access,
    masked,
)
from gateway.access.redact import scrub
from schema import Context
from schema.direct import DirectRead, direct_read

ROOTS = frozenset({"Query", "Mutation", "Subscription"})


@dataclass(slots=True)
class GatewayContext(Context):
    principal: Principal = field(default_factory=Principal.public)
    audit: AuditLog | None = None
    record: AuditRecord | None = None
    # The document as the HTTP or WebSocket layer parsed and validated it, when it has.
    document: DocumentNode | None = None

    def follows(self, key: str) -> bool:
        return access(self.principal.role, key) is not Access.DENIED

    def unseen(self, what: str) -> None:
        if self.record is not None:
            self.record.denied.add(what)


def operation_begins(context: object, query: str) -> None:
    """The audit record learns which document runs (by its hash)."""
    record = getattr(context, "record", None)
    if record is not None:
        record.query_hash = hashlib.sha256(query.encode()).hexdigest()[:32]


async def operation_ends(
    context: object,
    operation_name: str | None,
    document: DocumentNode | None,
    errors: Sequence[GraphQLError] | None,
) -> None:
    """An operation that touched personal data, or was refused some, writes its audit line."""
    record = getattr(context, "record", None)
    audit = getattr(context, "audit", None)
    if record is None or audit is None or not record.touched():
        return
    # The operation's own name, as the document gives it, not only as the request did.
    name = operation_name or _named_in(document)
    record.operation = None if name is None else scrub(name)
    outcome = "denied" if record.denied and not record.fields else ("partial" if errors else "ok")
    await audit.record(record, outcome)


class PolicyExtension(SchemaExtension):
    """The audit's part for operations Strawberry runs itself (live updates, direct
    executions); the HTTP layer calls the same two steps around its own execution."""

    async def on_operation(self) -> AsyncIterator[None]:
        execution = self.execution_context
        operation_begins(execution.context, execution.query or "")
        yield
        errors = getattr(execution.result, "errors", None)
        await operation_ends(
            execution.context, execution.operation_name, execution.graphql_document, errors
        )


def police(graph: GraphQLSchema) -> None:
    """Puts the policy on each field that has a rule, a root or a resident for a parent, once
    when the schema is built. A schema-wide hook runs for every field of every item (a dashboard
    resolves thousands, and the hook cost an eighth of its CPU), though the policy has nothing
    to say about most of them."""
    for kind in graph.type_map.values():
        if not isinstance(kind, GraphQLObjectType) or kind.name.startswith("__"):
            continue
        for name, graph_field in kind.fields.items():
            key = _policed(kind.name, name)
            if key is not None:
                resolve = graph_field.resolve or default_field_resolver
                graph_field.resolve = _policed_resolver(key, kind.name, resolve)


def _policed_resolver(key: str, parent: str, resolve: Callable[..., Any]) -> Callable[..., Any]:
    if key in FREE_TEXT:
        return _free_text_resolver(key, resolve)
    root_field = parent in ROOTS
    of_resident = parent == "Resident"
    # a name or an address shown whole may hold a phone or ID number typed into it
    # ("王阿姨13812345678" as a platform nickname): those are shown as free text's are
    written = PERSONAL_FIELDS.get(key) in WRITTEN_KINDS

    def admitted(root: Any, context: GatewayContext) -> Access | None:
        role = context.principal.role
        if role is Role.AUDITOR and root_field:
            _deny(context, key)
        level = access(role, key, root)
        if level is Access.DENIED:
            _deny(context, key)
        if of_resident and context.record is not None and context.audit is not None:
            context.record.read_resident(root.raw.registry_number, context.audit.pseudonym)
        return level

    def shown(root: Any, context: GatewayContext, level: Access | None, result: Any) -> Any:
        if level is None:
            return result
        if context.record is not None:
            context.record.fields[key] = "whole" if level is Access.WHOLE else "masked"
        if level is Access.WHOLE:
            return _typed_within(result, context.principal.role) if written else result
        if isawaitable(result):
            return _then(result, lambda value: masked(key, value, level, root))
        return masked(key, result, level, root)

    def policed(root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        context: GatewayContext = info.context
        level = admitted(root, context)
        return shown(root, context, level, resolve(root, info, **kwargs))

    read = direct_read(resolve)
    if read is not None and not read.with_context:
        value = read.value

        def policed_value(root: Any, context: GatewayContext) -> Any:
            level = admitted(root, context)
            return shown(root, context, level, value(root))

        # The same checks, records and masks, for the executor's direct paths (schema.plans).
        policed.direct_read = DirectRead(  # type: ignore[attr-defined]
            policed, policed_value, with_context=True, scalar=read.scalar
        )
    return policed


# Each role's views of the kinds found in free text.
TEXT_VIEWS: dict[Role, dict[Kind, Access]] = {
    role: {kind: row.get(role, Access.DENIED) for kind, row in FREE_TEXT_VIEWS.items()}
    for role in Role
}


WRITTEN_KINDS = frozenset({Kind.NAME, Kind.ADDRESS, Kind.HUKOU_ADDRESS})


def _typed_within(value: Any, role: Role) -> Any:
    if isawaitable(value):
        return _then(value, lambda typed: _typed_within(typed, role))
    return shown_in_text(value, TEXT_VIEWS[role])[0] if isinstance(value, str) else value


def _free_text_resolver(key: str, resolve: Callable[..., Any]) -> Callable[..., Any]:
    """Free text as written, with the phones and ID numbers in it shown as the role sees them;
    where there were any, the field goes on the audit record with the most that was shown."""

    def shown(root: Any, context: GatewayContext, text: Any) -> Any:
        if not isinstance(text, str):
            return text
        known = people_named(getattr(root, "raw", None))
        result, most = shown_in_text(text, TEXT_VIEWS[context.principal.role], known)
        if most is not None and most is not Access.DENIED and context.record is not None:
            context.record.fields[key] = "whole" if most is Access.WHOLE else "masked"
        return result

    def policed(root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        result = resolve(root, info, **kwargs)
        if isawaitable(result):
            return _then(result, lambda text: shown(root, info.context, text))
        return shown(root, info.context, result)

    read = direct_read(resolve)
    if read is not None and not read.with_context:
        value = read.value

        def policed_value(root: Any, context: GatewayContext) -> Any:
            return shown(root, context, value(root))

        policed.direct_read = DirectRead(  # type: ignore[attr-defined]
            policed, policed_value, with_context=True, scalar=read.scalar
        )
    return policed


def _deny(context: GatewayContext, key: str) -> NoReturn:
    if context.record is not None:
        context.record.denied.add(key)
    raise ForbiddenError(f"无权访问 {key} / not allowed: {key}", field=key)


@functools.lru_cache(maxsize=8192)
def _policed(parent: str, field: str) -> str | None:
    """The field's policy key where the policy has anything to do with it, else None: a dict
    look-up a field instead of the whole check (a dashboard resolves thousands of fields)."""
    key = f"{parent}.{field}"
    if (
        parent in ROOTS
        or parent == "Resident"
        or key in FIELD_POLICY
        or key in ON_DUTY
        or key in FREE_TEXT
    ):
        return key
    return None


def _named_in(document: DocumentNode | None) -> str | None:
    operations = [
        d for d in getattr(document, "definitions", ()) if isinstance(d, OperationDefinitionNode)
    ]
    if len(operations) == 1 and operations[0].name is not None:
        return operations[0].name.value
    return None


async def _then(result: Awaitable[Any], apply: Callable[[Any], Any]) -> Any:
    """A resolver's awaited value, with the policy's view applied once it has come."""
    return apply(await result)
