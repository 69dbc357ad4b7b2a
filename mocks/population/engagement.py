"""The residents' engagement platform's records over the one population: platform users (an
openid each, a bound phone for most, residents and also riders the registry does not know),
volunteer teams and activities with sign-ups and check-ins, micro-wishes, deliberation topics
and the 民生微实事 projects they fund. Drawn per grid on first use, then kept (writes change them).

Volumes follow the seeds: about a quarter of adults use the platform, four in five of them with
a phone bound; two activities a month per grid, a wish a month, a topic a quarter.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .geography import Grid
from .residents import Registry

TEAMS = ("红色先锋", "橙色助老", "黄色护苗", "绿色环保", "蓝色平安", "紫色文化")
ACTIVITIES = (
    ("志愿服务", "楼道清理", 10, 2.0),
    ("志愿服务", "关爱独居老人上门探访", 15, 2.0),
    ("志愿服务", "四点半课堂辅导", 15, 2.0),
    ("志愿服务", "垃圾分类督导", 10, 1.5),
    ("志愿服务", "文明养犬宣传", 8, 1.0),
    ("志愿服务", "助老义剪", 12, 2.0),
    ("网上学习", "防电信诈骗网上学习", 5, 0.0),
    ("随手拍", "随手拍找隐患", 5, 0.0),
)
WISHES = (
    "希望有人帮忙修理轮椅",
    "想要一套三年级课外书",
    "独居老人希望每周有人陪聊",
    "希望帮忙更换楼道灯泡",
    "想学习使用智能手机挂号",
    "需要一台二手助行器",
)
TOPICS = (
    ("增设电动车集中充电点位", 8_000_000),
    ("小区公共晾衣架安装", 3_000_000),
    ("停车位重新划线", 2_000_000),
    ("景观桥桥面改造", 15_000_000),
    ("制定网格养犬公约", 0),
    ("老旧楼道加装扶手", 5_000_000),
)
REWARDS = (
    ("RW01", "毛巾一条", 30, 500),
    ("RW02", "洗衣液一瓶", 80, 300),
    ("RW03", "理发券", 50, 400),
    ("RW04", "电动车充电卡（10元）", 100, 300),
    ("RW05", "大米五斤", 200, 200),
    ("RW06", "体检套餐", 300, 50),
)
RIDER_PREFIX = "199"  # riders' and drivers' phones: never a resident's prefix


@dataclass(frozen=True, slots=True)
class PlatformUser:
    openid: str
    nickname: str
    phone: str  # bound phone (digits), "" if none bound
    grid_code: str
    team: str  # "" if in no volunteer team
    person_index: int | None  # the registry person behind it, for the mock's own checks only


@dataclass(slots=True)
class SignUp:
    openid: str
    signed_at: datetime
    checked_in_at: datetime | None = None


@dataclass(slots=True)
class Activity:
    activity_id: str
    grid_code: str
    team: str
    kind: str
    title: str
    place: str
    start: datetime
    end: datetime
    capacity: int
    points: int
    hours: float
    organiser: str  # openid
    signups: dict[str, SignUp] = field(default_factory=dict)


@dataclass(slots=True)
class Wish:
    wish_id: str
    grid_code: str
    author: str
    content: str
    posted_at: datetime
    claimer: str = ""
    claimed_at: datetime | None = None
    fulfilled_at: datetime | None = None
    thanked_at: datetime | None = None


@dataclass(slots=True)
class Topic:
    topic_id: str
    grid_code: str
    proposer: str
    title: str
    content: str
    proposed_at: datetime
    quorum: int
    budget_fen: int
    comments: list[tuple[str, datetime, str]] = field(default_factory=list)
    votes: dict[str, str] = field(default_factory=dict)  # openid → agree | disagree | abstain
    decided_at: datetime | None = None
    outcome: str = ""  # passed | rejected
    project_id: str = ""


@dataclass(slots=True)
class Project:
    project_id: str
    community_code: str
    topic_id: str
    title: str
    budget_fen: int
    status: str  # approved | underway | completed
    approved_at: datetime


@dataclass(slots=True)
class GridEngagement:
    users: list[PlatformUser]
    activities: list[Activity]
    wishes: list[Wish]
    topics: list[Topic]


def openid_for(seed: int, grid_ordinal: int, serial: int) -> str:
    """Opaque like WeChat's (28 characters), with the grid in it so a look-up finds its grid."""
    digest = hashlib.sha256(f"{seed}:{grid_ordinal}:{serial}".encode()).hexdigest()
    return f"oG{grid_ordinal:05d}{serial:04d}{digest[:17]}"


def grid_of_openid(openid: str) -> int | None:
    if len(openid) != 28 or not openid.startswith("oG") or not openid[2:11].isdigit():
        return None
    return int(openid[2:7])


def rider_phone(grid_ordinal: int, serial: int) -> str:
    return f"{RIDER_PREFIX}{grid_ordinal:05d}{serial:03d}"


def grid_of_rider_phone(phone: str) -> int | None:
    if len(phone) != 11 or not phone.startswith(RIDER_PREFIX) or not phone.isdigit():
        return None
    return int(phone[3:8])


