from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any, cast

import pytest

from adapters import (
    CaseStatus,
    MatchMethod,
    Sex,
    grid_from_urban,
    legal_aid_case_from_legal,
    match_identity,
    resident_from_civil_affairs,
    urban_case_from_urban,
)
from adapters.normalise import (
    BEIJING,
    beijing_time,
    id_number_is_valid,
    legacy_date,
    normalise_phone,
)
from connectors.errors import ContractError
from connectors.records import LegalApplicationRecord, UrbanCaseRecord, UrbanGridRecord
from mocks import Population, build_mocks
from tests.adapters.samples import fetch
from tests.conftest import AS_OF

TODAY = AS_OF.date()


@pytest.fixture(scope="module")
def samples(demo_population: Population) -> dict[str, Any]:
    return asyncio.run(fetch(build_mocks(demo_population)))


def test_every_sampled_resident_maps(samples: dict[str, Any], demo_population: Population) -> None:
    for record in samples["residents"]:
        resident = resident_from_civil_affairs(record, TODAY)
        assert resident.registry_number == record["rkbh"]
        assert resident.sex is (Sex.MALE if int(record["sfzh"][16]) % 2 else Sex.FEMALE)
        assert 0 <= resident.age <= 110
        assert resident.phone is None or len(resident.phone) == 11


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("", None),
        ("025-8888888", None),
        ("12812345678", None),
    ],
)
def test_phones_are_normalised(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20261101083005", datetime(2026, 11, 1, 8, 30, 5, tzinfo=BEIJING)),
        ("20240229235959", datetime(2024, 2, 29, 23, 59, 59, tzinfo=BEIJING)),
        ("", None),
    ],
)
def test_legacy_times_are_beijing_time(raw: str, expected: datetime | None) -> None:
    assert beijing_time(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2026110108300",
        "202611010830051",
        "20261301083005",
        "20230229120000",
        "2026-11-01 08:30",
        "２０２６１１０１０８３００５",
    ],
)
def test_malformed_legacy_times_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="yyyyMMddHHmmss"):
        beijing_time(raw)


def test_legacy_dates_are_read_and_checked() -> None:
    assert legacy_date("19491231") == date(1949, 12, 31)
    for raw in ("1949123", "19491331", "19490230", "1949-12-31", ""):
        with pytest.raises(ValueError, match="yyyyMMdd"):
            legacy_date(raw)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("440524188001010014", True),
        ("110105194913310020", False),
        ("11010519491231002Y", False),
    ],
    ids=["x", "lower-x", "digit", "bad-date", "bad-check"],
)
def test_id_numbers_are_checked(number: str, valid: bool) -> None:
    assert id_number_is_valid(number) is valid


def test_missing_sex_code_comes_from_the_id_number(samples: dict[str, Any]) -> None:
    record = {**samples["residents"][0], "xb": ""}
    assert resident_from_civil_affairs(record, TODAY).sex is (
        Sex.MALE if int(record["sfzh"][16]) % 2 else Sex.FEMALE
    )


