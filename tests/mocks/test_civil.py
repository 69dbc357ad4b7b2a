from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from mocks import Population, create_civil_app
from mocks.civil.openapi import SERVICES
from mocks.harness import Harness
from mocks.population import beijing_now
from tests.conftest import ClientFor
from tests.mocks.wire import civil_call, civil_form


@pytest.fixture
def civil(demo_population: Population) -> Harness:
    return create_civil_app(demo_population)


QUERY = {"rkbhs": ["RK32021300000000"]}


@pytest.mark.parametrize(
    ("form", "code", "message"),
    [
        pytest.param(lambda: {"data": '{"rkbhs": ["x"]}'}, "97", "缺少参数appKey", id="unsigned"),
        pytest.param(
            lambda: civil_form(QUERY, secret="wrong"), "99", "签名错误", id="bad-signature"
        ),
        pytest.param(
            lambda: civil_form(
                QUERY, (beijing_now() - timedelta(minutes=10)).strftime("%Y%m%d%H%M%S")
            ),
            "99",
            "请求已过期",
            id="stale",
        ),
        pytest.param(
            lambda: {**civil_form(QUERY), "requestTime": "yesterday"},
            "98",
            "requestTime格式错误",
            id="bad-time",
        ),
        pytest.param(
            lambda: {**civil_form(QUERY), "appKey": "someone-else"},
            "99",
            "appKey无效",
            id="unknown-app",
        ),
    ],
)
async def test_unsigned_stale_or_forged_requests_are_refused(
    civil: Harness,
    client_for: ClientFor,
    form: Callable[[], dict[str, str]],
    code: str,
    message: str,
) -> None:
    # Signed when the test runs, not when it is collected: a long suite would make it stale.
    response = await client_for(civil).post("/gateway/api/rk.queryByRkbh", data=form())
    assert response.status_code == 200  # the gateway never uses HTTP statuses for failures
    assert response.json() == {"code": code, "msg": message, "data": None, "total": 0}


@pytest.mark.parametrize(
    ("service", "data", "code"),
    [
        pytest.param("rk.queryByRkbh", {}, "97", id="missing-list"),
        pytest.param("rk.queryByRkbh", {"rkbhs": "RK1"}, "98", id="string-not-list"),
        pytest.param("rk.queryByRkbh", {"rkbhs": ["x"] * 101}, "98", id="over-batch-cap"),
        pytest.param("rk.queryBySfzh", {"sfzhs": ["110105194912310021"]}, "98", id="bad-checksum"),
        pytest.param("rk.queryByWgbm", {"xm": "王"}, "97", id="no-grid-or-community"),
        pytest.param(
            "rk.queryByWgbm", {"wgbm": "320213001001001", "pageSize": 201}, "98", id="page-cap"
        ),
        pytest.param("no.such.service", {}, "99", id="unknown-service"),
        pytest.param(
            "bm.add",
            {"rkbh": "RK32021399999999", "service_id": "FW00001", "location_id": "FWZX0001"},
            "96",
            id="unknown-person",
        ),
    ],
)
async def test_parameter_errors_are_envelope_codes(
    civil: Harness, client_for: ClientFor, service: str, data: dict[str, object], code: str
) -> None:
    body = await civil_call(client_for(civil), service, data)
    assert body["code"] == code


async def test_data_that_is_not_json_is_code_98(civil: Harness, client_for: ClientFor) -> None:
    form = {**civil_form({}), "data": "{not json"}
    response = await client_for(civil).post("/gateway/api/rk.queryByRkbh", data=form)
    assert response.json()["code"] == "98"


async def test_residents_by_every_key_agree(
    civil: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(civil)
    person = demo_population.person(4321)
    by_number = await civil_call(client, "rk.queryByRkbh", {"rkbhs": [person.registry_number]})
    by_id = await civil_call(client, "rk.queryBySfzh", {"sfzhs": [person.id_number]})
    by_grid = await civil_call(
        client, "rk.queryByWgbm", {"wgbm": person.grid.code, "xm": person.name, "pageSize": 200}
    )
    assert by_number["data"] == by_id["data"]
    assert by_number["data"][0] in by_grid["data"]
    assert by_number["data"][0]["sfzh"] == person.id_number
    if person.phone:
        by_phone = await civil_call(client, "rk.queryByLxdh", {"lxdh": person.phone})
        assert person.registry_number in {r["rkbh"] for r in by_phone["data"]}


async def test_grid_residents_page_through_every_resident_once(
    civil: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(civil)
    grid = demo_population.geography.grids[7]
    seen: list[str] = []
    for page in (1, 2, 3):
        body = await civil_call(
            client, "rk.queryByWgbm", {"wgbm": grid.code, "pageNo": page, "pageSize": 200}
        )
        assert body["total"] == demo_population.preset.residents_per_grid
        seen += [r["rkbh"] for r in body["data"]]
    assert len(seen) == len(set(seen)) == demo_population.preset.residents_per_grid


async def test_households_and_buildings_link_back_to_residents(
    civil: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(civil)
    person = demo_population.person(1234)
    household = await civil_call(client, "hu.queryByHh", {"hhs": [person.household.code]})
    assert person.registry_number in household["data"][0]["cyrkbh"]
    building = await civil_call(client, "ld.queryByLdbm", {"ldbms": [person.building_code]})
    assert building["data"][0]["wgbm"] == person.grid.code


async def test_enrolment_persists_and_is_not_duplicated(
    tiny_population: Population, client_for: ClientFor
) -> None:
    client = client_for(create_civil_app(tiny_population))
    placement = tiny_population.services.placements[0]
    person = tiny_population.person(10)
    request = {
        "rkbh": person.registry_number,
        "service_id": placement.service_id,
        "location_id": placement.center_id,
    }
    created = await civil_call(client, "bm.add", request)
    assert created["code"] == "00"
    listed = await civil_call(client, "bm.query", {"rkbhs": [person.registry_number]})
    assert created["data"] in listed["data"]
    again = await civil_call(client, "bm.add", request)
    assert again["code"] == "96"


async def test_openapi_describes_every_service_served(
    civil: Harness, client_for: ClientFor
) -> None:
    document = (await client_for(civil).get("/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    served = {path.removeprefix("/gateway/api/") for path in document["paths"]}
    assert served == set(SERVICES)
    client = client_for(civil)
    for service in served:
        body = await civil_call(client, service, {})
        assert body["msg"] != "服务不存在", service
