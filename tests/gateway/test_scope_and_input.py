"""Row scope by every path for the roles that see only the people named in their own systems;
values masked by their kind whatever system they came from; input refused at the edge before
any backend call; a resident reporting as themself; what the audit trail is given."""

from __future__ import annotations

import base64
import json
import sys
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gateway.access.auth import Role
from gateway.access.redact import SPACES_TO_ASCII, read_purpose, scrub
from mocks.population import Population
from mocks.population.residents import index_of_registry_number
from tests.conftest import AS_OF
from tests.gateway.conftest import Gateway, open_gateway
from tests.gateway.test_access import applicant_person
from tests.gateway.test_inference import reporter_index


def node_id(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def bystander(population: Population, *exclude: int) -> int:
    """A resident who reported no case (by ID number or phone) and never went to legal aid."""
    applicants = {a.applicant.id_number for a in population.legal.applications}
    parties = {p.id_number for d in population.legal.disputes for p in d.parties}
    for index in range(3000, 4000):
        person = population.person(index)
        if index in exclude or person.id_number in applicants | parties:
            continue
        reported = population.cases_of_grid(
            index // population.preset.residents_per_grid, AS_OF - timedelta(days=400), AS_OF
        )
        if not any(
            c.reporter
            and (
                c.reporter.id_number == person.id_number or c.reporter.phone == person.phone_digits
            )
            for c in reported
        ):
            return index
    raise AssertionError("no bystander")


PERSON = """query($n: String!, $id: String!, $node: ID!, $hh: ID!, $b: ID!) {
    byNumber: resident(registryNumber: $n) { name }
    byId: resident(idNumber: $id) { name }
    byNode: node(id: $node) { id }
    household: node(id: $hh) { id }
    building: node(id: $b) { id } }"""


async def _paths(gateway: Gateway, role: Role, index: int) -> dict[str, Any]:
    person = gateway.mocks.population.person(index)
    who = gateway.as_role(role)
    return await who.data(
        PERSON,
        {
            "n": person.registry_number,
            "id": person.id_number,
            "node": node_id("Resident", person.registry_number),
            "hh": node_id("Household", person.household.code),
            "b": node_id("Building", person.building_code),
        },
    )


@pytest.mark.parametrize(
    ("role", "chooser"),
    [(Role.LEGAL_AID, applicant_person), (Role.URBAN_MANAGEMENT, reporter_index)],
)
async def test_named_people_only_for_urban_management_and_legal_aid(
    gateway: Gateway, role: Role, chooser: Any
) -> None:
    population = gateway.mocks.population
    named = chooser(population)
    stranger = bystander(population, named)
    seen = await _paths(gateway, role, named)
    assert seen["byNumber"] == {"name": seen["byNumber"]["name"]} and seen["byNumber"]["name"]
    assert seen["byNode"] is not None
    unseen = await _paths(gateway, role, stranger)
    assert unseen == {k: None for k in unseen}, unseen
    # Households and buildings only through a person: not by node alone, even a named one's.
    assert seen["household"] is None and seen["building"] is None
    person = population.person(named)
    through = await gateway.as_role(role).data(
        '{ resident(registryNumber: "%s") { household { code } building { code } } }'
        % person.registry_number
    )
    assert through["resident"]["household"]["code"] == person.household.code
    # No grid's list at all.
    listed = await gateway.as_role(role).data(
        '{ residents(filter: {grid: "%s"}, first: 5) { totalCount } }' % person.grid.code
    )
    assert listed["residents"]["totalCount"] == 0


async def test_reporter_names_are_masked_alike_from_either_system(gateway: Gateway) -> None:
    population = gateway.mocks.population
    index = reporter_index(population)
    person = population.person(index)
    urban = gateway.as_role(Role.URBAN_MANAGEMENT)
    cases = await urban.data(
        """query($id: String!) { resident(idNumber: $id) { name reportedCases {
            reportedBy { name phone } reporter { resident { name phone } } } } }""",
        {"id": person.id_number},
    )
    shown = cases["resident"]
    assert shown["name"] != person.name and shown["name"].startswith(person.name[0])
    for case in shown["reportedCases"]:
        assert case["reportedBy"]["name"] in (None, "", shown["name"]), case
        assert person.name not in json.dumps(case, ensure_ascii=False)
        assert case["reporter"]["resident"]["phone"] == person.phone_digits  # phone whole


async def test_a_resident_sees_only_their_own_building(gateway: Gateway) -> None:
    population = gateway.mocks.population
    me = population.person(2222)
    elsewhere = population.person(population.preset.residents_per_grid * 20 + 5)
    resident = gateway.as_role(
        Role.RESIDENT, registry_number=me.registry_number, id_number=me.id_number
    )
    data = await resident.data(
        """query($mine: ID!, $other: ID!) { mine: node(id: $mine) { ... on Building { code leaderName } }
            other: node(id: $other) { ... on Building { leaderName } } }""",
        {
            "mine": node_id("Building", me.building_code),
            "other": node_id("Building", elsewhere.building_code),
        },
    )
    assert data["mine"]["code"] == me.building_code
    assert data["other"] is None


async def test_building_leader_names_are_masked_and_audited(tmp_path: Path) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, _app):
        person = gateway.mocks.population.person(2222)
        district = gateway.as_role(Role.DISTRICT_ADMIN)
        response = await district.post(
            '{ node(id: "%s") { ... on Building { leaderName } } }'
            % node_id("Building", person.building_code)
        )
        leader = response.json()["data"]["node"]["leaderName"]
        assert leader and "*" in leader
        lines = [json.loads(x) for x in (tmp_path / "audit.log").read_text().splitlines()]
        mine = [x for x in lines if x.get("request_id") == response.headers["x-request-id"]]
        assert mine and mine[0]["fields"] == {"Building.leaderName": "masked"}


