"""The engagement platform's records as its API writes them: snake_case JSON, Unix seconds,
money in fen, people as openids (phones only where the platform itself shows a bound phone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..population.engagement import Activity, PlatformUser, Project, Topic, Wish
from ..population.engagement_book import Exchange, LedgerEntry, Reward

Record = dict[str, Any]


def unix(at: datetime | None) -> int:
    return 0 if at is None else int(at.timestamp())


def user_record(user: PlatformUser) -> Record:
    return {
        "openid": user.openid,
        "nickname": user.nickname,
        "phone_number": user.phone,
        "grid_code": user.grid_code,
        "team_name": user.team,
    }


def activity_record(activity: Activity) -> Record:
    signups = activity.signups.values()
    return {
        "activity_id": activity.activity_id,
        "grid_code": activity.grid_code,
        "team_name": activity.team,
        "category": activity.kind,
        "title": activity.title,
        "place": activity.place,
        "start_time": unix(activity.start),
        "end_time": unix(activity.end),
        "capacity": activity.capacity,
        "points": activity.points,
        "service_hours": activity.hours,
        "organiser_openid": activity.organiser,
        "signup_count": len(activity.signups),
        "checkin_count": sum(1 for s in signups if s.checked_in_at is not None),
    }


def signup_record(activity: Activity, openid: str) -> Record:
    signup = activity.signups[openid]
    return {
        "activity_id": activity.activity_id,
        "title": activity.title,
        "grid_code": activity.grid_code,
        "start_time": unix(activity.start),
        "points": activity.points,
        "service_hours": activity.hours,
        "signup_time": unix(signup.signed_at),
        "checkin_time": unix(signup.checked_in_at),
    }


def wish_status(wish: Wish) -> str:
    if wish.thanked_at:
        return "thanked"
    if wish.fulfilled_at:
        return "fulfilled"
    return "claimed" if wish.claimer else "posted"


def wish_record(wish: Wish) -> Record:
    return {
        "wish_id": wish.wish_id,
        "grid_code": wish.grid_code,
        "author_openid": wish.author,
        "content": wish.content,
        "status": wish_status(wish),
        "post_time": unix(wish.posted_at),
        "claimer_openid": wish.claimer,
        "claim_time": unix(wish.claimed_at),
        "fulfil_time": unix(wish.fulfilled_at),
        "thank_time": unix(wish.thanked_at),
    }


def topic_status(topic: Topic) -> str:
    if topic.decided_at:
        return "decided"
    return "voting" if topic.votes else ("discussing" if topic.comments else "proposed")


def topic_record(topic: Topic) -> Record:
    """Votes are secret on the platform too: counts only, never who voted how."""
    choices = list(topic.votes.values())
    return {
        "topic_id": topic.topic_id,
        "grid_code": topic.grid_code,
        "proposer_openid": topic.proposer,
        "title": topic.title,
        "content": topic.content,
        "status": topic_status(topic),
        "propose_time": unix(topic.proposed_at),
        "comment_count": len(topic.comments),
        "quorum": topic.quorum,
        "vote_agree": choices.count("agree"),
        "vote_disagree": choices.count("disagree"),
        "vote_abstain": choices.count("abstain"),
        "decide_time": unix(topic.decided_at),
        "outcome": topic.outcome,
        "project_id": topic.project_id,
    }


def comment_record(comment: tuple[str, datetime, str]) -> Record:
    openid, at, content = comment
    return {"openid": openid, "comment_time": unix(at), "content": content}


def project_record(project: Project) -> Record:
    return {
        "project_id": project.project_id,
        "community_code": project.community_code,
        "topic_id": project.topic_id,
        "title": project.title,
        "budget_fen": project.budget_fen,
        "status": project.status,
        "approve_time": unix(project.approved_at),
    }


def reward_record(reward: Reward) -> Record:
    return {
        "reward_id": reward.reward_id,
        "name": reward.name,
        "points": reward.points,
        "stock": reward.stock,
    }


def ledger_record(entry: LedgerEntry) -> Record:
    return {"time": unix(entry.at), "delta": entry.delta, "reason": entry.reason, "ref": entry.ref}


def exchange_record(exchange: Exchange) -> Record:
    return {
        "out_trade_no": exchange.trade_no,
        "openid": exchange.openid,
        "reward_id": exchange.reward_id,
        "points": exchange.points,
        "exchange_time": unix(exchange.at),
    }
