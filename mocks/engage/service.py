"""The engagement platform's operations over the population's engagement book: reads by grid,
community, openid and phone, and the writes residents make in the mini program, each checking
the record's state as the platform does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..population import Population
from ..population.engagement import PlatformUser, SignUp, Topic, Wish
from ..population.engagement_book import Exchange
from . import records as r
from .contract import PlatformError
from .statistics import figures

Record = dict[str, Any]
CHOICES = ("agree", "disagree", "abstain")


def page(items: list[Record], body: dict[str, Any]) -> Record:
    offset, count = body.get("offset", 0), body.get("count", 20)
    return {"total": len(items), "list": items[offset : offset + count]}


class EngagementService:
    def __init__(self, population: Population) -> None:
        self.population = population
        self.book = population.engagement

    def now(self) -> datetime:
        return self.population.now()

    def call(self, name: str, body: dict[str, Any]) -> Record:
        handler: Callable[[dict[str, Any]], Record] = getattr(self, name)
        return handler(body)

    def _user(self, openid: str) -> PlatformUser:
        user = self.book.user(openid)
        if user is None:
            raise PlatformError(40003)
        return user

    def _grid(self, code: str) -> Any:
        grid = self.book.grid_by_code(code)
        if grid is None:
            raise PlatformError(47001, "grid_code unknown")
        return grid

    # -- reads ----------------------------------------------------------------------------
    def user_batchget(self, body: dict[str, Any]) -> Record:
        found = (self.book.user(o) for o in body["openid_list"])
        return {"user_list": [r.user_record(u) for u in found if u is not None]}

    def user_getbyphone(self, body: dict[str, Any]) -> Record:
        return {
            "result": [
                {"phone": p, "openid_list": [u.openid for u in self.book.users_of_phone(p)]}
                for p in body["phone_list"]
            ]
        }

    def points_batchget(self, body: dict[str, Any]) -> Record:
        listed = []
        for openid in body["openid_list"]:
            if self.book.user(openid) is not None:
                earned, spent, balance = self.book.balance(openid)
                listed.append(
                    {"openid": openid, "earned": earned, "spent": spent, "balance": balance}
                )
        return {"points_list": listed}

    def points_ledger(self, body: dict[str, Any]) -> Record:
        self._user(body["openid"])
        return page([r.ledger_record(e) for e in self.book.ledger(body["openid"])], body)

    def signup_list(self, body: dict[str, Any]) -> Record:
        user = self._user(body["openid"])
        grid = self._grid(user.grid_code)
        mine = [a for a in grid.activities if user.openid in a.signups]
        mine.sort(key=lambda a: a.start, reverse=True)
        return page([r.signup_record(a, user.openid) for a in mine], body)

    def activity_list(self, body: dict[str, Any]) -> Record:
        listed = sorted(
            self._grid(body["grid_code"]).activities, key=lambda a: a.start, reverse=True
        )
        return page([r.activity_record(a) for a in listed], body)

    def wish_list(self, body: dict[str, Any]) -> Record:
        listed = sorted(
            self._grid(body["grid_code"]).wishes, key=lambda w: w.posted_at, reverse=True
        )
        return page([r.wish_record(w) for w in listed], body)

    def topic_list(self, body: dict[str, Any]) -> Record:
        listed = sorted(
            self._grid(body["grid_code"]).topics, key=lambda t: t.proposed_at, reverse=True
        )
        return page([r.topic_record(t) for t in listed], body)

    def topic_comments(self, body: dict[str, Any]) -> Record:
        return page([r.comment_record(c) for c in self._topic(body["topic_id"]).comments], body)

    def project_list(self, body: dict[str, Any]) -> Record:
        projects = self.book.projects_of(body["community_code"])
        return page([r.project_record(p) for p in projects], body)

    def reward_list(self, body: dict[str, Any]) -> Record:
        return {"reward_list": [r.reward_record(x) for x in self.book.rewards.values()]}

    def exchange_query(self, body: dict[str, Any]) -> Record:
        found = self.book.exchanges.get(body["out_trade_no"])
        return {"exchange": r.exchange_record(found) if found else None}

    # -- writes ---------------------------------------------------------------------------
    def activity_signup(self, body: dict[str, Any]) -> Record:
        activity = self._activity(body["activity_id"])
        user = self._user(body["openid"])
        if user.openid in activity.signups:
            raise PlatformError(60003)
        if len(activity.signups) >= activity.capacity:
            raise PlatformError(60002)
        activity.signups[user.openid] = SignUp(user.openid, self.now())
        self._wrote()
        return {"activity": r.activity_record(activity)}

    def activity_checkin(self, body: dict[str, Any]) -> Record:
        activity = self._activity(body["activity_id"])
        user = self._user(body["openid"])
        if body["operator_openid"] != activity.organiser:
            raise PlatformError(60005)
        signup = activity.signups.get(user.openid)
        if signup is None:
            raise PlatformError(60004)
        if signup.checked_in_at is None:  # a second check-in earns nothing more
            signup.checked_in_at = self.now()
            self._wrote()
        return {"signup": r.signup_record(activity, user.openid)}

    def wish_post(self, body: dict[str, Any]) -> Record:
        user = self._user(body["openid"])
        grid = self._grid(body["grid_code"])
        wish = Wish(
            f"W{body['grid_code']}{9000 + self.book.next_serial():04d}",
            body["grid_code"],
            user.openid,
            body["content"],
            self.now(),
        )
        grid.wishes.append(wish)
        self._wrote()
        return {"wish": r.wish_record(wish)}

    def wish_claim(self, body: dict[str, Any]) -> Record:
        wish = self._wish(body["wish_id"])
        user = self._user(body["openid"])
        if wish.author == user.openid:
            raise PlatformError(61003)
        if wish.claimer:
            raise PlatformError(61002, "already claimed")
        wish.claimer, wish.claimed_at = user.openid, self.now()
        self._wrote()
        return {"wish": r.wish_record(wish)}

    def wish_fulfil(self, body: dict[str, Any]) -> Record:
        wish = self._wish(body["wish_id"])
        if wish.claimer != body["openid"] or wish.fulfilled_at is not None:
            raise PlatformError(61002, "not claimed by this user, or fulfilled")
        wish.fulfilled_at = self.now()
        self._wrote()
        return {"wish": r.wish_record(wish)}

    def topic_propose(self, body: dict[str, Any]) -> Record:
        user = self._user(body["openid"])
        grid = self._grid(body["grid_code"])
        quorum = body.get("quorum", 5)  # a grid council of five representatives
        if not 1 <= quorum <= 500:
            raise PlatformError(47001, "quorum must be 1..500")
        topic = Topic(
            f"T{body['grid_code']}{900 + self.book.next_serial() % 100:03d}",
            body["grid_code"],
            user.openid,
            body["title"],
            body["content"],
            self.now(),
            quorum=quorum,
            budget_fen=0,
        )
        grid.topics.append(topic)
        self._wrote()
        return {"topic": r.topic_record(topic)}

    def topic_vote(self, body: dict[str, Any]) -> Record:
        topic = self._topic(body["topic_id"])
        user = self._user(body["openid"])
        if body["choice"] not in CHOICES:
            raise PlatformError(47001, "choice must be agree, disagree or abstain")
        if topic.decided_at is not None:
            raise PlatformError(62002)
        if user.openid in topic.votes:
            raise PlatformError(62003)
        topic.votes[user.openid] = body["choice"]
        self.book.decide(topic, self.now())
        self._wrote()
        return {"topic": r.topic_record(topic)}

    def points_exchange(self, body: dict[str, Any]) -> Record:
        """One exchange per out_trade_no: the same number again answers the first exchange."""
        user = self._user(body["openid"])
        reward = self.book.rewards.get(body["reward_id"])
        if reward is None:
            raise PlatformError(63001)
        earlier = self.book.exchanges.get(body["out_trade_no"])
        if earlier is not None:
            if (earlier.openid, earlier.reward_id) != (user.openid, reward.reward_id):
                raise PlatformError(63004)
            return {
                "exchange": r.exchange_record(earlier),
                "balance": self.book.balance(user.openid)[2],
            }
        if reward.stock <= 0:
            raise PlatformError(63003)
        if self.book.balance(user.openid)[2] < reward.points:
            raise PlatformError(63002)
        exchange = Exchange(
            body["out_trade_no"], user.openid, reward.reward_id, reward.points, self.now()
        )
        self.book.exchanges[exchange.trade_no] = exchange
        reward.stock -= 1
        self._wrote()
        return {
            "exchange": r.exchange_record(exchange),
            "balance": self.book.balance(user.openid)[2],
        }

    # -- figures --------------------------------------------------------------------------
    def stat_get(self, body: dict[str, Any]) -> Record:
        return figures(self.book, body)

    # -- helpers --------------------------------------------------------------------------
    def _activity(self, activity_id: str) -> Any:
        found = self.book.activity(activity_id)
        if found is None:
            raise PlatformError(60001)
        return found

    def _wish(self, wish_id: str) -> Wish:
        found = self.book.wish(wish_id)
        if found is None:
            raise PlatformError(61001)
        return found

    def _topic(self, topic_id: str) -> Topic:
        found = self.book.topic(topic_id)
        if found is None:
            raise PlatformError(62001)
        return found

    def _wrote(self) -> None:
        self.population.writes.version += 1