# -- input at the edge ---------------------------------------------------------------------

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
REPORT = """mutation($input: ReportCaseInput!) { reportCase(input: $input) {
    errors { field } case { number reporter { resident { name } } } } }"""


def report_input(grid: str, **extra: Any) -> dict[str, Any]:
    return {
        "gridCode": grid,
        "subClassCode": "0102",
        "source": "MINI_PROGRAM",
        "description": "楼道堆放杂物",
        "address": "北苑路1号",
        **extra,
    }


@pytest.mark.parametrize("digits", [FULLWIDTH, ARABIC_INDIC], ids=["fullwidth", "arabic-indic"])
async def test_identifiers_in_other_digits_are_refused_unsent(
    gateway: Gateway, digits: dict[int, str]
) -> None:
    person = gateway.mocks.population.person(0)  # one with a phone
    civil = gateway.as_role(Role.CIVIL_AFFAIRS)
    worker = gateway.as_role(Role.GRID_WORKER, grids=[person.grid.code])
    gateway.reset_journals()
    body = await civil.query(LOOKUP_BY_ID, {"id": person.id_number.translate(digits)})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    reply = await worker.data(
        REPORT,
        {
            "input": report_input(
                person.grid.code,
                reporterPhone=person.phone_digits.translate(digits),
                reporterIdNumber=person.id_number.translate(digits),
            )
        },
    )
    fields = {e["field"] for e in reply["reportCase"]["errors"]}
    assert fields == {"reporterPhone", "reporterIdNumber"}
    body = await civil.query(
        '{ resident(registryNumber: "%s") { name } }' % person.registry_number.translate(digits)
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert all(calls == {} for calls in gateway.calls().values()), gateway.calls()


LOOKUP_BY_ID = "query($id: String!) { resident(idNumber: $id) { name } }"


async def test_control_characters_are_refused_unsent(gateway: Gateway) -> None:
    grid = gateway.mocks.population.person(2222).grid.code
    worker = gateway.as_role(Role.GRID_WORKER, grids=[grid])
    gateway.reset_journals()
    by_variable = await worker.post(
        REPORT, {"input": report_input(grid, description="垃圾\u0001未清运")}
    )
    assert by_variable.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "input.description",
    }
    inline = await worker.post(
        'mutation { reportCase(input: {gridCode: "%s", subClassCode: "0102", source: PATROL,'
        ' description: "垃圾\\u0001未清运", address: "北苑路1号"}) { errors { field } } }' % grid
    )
    assert inline.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    by_filter = await worker.post(
        'query($n: String!) { residents(filter: {grid: "%s", name: $n}) { totalCount } }' % grid,
        {"n": "王\u0007"},
    )
    assert by_filter.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert all(calls == {} for calls in gateway.calls().values()), gateway.calls()


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "query($id: String!) { resident(idNumber: $id) { name } }", "variables": {"id": "\\ud800"}}',
        b'{"query": "{ resident(idNumber: \\"\\udc00\\") { name } }"}',
        b'{"query": "{ departments { code } }", "variables": {"\\ud83d": 1}}',
    ],
    ids=["variable", "document", "key"],
)
async def test_lone_surrogates_are_a_bad_request(gateway: Gateway, body: bytes) -> None:
    civil = gateway.as_role(Role.CIVIL_AFFAIRS)
    gateway.reset_journals()
    response = await gateway.client.post(
        "/graphql", content=body, headers={**civil.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST_JSON"
    assert all(calls == {} for calls in gateway.calls().values())


async def test_lone_surrogates_in_get_variables_are_a_bad_request(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql",
        params={"query": "{ departments { code } }", "variables": '{"x": "\\ud800"}'},
        headers={"X-GovGraph-Preflight": "1"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST_JSON"


# -- a resident reports --------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [{}, {"reporterName": "随便写", "reporterPhone": "13900001111"}],
    ids=["nothing", "name-and-phone"],
)
async def test_a_resident_reports_as_themself_and_sees_the_case(
    tmp_path: Path, given: dict[str, str]
) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, _app):
        me = gateway.mocks.population.person(2223)
        resident = gateway.as_role(
            Role.RESIDENT, registry_number=me.registry_number, id_number=me.id_number
        )
        created = (await resident.data(REPORT, {"input": report_input(me.grid.code, **given)}))[
            "reportCase"
        ]
        assert created["errors"] == []
        number = created["case"]["number"]
        assert created["case"]["reporter"]["resident"]["name"] == me.name
        case = gateway.mocks.population.case(number)
        assert case is not None and case.reporter is not None
        assert (case.reporter.id_number, case.reporter.name) == (me.id_number, me.name)
        seen = await resident.data(
            """query($n: String!, $case: ID!) { resident(registryNumber: $n) { reportedCases { number } }
                case(id: $case) { number } }""",
            {"n": me.registry_number, "case": node_id("UrbanCase", number)},
        )
        assert number in {c["number"] for c in seen["resident"]["reportedCases"]}
        assert seen["case"] == {"number": number}


async def test_the_urban_mock_keeps_a_reporter_given_by_id_alone(gateway: Gateway) -> None:
    person = gateway.mocks.population.person(2224)
    urban = gateway.as_role(Role.URBAN_MANAGEMENT)
    created = (
        await urban.data(
            REPORT, {"input": report_input(person.grid.code, reporterIdNumber=person.id_number)}
        )
    )["reportCase"]
    case = gateway.mocks.population.case(created["case"]["number"])
    assert case is not None and case.reporter is not None
    assert case.reporter.id_number == person.id_number


# -- what goes on record -------------------------------------------------------------------


# Computed by the gateway from hashes, random numbers and its own host: never from a request.
DERIVED_AUDIT_FIELDS = frozenset(
    {"hash", "prev", "seal", "query_hash", "request_id", "subject", "residents", "writer", "time"}
)


@pytest.mark.parametrize(
    "purpose",
    [
        "check 320213198104290203 13812345678",
        "核查 ３２０２１３１９８１０４２９０２０３ 电话 138-1234-5678",
        "%E6%A0%B8%E6%9F%A5%20320213198104290203",
        "mail li.wei@example.cn 138 1234 5678",
        "回电 138—1234—5678 或 138\u30001234\u30005678",  # an em dash, an ideographic space
    ],
)
async def test_no_raw_number_in_the_trail_whatever_the_purpose_says(
    tmp_path: Path, purpose: str
) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, _app):
        headers = gateway.as_role(Role.CIVIL_AFFAIRS, purpose=None).headers
        encoded = purpose.encode()  # raw UTF-8 where it is not percent-encoded
        response = await gateway.client.post(
            "/graphql",
            json={"query": '{ resident(registryNumber: "RK32021300000005") { name } }'},
            headers=[(k.encode(), v.encode()) for k, v in headers.items()]
            + [(b"X-Purpose", encoded)],
        )
        assert response.status_code == 200
        trail = (tmp_path / "audit.log").read_text(encoding="utf-8")
        line = json.loads(trail.splitlines()[-1])
        for raw in ("320213198104290203", "13812345678", "li.wei@example.cn"):
            assert raw not in trail.replace("-", "").replace(" ", "")
        # Four digits also turn up by chance in the line's digests, random ids and pseudonyms
        # (a seal once held "...56780bc..."): they are looked for in everything else.
        said = {k: v for k, v in line.items() if k not in DERIVED_AUDIT_FIELDS}
        assert "5678" not in json.dumps(said, ensure_ascii=False).replace("-", "").replace(" ", "")
        assert "[已隐去]" in line["purpose"]


@pytest.mark.parametrize(
    "typed",
    ["一三八一二三四五六七八", "幺三八 幺二三四 五六七八", "(010)6234-5678", "138，1234，5678"],
)
def test_a_number_is_scrubbed_however_it_is_written(typed: str) -> None:
    assert scrub(f"回访 {typed} 核实") in ("回访 [已隐去] 核实", "回访 ([已隐去] 核实")


def test_every_space_separator_in_a_purpose_is_an_ascii_space() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Zs"]
    assert sorted(SPACES_TO_ASCII) == sorted(ord(ch) for ch in spaces if ch != " ")
    stated = quote("核实" + "".join(spaces) + "住址")
    assert read_purpose(stated.encode("ascii")) == "核实" + " " * len(spaces) + "住址"


# a control character, too long, not UTF-8, a right-to-left override (a line that reads wrong)
@pytest.mark.parametrize("purpose", ["%E6%A0%B8%01", "x" * 201, "%FF%FE", "%E6%A0%B8%E2%80%AE"])
async def test_an_invalid_purpose_is_refused(gateway: Gateway, purpose: str) -> None:
    response = await gateway.as_role(Role.CIVIL_AFFAIRS, purpose=purpose).post(
        "{ departments { code } }"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PURPOSE_INVALID"


async def test_an_operation_name_is_scrubbed_before_the_trail(tmp_path: Path) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, _app):
        civil = gateway.as_role(Role.CIVIL_AFFAIRS)
        await civil.data(
            'query check_320213198104290203 { resident(registryNumber: "RK32021300000005") { name } }'
        )
        assert "320213198104290203" not in (tmp_path / "audit.log").read_text()


async def test_a_replayed_answer_is_on_record(tmp_path: Path) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, _app):
        me = gateway.mocks.population.person(2225)
        resident = gateway.as_role(
            Role.RESIDENT, registry_number=me.registry_number, id_number=me.id_number
        )
        first = await resident.post(REPORT, {"input": report_input(me.grid.code)}, key="same")
        again = await resident.post(REPORT, {"input": report_input(me.grid.code)}, key="same")
        assert again.json()["extensions"]["replayed"] is True
        lines = [json.loads(x) for x in (tmp_path / "audit.log").read_text().splitlines()]
        by_request = {x["request_id"]: x for x in lines if "request_id" in x}
        original = by_request[first.headers["x-request-id"]]
        replayed = by_request[again.headers["x-request-id"]]
        assert replayed["outcome"] == "replayed"
        assert replayed["fields"] == original["fields"] and replayed["fields"]
        assert replayed["residents"] == original["residents"]


