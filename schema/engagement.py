"""The residents' engagement platform in the graph: volunteering and points, micro-wishes and
deliberation (共建共治). Its types; the fields it adds to the shared types are `schema.engagement_fields`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry

import adapters.engagement as engage

from .errors import Rejected
from .relay import global_id, parse_global_id
from .text import bilingual as d

if TYPE_CHECKING:
    from .mutations import FieldError
    from .people import IdentityMatch, Resident

ResidentRef: TypeAlias = Annotated["Resident", strawberry.lazy("schema.people")]
IdentityMatchRef: TypeAlias = Annotated["IdentityMatch", strawberry.lazy("schema.people")]
FieldErrorRef: TypeAlias = Annotated["FieldError", strawberry.lazy("schema.mutations")]

strawberry.enum(engage.WishStatus, description=d("心愿状态", "A micro-wish's state"))
strawberry.enum(engage.TopicStatus, description=d("议题状态", "A topic's state"))


@strawberry.type(description=d("平台用户（小程序）", "A user of the engagement mini program"))
class PlatformUser:
    raw: strawberry.Private[engage.PlatformUser]
    id: strawberry.ID = strawberry.field(description=d("全局ID", "Global ID"))
    nickname: str | None = strawberry.field(description=d("昵称", "Nickname (a surname and title)"))
    phone: str | None = strawberry.field(description=d("绑定手机", "The phone the user bound"))
    team: str | None = strawberry.field(description=d("所属志愿队", "Volunteer team"))

    @classmethod
    def of(cls, u: engage.PlatformUser) -> PlatformUser:
        return cls(
            raw=u,
            id=global_id("PlatformUser", u.openid),
            nickname=u.nickname,
            phone=u.phone,
            team=u.team,
        )

    @strawberry.field(
        description=d(
            "对应的居民（按绑定手机，唯一时才匹配）",
            "The registry resident behind this user: by bound phone, only where one resident holds it",
        )
    )
    async def registry_match(self, info: strawberry.Info) -> IdentityMatchRef | None:
        from .people import IdentityMatch, Resident

        match, resident = await info.context.data.registry_match(self.raw)
        return IdentityMatch(
            method=match.method, resident=None if resident is None else Resident.of(resident)
        )


async def _user(info: strawberry.Info, openid: str | None) -> PlatformUser | None:
    if not openid:
        return None
    found = await info.context.data.platform_user(openid)
    return None if found is None else PlatformUser.of(found)


def _writer_field(who: str, who_en: str) -> Any:
    """A text's writer: null to staff who see vulnerability tags masked where it names one."""
    return strawberry.field(
        description=d(
            f"{who}（写明残疾、独居等困难的，不向看不到困难标签的工作人员显示）",
            f"{who_en}; null to staff who see vulnerability tags masked, where the text names one",
        )
    )


async def _writer(info: strawberry.Info, openid: str | None, text: str) -> PlatformUser | None:
    found = await info.context.data.writer(openid, text)
    return None if found is None else PlatformUser.of(found)


@strawberry.type(description=d("积分", "Points"))
class Points:
    earned: int = strawberry.field(description=d("累计获得", "Earned"))
    spent: int = strawberry.field(description=d("已兑换", "Spent"))
    balance: int = strawberry.field(description=d("余额", "Balance"))


@strawberry.type(description=d("志愿活动", "A volunteer activity"))
class VolunteerActivity:
    raw: strawberry.Private[engage.Activity]
    id: strawberry.ID = strawberry.field(description=d("全局ID", "Global ID"))
    activity_id: str = strawberry.field(description=d("活动编号", "Activity number"))
    title: str = strawberry.field(description=d("标题", "Title"))
    category: str = strawberry.field(description=d("类别：志愿服务、网上学习、随手拍", "Kind"))
    team: str = strawberry.field(description=d("志愿队", "Volunteer team"))
    place: str = strawberry.field(description=d("地点", "Where"))
    starts_at: datetime = strawberry.field(description=d("开始时间", "Starts"))
    ends_at: datetime = strawberry.field(description=d("结束时间", "Ends"))
    capacity: int = strawberry.field(description=d("名额", "Places"))
    points: int = strawberry.field(description=d("签到可得积分", "Points for a check-in"))
    hours: float = strawberry.field(description=d("志愿服务时长", "Volunteer hours credited"))
    signed_up: int = strawberry.field(description=d("报名人数", "Signed up"))
    checked_in: int = strawberry.field(description=d("签到人数", "Checked in"))

    @classmethod
    def of(cls, a: engage.Activity) -> VolunteerActivity:
        return cls(
            raw=a,
            id=global_id("VolunteerActivity", a.activity_id),
            activity_id=a.activity_id,
            title=a.title,
            category=a.category,
            team=a.team,
            place=a.place,
            starts_at=a.start,
            ends_at=a.end,
            capacity=a.capacity,
            points=a.points,
            hours=a.hours,
            signed_up=a.signed_up,
            checked_in=a.checked_in,
        )

    @strawberry.field(description=d("组织者", "The organiser"))
    async def organiser(self, info: strawberry.Info) -> PlatformUser | None:
        return await _user(info, self.raw.organiser_openid)


