"""The engagement platform's records as it writes them: snake_case, Unix seconds, money in fen,
people as openids (and the phone a user bound, where the platform shows it)."""

from __future__ import annotations

from typing import TypedDict


class EngageUserRecord(TypedDict):
    openid: str
    nickname: str
    phone_number: str  # "" when none is bound
    grid_code: str
    team_name: str


class EngagePointsRecord(TypedDict):
    openid: str
    earned: int
    spent: int
    balance: int


class EngageSignupRecord(TypedDict):
    activity_id: str
    title: str
    grid_code: str
    start_time: int
    points: int
    service_hours: float
    signup_time: int
    checkin_time: int  # 0: not checked in


class EngageActivityRecord(TypedDict):
    activity_id: str
    grid_code: str
    team_name: str
    category: str
    title: str
    place: str
    start_time: int
    end_time: int
    capacity: int
    points: int
    service_hours: float
    organiser_openid: str
    signup_count: int
    checkin_count: int


class EngageWishRecord(TypedDict):
    wish_id: str
    grid_code: str
    author_openid: str
    content: str
    status: str
    post_time: int
    claimer_openid: str
    claim_time: int
    fulfil_time: int
    thank_time: int


class EngageTopicRecord(TypedDict):
    topic_id: str
    grid_code: str
    proposer_openid: str
    title: str
    content: str
    status: str
    propose_time: int
    comment_count: int
    quorum: int
    vote_agree: int
    vote_disagree: int
    vote_abstain: int
    decide_time: int
    outcome: str
    project_id: str


class EngageCommentRecord(TypedDict):
    openid: str
    comment_time: int
    content: str


class EngageProjectRecord(TypedDict):
    project_id: str
    community_code: str
    topic_id: str
    title: str
    budget_fen: int
    status: str
    approve_time: int


class EngageRewardRecord(TypedDict):
    reward_id: str
    name: str
    points: int
    stock: int


class EngageExchangeRecord(TypedDict):
    out_trade_no: str
    openid: str
    reward_id: str
    points: int
    exchange_time: int


class EngageFiguresRecord(TypedDict):
    activity_count: int
    checkin_count: int
    service_hours: float
    wish_posted: int
    wish_claimed: int
    wish_fulfilled: int
    avg_fulfil_days: float
    topic_decided: int
