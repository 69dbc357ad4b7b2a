"""Civil-affairs records as the provincial gateway returns them (pinyin field names, strings)."""

from __future__ import annotations

from typing import Any

from ..population import Population
from ..population.households import Building, Household
from ..population.residents import Person
from ..population.services import Enrolment, Organisation, Service, ServiceAtLocation, ServiceCenter

Record = dict[str, Any]


def person_record(person: Person) -> Record:
    return {
        "rkbh": person.registry_number,
        "xm": person.name,
        "sfzh": person.id_number,
        # Old entries sometimes lack the sex code; the ID number still carries it.
        "xb": ("1" if person.male else "2") if person.sex_recorded else "",
        "csrq": f"{person.birth:%Y%m%d}",
        "lxdh": person.phone,
        "hjdz": person.registered_address,
        "xzz": person.current_address,
        "hh": person.household.code,
        "yhzgx": person.relation,
        "ldbm": person.building_code,
        "wgbm": person.grid.code,
        "rylx": ",".join(person.tags),
        "dbzh": person.low_income_certificate,
        "cjzh": person.disability_certificate,
        "mz": "汉族",
    }


def household_record(population: Population, grid_ordinal: int, household: Household) -> Record:
    members = population.registry.household_indices(grid_ordinal, household)
    head = population.person(members[0])
    return {
        "hh": household.code,
        "hzxm": head.name,
        "hzrkbh": head.registry_number,
        "ldbm": household.building.code,
        "wgbm": head.grid.code,
        "dz": head.current_address,
        "rks": len(members),
        "cyrkbh": [population.person(i).registry_number for i in members],
    }


def building_record(population: Population, grid_ordinal: int, building: Building) -> Record:
    grid = population.geography.grids[grid_ordinal]
    leader = next(
        (w for w in population.workers(grid) if "楼栋长" in w.role),
        None,
    )
    return {
        "ldbm": building.code,
        "ldmc": f"{grid.community.road}{building.road_number}号{building.number}幢",
        "wgbm": grid.code,
        "wwgbm": building.micro_grid_code,
        "sqbm": grid.community.code,
        "cs": building.floors,
        "hs": building.household_count,
        "ldzxm": leader.name if leader else "",
        "ldzdh": leader.phone if leader else "",
    }


def organisation_record(org: Organisation) -> Record:
    return {"id": org.id, "name": org.name, "type": org.kind, "community_code": org.community_code}


def service_record(service: Service) -> Record:
    return {
        "id": service.id,
        "organization_id": service.organisation_id,
        "name": service.name,
        "category": service.category,
        "description": service.description,
        "eligibility_description": service.eligibility,
        "fees_description": service.fees,
        "status": service.status,
    }


def center_record(center: ServiceCenter) -> Record:
    return {
        "id": center.id,
        "name": center.name,
        "level": center.level,
        "address": center.address,
        "latitude": center.latitude,
        "longitude": center.longitude,
        "wgbm": center.grid_code,
        "sqbm": center.community_code,
        "opening_hours": center.opening_hours,
    }


def placement_record(placement: ServiceAtLocation) -> Record:
    return {
        "id": placement.id,
        "service_id": placement.service_id,
        "location_id": placement.center_id,
    }


def enrolment_record(enrolment: Enrolment) -> Record:
    return {
        "bmid": enrolment.id,
        "rkbh": enrolment.registry_number,
        "service_id": enrolment.service_id,
        "location_id": enrolment.center_id,
        "bmsj": f"{enrolment.enrolled_at:%Y%m%d%H%M%S}",
        "zt": enrolment.status,
    }
