from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import pytest

from adapters import (
    CaseStatus,
    Grid,
    building_from_civil_affairs,
    communities_from_grids,
    department_from_urban,
    dispute_from_legal,
    enrolment_from_civil_affairs,
    grid_from_urban,
    household_from_civil_affairs,
    law_office_from_legal,
    lawyer_from_legal,
    organisation_from_civil_affairs,
    placement_from_civil_affairs,
    service_center_from_civil_affairs,
    service_from_civil_affairs,
    workstation_from_legal,
)
from connectors.errors import ContractError
from connectors.records import LegalDisputeRecord
from mocks import Population, build_mocks
from tests.adapters.samples import fetch

Adapter = Callable[[Any], Any]


@pytest.fixture(scope="module")
def samples(demo_population: Population) -> dict[str, Any]:
    return asyncio.run(fetch(build_mocks(demo_population)))


ADAPTERS: list[tuple[str, Adapter, str, str]] = [
    # sample set, adapter, legacy id field, domain id attribute
    ("households", household_from_civil_affairs, "hh", "code"),
    ("buildings", building_from_civil_affairs, "ldbm", "code"),
    ("organisations", organisation_from_civil_affairs, "id", "id"),
    ("services", service_from_civil_affairs, "id", "id"),
    ("centers", service_center_from_civil_affairs, "id", "id"),
    ("placements", placement_from_civil_affairs, "service_id", "service_id"),
    ("enrolments", enrolment_from_civil_affairs, "bmid", "id"),
    ("departments", department_from_urban, "BMBM", "code"),
    ("disputes", dispute_from_legal, "dispute_id", "id"),
    ("lawyers", lawyer_from_legal, "lawyer_id", "id"),
    ("offices", law_office_from_legal, "lawyer_office_id", "id"),
    ("workstations", workstation_from_legal, "workstation_id", "id"),
]


@pytest.mark.parametrize(
    ("kind", "adapter", "legacy_id", "domain_id"), ADAPTERS, ids=[a[0] for a in ADAPTERS]
)
def test_every_sampled_record_maps_and_keeps_its_identifier(
    samples: dict[str, Any], kind: str, adapter: Adapter, legacy_id: str, domain_id: str
) -> None:
    records = samples[kind]
    assert records, kind
    for record in records:
        assert getattr(adapter(record), domain_id) == record[legacy_id]


BAD: list[tuple[str, Adapter, dict[str, Any], str]] = [
    ("households", household_from_civil_affairs, {"rks": "3"}, "rks"),
    ("households", household_from_civil_affairs, {"cyrkbh": "RK1,RK2"}, "cyrkbh"),
    ("buildings", building_from_civil_affairs, {"cs": True}, "cs"),
    ("buildings", building_from_civil_affairs, {"ldbm": ""}, "ldbm"),
    ("services", service_from_civil_affairs, {"status": "停用"}, "status"),
    ("centers", service_center_from_civil_affairs, {"latitude": "32.1"}, "latitude"),
    ("enrolments", enrolment_from_civil_affairs, {"bmsj": "2026-01-01"}, "bmsj"),
    ("enrolments", enrolment_from_civil_affairs, {"zt": "暂停服务中"}, "zt"),
    ("departments", department_from_urban, {"BMMC": None}, "BMMC"),
    ("disputes", dispute_from_legal, {"status": "已完成"}, "status"),
    ("disputes", dispute_from_legal, {"agreement_reached": "yes"}, "agreement_reached"),
    ("disputes", dispute_from_legal, {"parties": [{"name": "x"}]}, "role"),
    ("disputes", dispute_from_legal, {"created_at": "2026-11-01 10:00"}, "created_at"),
    ("lawyers", lawyer_from_legal, {"specialties": "民事"}, "specialties"),
    ("workstations", workstation_from_legal, {"case_area_id": 320213001001}, "case_area_id"),
]


@pytest.mark.parametrize(
    ("kind", "adapter", "change", "field"), BAD, ids=[f"{b[0]}-{b[3]}" for b in BAD]
)
def test_bad_records_raise_contract_errors_naming_the_field(
    samples: dict[str, Any], kind: str, adapter: Adapter, change: dict[str, Any], field: str
) -> None:
    record = {**samples[kind][0], **change}
    with pytest.raises(ContractError) as raised:
        adapter(record)
    assert raised.value.field == field
    for value in change.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in str(raised.value)


def test_dispute_parties_keep_valid_id_numbers_only(samples: dict[str, Any]) -> None:
    record = samples["disputes"][0]
    dispute = dispute_from_legal(record)
    assert [p.id_number for p in dispute.parties] == [p["identity_no"] for p in record["parties"]]
    broken = {**record, "parties": [{**record["parties"][0], "identity_no": "110105194912310021"}]}
    assert dispute_from_legal(cast(LegalDisputeRecord, broken)).parties[0].id_number is None


def test_dispute_status_maps_to_the_unified_status(samples: dict[str, Any]) -> None:
    statuses = {
        dispute_from_legal(r).status_label: dispute_from_legal(r).status
        for r in samples["disputes"]
    }
    assert statuses["调解成功"] is CaseStatus.CLOSED
    assert statuses["调解中"] is CaseStatus.IN_PROGRESS
    for record in samples["disputes"]:
        dispute = dispute_from_legal(record)
        assert dispute.created_at.utcoffset() == timedelta(hours=8)
        assert (dispute.closed_at is None) == (dispute.status is CaseStatus.IN_PROGRESS)


def test_communities_come_from_the_grids_once_each(samples: dict[str, Any]) -> None:
    grids: list[Grid] = [grid_from_urban(r) for r in samples["grids"]]
    communities = communities_from_grids(grids)
    assert [c.code for c in communities] == sorted({g.community_code for g in grids})
    assert all(c.name.endswith("社区") and c.street_code == c.code[:9] for c in communities)


def test_enrolment_times_are_beijing_and_status_is_kept(samples: dict[str, Any]) -> None:
    for record in samples["enrolments"]:
        enrolment = enrolment_from_civil_affairs(record)
        assert enrolment.enrolled_at.utcoffset() == timedelta(hours=8)
        assert enrolment.active is (record["zt"] == "在册")
