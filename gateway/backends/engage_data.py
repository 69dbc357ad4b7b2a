"""The engagement platform's part of a request's data: platform users and points in batches of
a hundred, each grid's activities, wishes and topics in one paged list per grid, a community's
projects, figures; who a platform user is in the registry (by bound phone); and the writes a
resident makes in the mini program, with the platform's refusals as field errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from typing import Any, cast

import adapters
import adapters.engagement as engage
from connectors.engage import EngagementConnector, PlatformRefusal
from gateway.backends.adapted import Adapted
from gateway.backends.civil_data import CivilData
from gateway.backends.loaders import EachLoader, Loader, by_key
from gateway.backends.wiring import adapt
from schema import Rejected

ENGAGE = "engagement"
REFUSALS = {
    40003: ("openid", "平台上没有这个用户 / no such platform user"),
    60001: ("activityId", "活动不存在 / no such activity"),
    60002: ("activityId", "活动已报满 / the activity is full"),
    60003: ("activityId", "已报名 / already signed up"),
    60004: ("openid", "此人未报名该活动 / not signed up for this activity"),
    60005: ("activityId", "只有活动组织者可以签到 / only the organiser checks volunteers in"),
    61001: ("wishId", "心愿不存在 / no such wish"),
    61002: ("wishId", "心愿当前状态不允许此操作 / the wish is not in a state for this"),
    61003: ("wishId", "不能认领自己的心愿 / one may not claim one's own wish"),
    62001: ("topicId", "议题不存在 / no such topic"),
    62002: ("topicId", "议题已表决 / the topic is decided"),
    62003: ("topicId", "已投过票 / already voted"),
    63001: ("rewardId", "奖品不存在 / no such reward"),
    63002: ("rewardId", "积分不足 / not enough points"),
    63003: ("rewardId", "奖品已兑完 / the reward is out of stock"),
    63004: ("rewardId", "该兑换号已用于其他兑换 / this exchange key was used for another"),
    47001: ("input", "平台拒绝：格式不符 / the platform refused the input's format"),
}


class EngageData(CivilData):
    @cached_property
    def _platform_users_loader(self) -> Loader[str, engage.PlatformUser | None]:
        return self._loader(self._load_users, 100)

    @cached_property
    def _openids_loader(self) -> Loader[str, list[str]]:
        return self._loader(self._load_openids, 100)

    @cached_property
    def _points_loader(self) -> Loader[str, engage.Points | None]:
        return self._loader(self._load_points, 100)

    @cached_property
    def _signups_loader(self) -> EachLoader[str, list[engage.SignUp]]:
        return self._each(self._signups)

    @cached_property
    def _activities_loader(self) -> EachLoader[str, Sequence[engage.Activity]]:
        return self._each(self._activities)

    @cached_property
    def _wishes_loader(self) -> EachLoader[str, Sequence[engage.Wish]]:
        return self._each(self._wishes)

    @cached_property
    def _topics_loader(self) -> EachLoader[str, Sequence[engage.Topic]]:
        return self._each(self._topics)

    @cached_property
    def _projects_loader(self) -> EachLoader[str, list[engage.MicroProject]]:
        return self._each(self._projects)

    @property
    def _platform(self) -> EngagementConnector:
        return cast(EngagementConnector, self.backends.connectors["engage"])

    # -- people ---------------------------------------------------------------------------
    async def _load_users(self, openids: list[str]) -> list[Any]:
        records = await self._platform.users(openids)
        found = adapt(ENGAGE, "user_batchget", engage.platform_user_from_engagement, records)
        return by_key(openids, {u.openid: u for u in found}, None)

    async def writer(self, openid: str | None, text: str) -> engage.PlatformUser | None:
        """Who wrote a wish, a proposal or a comment (`text`, for the access rules)."""
        return await self.platform_user(openid) if openid else None

    async def platform_user(self, openid: str) -> engage.PlatformUser | None:
        return await self._platform_users_loader.load(openid)

    async def _load_openids(self, phones: list[str]) -> list[list[str]]:
        found = await self._platform.openids_of_phones(phones)
        return by_key(phones, found, [])

    async def openids_of_phone(self, phone: str) -> list[str]:
        return await self._openids_loader.load(phone)

    async def _load_points(self, openids: list[str]) -> list[Any]:
        records = await self._platform.points(openids)
        found = adapt(ENGAGE, "points_batchget", engage.points_from_engagement, records)
        return by_key(openids, {p.openid: p for p in found}, None)

    async def points_of(self, openid: str) -> engage.Points | None:
        return await self._points_loader.load(openid)

    async def _signups(self, openid: str) -> list[engage.SignUp]:
        records = await self._platform.signups(openid)
        return adapt(ENGAGE, "signup_list", engage.signup_from_engagement, records)

    async def signups_of(self, openid: str) -> list[engage.SignUp]:
        return await self._signups_loader.load(openid)

    async def registry_match(
        self, user: engage.PlatformUser
    ) -> tuple[adapters.IdentityMatch, adapters.Resident | None]:
        """Who a platform user is in the registry: by the phone they bound, and only where one
        resident holds it (the rule for case reporters); riders and the unbound stay users."""
        return await self.identify(None, user.phone)

    # -- places ---------------------------------------------------------------------------
    # A grid's lists come whole and are read from the newest: adapted as far as they are read.
    async def _activities(self, grid_code: str) -> Sequence[engage.Activity]:
        records = await self._platform.activities(grid_code)
        return Adapted(ENGAGE, "activity_list", engage.activity_from_engagement, records)

    async def activities_of_grid(self, grid_code: str) -> Sequence[engage.Activity]:
        return await self._activities_loader.load(grid_code)

    async def _wishes(self, grid_code: str) -> Sequence[engage.Wish]:
        records = await self._platform.wishes(grid_code)
        return Adapted(ENGAGE, "wish_list", engage.wish_from_engagement, records)

    async def wishes_of_grid(self, grid_code: str) -> Sequence[engage.Wish]:
        return await self._wishes_loader.load(grid_code)

    async def _topics(self, grid_code: str) -> Sequence[engage.Topic]:
        records = await self._platform.topics(grid_code)
        return Adapted(ENGAGE, "topic_list", engage.topic_from_engagement, records)

    async def topics_of_grid(self, grid_code: str) -> Sequence[engage.Topic]:
        return await self._topics_loader.load(grid_code)

    async def comments_of_topic(self, topic_id: str) -> list[engage.TopicComment]:
        records = await self._platform.comments(topic_id)
        return adapt(ENGAGE, "topic_comments", engage.comment_from_engagement, records)

    async def _projects(self, community_code: str) -> list[engage.MicroProject]:
        records = await self._platform.projects(community_code)
        return adapt(ENGAGE, "project_list", engage.project_from_engagement, records)

    async def projects_of_community(self, community_code: str) -> list[engage.MicroProject]:
        return await self._projects_loader.load(community_code)

    async def rewards(self) -> list[engage.Reward]:
        return adapt(
            ENGAGE, "reward_list", engage.reward_from_engagement, await self._platform.rewards()
        )

    async def engagement_figures(
        self, kind: str, code: str, since: datetime, until: datetime
    ) -> engage.EngagementFigures:
        scope = {"grid_code": code} if kind == "grid" else {"community_code": code}
        record = await self._platform.figures(scope, int(since.timestamp()), int(until.timestamp()))
        return adapt(ENGAGE, "stat_get", engage.figures_from_engagement, [record])[0]

    # -- writes ---------------------------------------------------------------------------
    async def platform_write(self, operation: str, body: Mapping[str, str | int], key: str) -> Any:
        """A write as the platform answers it; a refusal becomes the input field's error."""
        with refusals_as_field_errors():
            return await self._platform.write(operation, dict(body), key)

    async def exchange_points(
        self, openid: str, reward_id: str, trade_no: str
    ) -> engage.PointsExchange:
        with refusals_as_field_errors():
            record = await self._platform.exchange(openid, reward_id, trade_no)
        return adapt(ENGAGE, "points_exchange", engage.exchange_from_engagement, [record])[0]


@contextmanager
def refusals_as_field_errors() -> Iterator[None]:
    """The platform's refusal of a write (a full activity, a used trade number), as the error of
    the input field it is about."""
    try:
        yield
    except PlatformRefusal as refusal:
        field, message = REFUSALS.get(refusal.errcode, ("input", "平台拒绝 / refused"))
        raise Rejected(field, message) from None
