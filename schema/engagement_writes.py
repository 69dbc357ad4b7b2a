"""What residents do in the engagement mini program, as mutations: sign up and check in, post,
claim and fulfil wishes, propose and vote on topics, exchange points. The caller acts as the
platform account bound to their own phone; the platform's refusals come back as field errors."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

from .errors import Rejected, field_errors
from .text import bilingual as d

if TYPE_CHECKING:
    from .engagement import DeliberationTopic, MicroWish, VolunteerActivity, VolunteerSignUp
    from .mutations import FieldError

FieldErrorRef: TypeAlias = Annotated["FieldError", strawberry.lazy("schema.mutations")]
ActivityRef: TypeAlias = Annotated["VolunteerActivity", strawberry.lazy("schema.engagement")]
SignUpRef: TypeAlias = Annotated["VolunteerSignUp", strawberry.lazy("schema.engagement")]
WishRef: TypeAlias = Annotated["MicroWish", strawberry.lazy("schema.engagement")]
TopicRef: TypeAlias = Annotated["DeliberationTopic", strawberry.lazy("schema.engagement")]
POSTED_LIMIT = 200


@strawberry.enum(description=d("表决意见", "A vote"))
class VoteChoice(Enum):
    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"


@strawberry.type(description=d("活动报名结果", "The result of a sign-up or a check-in"))
class SignUpPayload:
    activity: ActivityRef | None = strawberry.field(
        default=None, description=d("活动", "The activity")
    )
    sign_up: SignUpRef | None = strawberry.field(
        default=None, description=d("报名记录", "The sign-up")
    )
    errors: list[FieldErrorRef] = strawberry.field(
        default_factory=list, description=d("字段错误", "Field errors")
    )


@strawberry.type(description=d("心愿操作结果", "The result of a wish's step"))
class WishPayload:
    wish: WishRef | None = strawberry.field(default=None, description=d("心愿", "The wish"))
    errors: list[FieldErrorRef] = strawberry.field(
        default_factory=list, description=d("字段错误", "Field errors")
    )


@strawberry.type(description=d("议题操作结果", "The result of a topic's step"))
class TopicPayload:
    topic: TopicRef | None = strawberry.field(default=None, description=d("议题", "The topic"))
    errors: list[FieldErrorRef] = strawberry.field(
        default_factory=list, description=d("字段错误", "Field errors")
    )


@strawberry.type(description=d("积分兑换结果", "The result of an exchange"))
class ExchangePayload:
    reward_id: str | None = strawberry.field(
        default=None, description=d("奖品编号", "Reward number")
    )
    points: int | None = strawberry.field(default=None, description=d("花费积分", "Points spent"))
    balance: int | None = strawberry.field(
        default=None, description=d("兑换后余额", "Balance after")
    )
    errors: list[FieldErrorRef] = strawberry.field(
        default_factory=list, description=d("字段错误", "Field errors")
    )


def _checked(field: str, value: str, longest: int) -> Rejected | None:
    if not value.strip():
        return Rejected(field, "必填 / required")
    if len(value) > longest:
        return Rejected(field, f"最多{longest}字 / at most {longest} characters")
    return None


@strawberry.input(description=d("活动报名", "A sign-up"))
class SignUpForActivityInput:
    activity_id: str = strawberry.field(description=d("活动编号", "Activity number"))


@strawberry.input(description=d("活动签到", "A check-in"))
class CheckInInput:
    activity_id: str = strawberry.field(description=d("活动编号", "Activity number"))
    volunteer_id: strawberry.ID = strawberry.field(
        description=d(
            "志愿者的平台用户ID（其二维码）", "The volunteer's PlatformUser ID (their QR code)"
        )
    )


@strawberry.input(description=d("发布微心愿", "A new micro-wish"))
class PostWishInput:
    grid_code: str = strawberry.field(description=d("所在网格编码", "The author's grid"))
    content: str = strawberry.field(description=d("心愿内容", "The wish"))


@strawberry.input(description=d("心愿的一步", "A step of a wish"))
class WishStepInput:
    wish_id: str = strawberry.field(description=d("心愿编号", "Wish number"))


@strawberry.input(description=d("提出议题", "A new topic"))
class ProposeTopicInput:
    grid_code: str = strawberry.field(description=d("所在网格编码", "The proposer's grid"))
    title: str = strawberry.field(description=d("标题", "Title"))
    content: str = strawberry.field(description=d("内容", "The proposal"))


@strawberry.input(description=d("表决", "A vote"))
class VoteOnTopicInput:
    topic_id: str = strawberry.field(description=d("议题编号", "Topic number"))
    choice: VoteChoice = strawberry.field(description=d("意见", "The vote"))


@strawberry.input(description=d("积分兑换", "An exchange of points"))
class ExchangePointsInput:
    reward_id: str = strawberry.field(description=d("奖品编号", "Reward number"))


@strawberry.type
class MutationEngagement:
    @strawberry.mutation(description=d("报名志愿活动", "Sign up for a volunteer activity"))
    async def sign_up_for_activity(
        self, info: strawberry.Info, input: SignUpForActivityInput
    ) -> SignUpPayload:
        from .engagement import VolunteerActivity

        try:
            _raise(_checked("activityId", input.activity_id, 40))
            activity = await info.context.data.sign_up(input.activity_id.strip())
        except Rejected as error:
            return SignUpPayload(errors=field_errors(error))
        return SignUpPayload(activity=VolunteerActivity.of(activity))

    @strawberry.mutation(
        description=d("活动签到（由组织者为志愿者签到）", "Check a volunteer in (by the organiser)")
    )
    async def check_in(self, info: strawberry.Info, input: CheckInInput) -> SignUpPayload:
        from .engagement import VolunteerSignUp, openid_of

        try:
            _raise(_checked("activityId", input.activity_id, 40))
            volunteer = openid_of(input.volunteer_id)
            signup = await info.context.data.check_in(input.activity_id.strip(), volunteer)
        except Rejected as error:
            return SignUpPayload(errors=field_errors(error))
        return SignUpPayload(sign_up=VolunteerSignUp.of(signup))

    @strawberry.mutation(description=d("发布微心愿", "Post a micro-wish"))
    async def post_wish(self, info: strawberry.Info, input: PostWishInput) -> WishPayload:
        fields = {"grid_code": input.grid_code, "content": input.content}
        return await _wish_step(info, "wish_post", fields)

    @strawberry.mutation(description=d("认领微心愿", "Claim a micro-wish"))
    async def claim_wish(self, info: strawberry.Info, input: WishStepInput) -> WishPayload:
        return await _wish_step(info, "wish_claim", {"wish_id": input.wish_id})

    @strawberry.mutation(description=d("完成微心愿", "Mark a claimed wish fulfilled"))
    async def fulfil_wish(self, info: strawberry.Info, input: WishStepInput) -> WishPayload:
        return await _wish_step(info, "wish_fulfil", {"wish_id": input.wish_id})

    @strawberry.mutation(description=d("提出议题", "Propose a topic for deliberation"))
    async def propose_topic(self, info: strawberry.Info, input: ProposeTopicInput) -> TopicPayload:
        fields = {"grid_code": input.grid_code, "title": input.title, "content": input.content}
        return await _topic_step(info, "topic_propose", fields)

    @strawberry.mutation(description=d("对议题表决（不记名）", "Vote on a topic (secret)"))
    async def vote_on_topic(self, info: strawberry.Info, input: VoteOnTopicInput) -> TopicPayload:
        fields = {"topic_id": input.topic_id, "choice": input.choice.value}
        return await _topic_step(info, "topic_vote", fields)

    @strawberry.mutation(
        description=d(
            "积分兑换奖品（同一 Idempotency-Key 只兑换一次）",
            "Exchange points for a reward (once per Idempotency-Key, retries included)",
        )
    )
    async def exchange_points(
        self, info: strawberry.Info, input: ExchangePointsInput
    ) -> ExchangePayload:
        try:
            _raise(_checked("rewardId", input.reward_id, 20))
            exchange, balance = await info.context.data.exchange(input.reward_id.strip())
        except Rejected as error:
            return ExchangePayload(errors=field_errors(error))
        return ExchangePayload(
            reward_id=exchange.reward_id, points=exchange.points, balance=balance
        )


def _raise(problem: Rejected | None) -> None:
    if problem is not None:
        try:
            raise problem
        finally:
            # The error's traceback holds this frame: kept here too, the two would hold each
            # other, and the request with them, until the garbage collector came by.
            problem = None


LIMITS = {"grid_code": 15, "content": POSTED_LIMIT, "wish_id": 40, "topic_id": 40, "title": 60}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _invalid(fields: dict[str, str]) -> Rejected | None:
    for name, value in fields.items():
        problem = _checked(_camel(name), value, LIMITS.get(name, 500))
        if problem:
            return problem
    return None


async def _wish_step(info: strawberry.Info, operation: str, fields: dict[str, str]) -> WishPayload:
    from .engagement import MicroWish

    try:
        _raise(_invalid(fields))
        wish = await info.context.data.wish_step(
            operation, {k: v.strip() for k, v in fields.items()}
        )
    except Rejected as error:
        return WishPayload(errors=field_errors(error))
    return WishPayload(wish=MicroWish.of(wish))


async def _topic_step(
    info: strawberry.Info, operation: str, fields: dict[str, str]
) -> TopicPayload:
    from .engagement import DeliberationTopic

    try:
        _raise(_invalid({k: v for k, v in fields.items() if k != "choice"}))
        topic = await info.context.data.topic_step(
            operation, {k: v.strip() for k, v in fields.items()}
        )
    except Rejected as error:
        return TopicPayload(errors=field_errors(error))
    return TopicPayload(topic=DeliberationTopic.of(topic))
