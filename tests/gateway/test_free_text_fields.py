"""A phone or an ID number that someone typed into free text (a report, a wish) reaches each
role as that role sees the kind in free text, by every path (a look-up by ID, a list walked by
the plain executor, the engagement platform's wishes), and the read goes on the audit record."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gateway.access.auth import Role
from gateway.access.kinds import Kind
from gateway.access.masks import mask_id_number, mask_phone
from gateway.access.policy import FREE_TEXT_VIEWS, Access
from tests.gateway.conftest import Gateway, make_gateway
from tests.gateway.test_end_to_end import as_resident
from tests.gateway.test_engagement import as_resident as as_platform_resident
from tests.gateway.test_engagement import residents_with_accounts

REPORT = """mutation($grid: String!, $d: String!) { reportCase(input: {gridCode: $grid,
  subClassCode: "1101", source: MINI_PROGRAM, description: $d, address: "北苑路1号"}) {
  errors { field } case { id number } } }"""
BY_ID = "query($id: ID!) { node(id: $id) { ... on UrbanCase { description } } }"


@pytest.fixture
async def audited(tmp_path: Path) -> AsyncIterator[tuple[Gateway, Path]]:
    gw, app = await make_gateway(audit_path=str(tmp_path / "audit.log"))
    yield gw, tmp_path / "audit.log"
    await gw.client.aclose()
    await app.state.backends.aclose()


def expected(role: Role, phone: str, id_number: str) -> tuple[str, str]:
    shown = []
    for kind, value in ((Kind.PHONE, phone), (Kind.ID_NUMBER, id_number)):
        level = FREE_TEXT_VIEWS[kind].get(role, Access.DENIED)
        if level is Access.WHOLE:
            shown.append(value)
        elif level is Access.DENIED:
            shown.append("*" * len(value))
        elif kind is Kind.PHONE:
            shown.append(mask_phone(value))
        else:
            shown.append(mask_id_number(value, low=level is Access.MASKED_LOW))
    return shown[0], shown[1]


def last_line(path: Path) -> dict[str, Any]:
    line: dict[str, Any] = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    return line


async def test_a_neighbours_phone_and_id_number_in_a_report(
    audited: tuple[Gateway, Path],
) -> None:
    gateway, audit = audited
    population = gateway.mocks.population
    reporter, neighbour = population.person(1234), population.person(1500)
    grid = reporter.grid.code
    description = f"楼下噪音扰民，邻居电话{neighbour.phone}，身份证{neighbour.id_number}，请处理"
    reported = await as_resident(gateway, 1234).data(REPORT, {"grid": grid, "d": description})
    case = reported["reportCase"]["case"]
    readers = {
        Role.RESIDENT: as_resident(gateway, 1234),
        Role.GRID_WORKER: gateway.as_role(Role.GRID_WORKER, grids=[grid]),
        Role.COMMUNITY_ADMIN: gateway.as_role(Role.COMMUNITY_ADMIN, communities=[grid[:12]]),
        Role.DISTRICT_ADMIN: gateway.as_role(Role.DISTRICT_ADMIN),
        Role.URBAN_MANAGEMENT: gateway.as_role(Role.URBAN_MANAGEMENT),
    }
    for role, reader in readers.items():
        seen = (await reader.data(BY_ID, {"id": case["id"]}))["node"]["description"]
        phone, id_number = expected(role, neighbour.phone, neighbour.id_number)
        assert seen == f"楼下噪音扰民，邻居电话{phone}，身份证{id_number}，请处理", role
        if FREE_TEXT_VIEWS[Kind.PHONE][role] is not Access.WHOLE:
            assert neighbour.phone not in seen
        if FREE_TEXT_VIEWS[Kind.ID_NUMBER][role] is not Access.WHOLE:
            assert neighbour.id_number not in seen
        # on record, with the most that was shown of any value in the text
        most = (
            "whole"
            if Access.WHOLE
            in (
                FREE_TEXT_VIEWS[Kind.PHONE][role],
                FREE_TEXT_VIEWS[Kind.ID_NUMBER][role],
            )
            else "masked"
        )
        assert last_line(audit)["fields"]["UrbanCase.description"] == most, role
    assert neighbour.id_number[6:14] not in json.dumps(
        await readers[Role.DISTRICT_ADMIN].data(BY_ID, {"id": case["id"]}), ensure_ascii=False
    )


async def test_the_plain_walk_of_a_list_masks_as_a_look_up_does(gateway: Gateway) -> None:
    population = gateway.mocks.population
    reporter, neighbour = population.person(1234), population.person(1500)
    grid = reporter.grid.code
    await as_resident(gateway, 1234).data(REPORT, {"grid": grid, "d": f"请联系{neighbour.phone}"})
    listed = await gateway.as_role(Role.DISTRICT_ADMIN).data(
        '{ grid(code: "%s") { cases(first: 50) { edges { node { ... on UrbanCase { description } } } } } }'
        % grid
    )
    descriptions = [e["node"]["description"] for e in listed["grid"]["cases"]["edges"]]
    assert f"请联系{mask_phone(neighbour.phone)}" in descriptions
    assert not any(neighbour.phone in d for d in descriptions)


async def test_text_with_nothing_personal_is_not_a_personal_read(
    audited: tuple[Gateway, Path],
) -> None:
    gateway, audit = audited
    reporter = gateway.mocks.population.person(1234)
    case = (
        await as_resident(gateway, 1234).data(
            REPORT, {"grid": reporter.grid.code, "d": "路灯不亮，编号2026110100002500"}
        )
    )["reportCase"]["case"]
    before = audit.read_text(encoding="utf-8").count("\n")
    seen = await gateway.as_role(Role.URBAN_MANAGEMENT).data(BY_ID, {"id": case["id"]})
    assert seen["node"]["description"] == "路灯不亮，编号2026110100002500"
    assert audit.read_text(encoding="utf-8").count("\n") == before  # no line: nothing personal


async def test_a_phone_in_a_wish_is_a_neighbours_to_other_residents(gateway: Gateway) -> None:
    population = gateway.mocks.population
    ordinal = max(
        population.engagement.top_grids(),
        key=lambda o: len(residents_with_accounts(population, o)),
    )
    author, neighbour = residents_with_accounts(population, ordinal)[:2]
    grid = author.grid_code
    content = f"想学用手机挂号，联系{author.phone}"
    posted = await as_platform_resident(gateway, population, author).data(
        'mutation { postWish(input: {gridCode: "%s", content: "%s"}) { errors { field } } }'
        % (grid, content)
    )
    assert posted["postWish"]["errors"] == []
    query = '{ grid(code: "%s") { wishes { content } } }' % grid
    others = await as_platform_resident(gateway, population, neighbour).data(query)
    worker = await gateway.as_role(Role.GRID_WORKER, grids=[grid]).data(query)
    seen_by_neighbour = {w["content"] for w in others["grid"]["wishes"]}
    seen_by_worker = {w["content"] for w in worker["grid"]["wishes"]}
    assert f"想学用手机挂号，联系{mask_phone(author.phone)}" in seen_by_neighbour
    assert content in seen_by_worker  # grid workers see phones whole


async def test_the_reporters_own_name_in_a_report_is_masked_as_the_reporter_is(
    gateway: Gateway,
) -> None:
    reporter = gateway.mocks.population.person(1234)
    grid = reporter.grid.code
    written = f"我是{reporter.name}，楼下路灯不亮"
    case = (await as_resident(gateway, 1234).data(REPORT, {"grid": grid, "d": written}))[
        "reportCase"
    ]["case"]
    district = await gateway.as_role(Role.DISTRICT_ADMIN).data(BY_ID, {"id": case["id"]})
    community = await gateway.as_role(Role.COMMUNITY_ADMIN, communities=[grid[:12]]).data(
        BY_ID, {"id": case["id"]}
    )
    masked_name = reporter.name[0] + "*" * (len(reporter.name) - 1)
    assert district["node"]["description"] == f"我是{masked_name}，楼下路灯不亮"
    assert community["node"]["description"] == written  # community admins see names whole


async def test_a_phone_typed_into_a_name_is_shown_as_the_role_sees_phones(
    gateway: Gateway,
) -> None:
    """A name a role sees whole may hold a phone ("张先生139…", as hotline clerks and platform
    nicknames write them): the phone is shown by that role's view of phones."""
    grid = gateway.mocks.population.person(1234).grid.code
    named = """mutation($g: String!) { reportCase(input: {gridCode: $g, subClassCode: "1101",
      source: HOTLINE, description: "路灯不亮", address: "北苑路1号",
      reporterName: "张先生13912345678"}) { case { id } } }"""
    worker = gateway.as_role(Role.GRID_WORKER, grids=[grid])
    case = (await worker.data(named, {"g": grid}))["reportCase"]["case"]
    query = "query($id: ID!) { node(id: $id) { ... on UrbanCase { reportedBy { name } } } }"
    admin = gateway.as_role(Role.COMMUNITY_ADMIN, communities=[grid[:12]])
    seen = (await admin.data(query, {"id": case["id"]}))["node"]["reportedBy"]["name"]
    assert seen == "张先生139****5678"  # community admins: names whole, phones masked
    seen = (await worker.data(query, {"id": case["id"]}))["node"]["reportedBy"]["name"]
    assert seen == "张先生13912345678"  # grid workers see phones whole