def test_age_counts_birthdays(samples: dict[str, Any]) -> None:
    record = {**samples["residents"][0], "csrq": "19501102", "sfzh": "11010519491231002X"}
    assert resident_from_civil_affairs(record, date(2026, 11, 1)).age == 75
    assert resident_from_civil_affairs(record, date(2026, 11, 2)).age == 76


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"sfzh": "11010519491231002Y"}, "sfzh", id="bad-checksum"),
        pytest.param({"sfzh": ""}, "sfzh", id="missing-id"),
        pytest.param({"csrq": "1949-12-31"}, "csrq", id="bad-date"),
        pytest.param({"xb": "9"}, "xb", id="unknown-sex"),
        pytest.param({"xm": None}, "xm", id="missing-name"),
        pytest.param({"wgbm": 320213}, "wgbm", id="wrong-type"),
    ],
)
def test_bad_resident_records_name_the_field_not_the_value(
    samples: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    record = {**samples["residents"][1], **change}
    with pytest.raises(ContractError) as raised:
        resident_from_civil_affairs(record, TODAY)
    assert raised.value.field == field
    message = str(raised.value)
    assert record["xm"] is None or str(record["xm"]) not in message
    assert samples["residents"][1]["sfzh"] not in message


def test_grids_and_micro_grids_map_with_workers_and_boundary(samples: dict[str, Any]) -> None:
    grids = [grid_from_urban(cast(UrbanGridRecord, r)) for r in samples["grids"]]
    top = {g.code: g for g in grids if g.parent_code is None}
    micro = [g for g in grids if g.parent_code is not None]
    assert top
    assert micro
    assert all(m.parent_code in top and m.level == "微网格" for m in micro)
    assert all(g.workers and g.workers[0].role == "网格长" for g in top.values())
    assert all(g.boundary[0] == g.boundary[-1] and len(g.boundary) == 5 for g in grids)
    assert all(g.community_code == g.code[:12] for g in grids)


def test_bad_grid_boundary_is_a_contract_error(samples: dict[str, Any]) -> None:
    with pytest.raises(ContractError) as raised:
        grid_from_urban(cast(UrbanGridRecord, {**samples["grids"][0], "BJ": "118.7;32"}))
    assert raised.value.field == "BJ"


def test_every_sampled_case_maps_with_aware_times_and_one_status(samples: dict[str, Any]) -> None:
    for record in samples["cases"]:
        case = urban_case_from_urban(cast(UrbanCaseRecord, record))
        assert case.filed_at.utcoffset() == timedelta(hours=8)
        assert case.status_label == record["ZT"]
        if case.status is CaseStatus.CLOSED:
            assert case.closed_at is not None
            assert case.closed_at >= case.filed_at
        if record["SBRSFZH"]:
            assert case.reporter is not None
            assert case.reporter.id_number == record["SBRSFZH"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ZT": "完成"}, "ZT"),
        ({"LASJ": "2026-11-01"}, "LASJ"),
        ({"LASJ": ""}, "LASJ"),
        ({"X": "east"}, "X"),
        ({"PQCS": "two"}, "PQCS"),
    ],
    ids=["unknown-status", "iso-time", "missing-time", "bad-coordinate", "bad-count"],
)
def test_bad_case_records_are_contract_errors(
    samples: dict[str, Any], change: dict[str, str], field: str
) -> None:
    with pytest.raises(ContractError) as raised:
        urban_case_from_urban(cast(UrbanCaseRecord, {**samples["cases"][0], **change}))
    assert raised.value.field == field


def test_every_sampled_application_maps(samples: dict[str, Any]) -> None:
    for record in samples["applications"]:
        case = legal_aid_case_from_legal(cast(LegalApplicationRecord, record))
        assert case.created_at.utcoffset() == timedelta(hours=8)
        assert case.community_code == record["case_area_id"]
    with pytest.raises(ContractError) as raised:
        legal_aid_case_from_legal(
            cast(
                LegalApplicationRecord,
                {**samples["applications"][0], "created_at": "2026-11-01T10:00:00"},
            )
        )
    assert raised.value.field == "created_at"


def test_identity_resolution_says_how_it_matched(samples: dict[str, Any]) -> None:
    residents = [resident_from_civil_affairs(r, TODAY) for r in samples["residents"][:3]]
    by_id = {r.id_number: r for r in residents}
    by_phone = {"13800000001": [residents[0]], "13800000002": [residents[1], residents[2]]}
    assert (
        match_identity(residents[0].id_number, None, by_id, by_phone).method
        is MatchMethod.ID_NUMBER
    )
    assert (
        match_identity(None, "13800000001", by_id, by_phone).registry_number
        == residents[0].registry_number
    )
    assert match_identity(None, "13800000002", by_id, by_phone).method is MatchMethod.AMBIGUOUS
    assert (
        match_identity("11010519491231002X", "13900000000", by_id, by_phone).method
        is MatchMethod.NONE
    )
