"""Urban-management cases (事件), drawn per grid and day, with their whole workflow timeline.

A case number (AJBH) is the filing date, the grid's ordinal and the case's number that day,
so any case can be drawn alone from its number. Timing is set so that the figures leaders watch
come out where the seeds report them: about 3-4 days to close, a few percent overdue, and
90-98% of rated cases 满意.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from .case_flow import CaseFlow
from .descriptions import describe
from .geography import Grid
from .idcodes import stranger_phone
from .residents import Registry
from .vocab import CASE_SOURCES, EVENT_CLASSES, SURNAMES, EventClass

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
GENERATED_CASE_LIMIT = 499  # case numbers from 500 on are reported through the API
SOURCE_NAMES = [name for name, _ in CASE_SOURCES]
SOURCE_WEIGHTS = [weight for _, weight in CASE_SOURCES]
CLASS_WEIGHTS = [event.weight for event in EVENT_CLASSES]
RATED_SOURCES = frozenset({"12345热线", "公众举报/小程序"})


@dataclass(frozen=True, slots=True)
class Reporter:
    name: str
    phone: str
    id_number: str


@dataclass(frozen=True, slots=True)
class UrbanCase:
    number: str
    grid: Grid
    event: EventClass
    source: str
    description: str
    address: str
    x: float
    y: float
    filed: datetime
    dispatched: datetime | None
    deadline: datetime | None
    signed: datetime | None  # the department signed for it (签收): 派遣 → 处置
    handled: datetime | None
    closed: datetime | None
    voided: bool
    dispatch_count: int
    satisfaction: str
    reporter: Reporter | None
    flow: CaseFlow | None = None  # set once anyone acts on the case through the workflow

    @property
    def department(self) -> str:
        return self.event.department if self.flow is None else self.flow.department

    def status(self, now: datetime) -> str:
        if self.flow is not None:
            return self.flow.stage
        if self.voided:
            return "作废" if self.closed is not None and self.closed <= now else "受理"
        if self.closed is not None and self.closed <= now:
            return "结案"
        if self.handled is not None and self.handled <= now:
            return "核查"
        if self.signed is not None and self.signed <= now:
            return "处置"
        if self.dispatched is not None and self.dispatched <= now:
            return "派遣"
        if self.filed + timedelta(minutes=10) <= now:
            return "立案"
        return "受理"

    def is_overdue(self, now: datetime) -> bool:
        if self.voided or self.deadline is None:
            return False
        # The deadline (处置时限) is the department's, for handling: verification comes after.
        finished = self.handled if self.handled is not None and self.handled <= now else now
        return finished > self.deadline

    def rating(self, now: datetime) -> str:
        return self.satisfaction if self.status(now) == "结案" else ""


def case_number(day: date, grid_ordinal: int, serial: int) -> str:
    return f"{day:%Y%m%d}{grid_ordinal:05d}{serial:03d}"


def parse_case_number(value: str) -> tuple[date, int, int] | None:
    if len(value) != 16 or not value.isdigit():
        return None
    try:
        day = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None
    return day, int(value[8:13]), int(value[13:])


class CaseBook:
    """Every generated case of the preset's history, drawn on demand."""

    def __init__(self, seed: int, registry: Registry, now: datetime) -> None:
        self.seed = seed
        self.registry = registry
        self.now = now
        self.last_day = now.date()
        self.first_day = self.last_day - timedelta(days=registry.preset.case_days - 1)
        self._bucket = lru_cache(maxsize=4096)(self._draw_bucket)
        self._counts = lru_cache(maxsize=200_000)(self._draw_count)
        self._workers: dict[int, list[GridWorker]] = {}

    def _rng(self, grid_ordinal: int, day: date, serial: int) -> random.Random:
        key = (day.toordinal() << 20) ^ (grid_ordinal << 9) ^ serial
        return random.Random((self.seed << 48) ^ key ^ 0xCA5E)

    def count(self, grid_ordinal: int, day: date) -> int:
        """How many cases a grid had on a day (drawn once, then remembered)."""
        return self._counts(grid_ordinal, day)

    def _draw_count(self, grid_ordinal: int, day: date) -> int:
        if not self.first_day <= day <= self.last_day:
            return 0
        grid = self.registry.geography.grids[grid_ordinal]
        share = grid.community.daily_case_rate / len(grid.community.grid_ordinals)
        weekday_factor = 0.8 if day.weekday() >= 5 else 1.08
        rng = self._rng(grid_ordinal, day, 999)
        return min(GENERATED_CASE_LIMIT, round(share * weekday_factor * rng.uniform(0.6, 1.4)))

    def cases_of(self, grid_ordinal: int, day: date) -> list[UrbanCase]:
        return self._bucket(grid_ordinal, day)

    def _draw_bucket(self, grid_ordinal: int, day: date) -> list[UrbanCase]:
        drawn = (self.draw(grid_ordinal, day, s) for s in range(self.count(grid_ordinal, day)))
        return [case for case in drawn if case.filed <= self.now]

    def get(self, number: str) -> UrbanCase | None:
        parsed = parse_case_number(number)
        if parsed is None:
            return None
        day, grid_ordinal, serial = parsed
        if grid_ordinal >= len(self.registry.geography.grids):
            return None
        if serial >= self.count(grid_ordinal, day):
            return None
        case = self.draw(grid_ordinal, day, serial)
        return case if case.filed <= self.now else None

    def draw(self, grid_ordinal: int, day: date, serial: int) -> UrbanCase:
        rng = self._rng(grid_ordinal, day, serial)
        grid = self.registry.geography.grids[grid_ordinal]
        event = rng.choices(EVENT_CLASSES, CLASS_WEIGHTS)[0]
        source = rng.choices(SOURCE_NAMES, SOURCE_WEIGHTS)[0]
        hour = rng.choices(
            range(24), [1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 8, 7, 8, 9, 9, 8, 8, 7, 6, 5, 4, 2, 1]
        )[0]
        filed = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=BEIJING
        )
        voided = rng.random() < 0.02
        registry = self.registry
        residents = registry.grid_indices(grid_ordinal)
        reporter = self._draw_reporter(
            rng, source, residents.start + rng.randrange(len(residents)), grid_ordinal
        )
        layout = registry.layout(grid_ordinal)
        building = layout.buildings[rng.randrange(len(layout.buildings))]
        address = f"{grid.community.road}{building.road_number}号{building.number}幢附近"
        x = rng.uniform(grid.box.west, grid.box.east)
        y = rng.uniform(grid.box.south, grid.box.north)
        dispatched = deadline = signed = handled = closed = None
        dispatch_count = 0
        if voided:
            closed = filed + timedelta(minutes=rng.randint(20, 600))
        else:
            # 立案 waits for the dispatcher (minutes for urgent cases, hours at night), 派遣
            # for the department to sign for it, 核查 for a grid worker to go and look: each
            # stage holds a share of the open cases, as on a dispatcher's board.
            hours = rng.uniform(0.02, 0.15) if event.urgent else rng.triangular(0.25, 10, 1)
            dispatched = filed + timedelta(hours=hours)
            deadline = dispatched + timedelta(hours=event.limit_hours)
            dispatch_count = 1 + (rng.random() < 0.08) + (rng.random() < 0.01)
            share = (
                rng.uniform(1.02, 1.6) if rng.random() < 0.03 else rng.triangular(0.08, 0.95, 0.6)
            )
            handled = dispatched + timedelta(hours=event.limit_hours * share)
            sign_hours = rng.uniform(0.05, 0.3) if event.urgent else rng.triangular(0.1, 8, 1)
            signed = min(dispatched + timedelta(hours=sign_hours), handled)
            closed = handled + timedelta(hours=rng.triangular(0.3, 30, 3))
        satisfaction = ""
        # Only the public rate a case (12345 and the mini program): nobody asks a patrol.
        if reporter is not None and source in RATED_SOURCES and not voided and rng.random() < 0.8:
            roll = rng.random()
            satisfaction = "满意" if roll < 0.945 else ("基本满意" if roll < 0.985 else "不满意")
        # Drawn last, so every other field of a case stays what it was drawn as before.
        description = describe(rng, event, address)
        number = case_number(day, grid_ordinal, serial)
        if source == "12345热线" and reporter is not None and serial % 8 == 3:
            # As hotline operators write it down: the caller's number, for the call back. Chosen
            # by the serial, not drawn, so that no later draw moves.
            description += f"，来电人要求回电{reporter.phone}"
        return UrbanCase(
            number=number,
            grid=grid,
            event=event,
            source=source,
            description=description,
            address=address,
            x=round(x, 6),
            y=round(y, 6),
            filed=filed,
            dispatched=dispatched,
            deadline=deadline,
            signed=signed,
            handled=handled,
            closed=closed,
            voided=voided,
            dispatch_count=dispatch_count,
            satisfaction=satisfaction,
            reporter=reporter,
        )

    def _draw_reporter(
        self, rng: random.Random, source: str, resident_index: int, grid_ordinal: int
    ) -> Reporter | None:
        if source in ("视频", "上级交办"):
            return None
        if source == "监督员上报":
            worker = rng.choice(self.workers(grid_ordinal))
            return Reporter(worker.name, worker.phone, "")
        is_resident = rng.random() < (0.9 if source == "公众举报/小程序" else 0.6)
        person = self.registry.person(resident_index)
        if is_resident and person.phone:
            gives_id = rng.random() < (0.7 if source == "公众举报/小程序" else 0.3)
            return Reporter(person.name, person.phone_digits, person.id_number if gives_id else "")
        name = SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(("先生", "女士"))
        return Reporter(name, stranger_phone(rng.randrange(10**7)), "")

    def workers(self, grid_ordinal: int) -> list[GridWorker]:
        """The grid's leader and workers, drawn once per grid."""
        workers = self._workers.get(grid_ordinal)
        if workers is None:
            workers = self._workers[grid_ordinal] = grid_workers(self.registry, grid_ordinal)
        return workers