class EngagementDraw:
    """Draws one grid's platform records from the seed."""

    def __init__(self, seed: int, registry: Registry, first: datetime, last: datetime) -> None:
        self.seed = seed
        self.registry = registry
        self.first = first
        self.last = last

    def grid(self, grid: Grid) -> GridEngagement:
        rng = random.Random((self.seed << 40) ^ (grid.ordinal << 8) ^ 0xE6A6E)
        users = self._users(rng, grid)
        adults = [u for u in users if u.team] or users
        days = max(1, (self.last - self.first).days)
        activities = [
            self._activity(rng, grid, n, adults, users, days) for n in range(max(1, days // 15))
        ]
        wishes = [self._wish(rng, grid, n, users, adults, days) for n in range(max(1, days // 30))]
        topics = [self._topic(rng, grid, n, users, days) for n in range(max(1, days // 90))]
        return GridEngagement(users, activities, wishes, topics)

    def _users(self, rng: random.Random, grid: Grid) -> list[PlatformUser]:
        users: list[PlatformUser] = []
        for index in self.registry.grid_indices(grid.ordinal):
            person = self.registry.person(index)
            age = self.registry.age(person.birth)
            if age < 16 or rng.random() >= 0.25:
                continue
            phone = person.phone_digits if rng.random() < 0.8 else ""
            team = (
                TEAMS[rng.randrange(len(TEAMS))] if 18 <= age <= 75 and rng.random() < 0.5 else ""
            )
            serial = len(users)
            nickname = f"{person.name[0]}{'先生' if person.male else '女士'}"
            users.append(
                PlatformUser(
                    openid_for(self.seed, grid.ordinal, serial),
                    nickname,
                    phone,
                    grid.code,
                    team,
                    index,
                )
            )
        for rider in range(3):  # riders and drivers of the grid, not on its register
            serial = len(users)
            users.append(
                PlatformUser(
                    openid_for(self.seed, grid.ordinal, serial),
                    f"骑手{rider + 1}",
                    rider_phone(grid.ordinal, rider),
                    grid.code,
                    TEAMS[0],
                    None,
                )
            )
        return users

    def _moment(self, rng: random.Random, days: int) -> datetime:
        midnight = self.first.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight + timedelta(days=rng.randrange(days), hours=rng.randrange(8, 20))

    def _activity(
        self,
        rng: random.Random,
        grid: Grid,
        n: int,
        team: list[PlatformUser],
        users: list[PlatformUser],
        days: int,
    ) -> Activity:
        kind, title, points, hours = ACTIVITIES[rng.randrange(len(ACTIVITIES))]
        start = self._moment(rng, days)
        organiser = team[rng.randrange(len(team))]
        capacity = rng.choice((10, 15, 20, 30))
        activity = Activity(
            f"A{grid.code}{n:04d}",
            grid.code,
            organiser.team or TEAMS[0],
            kind,
            title,
            f"{grid.name}党群服务站" if kind == "志愿服务" else "线上",
            start,
            start + timedelta(hours=max(1.0, hours)),
            capacity,
            points,
            hours,
            organiser.openid,
        )
        for user in rng.sample(users, min(len(users), rng.randint(capacity // 2, capacity))):
            signed = start - timedelta(days=rng.randint(1, 5))
            done = start + timedelta(minutes=10) if start < self.last else None
            checked = done if done is not None and rng.random() < 0.85 else None
            activity.signups[user.openid] = SignUp(user.openid, signed, checked)
        return activity

    def _wish(
        self,
        rng: random.Random,
        grid: Grid,
        n: int,
        users: list[PlatformUser],
        helpers: list[PlatformUser],
        days: int,
    ) -> Wish:
        posted = self._moment(rng, days)
        wish = Wish(
            f"W{grid.code}{n:04d}",
            grid.code,
            users[rng.randrange(len(users))].openid,
            WISHES[rng.randrange(len(WISHES))],
            posted,
        )
        age = (self.last - posted).days
        if age >= 2 and rng.random() < 0.85:
            wish.claimer = helpers[rng.randrange(len(helpers))].openid
            wish.claimed_at = posted + timedelta(days=1)
            if age >= 7 and rng.random() < 0.85:
                wish.fulfilled_at = posted + timedelta(days=rng.randint(2, 6))
                if rng.random() < 0.7:
                    wish.thanked_at = wish.fulfilled_at + timedelta(days=1)
        return wish

    def _topic(
        self, rng: random.Random, grid: Grid, n: int, users: list[PlatformUser], days: int
    ) -> Topic:
        title, budget = TOPICS[rng.randrange(len(TOPICS))]
        proposed = self._moment(rng, days)
        topic = Topic(
            f"T{grid.code}{n:03d}",
            grid.code,
            users[rng.randrange(len(users))].openid,
            title,
            f"居民建议：{title}，请大家议一议。",
            proposed,
            quorum=min(len(users), rng.randint(8, 15)),
            budget_fen=budget,
        )
        speakers = rng.sample(users, min(len(users), rng.randint(2, 5)))
        for k, user in enumerate(speakers):
            topic.comments.append(
                (user.openid, proposed + timedelta(hours=k + 1), "同意，建议尽快落实")
            )
        if (self.last - proposed).days >= 14:
            for user in rng.sample(users, topic.quorum):
                topic.votes[user.openid] = rng.choices(("agree", "disagree", "abstain"), (7, 2, 1))[
                    0
                ]
        return topic
