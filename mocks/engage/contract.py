"""The engagement platform's operations, described once: the path each is posted to, its body's
fields and types, and the platform's error codes. The service checks bodies against it and the
OpenAPI document is made from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PAGE_MAX = 50
BATCH_MAX = 100

ERRORS = {
    0: "ok",
    -1: "system busy",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    42001: "access_token expired",
    43002: "require POST method",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit, must slower, retry next minute",
    47001: "data format error",
    60001: "activity not found",
    60002: "activity is full",
    60003: "already signed up",
    60004: "not signed up",
    60005: "only the organiser may check in",
    61001: "wish not found",
    61002: "wish is not in a state for this",
    61003: "one may not claim one's own wish",
    62001: "topic not found",
    62002: "topic already decided",
    62003: "already voted",
    63001: "reward not found",
    63002: "not enough points",
    63003: "reward out of stock",
    63004: "out_trade_no already used for another exchange",
}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: type  # str, int or list (of str)
    required: bool = True
    limit: int = 0  # a string's or list's largest length; 0: any


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    path: str
    fields: tuple[Field, ...]
    summary: str
    paged: bool = False


def _paged(*fields: Field) -> tuple[Field, ...]:
    return (*fields, Field("offset", int, False), Field("count", int, False))


OPENID = Field("openid", str, limit=64)
OPERATIONS = {
    op.name: op
    for op in (
        Operation(
            "user_batchget",
            "/api/user/batchget",
            (Field("openid_list", list, limit=BATCH_MAX),),
            "users by openid",
        ),
        Operation(
            "user_getbyphone",
            "/api/user/getbyphone",
            (Field("phone_list", list, limit=BATCH_MAX),),
            "openids bound to phones",
        ),
        Operation(
            "points_batchget",
            "/api/points/batchget",
            (Field("openid_list", list, limit=BATCH_MAX),),
            "points per openid",
        ),
        Operation(
            "points_ledger",
            "/api/points/ledger",
            _paged(OPENID),
            "a user's points ledger",
            paged=True,
        ),
        Operation(
            "signup_list", "/api/signup/list", _paged(OPENID), "a user's sign-ups", paged=True
        ),
        Operation(
            "activity_list",
            "/api/activity/list",
            _paged(Field("grid_code", str, limit=15)),
            "a grid's activities",
            paged=True,
        ),
        Operation(
            "activity_signup",
            "/api/activity/signup",
            (Field("activity_id", str, limit=40), OPENID),
            "sign up",
        ),
        Operation(
            "activity_checkin",
            "/api/activity/checkin",
            (Field("activity_id", str, limit=40), OPENID, Field("operator_openid", str, limit=64)),
            "check a volunteer in",
        ),
        Operation(
            "wish_list",
            "/api/wish/list",
            _paged(Field("grid_code", str, limit=15)),
            "a grid's wishes",
            paged=True,
        ),
        Operation(
            "wish_post",
            "/api/wish/post",
            (OPENID, Field("grid_code", str, limit=15), Field("content", str, limit=200)),
            "post a wish",
        ),
        Operation(
            "wish_claim",
            "/api/wish/claim",
            (Field("wish_id", str, limit=40), OPENID),
            "claim a wish",
        ),
        Operation(
            "wish_fulfil",
            "/api/wish/fulfil",
            (Field("wish_id", str, limit=40), OPENID),
            "fulfil a claimed wish",
        ),
        Operation(
            "topic_list",
            "/api/topic/list",
            _paged(Field("grid_code", str, limit=15)),
            "a grid's topics",
            paged=True,
        ),
        Operation(
            "topic_comments",
            "/api/topic/comments",
            _paged(Field("topic_id", str, limit=40)),
            "a topic's comments",
            paged=True,
        ),
        Operation(
            "topic_propose",
            "/api/topic/propose",
            (
                OPENID,
                Field("grid_code", str, limit=15),
                Field("title", str, limit=60),
                Field("content", str, limit=500),
                Field("quorum", int, False),
            ),
            "propose a topic",
        ),
        Operation(
            "topic_vote",
            "/api/topic/vote",
            (Field("topic_id", str, limit=40), OPENID, Field("choice", str, limit=10)),
            "vote on a topic",
        ),
        Operation(
            "project_list",
            "/api/project/list",
            _paged(Field("community_code", str, limit=12)),
            "a community's 民生微实事 projects",
            paged=True,
        ),
        Operation("reward_list", "/api/reward/list", (), "rewards"),
        Operation(
            "points_exchange",
            "/api/points/exchange",
            (OPENID, Field("reward_id", str, limit=20), Field("out_trade_no", str, limit=64)),
            "exchange points for a reward",
        ),
        Operation(
            "exchange_query",
            "/api/exchange/query",
            (Field("out_trade_no", str, limit=64),),
            "an exchange by its trade number",
        ),
        Operation(
            "stat_get",
            "/api/stat/get",
            (
                Field("grid_code", str, False, 15),
                Field("community_code", str, False, 12),
                Field("begin_time", int),
                Field("end_time", int),
            ),
            "figures for a grid or a community",
        ),
    )
}
BY_PATH = {op.path: op for op in OPERATIONS.values()}


class PlatformError(Exception):
    def __init__(self, errcode: int, detail: str = "", reason: str = "") -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = ERRORS.get(errcode, "error") + (f": {detail}" if detail else "")
        self.reason = reason  # the contract violation, for the journal; "" for other errors


def checked(op: Operation, body: Any, strict: bool = True) -> dict[str, Any]:
    """The body, checked against the operation's fields; 47001 names the first bad one. Not
    strict (a negative test's switch), fields the operation lacks and lengths pass."""
    if not isinstance(body, dict):
        raise PlatformError(47001, "body must be a JSON object", "wrong-type")
    known = {f.name for f in op.fields}
    for name in body:
        if strict and name not in known:
            raise PlatformError(47001, f"unknown field {str(name)[:40]}", "unknown-field")
    for f in op.fields:
        value = body.get(f.name)
        if value is None:
            if f.required:
                raise PlatformError(47001, f"{f.name} missing", "missing-field")
            continue
        if f.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise PlatformError(47001, f"{f.name} must be an integer", "wrong-type")
        if f.kind is str and not isinstance(value, str):
            raise PlatformError(47001, f"{f.name} must be a string", "wrong-type")
        if f.kind is list and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise PlatformError(47001, f"{f.name} must be a list of strings", "wrong-type")
        if strict and f.limit and len(value) > f.limit:
            raise PlatformError(47001, f"{f.name} longer than {f.limit}", "too-long")
    if op.paged:
        count = body.get("count", 20)
        if not 1 <= count <= PAGE_MAX or body.get("offset", 0) < 0:
            raise PlatformError(47001, f"count must be 1..{PAGE_MAX}, offset ≥ 0", "out-of-range")
    return body
