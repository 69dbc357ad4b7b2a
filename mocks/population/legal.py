"""Legal aid (法律援助) and people's mediation (人民调解): offices, lawyers, workstations,
applications and disputes. Applicants and parties are residents, except a few from elsewhere
whom the civil-affairs registry does not know.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .idcodes import make_id_number, stranger_phone
from .residents import Registry
from .vocab import (
    AID_TYPES,
    DISPUTE_DESCRIPTIONS,
    DISPUTE_TYPES,
    GIVEN_CHARS_MALE,
    LEGAL_CASE_TYPES,
    OTHER_ADDRESS_CODES,
    PLACE_WORDS,
    SURNAMES,
)


@dataclass(frozen=True, slots=True)
class LawOffice:
    id: str
    name: str
    address: str
    phone: str


@dataclass(frozen=True, slots=True)
class Lawyer:
    id: str
    name: str
    office_id: str
    license_no: str
    phone: str
    specialties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Workstation:
    id: str
    name: str
    community_code: str
    address: str
    phone: str
    lawyer_id: str


@dataclass(frozen=True, slots=True)
class Applicant:
    name: str
    male: bool
    phone: str
    id_number: str
    address: str


@dataclass(frozen=True, slots=True)
class Application:
    record_code: str
    applicant: Applicant
    community_code: str
    aid_type: str
    case_type: str
    description: str
    office_id: str
    lawyer_id: str
    status: str
    happened: date
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    id_number: str
    phone: str
    role: str


@dataclass(frozen=True, slots=True)
class Dispute:
    id: str
    kind: str
    community_code: str
    description: str
    parties: tuple[Party, ...]
    mediator: str
    status: str
    outcome: str
    agreement_reached: bool
    created_at: datetime
    closed_at: datetime | None


STATUS_FLOW = (
    ("待审核", 0),
    ("审核通过", 5),
    ("已指派", 18),
    ("已结案", 30),
    ("已归档", 35),
)


class LegalBook:
    def __init__(self, seed: int, registry: Registry, now: datetime) -> None:
        rng = random.Random(seed * 101 + 7)
        geography = registry.geography
        self.registry = registry
        self.offices: list[LawOffice] = []
        self.lawyers: list[Lawyer] = []
        self.workstations: list[Workstation] = []
        self.applications: list[Application] = []
        self.disputes: list[Dispute] = []
        office_count = max(3, len(geography.communities) // 10)
        for number in range(1, office_count + 1):
            word = PLACE_WORDS[(number * 7) % len(PLACE_WORDS)]
            office = LawOffice(
                f"LO{number:04d}",
                f"江苏{word}律师事务所",
                f"{word}路{number * 11}号",
                f"025-8{rng.randrange(10**6, 10**7)}",
            )
            self.offices.append(office)
            for _ in range(rng.randint(4, 8)):
                lawyer_number = len(self.lawyers) + 1
                self.lawyers.append(
                    Lawyer(
                        id=f"LW{lawyer_number:05d}",
                        name=rng.choice(SURNAMES)
                        + rng.choice(GIVEN_CHARS_MALE)
                        + rng.choice(GIVEN_CHARS_MALE),
                        office_id=office.id,
                        license_no=f"1320{rng.randrange(10**12, 10**13)}",
                        phone=stranger_phone(rng.randrange(10**7)),
                        specialties=tuple(
                            rng.sample(["民事", "刑事", "行政", "劳动", "婚姻家庭"], k=2)
                        ),
                    )
                )
        for community in geography.communities:
            lawyer = rng.choice(self.lawyers)
            self.workstations.append(
                Workstation(
                    id=f"WS{len(self.workstations) + 1:04d}",
                    name=f"{community.name}法律援助工作站",
                    community_code=community.code,
                    address=f"{community.name}党群服务站二楼",
                    phone=f"025-5{rng.randrange(10**6, 10**7)}",
                    lawyer_id=lawyer.id,
                )
            )
        residents = registry.size
        for _ in range(residents * registry.preset.legal_aid_per_10k_residents // 10_000):
            self.applications.append(self._draw_application(rng, now))
        for _ in range(residents * registry.preset.disputes_per_10k_residents // 10_000):
            self.disputes.append(self._draw_dispute(rng, now))
        self.applications.sort(key=lambda a: (a.created_at, a.record_code), reverse=True)
        self.disputes.sort(key=lambda d: (d.created_at, d.id), reverse=True)

    def _resident_party(self, index: int) -> Applicant:
        person = self.registry.person(index)
        return Applicant(
            person.name, person.male, person.phone_digits, person.id_number, person.current_address
        )

    def _stranger(self, rng: random.Random, now: datetime) -> Applicant:
        male = rng.random() < 0.5
        birth = now.date() - timedelta(days=rng.randint(20 * 365, 60 * 365))
        id_number = make_id_number(
            rng.choice(OTHER_ADDRESS_CODES), birth, rng.randrange(500, 1000, 2) + male
        )
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_CHARS_MALE)
        return Applicant(
            name,
            male,
            stranger_phone(rng.randrange(10**7)),
            id_number,
            f"{rng.choice(PLACE_WORDS)}路临时住所",
        )

    def _draw_application(self, rng: random.Random, now: datetime) -> Application:
        index = rng.randrange(self.registry.size)
        while self.registry.age(self.registry.identity(index).birth) < 18:
            index = rng.randrange(self.registry.size)
        grid = self.registry.person(index).grid
        applicant = self._resident_party(index) if rng.random() < 0.97 else self._stranger(rng, now)
        created = now - timedelta(days=rng.randint(0, 364), seconds=rng.randint(0, 86_399))
        return self._application(rng, applicant, grid.community.code, created, now)

    def _application(
        self,
        rng: random.Random,
        applicant: Applicant,
        community_code: str,
        created: datetime,
        now: datetime,
    ) -> Application:
        case_type = rng.choices([t for t, _ in LEGAL_CASE_TYPES], [w for _, w in LEGAL_CASE_TYPES])[
            0
        ]
        age_days = (now - created).days
        refused = rng.random() < 0.08
        status = "待审核"
        for name, min_days in STATUS_FLOW:
            if age_days >= min_days:
                status = name
        if refused and age_days >= 5:
            status = "不予援助"
        lawyer = rng.choice(self.lawyers) if status in ("已指派", "已结案", "已归档") else None
        kind = rng.choice([t for t, _ in DISPUTE_TYPES])
        return Application(
            record_code=f"FY{created:%Y}{len(self.applications) + 1:06d}",
            applicant=applicant,
            community_code=community_code,
            aid_type={"刑事": AID_TYPES[0], "行政": AID_TYPES[2]}.get(
                case_type, rng.choice((AID_TYPES[1], AID_TYPES[3], AID_TYPES[4]))
            ),
            case_type=case_type,
            description=DISPUTE_DESCRIPTIONS[kind],
            office_id=lawyer.office_id if lawyer else "",
            lawyer_id=lawyer.id if lawyer else "",
            status=status,
            happened=(created - timedelta(days=rng.randint(3, 200))).date(),
            created_at=created,
            updated_at=min(now, created + timedelta(days=min(age_days, 40))),
        )

    def _draw_dispute(self, rng: random.Random, now: datetime) -> Dispute:
        kind = rng.choices([t for t, _ in DISPUTE_TYPES], [w for _, w in DISPUTE_TYPES])[0]
        grid_ordinal = rng.randrange(len(self.registry.geography.grids))
        residents = self.registry.grid_indices(grid_ordinal)
        first, second = rng.sample(residents, 2)
        parties = []
        for role, index in (("申请人", first), ("被申请人", second)):
            person = self.registry.person(index)
            parties.append(Party(person.name, person.id_number, person.phone_digits, role))
        created = now - timedelta(days=rng.randint(0, 364), seconds=rng.randint(0, 86_399))
        closed = created + timedelta(days=rng.randint(1, 30))
        finished = closed <= now
        agreed = finished and rng.random() < 0.93
        community = self.registry.geography.grids[grid_ordinal].community
        return Dispute(
            id=f"TJ{created:%Y}{len(self.disputes) + 1:06d}",
            kind=kind,
            community_code=community.code,
            description=DISPUTE_DESCRIPTIONS[kind],
            parties=tuple(parties),
            mediator=rng.choice(SURNAMES) + rng.choice(GIVEN_CHARS_MALE) + "(人民调解员)",
            status=("调解成功" if agreed else "调解终止") if finished else "调解中",
            outcome="双方达成调解协议" if agreed else ("未达成协议，引导诉讼" if finished else ""),
            agreement_reached=agreed,
            created_at=created,
            closed_at=closed if finished else None,
        )

    def apply(
        self,
        applicant: Applicant,
        community_code: str,
        aid_type: str,
        case_type: str,
        description: str,
        happened: date,
        now: datetime,
    ) -> Application:
        record = Application(
            record_code=f"FY{now:%Y}{len(self.applications) + 1:06d}",
            applicant=applicant,
            community_code=community_code,
            aid_type=aid_type,
            case_type=case_type,
            description=description,
            office_id="",
            lawyer_id="",
            status="待审核",
            happened=happened,
            created_at=now,
            updated_at=now,
        )
        self.applications.insert(0, record)
        return record
