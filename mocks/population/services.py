"""Organisations, services, service centres and enrolments, shaped like Open Referral HSDS.

Each street has a Party-and-people service centre (党群服务中心), each community a station
(站) and a few posts (驿站) in its grids, in the "1+1+N" matrix; services are given at them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .geography import Geography
from .residents import Registry
from .vocab import ORGANISATION_KINDS, SERVICE_KINDS


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    kind: str
    community_code: str


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    organisation_id: str
    name: str
    category: str
    description: str
    eligibility: str
    fees: str
    status: str


@dataclass(frozen=True, slots=True)
class ServiceCenter:
    id: str
    name: str
    level: str
    address: str
    longitude: float
    latitude: float
    grid_code: str
    community_code: str
    opening_hours: str


@dataclass(frozen=True, slots=True)
class ServiceAtLocation:
    id: str
    service_id: str
    center_id: str


@dataclass(frozen=True, slots=True)
class Enrolment:
    id: str
    registry_number: str
    service_id: str
    center_id: str
    enrolled_at: datetime
    status: str


class ServiceDirectory:
    def __init__(self, seed: int, registry: Registry, now: datetime) -> None:
        geography: Geography = registry.geography
        self._geography = geography
        rng = random.Random(seed * 31 + 5)
        self.organisations: list[Organisation] = []
        self.services: list[Service] = []
        self.centers: list[ServiceCenter] = []
        self.placements: list[ServiceAtLocation] = []
        self.enrolments: list[Enrolment] = []
        for street in geography.streets:
            first = next(c for c in geography.communities if c.street is street)
            grid = geography.grids[first.grid_ordinals[0]]
            self._add_center(
                street.name + "党群服务中心", "中心", grid.code, first.code, first.road, rng
            )
        for community in geography.communities:
            grids = [geography.grids[o] for o in community.grid_ordinals]
            self._add_center(
                community.name + "党群服务站",
                "站",
                grids[0].code,
                community.code,
                community.road,
                rng,
            )
            for _ in range(rng.randint(1, 3)):
                grid = grids[rng.randrange(len(grids))]
                self._add_center(
                    f"{community.name}{grid.number}号网格驿站",
                    "驿站",
                    grid.code,
                    community.code,
                    community.road,
                    rng,
                )
            for kind, suffix in ORGANISATION_KINDS:
                organisation = Organisation(
                    id=f"ORG{len(self.organisations) + 1:05d}",
                    name=f"{community.name.removesuffix('社区')}{suffix}",
                    kind=kind,
                    community_code=community.code,
                )
                self.organisations.append(organisation)
            social = [
                o
                for o in self.organisations[-len(ORGANISATION_KINDS) :]
                if o.kind in ("社会组织", "志愿服务队")
            ]
            centers = [c for c in self.centers if c.community_code == community.code]
            for _code, name, description, eligibility, fees in SERVICE_KINDS:
                if rng.random() < 0.2:
                    continue
                service = Service(
                    id=f"FW{len(self.services) + 1:05d}",
                    organisation_id=rng.choice(social).id,
                    name=f"{community.name.removesuffix('社区')}{name}",
                    category=name,
                    description=description,
                    eligibility=eligibility,
                    fees=fees,
                    status="active" if rng.random() < 0.95 else "inactive",
                )
                self.services.append(service)
                for center in rng.sample(centers, k=min(len(centers), rng.randint(1, 2))):
                    self.placements.append(
                        ServiceAtLocation(
                            f"SL{len(self.placements) + 1:06d}", service.id, center.id
                        )
                    )
            self._draw_enrolments(rng, registry, community.grid_ordinals, centers, now)

    def _add_center(
        self,
        name: str,
        level: str,
        grid_code: str,
        community_code: str,
        road: str,
        rng: random.Random,
    ) -> None:
        number = len(self.centers) + 1
        box = self._geography.grid_by_code[grid_code].box
        hours = "周一至周日 08:30-17:30" if level != "驿站" else "周一至周五 09:00-17:00"
        self.centers.append(
            ServiceCenter(
                id=f"FWZX{number:04d}",
                name=name,
                level=level,
                address=f"{road}{rng.randint(1, 300)}号",
                longitude=round(rng.uniform(box.west, box.east), 6),
                latitude=round(rng.uniform(box.south, box.north), 6),
                grid_code=grid_code,
                community_code=community_code,
                opening_hours=hours,
            )
        )

    def _draw_enrolments(
        self,
        rng: random.Random,
        registry: Registry,
        grid_ordinals: list[int],
        centers: list[ServiceCenter],
        now: datetime,
    ) -> None:
        center_ids = {center.id for center in centers}
        recent = self.placements[-len(SERVICE_KINDS) * 2 :]
        offered = {p.service_id: p.center_id for p in recent if p.center_id in center_ids}
        if not offered:
            return
        service_ids = sorted(offered)
        for _ in range(registry.preset.enrolments_per_community):
            grid = rng.choice(grid_ordinals)
            index = rng.choice(registry.grid_indices(grid))
            service_id = rng.choice(service_ids)
            self.enrolments.append(
                Enrolment(
                    id=f"BM{len(self.enrolments) + 1:07d}",
                    registry_number=registry.person(index).registry_number,
                    service_id=service_id,
                    center_id=offered[service_id],
                    enrolled_at=now
                    - timedelta(days=rng.randint(1, 360), minutes=rng.randint(0, 1440)),
                    status="在册" if rng.random() < 0.85 else "已退出",
                )
            )
