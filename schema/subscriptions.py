"""Live updates: a resident follows their own case, staff follow a grid's or a department's
cases. Each event is the case read again through the subscriber's own scope, masked and audited
as a query's answer; a subscription the caller may not have is refused (FORBIDDEN) and audited.
Served over WebSocket (graphql-transport-ws) by `gateway.http.live`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable

import strawberry
from graphql import GraphQLError

from .cases import UrbanCase
from .context import CaseChangeRef, LiveSource
from .errors import code_argument
from .text import bilingual as d
from .workflow import is_department_code

NOT_YOURS = "无此订阅对象或无权订阅 / nothing to follow there, or not yours to follow"


def _refused(info: strawberry.Info, field: str) -> GraphQLError:
    info.context.unseen(f"Subscription.{field}")
    return GraphQLError(NOT_YOURS, extensions={"code": "FORBIDDEN", "field": field})


def _live(info: strawberry.Info) -> LiveSource:
    live: LiveSource | None = info.context.live
    if live is None:
        raise GraphQLError(
            "订阅须通过 WebSocket / subscriptions are served over WebSocket",
            extensions={"code": "SUBSCRIPTIONS_OVER_WEBSOCKET"},
        )
    return live


async def _follow(
    info: strawberry.Info, wanted: Callable[[CaseChangeRef], bool], since: dict[str, int]
) -> AsyncGenerator[UrbanCase, None]:
    """The cases of the changes wanted, each version once, as this subscriber may see them."""
    live = _live(info)
    try:
        async for change in live.changes():
            if not wanted(change) or change.version <= since.get(change.number, 0):
                continue
            data = await live.next_event(info.context)
            case = await data.urban_case(change.number)
            if case is None:
                continue
            since[change.number] = max(change.version, case.version)
            yield UrbanCase.of(case)
    finally:
        await live.finish(info.context)


@strawberry.type(description=d("实时更新", "Live updates"))
class Subscription:
    @strawberry.subscription(
        description=d(
            "关注一个案件的状态变化（居民：本人上报的）", "A case's changes, as they happen"
        )
    )
    async def case_updated(
        self, info: strawberry.Info, number: str
    ) -> AsyncGenerator[UrbanCase, None]:
        code_argument("number", number, 16)
        _live(info)
        case = await info.context.data.urban_case(number)
        if case is None:
            raise _refused(info, "caseUpdated")
        since = {number: case.version}
        async for found in _follow(info, lambda c: c.number == number, since):
            yield found

    @strawberry.subscription(
        description=d("网格内案件的变化（网格员、社区、区）", "Changes to a grid's cases")
    )
    async def cases_in_grid(
        self, info: strawberry.Info, grid: str
    ) -> AsyncGenerator[UrbanCase, None]:
        code_argument("grid", grid, 15)
        _live(info)
        if not info.context.data.may_follow_grid(grid):
            raise _refused(info, "casesInGrid")
        async for found in _follow(info, lambda c: c.grid_code == grid, {}):
            yield found

    @strawberry.subscription(
        description=d("部门案件的变化（本部门、城管、区）", "Changes to a department's cases")
    )
    async def cases_for_department(
        self, info: strawberry.Info, department: str
    ) -> AsyncGenerator[UrbanCase, None]:
        if not is_department_code(department):
            raise GraphQLError(
                "部门编码应为4位 / a department code has 4 characters",
                extensions={"code": "BAD_USER_INPUT", "argument": "department"},
            )
        _live(info)
        if not info.context.data.may_follow_department(department):
            raise _refused(info, "casesForDepartment")
        async for found in _follow(info, lambda c: c.concerns_department(department), {}):
            yield found
