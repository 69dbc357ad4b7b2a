"""The engagement platform's records, held: each grid's drawn on first use, look-ups by openid,
phone and id, the points ledger (earned by check-ins, spent on rewards), and a topic decided
once its votes reach the quorum (a passed topic with a budget becomes a 民生微实事 project)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from .engagement import (
    REWARDS,
    Activity,
    EngagementDraw,
    GridEngagement,
    PlatformUser,
    Project,
    Topic,
    Wish,
    grid_of_openid,
    grid_of_rider_phone,
)
from .geography import Geography
from .residents import Registry


@dataclass(slots=True)
class Reward:
    reward_id: str
    name: str
    points: int
    stock: int


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    openid: str
    at: datetime
    delta: int
    reason: str  # checkin | exchange | carried
    ref: str  # activity id or exchange's trade number


@dataclass(frozen=True, slots=True)
class Exchange:
    trade_no: str
    openid: str
    reward_id: str
    points: int
    at: datetime


class EngagementBook:
    def __init__(self, seed: int, registry: Registry, first: datetime, last: datetime) -> None:
        self.registry = registry
        self.geography: Geography = registry.geography
        self.draw = EngagementDraw(seed, registry, first, last)
        self._grids: dict[int, GridEngagement] = {}
        self.rewards = {r[0]: Reward(*r) for r in REWARDS}
        self.exchanges: dict[str, Exchange] = {}  # by trade number: one exchange each
        self.projects: dict[str, Project] = {}
        self.serial = 0

    def grid(self, ordinal: int) -> GridEngagement:
        found = self._grids.get(ordinal)
        if found is None:
            found = self.draw.grid(self.geography.grids[ordinal])
            self._grids[ordinal] = found
            for topic in found.topics:
                self.decide(topic, topic.proposed_at + timedelta(days=14))
        return found

    def grid_by_code(self, code: str) -> GridEngagement | None:
        grid = self.geography.grid_by_code.get(code)
        if grid is None or grid.parent_code is not None:
            return None
        return self.grid(grid.ordinal)

    def top_grids(self) -> list[int]:
        return [g.ordinal for g in self.geography.grids if g.parent_code is None]

    # -- people ---------------------------------------------------------------------------
    def user(self, openid: str) -> PlatformUser | None:
        ordinal = grid_of_openid(openid)
        if ordinal is None or ordinal >= len(self.geography.grids):
            return None
        if self.geography.grids[ordinal].parent_code is not None:
            return None
        return next((u for u in self.grid(ordinal).users if u.openid == openid), None)

    def users_of_phone(self, phone: str) -> list[PlatformUser]:
        ordinals = {
            self.registry.person(i).grid.ordinal for i in self.registry.indices_of_phone(phone)
        }
        rider = grid_of_rider_phone(phone)
        if rider is not None and rider < len(self.geography.grids):
            ordinals.add(rider)
        return [
            u
            for o in sorted(ordinals)
            if self.geography.grids[o].parent_code is None
            for u in self.grid(o).users
            if u.phone == phone
        ]

    # -- records by id --------------------------------------------------------------------
    def _grid_of_id(self, record_id: str) -> GridEngagement | None:
        return self.grid_by_code(record_id[1:16]) if len(record_id) > 16 else None

    def activity(self, activity_id: str) -> Activity | None:
        grid = self._grid_of_id(activity_id)
        return (
            next((a for a in grid.activities if a.activity_id == activity_id), None)
            if grid
            else None
        )

    def wish(self, wish_id: str) -> Wish | None:
        grid = self._grid_of_id(wish_id)
        return next((w for w in grid.wishes if w.wish_id == wish_id), None) if grid else None

    def topic(self, topic_id: str) -> Topic | None:
        grid = self._grid_of_id(topic_id)
        return next((t for t in grid.topics if t.topic_id == topic_id), None) if grid else None

    def projects_of(self, community_code: str) -> list[Project]:
        community = self.geography.community_by_code.get(community_code)
        if community is None:
            return []
        for ordinal in community.grid_ordinals:
            if self.geography.grids[ordinal].parent_code is None:
                self.grid(ordinal)  # draws its topics, and so their projects
        found = [p for p in self.projects.values() if p.community_code == community_code]
        return sorted(found, key=lambda p: p.approved_at, reverse=True)

    # -- points ---------------------------------------------------------------------------
    def ledger(self, openid: str) -> list[LedgerEntry]:
        user = self.user(openid)
        if user is None:
            return []
        entries = [
            LedgerEntry(openid, s.checked_in_at, a.points, "checkin", a.activity_id)
            for a in self.grid(self.geography.grid_by_code[user.grid_code].ordinal).activities
            for s in a.signups.values()
            if s.openid == openid and s.checked_in_at is not None
        ]
        if user.team:  # points carried over from before the history began (the app is older)
            carried = int(hashlib.sha256(openid.encode()).hexdigest()[:4], 16) % 300
            entries.append(LedgerEntry(openid, self.draw.first, carried, "carried", "opening"))
        entries += [
            LedgerEntry(openid, e.at, -e.points, "exchange", e.trade_no)
            for e in self.exchanges.values()
            if e.openid == openid
        ]
        return sorted(entries, key=lambda e: e.at, reverse=True)

    def balance(self, openid: str) -> tuple[int, int, int]:
        """(earned, spent, balance)."""
        entries = self.ledger(openid)
        earned = sum(e.delta for e in entries if e.delta > 0)
        spent = -sum(e.delta for e in entries if e.delta < 0)
        return earned, spent, earned - spent

    # -- deliberation ---------------------------------------------------------------------
    def decide(self, topic: Topic, at: datetime) -> None:
        if topic.decided_at is not None or len(topic.votes) < topic.quorum:
            return
        agree = sum(1 for v in topic.votes.values() if v == "agree")
        topic.decided_at = at
        topic.outcome = "passed" if agree * 2 > len(topic.votes) else "rejected"
        if topic.outcome == "passed" and topic.budget_fen:
            grid = self.geography.grid_by_code[topic.grid_code]
            topic.project_id = f"P{topic.topic_id[1:]}"
            self.projects[topic.project_id] = Project(
                topic.project_id,
                grid.community.code,
                topic.topic_id,
                topic.title,
                topic.budget_fen,
                "completed" if (self.draw.last - at).days > 60 else "underway",
                at,
            )

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial
