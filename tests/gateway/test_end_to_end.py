"""The gateway over the three mocks in process: one schema, consistent people, paging,
filters, statistics and writes."""

from __future__ import annotations

from datetime import timedelta

from gateway.access.auth import Role
from tests.conftest import AS_OF
from tests.gateway.conftest import Gateway


def as_resident(gateway: Gateway, index: int) -> Gateway:
    person = gateway.mocks.population.person(index)
    return gateway.as_role(
        Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
    )


async def test_one_person_seen_consistently_through_all_three_systems(gateway: Gateway) -> None:
    population = gateway.mocks.population
    application = next(
        a
        for a in population.legal.applications
        if population.registry.index_of_id(a.applicant.id_number) is not None
    )
    id_number = application.applicant.id_number
    index = population.registry.index_of_id(id_number)
    assert index is not None
    me = as_resident(gateway, index)
    data = await me.data(
        """query($id: String!) { resident(idNumber: $id) {
            id name idNumber grid { code community { code } }
            household { code members { name } }
            legalAidCases { number applicant { method resident { name idNumber } } }
            reportedCases { number reporter { method resident { idNumber } } }
        } }""",
        {"id": id_number},
    )
    resident = data["resident"]
    assert resident["idNumber"] == id_number
    assert application.record_code in {c["number"] for c in resident["legalAidCases"]}
    for case in resident["legalAidCases"]:
        assert case["applicant"] == {
            "method": "ID_NUMBER",
            "resident": {"name": resident["name"], "idNumber": id_number},
        }
    assert resident["grid"]["community"]["code"] == application.community_code
    assert resident["name"] in {m["name"] for m in resident["household"]["members"] if m}
    for case in resident["reportedCases"]:
        assert case["reporter"]["resident"]["idNumber"] == id_number
    by_node = await me.data(
        "query($id: ID!) { node(id: $id) { ... on Resident { idNumber } } }", {"id": resident["id"]}
    )
    assert by_node["node"]["idNumber"] == id_number


async def test_grids_page_with_cursors_and_no_overlap(gateway: Gateway) -> None:
    query = "query($after: String) { grids(first: 15, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { code } } } }"
    seen: list[str] = []
    after = None
    while True:
        page = (await gateway.data(query, {"after": after}))["grids"]
        seen += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 40


async def test_an_edge_cursor_resumes_after_its_edge(gateway: Gateway) -> None:
    query = "query($after: String) { grids(first: 3, after: $after) { pageInfo { startCursor endCursor } edges { cursor node { code } } } }"
    page = (await gateway.data(query, {"after": None}))["grids"]
    cursors = [e["cursor"] for e in page["edges"]]
    assert len(set(cursors)) == 3
    assert (cursors[0], cursors[-1]) == (
        page["pageInfo"]["startCursor"],
        page["pageInfo"]["endCursor"],
    )
    resumed = (await gateway.data(query, {"after": cursors[0]}))["grids"]
    assert [e["node"]["code"] for e in resumed["edges"]][:2] == [
        e["node"]["code"] for e in page["edges"]
    ][1:]
    assert resumed["edges"][0]["cursor"] == cursors[1]


async def test_residents_page_and_filter_by_tag(gateway: Gateway) -> None:
    population = gateway.mocks.population
    grid = population.geography.grids[3]
    gateway = gateway.as_role(Role.GRID_WORKER, grids=[grid.code])
    first = (
        await gateway.data(
            '{ residents(filter: {grid: "%s"}, first: 7) { totalCount pageInfo { endCursor } edges { node { registryNumber } } } }'
            % grid.code
        )
    )["residents"]
    second = (
        await gateway.data(
            '{ residents(filter: {grid: "%s"}, first: 7, after: "%s") { edges { node { registryNumber } } } }'
            % (grid.code, first["pageInfo"]["endCursor"])
        )
    )["residents"]
    numbers = [e["node"]["registryNumber"] for e in first["edges"] + second["edges"]]
    expected = [
        population.person(i).registry_number for i in population.registry.grid_indices(grid.ordinal)
    ][:14]
    assert numbers == expected
    alone = (
        await gateway.data(
            '{ residents(filter: {grid: "%s", tag: ELDERLY_LIVING_ALONE}, first: 100) { totalCount edges { node { age tags { type } } } } }'
            % grid.code
        )
    )["residents"]
    direct = [
        i
        for i in population.registry.grid_indices(grid.ordinal)
        if "04" in population.person(i).tags
    ]
    assert alone["totalCount"] == len(direct) > 0
    assert all(
        n["node"]["age"] >= 60 and {"type": "ELDERLY_LIVING_ALONE"} in n["node"]["tags"]
        for n in alone["edges"]
    )