@strawberry.type(description=d("活动报名", "A sign-up for an activity"))
class VolunteerSignUp:
    activity_id: str = strawberry.field(description=d("活动编号", "Activity number"))
    title: str = strawberry.field(description=d("标题", "Title"))
    starts_at: datetime = strawberry.field(description=d("开始时间", "Starts"))
    signed_up_at: datetime = strawberry.field(
        description=d("报名时间", "When the sign-up was made")
    )
    checked_in_at: datetime | None = strawberry.field(
        description=d("签到时间", "When checked in, if yet")
    )
    points: int = strawberry.field(description=d("积分", "Points"))
    hours: float = strawberry.field(description=d("志愿服务时长", "Volunteer hours"))

    @classmethod
    def of(cls, s: engage.SignUp) -> VolunteerSignUp:
        return cls(
            activity_id=s.activity_id,
            title=s.title,
            starts_at=s.start,
            signed_up_at=s.signed_at,
            checked_in_at=s.checked_in_at,
            points=s.points,
            hours=s.hours,
        )


@strawberry.type(description=d("志愿服务与积分", "Volunteering and points of a resident"))
class Volunteering:
    user: strawberry.Private[engage.PlatformUser]

    @strawberry.field(description=d("平台账号", "The platform account"))
    def account(self) -> PlatformUser:
        return PlatformUser.of(self.user)

    @strawberry.field(description=d("积分", "Points"))
    async def points(self, info: strawberry.Info) -> Points | None:
        found = await info.context.data.points_of(self.user.openid)
        return (
            None
            if found is None
            else Points(earned=found.earned, spent=found.spent, balance=found.balance)
        )

    @strawberry.field(description=d("报名的活动", "Activities signed up for, newest first"))
    async def activities(self, info: strawberry.Info) -> list[VolunteerSignUp] | None:
        return [VolunteerSignUp.of(s) for s in await info.context.data.signups_of(self.user.openid)]

    @strawberry.field(description=d("志愿服务时长（已签到）", "Volunteer hours (checked in)"))
    async def hours(self, info: strawberry.Info) -> float:
        signups = await info.context.data.signups_of(self.user.openid)
        return float(round(sum(s.hours for s in signups if s.checked_in_at is not None), 1))


@strawberry.type(description=d("微心愿", "A micro-wish (微心愿)"))
class MicroWish:
    raw: strawberry.Private[engage.Wish]
    id: strawberry.ID = strawberry.field(description=d("全局ID", "Global ID"))
    wish_id: str = strawberry.field(description=d("心愿编号", "Wish number"))
    content: str = strawberry.field(description=d("内容", "Text"))
    status: engage.WishStatus = strawberry.field(description=d("状态", "State"))
    posted_at: datetime = strawberry.field(description=d("发布时间", "When posted"))
    claimed_at: datetime | None = strawberry.field(description=d("认领时间", "When claimed"))
    fulfilled_at: datetime | None = strawberry.field(description=d("完成时间", "When fulfilled"))
    thanked_at: datetime | None = strawberry.field(
        description=d("致谢时间", "When the author said thanks")
    )

    @classmethod
    def of(cls, w: engage.Wish) -> MicroWish:
        return cls(
            raw=w,
            id=global_id("MicroWish", w.wish_id),
            wish_id=w.wish_id,
            content=w.content,
            status=w.status,
            posted_at=w.posted_at,
            claimed_at=w.claimed_at,
            fulfilled_at=w.fulfilled_at,
            thanked_at=w.thanked_at,
        )

    @_writer_field("许愿人", "Who posted it")
    async def author(self, info: strawberry.Info) -> PlatformUser | None:
        return await _writer(info, self.raw.author_openid, self.raw.content)

    @strawberry.field(description=d("认领人", "Who claimed it"))
    async def claimer(self, info: strawberry.Info) -> PlatformUser | None:
        return await _user(info, self.raw.claimer_openid)


@strawberry.type(description=d("表决票数（不记名）", "Vote counts; votes are secret"))
class VoteCounts:
    agree: int = strawberry.field(description=d("同意", "Agree"))
    disagree: int = strawberry.field(description=d("反对", "Disagree"))
    abstain: int = strawberry.field(description=d("弃权", "Abstain"))


@strawberry.type(description=d("议题发言", "A comment in a deliberation"))
class TopicComment:
    raw: strawberry.Private[engage.TopicComment]
    at: datetime = strawberry.field(description=d("时间", "When"))
    content: str = strawberry.field(description=d("内容", "Text"))

    @_writer_field("发言人", "Who said it")
    async def author(self, info: strawberry.Info) -> PlatformUser | None:
        return await _writer(info, self.raw.openid, self.raw.content)