@dataclass(frozen=True, slots=True)
class GridWorker:
    code: str
    name: str
    phone: str
    role: str
    full_time: bool
    resident_index: int


WORKER_ROLES = (
    ("网格长", True),
    ("专职网格员", True),
    ("兼职网格员(楼栋长)", False),
    ("兼职网格员(快递员)", False),
    ("兼职网格员(外卖骑手)", False),
)


def grid_workers(registry: Registry, grid_ordinal: int) -> list[GridWorker]:
    """The grid's leader and workers; each is one of the grid's own adult residents."""
    grid = registry.geography.grids[grid_ordinal]
    rng = random.Random((registry.seed << 20) ^ grid_ordinal ^ 0x3A3A)
    residents = registry.grid_indices(grid_ordinal)
    workers = []
    count = rng.randint(3, len(WORKER_ROLES))
    chosen: set[int] = set()
    for number, (role, full_time) in enumerate(WORKER_ROLES[:count], start=1):
        for _ in range(50):
            index = residents.start + rng.randrange(len(residents))
            person = registry.person(index)
            if index not in chosen and 22 <= registry.age(person.birth) <= 60 and person.phone:
                break
        chosen.add(index)
        workers.append(
            GridWorker(
                f"{grid.code}{number:02d}", person.name, person.phone_digits, role, full_time, index
            )
        )
    return workers