@pytest.mark.parametrize(("role", "shown"), [("grid_worker", True), ("community_admin", False)])
async def test_an_enrolment_that_tells_a_vulnerability_follows_the_tags(
    gateway: Gateway, role: str, shown: bool
) -> None:
    """Being enrolled in home visits for residents living alone or disabled is a tag by
    another name: left out where the tags are masked."""
    population = gateway.mocks.population
    services = {s.id: s for s in population.services.services}
    enrolment = next(
        e for e in population.services.enrolments if services[e.service_id].category == "志愿服务"
    )
    index = index_of_registry_number(enrolment.registry_number)
    assert index is not None
    person = population.person(index)
    claims: dict[str, Any] = (
        {"grids": [person.grid.code]}
        if role == "grid_worker"
        else {"communities": [person.grid.community.code]}
    )
    data = await gateway.as_role(Role(role), **claims).data(
        '{ resident(registryNumber: "%s") { enrolments { code service { name } } } }'
        % person.registry_number
    )
    codes = {e["code"] for e in data["resident"]["enrolments"]}
    assert (enrolment.id in codes) is shown


async def test_a_building_name_is_an_address_and_masked_as_one(gateway: Gateway) -> None:
    """With a resident, a building's name says where they live, down to the building."""
    person = gateway.mocks.population.person(2222)
    query = '{ resident(registryNumber: "%s") { address building { name } } }' % (
        person.registry_number
    )
    district = (await gateway.as_role(Role.DISTRICT_ADMIN).data(query))["resident"]
    worker = (await gateway.as_role(Role.GRID_WORKER, grids=[person.grid.code]).data(query))[
        "resident"
    ]
    assert worker["building"]["name"] in person.current_address
    assert district["building"]["name"].endswith("***")
    assert not any(ch.isdigit() for ch in district["building"]["name"])
    assert district["building"]["name"] != worker["building"]["name"]


