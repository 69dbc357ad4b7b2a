"""One synthetic population shared by the three mock systems, and the writes made to it.

Generated data is fixed by the seed, the preset and the `as_of` moment its history ends at.
Writes (reported cases, ratings, enrolments, legal-aid applications) are kept beside it for the
life of the process and show in later reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from .case_flow import CaseFlow, Step
from .cases import BEIJING, CaseBook, GridWorker, Reporter, UrbanCase, case_number
from .engagement_book import EngagementBook
from .geography import Geography, Grid
from .legal import Applicant, Application, LegalBook
from .presets import PRESETS, Preset
from .residents import Person, Registry
from .services import Enrolment, ServiceDirectory
from .vocab import EventClass

Clock = Callable[[], datetime]


def _filed(case: UrbanCase) -> datetime:
    return case.filed


def beijing_now() -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0)


@dataclass(slots=True)
class Writes:
    cases_by_grid: dict[int, list[UrbanCase]] = field(default_factory=dict)
    cases_by_number: dict[str, UrbanCase] = field(default_factory=dict)
    ratings: dict[str, str] = field(default_factory=dict)
    flows: dict[str, CaseFlow] = field(default_factory=dict)
    version: int = 0  # bumped by every write


class Population:
    def __init__(
        self,
        seed: int = 1,
        preset: str | Preset = "demo",
        as_of: datetime | None = None,
        clock: Clock = beijing_now,
    ) -> None:
        self.seed = seed
        self.preset = PRESETS[preset] if isinstance(preset, str) else preset
        self.as_of = (as_of or clock()).astimezone(BEIJING)
        self.clock = clock
        self.geography = Geography(seed, self.preset)
        self.registry = Registry(seed, self.preset, self.geography, self.as_of.date())
        self.cases = CaseBook(seed, self.registry, self.as_of)
        self.services = ServiceDirectory(seed, self.registry, self.as_of)
        self.legal = LegalBook(seed, self.registry, self.as_of)
        history = timedelta(days=self.preset.case_days)
        self.engagement = EngagementBook(seed, self.registry, self.as_of - history, self.as_of)
        self.writes = Writes()
        self._running_counts: dict[int, list[int]] = {}
        self.skipped = timedelta(0)

    def now(self) -> datetime:
        """Reads judge case status at the later of the history's end and the clock (moved on
        by `advance`, so a test can let a deadline pass without waiting for it)."""
        return max(self.as_of, self.clock().astimezone(BEIJING)) + self.skipped

    def advance(self, seconds: float) -> None:
        self.skipped += timedelta(seconds=seconds)

    # -- people -------------------------------------------------------------------------
    def person(self, index: int) -> Person:
        return self.registry.person(index)

    def workers(self, grid: Grid) -> list[GridWorker]:
        return self.cases.workers(self.top_grid(grid).ordinal)

    def top_grid(self, grid: Grid) -> Grid:
        if grid.parent_code is None:
            return grid
        return self.geography.grid_by_code[grid.parent_code]

    # -- urban cases --------------------------------------------------------------------
    def case(self, number: str) -> UrbanCase | None:
        case = self.writes.cases_by_number.get(number) or self.cases.get(number)
        return None if case is None else self._current(case)

    def _reported(self, grid_ordinal: int, start: datetime, end: datetime) -> list[UrbanCase]:
        reported = self.writes.cases_by_grid.get(grid_ordinal, [])
        found = (self._current(c) for c in reported if start <= c.filed < end)
        return sorted(found, key=_filed, reverse=True)

    def _days(self, start: datetime, end: datetime) -> Iterator[date]:
        """The history's days that [start, end) touches, newest first."""
        day = min(end.astimezone(BEIJING).date(), self.cases.last_day)
        first = max(start.astimezone(BEIJING).date(), self.cases.first_day)
        while day >= first:
            yield day
            day -= timedelta(days=1)

    def _day_cases(
        self, grid_ordinal: int, day: date, start: datetime, end: datetime
    ) -> list[UrbanCase]:
        bucket = (c for c in self.cases.cases_of(grid_ordinal, day) if start <= c.filed < end)
        return [self._current(c) for c in sorted(bucket, key=_filed, reverse=True)]

    def cases_of_grid(
        self, grid_ordinal: int, start: datetime, end: datetime
    ) -> Iterator[UrbanCase]:
        """Cases filed in [start, end), newest first, reported ones included."""
        yield from self._reported(grid_ordinal, start, end)
        for day in self._days(start, end):
            yield from self._day_cases(grid_ordinal, day, start, end)

    def grid_case_page(
        self, grid_ordinal: int, start: datetime, end: datetime, offset: int, size: int
    ) -> tuple[int, list[UrbanCase]]:
        """One page of a grid's cases filed in [start, end), newest first, and the total.

        Whole days inside the range are counted without drawing their cases, so a first page
        over a year's history draws a few dozen cases, not thousands.
        """
        reported = self._reported(grid_ordinal, start, end)
        page = reported[offset : offset + size]
        total = len(reported)
        first = max(start.astimezone(BEIJING).date(), self.cases.first_day)
        for day in self._days(start, end):
            day_start = datetime(day.year, day.month, day.day, tzinfo=BEIJING)
            whole = start <= day_start and day_start + timedelta(days=1) <= end
            complete = whole and day < self.cases.last_day
            if complete and total >= offset + size:
                # The page is full: older days only add to the total, all whole but the oldest.
                oldest_start = datetime(first.year, first.month, first.day, tzinfo=BEIJING)
                if start <= oldest_start:
                    return total + self._count_days(grid_ordinal, first, day), page
                older = self._count_days(grid_ordinal, first + timedelta(days=1), day)
                return total + older + len(self._day_cases(grid_ordinal, first, start, end)), page
            count = self.cases.count(grid_ordinal, day)
            if complete and not (total < offset + size and total + count > offset):
                total += count
                continue
            for case in self._day_cases(grid_ordinal, day, start, end):
                if offset <= total < offset + size:
                    page.append(case)
                total += 1
        return total, page

    def _count_days(self, grid_ordinal: int, oldest: date, newest: date) -> int:
        """Cases a grid had over whole days [oldest, newest], from running totals kept per grid."""
        if newest < oldest:
            return 0
        running = self._running_counts.get(grid_ordinal)
        if running is None:
            running = [0]
            day = self.cases.first_day
            while day <= self.cases.last_day:
                running.append(running[-1] + self.cases.count(grid_ordinal, day))
                day += timedelta(days=1)
            self._running_counts[grid_ordinal] = running
        base = self.cases.first_day
        return running[(newest - base).days + 1] - running[(oldest - base).days]

    def _current(self, case: UrbanCase) -> UrbanCase:
        """The case as drawn, with what has been written to it since: its rating and, once
        anyone acted on it, its workflow."""
        rating = self.writes.ratings.get(case.number)
        if rating:
            case = replace(case, satisfaction=rating)
        flow = self.writes.flows.get(case.number)
        if flow is None:
            return case
        return replace(
            case,
            dispatched=flow.dispatched,
            deadline=flow.deadline,
            handled=flow.handled,
            closed=flow.closed,
            voided=flow.stage == "作废",
            dispatch_count=flow.dispatch_count,
            flow=flow,
        )

    def history_start(self) -> datetime:
        first = self.cases.first_day
        return datetime(first.year, first.month, first.day, tzinfo=BEIJING)

    def report_case(
        self,
        grid: Grid,
        event: EventClass,
        source: str,
        description: str,
        address: str,
        x: float,
        y: float,
        reporter: Reporter | None,
    ) -> UrbanCase:
        top = self.top_grid(grid)
        now = self.now()
        reported = self.writes.cases_by_grid.setdefault(top.ordinal, [])
        serial = 500 + sum(1 for c in reported if c.filed.date() == now.date())
        case = UrbanCase(
            number=case_number(now.date(), top.ordinal, serial),
            grid=top,
            event=event,
            source=source,
            description=description,
            address=address,
            x=x,
            y=y,
            filed=now,
            dispatched=None,
            deadline=None,
            signed=None,
            handled=None,
            closed=None,
            voided=False,
            dispatch_count=0,
            satisfaction="",
            reporter=reporter,
        )
        self.writes.flows[case.number] = CaseFlow(
            stage="待受理",
            department=event.department,
            dispatched=None,
            deadline=None,
            handled=None,
            closed=None,
            dispatch_count=0,
            history=[Step("上报", now, "", source)],
            modified=now,
        )
        reported.append(case)
        self.writes.cases_by_number[case.number] = case
        self.writes.version += 1
        return case

    def rate_case(self, number: str, satisfaction: str) -> None:
        self.writes.ratings[number] = satisfaction
        self.writes.version += 1

    # -- services and legal aid -------------------------------------------------------
    def enrol(self, registry_number: str, service_id: str, center_id: str) -> Enrolment:
        enrolment = Enrolment(
            id=f"BM{len(self.services.enrolments) + 1:07d}",
            registry_number=registry_number,
            service_id=service_id,
            center_id=center_id,
            enrolled_at=self.now(),
            status="在册",
        )
        self.services.enrolments.append(enrolment)
        return enrolment

    def apply_legal_aid(
        self,
        applicant: Applicant,
        community_code: str,
        aid_type: str,
        case_type: str,
        description: str,
        happened: date,
    ) -> Application:
        return self.legal.apply(
            applicant, community_code, aid_type, case_type, description, happened, self.now()
        )