async def test_case_filters_by_grid_status_and_kind(gateway: Gateway) -> None:
    population = gateway.mocks.population
    grid = population.geography.grids[1]
    since, until = AS_OF - timedelta(days=10), AS_OF
    data = await gateway.as_role(Role.URBAN_MANAGEMENT).data(
        """query($grid: String!, $since: DateTime!, $until: DateTime!) {
            closed: cases(filter: {grid: $grid, status: CLOSED, since: $since, until: $until}, first: 100) { totalCount edges { node { status createdAt } } }
            overdue: cases(filter: {grid: $grid, overdue: true, since: $since, until: $until}, first: 100) { totalCount }
        }""",
        {"grid": grid.code, "since": since.isoformat(), "until": until.isoformat()},
    )
    data |= await gateway.as_role(Role.LEGAL_AID).data(
        '{ legal: cases(filter: {kind: LEGAL_AID, community: "%s"}, first: 5) { totalCount edges { node { __typename } } } }'
        % grid.community.code
    )
    cases = list(population.cases_of_grid(grid.ordinal, since, until))
    assert data["closed"]["totalCount"] == sum(c.status(AS_OF) == "结案" for c in cases)
    assert {e["node"]["status"] for e in data["closed"]["edges"]} == {"CLOSED"}
    assert data["overdue"]["totalCount"] == sum(c.is_overdue(AS_OF) for c in cases)
    assert data["legal"]["totalCount"] == sum(
        a.community_code == grid.community.code for a in population.legal.applications
    )
    assert {e["node"]["__typename"] for e in data["legal"]["edges"]} == {"LegalAidCase"}


async def test_statistics_equal_a_direct_computation(gateway: Gateway) -> None:
    population = gateway.mocks.population
    community = population.geography.communities[2]
    since, until = AS_OF - timedelta(days=30), AS_OF
    stats = (
        await gateway.as_role(Role.DISTRICT_ADMIN).data(
            'query($s: DateTime!, $u: DateTime!) { statistics(scope: COMMUNITY, code: "%s", since: $s, until: $u) { reported closed overdue averageDaysToClose onTimeRate satisfactionRate } }'
            % community.code,
            {"s": since.isoformat(), "u": until.isoformat()},
        )
    )["statistics"]
    cases = [c for o in community.grid_ordinals for c in population.cases_of_grid(o, since, until)]
    closed = [c for c in cases if c.status(AS_OF) == "结案"]
    rated = [c.satisfaction for c in closed if c.satisfaction]
    assert stats["reported"] == len(cases)
    assert stats["closed"] == len(closed)
    assert stats["overdue"] == sum(c.is_overdue(AS_OF) for c in cases)
    days = (
        sum((c.closed - c.filed).total_seconds() for c in closed if c.closed) / 86400 / len(closed)
    )
    assert abs(stats["averageDaysToClose"] - days) < 0.01
    assert (
        abs(stats["onTimeRate"] - sum(not c.is_overdue(AS_OF) for c in closed) / len(closed))
        < 0.0001
    )
    assert abs(stats["satisfactionRate"] - sum(r != "不满意" for r in rated) / len(rated)) < 0.0001


async def test_mutations_show_in_later_reads(gateway: Gateway) -> None:
    population = gateway.mocks.population
    person = population.person(1234)
    grid = person.grid
    me = as_resident(gateway, 1234)
    reported = (
        await me.data(
            """mutation($grid: String!, $phone: String!, $id: String!) { reportCase(input: {gridCode: $grid, subClassCode: "1101", source: MINI_PROGRAM,
            description: "楼下路灯不亮", address: "北苑路1号", reporterName: "居民", reporterPhone: $phone, reporterIdNumber: $id}) {
            errors { field message } case { id number status statusLabel reporter { method resident { registryNumber } } } } }""",
            {"grid": grid.code, "phone": "13800000000", "id": person.id_number},
        )
    )["reportCase"]
    assert reported["errors"] == []
    case = reported["case"]
    assert case["status"] == "RECEIVED"
    assert case["reporter"] == {
        "method": "ID_NUMBER",
        "resident": {"registryNumber": person.registry_number},
    }
    listed = await gateway.as_role(Role.GRID_WORKER, grids=[grid.code]).data(
        '{ grid(code: "%s") { cases(first: 1) { edges { node { number } } } } }' % grid.code
    )
    assert listed["grid"]["cases"]["edges"][0]["node"]["number"] == case["number"]
    mine = await me.data(
        "query($id: String!) { resident(idNumber: $id) { reportedCases { number } } }",
        {"id": person.id_number},
    )
    assert case["number"] in {c["number"] for c in mine["resident"]["reportedCases"]}

    placement = population.services.placements[0]
    enrolled = (
        await me.data(
            'mutation { enrolInService(input: {registryNumber: "%s", serviceCode: "%s", centerCode: "%s"}) { errors { field } enrolment { code service { code } } } }'
            % (person.registry_number, placement.service_id, placement.center_id)
        )
    )["enrolInService"]
    assert enrolled["errors"] == []
    after = await me.data(
        '{ resident(registryNumber: "%s") { enrolments { code } } }' % person.registry_number
    )
    assert enrolled["enrolment"]["code"] in {e["code"] for e in after["resident"]["enrolments"]}

    applied = (
        await me.data(
            """mutation($id: String!, $area: String!) { applyLegalAid(input: {name: "申请人", idNumber: $id, phone: "13912345678", address: "北苑路1号",
            communityCode: $area, aidType: CIVIL_REPRESENTATION, caseType: CIVIL, description: "工资被拖欠", happenedOn: "2026-10-01"}) {
            errors { field } case { number statusLabel } } }""",
            {"id": person.id_number, "area": grid.community.code},
        )
    )["applyLegalAid"]
    assert applied["errors"] == []
    legal = await me.data(
        "query($id: String!) { resident(idNumber: $id) { legalAidCases { number } } }",
        {"id": person.id_number},
    )
    assert applied["case"]["number"] in {c["number"] for c in legal["resident"]["legalAidCases"]}