async def test_the_trail_names_an_operation_the_request_did_not(tmp_path: Path) -> None:
    async with open_gateway(audit_path=str(tmp_path / "audit.log")) as (gateway, _app):
        civil = gateway.as_role(Role.CIVIL_AFFAIRS)
        await civil.data(
            'query WhoLivesThere { resident(registryNumber: "RK32021300000005") { name } }'
        )
        line = json.loads((tmp_path / "audit.log").read_text().splitlines()[-1])
        assert line["operation"] == "WhoLivesThere"


@pytest.mark.parametrize(
    ("scope", "code"), [("COMMUNITY", "1"), ("GRID", "320213999999999"), ("DEPARTMENT", "BM99")]
)
async def test_statistics_of_nothing_is_bad_input_naming_the_code(
    gateway: Gateway, scope: str, code: str
) -> None:
    body = await gateway.as_role(Role.DISTRICT_ADMIN).query(
        'query($code: String!) { statistics(scope: %s, code: $code, since: "2026-10-01T00:00:00+08:00",'
        ' until: "2026-11-01T00:00:00+08:00") { reported } }' % scope,
        {"code": code},
    )
    assert body["data"]["statistics"] is None
    (error,) = body["errors"]
    assert error["extensions"] in ({"code": "BAD_USER_INPUT", "argument": "code"},), error