@strawberry.type(description=d("民生微实事项目", "A 民生微实事 project funded by deliberation"))
class MicroProject:
    id: strawberry.ID = strawberry.field(description=d("全局ID", "Global ID"))
    project_id: str = strawberry.field(description=d("项目编号", "Project number"))
    topic_id: str = strawberry.field(description=d("议题编号", "Topic number"))
    title: str = strawberry.field(description=d("标题", "Title"))
    budget_fen: int = strawberry.field(description=d("预算（分）", "Budget in fen"))
    status: str = strawberry.field(description=d("approved、underway 或 completed", "State"))
    approved_at: datetime = strawberry.field(description=d("立项时间", "When it was approved"))

    @classmethod
    def of(cls, p: engage.MicroProject) -> MicroProject:
        return cls(
            id=global_id("MicroProject", p.project_id),
            project_id=p.project_id,
            topic_id=p.topic_id,
            title=p.title,
            budget_fen=p.budget_fen,
            status=p.status,
            approved_at=p.approved_at,
        )


@strawberry.type(description=d("议事议题（居民议事厅）", "A deliberation topic (居民议事厅)"))
class DeliberationTopic:
    raw: strawberry.Private[engage.Topic]
    id: strawberry.ID = strawberry.field(description=d("全局ID", "Global ID"))
    topic_id: str = strawberry.field(description=d("议题编号", "Topic number"))
    title: str = strawberry.field(description=d("标题", "Title"))
    content: str = strawberry.field(description=d("内容", "Text"))
    status: engage.TopicStatus = strawberry.field(description=d("状态", "State"))
    proposed_at: datetime = strawberry.field(description=d("提出时间", "When proposed"))
    quorum: int = strawberry.field(description=d("表决所需票数", "Votes needed for a decision"))
    votes: VoteCounts = strawberry.field(
        description=d("表决票数（不记名）", "Vote counts (votes are secret)")
    )
    decided_at: datetime | None = strawberry.field(description=d("表决时间", "When decided"))
    passed: bool | None = strawberry.field(description=d("是否通过", "Whether it passed"))

    @classmethod
    def of(cls, t: engage.Topic) -> DeliberationTopic:
        return cls(
            raw=t,
            id=global_id("DeliberationTopic", t.topic_id),
            topic_id=t.topic_id,
            title=t.title,
            content=t.content,
            status=t.status,
            proposed_at=t.proposed_at,
            quorum=t.quorum,
            votes=VoteCounts(agree=t.agree, disagree=t.disagree, abstain=t.abstain),
            decided_at=t.decided_at,
            passed=t.passed,
        )

    @_writer_field("提议人", "Who proposed it")
    async def proposer(self, info: strawberry.Info) -> PlatformUser | None:
        return await _writer(info, self.raw.proposer_openid, f"{self.raw.title}{self.raw.content}")

    @strawberry.field(description=d("讨论记录", "What was said"))
    async def comments(self, info: strawberry.Info) -> list[TopicComment] | None:
        found = await info.context.data.comments_of_topic(self.raw.topic_id)
        return [TopicComment(raw=c, at=c.at, content=c.content) for c in found]


@strawberry.type(description=d("积分奖品", "A reward points can be exchanged for"))
class Reward:
    reward_id: str = strawberry.field(description=d("奖品编号", "Reward number"))
    name: str = strawberry.field(description=d("名称", "Name"))
    points: int = strawberry.field(description=d("积分", "Points"))
    stock: int = strawberry.field(description=d("库存", "In stock"))


@strawberry.type(description=d("共建共治统计", "Figures from the engagement platform"))
class EngagementStatistics:
    activities: int = strawberry.field(description=d("开展活动数", "Activities held"))
    check_ins: int = strawberry.field(description=d("签到人次", "Check-ins"))
    volunteer_hours: float = strawberry.field(description=d("志愿服务时长", "Volunteer hours"))
    wishes_posted: int = strawberry.field(description=d("发布心愿数", "Wishes posted"))
    wishes_claimed: int = strawberry.field(description=d("认领心愿数", "Wishes claimed"))
    wishes_fulfilled: int = strawberry.field(description=d("完成心愿数", "Wishes fulfilled"))
    average_days_to_fulfil: float | None = strawberry.field(
        description=d("平均完成天数", "Average days from posting to fulfilment")
    )
    topics_decided: int = strawberry.field(description=d("表决议题数", "Topics decided"))

    @classmethod
    def of(cls, f: engage.EngagementFigures) -> EngagementStatistics:
        return cls(
            activities=f.activities,
            check_ins=f.check_ins,
            volunteer_hours=f.volunteer_hours,
            wishes_posted=f.wishes_posted,
            wishes_claimed=f.wishes_claimed,
            wishes_fulfilled=f.wishes_fulfilled,
            average_days_to_fulfil=f.average_days_to_fulfil,
            topics_decided=f.topics_decided,
        )


def openid_of(value: str) -> str:
    kind, key = parse_global_id(value)
    if kind != "PlatformUser" or not key:
        raise Rejected("volunteerId", "不是平台用户ID / not a platform user's ID")
    return key