async def test_rating_a_case_and_field_errors(gateway: Gateway) -> None:
    population = gateway.mocks.population
    registry = population.registry

    def reporter_index(case: object) -> int | None:
        reporter = case.reporter  # type: ignore[attr-defined]
        return registry.index_of_id(reporter.id_number) if reporter and reporter.id_number else None

    window = list(population.cases_of_grid(0, AS_OF - timedelta(days=20), AS_OF))
    closed = next(c for c in window if c.status(AS_OF) == "结案" and reporter_index(c) is not None)
    owner = as_resident(gateway, reporter_index(closed))  # type: ignore[arg-type]
    rated = (
        await owner.data(
            'mutation { rateCase(input: {caseNumber: "%s", satisfaction: DISSATISFIED}) { errors { field } case { satisfaction } } }'
            % closed.number
        )
    )["rateCase"]
    assert rated == {"errors": [], "case": {"satisfaction": "不满意"}}
    someone_elses = next(
        c
        for c in window
        if c.status(AS_OF) == "结案" and reporter_index(c) not in (None, reporter_index(closed))
    )
    refused = (
        await owner.data(
            'mutation { rateCase(input: {caseNumber: "%s", satisfaction: SATISFIED}) { errors { field message } case { number } } }'
            % someone_elses.number
        )
    )["rateCase"]
    assert refused["case"] is None
    assert [e["field"] for e in refused["errors"]] == ["caseNumber"]
    gateway = owner
    bad = (
        await gateway.data(
            """mutation { reportCase(input: {gridCode: "123", subClassCode: "x", source: HOTLINE, description: "", address: "a",
            reporterPhone: "12345", reporterIdNumber: "110105194912310021"}) { errors { field } case { number } } }"""
        )
    )["reportCase"]
    assert bad["case"] is None
    assert {e["field"] for e in bad["errors"]} == {
        "gridCode",
        "subClassCode",
        "description",
        "reporterPhone",
        "reporterIdNumber",
    }
    assert gateway.calls()["urban"].get("ReportCase", 0) == 0


async def test_bad_arguments_are_bad_user_input_without_backend_calls(gateway: Gateway) -> None:
    gateway.reset_journals()
    body = await gateway.query('{ resident(idNumber: "110105194912310021") { name } }')
    assert body["data"] == {"resident": None}
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "110105194912310021" not in str(body)
    body = await gateway.query("{ grids(first: 1000) { totalCount } }")
    assert body["errors"][0]["extensions"] == {"code": "PAGE_SIZE_LIMIT"}  # refused before running
    assert sum(sum(c.values()) for c in gateway.calls().values()) == 0


async def test_an_outage_gives_partial_data_with_a_stable_code(gateway: Gateway) -> None:
    population = gateway.mocks.population
    person = population.person(10)
    gateway = as_resident(gateway, 10)
    await gateway.data("{ departments { code } }")
    gateway.mocks.legal.faults.outage = True
    body = await gateway.query(
        "query($id: String!) { resident(idNumber: $id) { name legalAidCases { number } grid { name } } }",
        {"id": person.id_number},
    )
    assert body["data"]["resident"]["name"] == person.name
    assert body["data"]["resident"]["legalAidCases"] is None
    assert body["data"]["resident"]["grid"]["name"] == person.grid.name
    error = body["errors"][0]
    assert error["path"] == ["resident", "legalAidCases"]
    assert error["extensions"]["code"] == "BACKEND_UNAVAILABLE"
    assert error["extensions"]["backend"] == "legal-aid"
