"""The fields the engagement platform adds to the shared types (`EXTENDS`, read by
`schema.extensions`): Resident.volunteering, Grid.activities/wishes/deliberations and figures,
Community.microProjects and figures, Query.rewards, and the residents' writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import strawberry

import adapters

from .cases import statistics_period
from .engagement import (
    DeliberationTopic,
    EngagementStatistics,
    MicroProject,
    MicroWish,
    Reward,
    VolunteerActivity,
    Volunteering,
)
from .engagement_writes import MutationEngagement
from .text import bilingual as d


def _newest(items: Sequence[Any], first: int | None, cap: int) -> Sequence[Any]:
    return items[: min(first if first is not None else cap, cap)]


def _on_platform(grid: Any) -> bool:
    """The platform keeps its lists and figures by grid: a micro-grid has none of its own, and
    the platform refuses its code as unknown (errcode 47001), so it is never asked."""
    raw: adapters.Grid = grid.raw
    return raw.parent_code is None


@strawberry.type
class ResidentEngagement:
    @strawberry.field(
        description=d(
            "志愿服务与积分（按绑定手机找到的平台账号）",
            "Volunteering and points, from the platform account bound to this resident's phone",
        )
    )
    async def volunteering(self, info: strawberry.Info) -> Volunteering | None:
        raw: adapters.Resident = self.raw  # type: ignore[attr-defined]
        user = await info.context.data.account_of_resident(raw)
        return None if user is None else Volunteering(user=user)


@strawberry.type
class GridEngagement:
    @strawberry.field(
        description=d(
            "志愿活动（最新在前；微网格无）",
            "Volunteer activities, newest first; none for a micro-grid",
        )
    )
    async def activities(
        self, info: strawberry.Info, first: int | None = None
    ) -> list[VolunteerActivity] | None:
        if not _on_platform(self):
            return []
        found = await info.context.data.activities_of_grid(self.code)  # type: ignore[attr-defined]
        return [VolunteerActivity.of(a) for a in _newest(found, first, info.context.page_size_cap)]

    @strawberry.field(
        description=d(
            "微心愿（最新在前；微网格无）", "Micro-wishes, newest first; none for a micro-grid"
        )
    )
    async def wishes(
        self, info: strawberry.Info, first: int | None = None
    ) -> list[MicroWish] | None:
        if not _on_platform(self):
            return []
        found = await info.context.data.wishes_of_grid(self.code)  # type: ignore[attr-defined]
        return [MicroWish.of(w) for w in _newest(found, first, info.context.page_size_cap)]

    @strawberry.field(
        description=d(
            "议事议题（最新在前；微网格无）",
            "Deliberation topics, newest first; none for a micro-grid",
        )
    )
    async def deliberations(
        self, info: strawberry.Info, first: int | None = None
    ) -> list[DeliberationTopic] | None:
        if not _on_platform(self):
            return []
        found = await info.context.data.topics_of_grid(self.code)  # type: ignore[attr-defined]
        return [DeliberationTopic.of(t) for t in _newest(found, first, info.context.page_size_cap)]

    @strawberry.field(
        description=d(
            "共建共治统计（区间不超过366天；微网格无）",
            "Engagement figures for a period of at most 366 days; null for a micro-grid",
        )
    )
    async def engagement_statistics(
        self, info: strawberry.Info, since: datetime, until: datetime
    ) -> EngagementStatistics | None:
        since, until = statistics_period(since, until)
        if not _on_platform(self):
            return None
        figures = await info.context.data.engagement_figures("grid", self.code, since, until)  # type: ignore[attr-defined]
        return EngagementStatistics.of(figures)


@strawberry.type
class CommunityEngagement:
    @strawberry.field(description=d("民生微实事项目", "民生微实事 projects, newest first"))
    async def micro_projects(self, info: strawberry.Info) -> list[MicroProject] | None:
        found = await info.context.data.projects_of_community(self.code)  # type: ignore[attr-defined]
        return [MicroProject.of(p) for p in found]

    @strawberry.field(
        description=d(
            "共建共治统计（区间不超过366天）", "Engagement figures for a period of at most 366 days"
        )
    )
    async def engagement_statistics(
        self, info: strawberry.Info, since: datetime, until: datetime
    ) -> EngagementStatistics | None:
        since, until = statistics_period(since, until)
        figures = await info.context.data.engagement_figures("community", self.code, since, until)  # type: ignore[attr-defined]
        return EngagementStatistics.of(figures)


@strawberry.type
class QueryEngagement:
    @strawberry.field(description=d("积分奖品", "Rewards points can be exchanged for"))
    async def rewards(self, info: strawberry.Info) -> list[Reward]:
        return [
            Reward(reward_id=r.reward_id, name=r.name, points=r.points, stock=r.stock)
            for r in await info.context.data.rewards()
        ]


SUBGRAPH = "engagement"  # the subgraph the platform's agency runs (`schema.subgraphs`)
EXTENDS: dict[str, type] = {
    "Resident": ResidentEngagement,
    "Grid": GridEngagement,
    "Community": CommunityEngagement,
    "Query": QueryEngagement,
    "Mutation": MutationEngagement,
}
