"""Who sees which engagement records, and on whose behalf writes are made (the rows; which fields
a role sees is `gateway.access.engage_policy`):

- a resident sees their own account, points and sign-ups, and the activities, wishes and topics
  of their own grid; they act in the mini program only as the account bound to their phone;
- a grid worker sees their grids' activities and wishes; a community admin their communities'
  records, deliberation included; the district and civil affairs every grid;
- a platform user's registry match names a resident only to a caller who may see that resident.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import adapters
import adapters.engagement as engage
from connectors.errors import ForbiddenError
from gateway.access.auth import Principal, Role
from gateway.access.kinds import Kind
from gateway.access.policy import names_vulnerability, sees_whole
from gateway.access.scope import PEOPLE_OF_DISTRICT
from gateway.backends.engage_data import EngageData
from gateway.backends.wiring import adapt
from schema import Rejected

NO_MATCH = adapters.IdentityMatch(adapters.MatchMethod.NONE, None)


class EngageScope(EngageData):
    """Mixed in before `ScopedReads` (`System.parts["access"]`), whose row rules it uses."""

    principal: Principal
    _grid_people: Callable[[str], bool]
    _visible: Callable[[adapters.Resident | None], Awaitable[adapters.Resident | None]]

    async def _own_grid(self) -> str | None:
        p = self.principal
        if p.role is not Role.RESIDENT or not p.registry_number:
            return None
        own = await EngageData.resident(self, p.registry_number)
        return None if own is None else own.grid_code

    async def _sees_grid(self, grid_code: str) -> bool:
        if self._grid_people(grid_code):  # the district, civil affairs, its worker and admin
            return True
        return self.principal.role is Role.RESIDENT and grid_code == await self._own_grid()

    async def _sees_community(self, community_code: str) -> bool:
        p = self.principal
        if p.role in PEOPLE_OF_DISTRICT:
            return True
        if p.role is Role.COMMUNITY_ADMIN:
            return community_code in p.communities
        if p.role is Role.GRID_WORKER:
            return any(g[:12] == community_code for g in p.grids)
        own = await self._own_grid()
        return own is not None and own[:12] == community_code

    # -- reads ----------------------------------------------------------------------------
    async def activities_of_grid(self, grid_code: str) -> Sequence[engage.Activity]:
        return (
            await super().activities_of_grid(grid_code) if await self._sees_grid(grid_code) else []
        )

    async def wishes_of_grid(self, grid_code: str) -> Sequence[engage.Wish]:
        return await super().wishes_of_grid(grid_code) if await self._sees_grid(grid_code) else []

    async def topics_of_grid(self, grid_code: str) -> Sequence[engage.Topic]:
        return await super().topics_of_grid(grid_code) if await self._sees_grid(grid_code) else []

    async def comments_of_topic(self, topic_id: str) -> list[engage.TopicComment]:
        if self.principal.role is Role.RESIDENT or not await self._sees_grid(topic_id[1:16]):
            return []
        return await super().comments_of_topic(topic_id)

    async def projects_of_community(self, community_code: str) -> list[engage.MicroProject]:
        if not await self._sees_community(community_code):
            return []
        return await super().projects_of_community(community_code)

    async def engagement_figures(
        self, kind: str, code: str, since: datetime, until: datetime
    ) -> engage.EngagementFigures:
        staff = self.principal.role is not Role.RESIDENT
        allowed = await (self._sees_grid(code) if kind == "grid" else self._sees_community(code))
        if not (staff and allowed):
            raise ForbiddenError("无权查看该统计 / not allowed to see these figures")
        return await super().engagement_figures(kind, code, since, until)

    async def writer(self, openid: str | None, text: str) -> engage.PlatformUser | None:
        """A wish, a proposal or a comment is often its writer's own need: one that names a
        vulnerability ("独居老人希望…", "修理轮椅") is shown without its writer to staff who see
        vulnerability tags masked, as an enrolment in such a service is left out for them
        (`gateway.access.scope`). Roles that see the tags, and residents, see who wrote it."""
        if names_vulnerability(text) and not sees_whole(self.principal.role, Kind.TAGS):
            return None
        return await super().writer(openid, text)

    async def account_of_resident(self, resident: adapters.Resident) -> engage.PlatformUser | None:
        """The one platform account bound to this resident's phone (none, or several sharing
        it, and there is no telling which is theirs: None)."""
        if not resident.phone:
            return None
        openids = await self.openids_of_phone(resident.phone)
        return await self.platform_user(openids[0]) if len(openids) == 1 else None

    async def registry_match(
        self, user: engage.PlatformUser
    ) -> tuple[adapters.IdentityMatch, adapters.Resident | None]:
        match, resident = await super().registry_match(user)
        visible = await self._visible(resident)
        if resident is not None and visible is None:
            return NO_MATCH, None
        return match, visible

    # -- writes, as the caller's own account ------------------------------------------------
    async def _me(self) -> engage.PlatformUser:
        p = self.principal
        own = await EngageData.resident(self, p.registry_number) if p.registry_number else None
        account = None if own is None else await self.account_of_resident(own)
        if p.role is not Role.RESIDENT or account is None:
            raise Rejected(
                "input",
                "没有绑定您手机号的平台账号 / no platform account is bound to your phone",
            )
        return account

    async def _activity(self, activity_id: str) -> engage.Activity | None:
        """An activity by its number (its grid's code is in it), whoever may list that grid."""
        listed = await super().activities_of_grid(activity_id[1:16])
        return next((a for a in listed if a.activity_id == activity_id), None)

    async def sign_up(self, activity_id: str) -> engage.Activity:
        me = await self._me()
        await self.platform_write(
            "activity_signup", {"activity_id": activity_id, "openid": me.openid}, "activity"
        )
        found = await self._activity(activity_id)
        if found is None:
            raise Rejected("activityId", "活动不存在 / no such activity")
        return found

    async def check_in(self, activity_id: str, volunteer: str) -> engage.SignUp:
        """Only an activity's organiser checks volunteers in, and that is checked here first:
        a platform ID tried by anyone else learns nothing (not even whether it exists)."""
        me = await self._me()
        found = await self._activity(activity_id)
        if found is None or found.organiser_openid != me.openid:
            raise Rejected(
                "activityId", "只有活动组织者可以签到 / only the organiser checks volunteers in"
            )
        body = {"activity_id": activity_id, "openid": volunteer, "operator_openid": me.openid}
        record = await self.platform_write("activity_checkin", body, "signup")
        return adapt("engagement", "activity_checkin", engage.signup_from_engagement, [record])[0]

    async def _step(self, operation: str, fields: dict[str, str], key: str) -> Any:
        """A step the caller takes as their own account; a new record is made in their grid."""
        me = await self._me()
        if "grid_code" in fields and fields["grid_code"] != me.grid_code:
            raise Rejected("gridCode", "只能在自己所在网格发布 / only in one's own grid")
        return await self.platform_write(operation, {**fields, "openid": me.openid}, key)

    async def wish_step(self, operation: str, fields: dict[str, str]) -> engage.Wish:
        record = await self._step(operation, fields, "wish")
        return adapt("engagement", operation, engage.wish_from_engagement, [record])[0]

    async def topic_step(self, operation: str, fields: dict[str, str]) -> engage.Topic:
        record = await self._step(operation, fields, "topic")
        return adapt("engagement", operation, engage.topic_from_engagement, [record])[0]

    async def exchange(self, reward_id: str) -> tuple[engage.PointsExchange, int]:
        """The trade number comes from the caller and their Idempotency-Key: a retry after a
        lost answer sends the same number, and the platform makes one exchange of it."""
        me = await self._me()
        self._exchanges = getattr(self, "_exchanges", 0) + 1
        seed = f"{self.write_key or id(self)}:{self._exchanges}".encode()
        trade_no = "GG" + hashlib.sha256(seed).hexdigest()[:30]
        exchange = await self.exchange_points(me.openid, reward_id, trade_no)
        points = await super().points_of(me.openid)  # batched afresh: the balance after
        return exchange, (points.balance if points is not None else 0)
