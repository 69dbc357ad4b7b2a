"""The engagement platform's records to the domain, pure: Unix seconds to Beijing time (0 is
"not yet"), a phone normalised or none, points that must add up, and bad fields named."""

from __future__ import annotations

from datetime import datetime

import pytest

import adapters.engagement as engage
from adapters.normalise import BEIJING
from connectors.errors import ContractError

WISH = {
    "wish_id": "W3202130010010010000",
    "grid_code": "320213001001001",
    "author_openid": "oG0000000008155a5ac06e078911f",
    "content": "需要一台二手助行器",
    "status": "claimed",
    "post_time": 1796022000,
    "claimer_openid": "oG0000000071837fccfeafd52d1c",
    "claim_time": 1796108400,
    "fulfil_time": 0,
    "thank_time": 0,
}


def test_a_wish_with_its_times() -> None:
    wish = engage.wish_from_engagement(WISH)
    assert wish.status is engage.WishStatus.CLAIMED
    assert wish.posted_at == datetime.fromtimestamp(1796022000, BEIJING)
    assert wish.posted_at.utcoffset() is not None
    assert wish.fulfilled_at is None  # 0: not yet


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("status", "lost", "unknown value"),
        ("post_time", "yesterday", "not an integer"),
        ("post_time", -5, "negative time"),
        ("post_time", 0, "missing"),
        ("content", 7, "not a string"),
    ],
)
def test_a_bad_wish_field_is_named_not_shown(field: str, value: object, problem: str) -> None:
    with pytest.raises(ContractError) as raised:
        engage.wish_from_engagement({**WISH, field: value})
    assert str(raised.value) == f"engagement wish.{field}: {problem}"


def test_a_user_phone_is_normalised_or_none() -> None:
    base = {"openid": "o1", "nickname": "王先生", "grid_code": "320213001001001", "team_name": ""}
    assert (
        engage.platform_user_from_engagement({**base, "phone_number": "+86 138 1379 3809"}).phone
        == "13813793809"
    )
    unbound = engage.platform_user_from_engagement({**base, "phone_number": ""})
    assert (unbound.phone, unbound.team) == (None, None)


def test_points_must_add_up() -> None:
    assert (
        engage.points_from_engagement(
            {"openid": "o", "earned": 50, "spent": 30, "balance": 20}
        ).balance
        == 20
    )
    for wrong in (
        {"earned": 50, "spent": 30, "balance": 25},
        {"earned": 10, "spent": 30, "balance": -20},
    ):
        with pytest.raises(ContractError):
            engage.points_from_engagement({"openid": "o", **wrong})


def test_a_topic_keeps_counts_and_its_outcome() -> None:
    record = {
        "topic_id": "T320213001001001000",
        "grid_code": "320213001001001",
        "proposer_openid": "o1",
        "title": "景观桥桥面改造",
        "content": "",
        "status": "decided",
        "propose_time": 1793887200,
        "comment_count": 4,
        "quorum": 11,
        "vote_agree": 8,
        "vote_disagree": 0,
        "vote_abstain": 3,
        "decide_time": 1795096800,
        "outcome": "passed",
        "project_id": "P320213001001001000",
    }
    topic = engage.topic_from_engagement(record)
    assert (topic.passed, topic.agree, topic.abstain) == (True, 8, 3)
    assert engage.topic_from_engagement({**record, "outcome": "", "decide_time": 0}).passed is None
