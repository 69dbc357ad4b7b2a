from __future__ import annotations

import pytest

from mocks import Population, create_legal_app
from mocks.harness import Harness
from tests.conftest import ClientFor, ManualClock
from tests.mocks.wire import legal_token


@pytest.fixture
def legal(demo_population: Population, manual_clock: ManualClock) -> Harness:
    return create_legal_app(demo_population, clock=manual_clock, rate_limit_rps=20)


async def test_token_expires_after_its_lifetime(
    legal: Harness, client_for: ClientFor, manual_clock: ManualClock
) -> None:
    client = client_for(legal)
    headers = await legal_token(client)
    assert (await client.get("/api/v1/law-offices", headers=headers)).status_code == 200
    manual_clock.advance(299)
    assert (await client.get("/api/v1/law-offices", headers=headers)).status_code == 200
    manual_clock.advance(2)
    expired = await client.get("/api/v1/law-offices", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["error"] == "invalid_token"
    assert expired.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"grant_type": "password"}, 400),
        (
            {"grant_type": "client_credentials", "client_id": "govgraph", "client_secret": "wrong"},
            401,
        ),
    ],
)
async def test_token_endpoint_refuses_bad_grants(
    legal: Harness, client_for: ClientFor, data: dict[str, str], status: int
) -> None:
    assert (await client_for(legal).post("/oauth/token", data=data)).status_code == status


async def test_no_token_is_401(legal: Harness, client_for: ClientFor) -> None:
    response = await client_for(legal).get("/api/v1/lawyers")
    assert response.status_code == 401


async def test_rate_limit_answers_429_with_retry_after(
    legal: Harness, client_for: ClientFor, manual_clock: ManualClock
) -> None:
    client = client_for(legal)
    headers = await legal_token(client)
    statuses = [
        (await client.get("/api/v1/law-offices", headers=headers)).status_code for _ in range(25)
    ]
    assert statuses[:20] == [200] * 20
    assert set(statuses[20:]) == {429}
    limited = await client.get("/api/v1/law-offices", headers=headers)
    assert int(limited.headers["retry-after"]) >= 1
    manual_clock.advance(1)
    assert (await client.get("/api/v1/law-offices", headers=headers)).status_code == 200


async def test_cursor_paging_walks_a_community_once(
    legal: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(legal)
    headers = await legal_token(client)
    area = demo_population.geography.communities[0].code
    expected = {
        a.record_code for a in demo_population.legal.applications if a.community_code == area
    }
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"case_area_id": area, "limit": 50}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/api/v1/applications", params=params, headers=headers)).json()
        seen += [item["record_code"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert set(seen) == expected
    bad = await client.get(
        "/api/v1/applications", params={"case_area_id": area, "cursor": "!!"}, headers=headers
    )
    assert bad.status_code == 400


async def test_applications_by_identity_and_by_code(
    legal: Harness, client_for: ClientFor, demo_population: Population
) -> None:
    client = client_for(legal)
    headers = await legal_token(client)
    application = demo_population.legal.applications[3]
    number = application.applicant.id_number
    listed = (
        await client.get(
            "/api/v1/applications", params={"apply_identity_no": number}, headers=headers
        )
    ).json()
    assert application.record_code in {i["record_code"] for i in listed["items"]}
    one = (
        await client.get(f"/api/v1/applications/{application.record_code}", headers=headers)
    ).json()
    assert one["apply_identity_no"] == number
    assert one["created_at"].endswith("+08:00")
    missing = await client.get("/api/v1/applications/FY0000000000", headers=headers)
    assert missing.status_code == 404


async def test_apply_validates_and_persists(
    tiny_population: Population, client_for: ClientFor
) -> None:
    client = client_for(create_legal_app(tiny_population))
    headers = await legal_token(client)
    person = tiny_population.person(20)
    body = {
        "apply_name": person.name,
        "apply_identity_no": person.id_number,
        "apply_phone": "13912345678",
        "apply_address": person.current_address,
        "case_area_id": person.grid.community.code,
        "aid_type": "民事代理",
        "case_type": "民事",
        "dispute_description": "工资被拖欠三个月",
        "happened_date": "2026-10-01",
    }
    invalid = await client.post(
        "/api/v1/applications",
        json={**body, "apply_identity_no": "110105194912310021"},
        headers=headers,
    )
    assert invalid.status_code == 422
    assert set(invalid.json()["fields"]) == {"apply_identity_no"}
    created = await client.post("/api/v1/applications", json=body, headers=headers)
    assert created.status_code == 201
    code = created.json()["record_code"]
    fetched = await client.get(f"/api/v1/applications/{code}", headers=headers)
    assert fetched.json()["status"] == "待审核"
    listed = (
        await client.get(
            "/api/v1/applications", params={"apply_identity_no": person.id_number}, headers=headers
        )
    ).json()
    assert code in {i["record_code"] for i in listed["items"]}


async def test_openapi_lists_the_served_paths(legal: Harness, client_for: ClientFor) -> None:
    document = (await client_for(legal).get("/openapi.json")).json()
    assert "/api/v1/applications/{record_code}" in document["paths"]
    assert (
        document["components"]["securitySchemes"]["oauth"]["flows"]["clientCredentials"]["tokenUrl"]
        == "/oauth/token"
    )
