"""One case through the whole staff workflow against the real mocks: the right role at each
step, a 吹哨 to two departments who both report in, a 退回, an overdue case; every step the
stage does not allow refused with INVALID_TRANSITION; each step in the history and the audit
trail; a retried step with one key done once; statistics that move with the workflow."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from gateway.access.auth import Role
from tests.conftest import AS_OF
from tests.gateway.conftest import Gateway
from tests.gateway.test_end_to_end import as_resident

CASE_FIELDS = """case { number status statusLabel overdue deadline dispatchCount
    department { code } history { step actor actingAs note }
    whistle { deadline overdue departments { code reportedAt } } }"""
RESIDENT_INDEX = 1234
GARBAGE = "0102"  # 暴露垃圾: 环卫 (BM09), 96 hours


async def step(
    gw: Gateway, name: str, fields: str, key: str | None = None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(payload, GraphQL errors) of one workflow mutation."""
    response = await gw.post(
        f"mutation {{ {name}(input: {{{fields}}}) {{ errors {{ field message }} {CASE_FIELDS} }} }}",
        key=key,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return (body.get("data") or {}).get(name), body.get("errors") or []


async def ok(gw: Gateway, name: str, fields: str, key: str | None = None) -> dict[str, Any]:
    payload, errors = await step(gw, name, fields, key)
    assert errors == [], errors
    assert payload is not None and payload["errors"] == [], payload
    case: dict[str, Any] = payload["case"]
    return case


async def refused(gw: Gateway, name: str, fields: str) -> dict[str, Any]:
    payload, errors = await step(gw, name, fields)
    assert payload is None
    assert [e["extensions"]["code"] for e in errors] == ["INVALID_TRANSITION"], errors
    extensions: dict[str, Any] = errors[0]["extensions"]
    return extensions


async def report(gateway: Gateway) -> str:
    person = gateway.mocks.population.person(RESIDENT_INDEX)
    reported = await as_resident(gateway, RESIDENT_INDEX).data(
        'mutation($grid: String!) { reportCase(input: {gridCode: $grid, subClassCode: "%s", '
        'source: MINI_PROGRAM, description: "单元门口垃圾两天没人清", address: "北苑路1号"}) '
        "{ errors { field } case { number statusLabel } } }" % GARBAGE,
        {"grid": person.grid.code},
    )
    assert reported["reportCase"]["errors"] == []
    assert reported["reportCase"]["case"]["statusLabel"] == "待受理"
    number: str = reported["reportCase"]["case"]["number"]
    return number


async def test_one_case_through_the_whole_loop(gateway: Gateway, tmp_path: Path) -> None:
    population = gateway.mocks.population
    grid = population.person(RESIDENT_INDEX).grid
    dispatcher = gateway.as_role(Role.URBAN_MANAGEMENT, subject="dispatcher-7")
    community = gateway.as_role(Role.COMMUNITY_ADMIN, communities=[grid.community.code])
    worker = gateway.as_role(Role.GRID_WORKER, grids=[grid.code], subject="gw-3")
    sanitation = gateway.as_role(Role.DEPARTMENT, department="BM09", subject="hw-1")
    markets = gateway.as_role(Role.DEPARTMENT, department="BM03", subject="sc-1")
    construction = gateway.as_role(Role.DEPARTMENT, department="BM02", subject="zj-1")
    city = gateway.as_role(Role.DEPARTMENT, department="BM01", subject="cg-1")
    number = await report(gateway)
    n = f'caseNumber: "{number}"'

    # Out of order: refused with the case's stage, before and after each step.
    refusal = await refused(dispatcher, "dispatchCase", f'{n}, department: "BM09"')
    assert (refusal["stage"], refusal["status"]) == ("待受理", "RECEIVED")
    key = uuid.uuid4().hex
    accepted = await ok(dispatcher, "acceptCase", n, key=key)
    again = await ok(dispatcher, "acceptCase", n, key=key)  # a retry with the same key
    assert accepted == again and accepted["statusLabel"] == "受理"
    assert (await refused(dispatcher, "acceptCase", n))["stage"] == "受理"  # a new key: refused
    await ok(dispatcher, "registerCase", f'{n}, note: "属实，立案"')

    # Only the dispatcher dispatches; a department the case is not theirs cannot see it.
    payload, errors = await step(worker, "dispatchCase", f'{n}, department: "BM09"')
    assert payload is None and errors[0]["extensions"]["code"] == "FORBIDDEN"
    wrong = await ok(dispatcher, "dispatchCase", f'{n}, department: "BM01"')
    assert (wrong["statusLabel"], wrong["department"]["code"]) == ("派遣", "BM01")
    payload, _ = await step(sanitation, "handleCase", f'{n}, result: "已清运"')
    assert payload == {
        "errors": [{"field": "caseNumber", "message": "案件不存在 / no such case"}],
        "case": None,
    }
    back = await ok(city, "returnCase", f'{n}, reason: "属环卫职责，请改派"')
    assert back["statusLabel"] == "立案"
    dispatched = await ok(dispatcher, "dispatchCase", f'{n}, department: "BM09"')
    assert (dispatched["dispatchCount"], dispatched["department"]["code"]) == (2, "BM09")

    # 吹哨: the community calls sanitation and construction; both report in, then handling.
    deadline = (AS_OF + timedelta(days=2)).isoformat()
    called = await ok(
        community,
        "whistle",
        f'{n}, departments: ["BM09", "BM02"], deadline: "{deadline}", note: "建筑垃圾混入"',
    )
    assert [d["code"] for d in called["whistle"]["departments"]] == ["BM09", "BM02"]
    assert all(d["reportedAt"] is None for d in called["whistle"]["departments"])
    payload, _ = await step(markets, "reportIn", n)
    assert payload is not None and payload["errors"][0]["field"] == "caseNumber"
    assert (await refused(sanitation, "handleCase", f'{n}, result: "已清运"'))["stage"] == "派遣"
    await ok(sanitation, "reportIn", n)
    assert (await refused(sanitation, "reportIn", n))["stage"] == "派遣"
    both = await ok(construction, "reportIn", n)
    assert both["statusLabel"] == "处置" and both["whistle"]["overdue"] is False
    assert all(d["reportedAt"] for d in both["whistle"]["departments"])

    extended = await ok(sanitation, "requestExtension", f'{n}, days: 2, reason: "需协调渣土车"')
    assert extended["deadline"] > dispatched["deadline"]
    await ok(sanitation, "handleCase", f'{n}, result: "已清运，地面已冲洗"')
    assert (await refused(dispatcher, "closeCase", n))["stage"] == "核查"  # not verified yet
    sent_back = await ok(worker, "verifyCase", f'{n}, passed: false, note: "仍有残留"')
    assert sent_back["statusLabel"] == "处置"
    await ok(sanitation, "handleCase", f'{n}, result: "残留已清理"')
    await ok(worker, "verifyCase", f"{n}, passed: true")
    closed = await ok(dispatcher, "closeCase", f'{n}, note: "办结"')
    assert (closed["status"], closed["statusLabel"], closed["overdue"]) == ("CLOSED", "结案", False)
    for name, fields in (("voidCase", f'{n}, reason: "重复"'), ("handleCase", f'{n}, result: "x"')):
        actor = dispatcher if name == "voidCase" else sanitation
        assert (await refused(actor, name, fields))["stage"] == "结案"

    steps = [(s["step"], s["actingAs"]) for s in closed["history"]]
    assert steps == [
        ("上报", "公众举报/小程序"),
        ("受理", "urban_management"),
        ("立案", "urban_management"),
        ("派遣", "urban_management"),
        ("退回", "BM01"),
        ("派遣", "urban_management"),
        ("吹哨", "community_admin"),
        ("报到", "BM09"),
        ("报到", "BM02"),
        ("延期", "BM09"),
        ("处置", "BM09"),
        ("核查", "grid_worker"),
        ("处置", "BM09"),
        ("核查", "grid_worker"),
        ("结案", "urban_management"),
    ]
    assert [closed["history"][i]["note"] for i in (2, 4)] == ["属实，立案", "属环卫职责，请改派"]
    assert {s["actor"] for s in closed["history"] if s["actingAs"] == "BM09"} == {"hw-1"}

    # The audit trail has each step with who (as the trail's pseudonym) and why, each once.
    lines = [json.loads(line) for line in (tmp_path / "audit.log").read_text().splitlines()]
    actions = [
        (line["role"], line["subject"], a["step"], a["reason"])
        for line in lines
        for a in line.get("actions", [])
    ]
    assert [(role, step, reason) for role, _, step, reason in actions] == [
        ("urban_management", "受理", ""),
        ("urban_management", "立案", "属实,立案"),  # NFKC: the comma made plain
        ("urban_management", "派遣", ""),
        ("department", "退回", "属环卫职责,请改派"),
        ("urban_management", "派遣", ""),
        ("community_admin", "吹哨", "建筑垃圾混入"),
        ("department", "报到", ""),
        ("department", "报到", ""),
        ("department", "延期", "需协调渣土车"),
        ("department", "处置", "已清运,地面已冲洗"),
        ("grid_worker", "核查", "仍有残留"),
        ("department", "处置", "残留已清理"),
        ("grid_worker", "核查", ""),
        ("urban_management", "结案", "办结"),
    ]
    by_step = {(step, reason): subject for _, subject, step, reason in actions}
    assert by_step[("延期", "需协调渣土车")] == by_step[("处置", "残留已清理")]  # both hw-1
    assert by_step[("延期", "需协调渣土车")] != by_step[("退回", "属环卫职责,请改派")]
    assert "hw-1" not in json.dumps(lines)  # accounts are pseudonyms on the trail


async def test_an_overdue_case_and_statistics_that_follow_the_workflow(gateway: Gateway) -> None:
    population = gateway.mocks.population
    grid = population.person(RESIDENT_INDEX).grid
    dispatcher = gateway.as_role(Role.URBAN_MANAGEMENT)
    stats_query = (
        '{ statistics(scope: GRID, code: "%s", since: "%s", until: "%s") { reported closed overdue } }'
        % (
            grid.code,
            AS_OF.date().isoformat() + "T00:00:00+08:00",
            (AS_OF + timedelta(days=30)).isoformat(),
        )
    )
    before = (await dispatcher.data(stats_query))["statistics"]
    number = await report(gateway)
    n = f'caseNumber: "{number}"'
    for name, extra in (
        ("acceptCase", ""),
        ("registerCase", ""),
        ("dispatchCase", ', department: "BM09"'),
    ):
        case = await ok(dispatcher, name, n + extra)
    assert case["overdue"] is False
    population.advance(97 * 3600)  # past the 96 hours 暴露垃圾 is given
    case_id = base64.urlsafe_b64encode(f"UrbanCase:{number}".encode()).decode()
    late = (
        await dispatcher.data(
            '{ case(id: "%s") { ... on UrbanCase { overdue statusLabel } } }' % case_id
        )
    )["case"]
    assert late == {"overdue": True, "statusLabel": "派遣"}
    after = (await dispatcher.data(stats_query))["statistics"]
    assert after["reported"] == before["reported"] + 1
    # Time moved on for every case in the grid: count the overdue ones independently, ours
    # (overdue only because the workflow dispatched it) among them.
    since = AS_OF.replace(hour=0, minute=0)
    cases = list(population.cases_of_grid(grid.ordinal, since, AS_OF + timedelta(days=30)))
    overdue = {c.number for c in cases if c.is_overdue(population.now())}
    assert number in overdue and after["overdue"] == len(overdue)
