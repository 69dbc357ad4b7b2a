"""The generated leak test: from every root field (queries, `node`, `case`, mutation payloads)
to every personal field, for every role, against the mocks. A new field or type is walked as
soon as it is in the schema; a personal field the policy does not name fails the policy test."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema

from gateway.access import enforcement, policy
from gateway.access.auth import Role
from gateway.access.kinds import Kind
from gateway.access.policy import Access
from mocks.population import Population
from mocks.population.residents import index_of_registry_number
from tests.conftest import AS_OF
from tests.gateway.conftest import Gateway, make_gateway
from tests.gateway.leaks import Checker, Problems, root_selection, selections
from tests.gateway.test_access import applicant_person
from tests.gateway.test_inference import reporter_index

ROLES = [r for r in Role]
ROOMY = {  # the leak test is about the policy, not the request limits
    "max_depth": 40,
    "max_cost": 10**8,
    "max_tokens": 10**6,
    "max_query_chars": 10**6,
    "max_body_bytes": 10**7,
    "max_aliases": 50,
    "max_repeated_fields": 50,
    "max_root_fields": 50,
    "rate_user_requests_per_minute": 10**6,
    "rate_user_cost_per_minute": 10**12,
    "rate_public_requests_per_minute": 10**6,
    "rate_public_cost_per_minute": 10**12,
    # nor about pacing the legal-aid system: at its 18 a second the matrix waited 27 s
    "legal_rate_limit_rps": 10**6,
}


def gid(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


class Target:
    """The person each role's requests are about, and everything keyed on them."""

    def __init__(self, population: Population, role: Role) -> None:
        index = (
            reporter_index(population)
            if role is Role.URBAN_MANAGEMENT
            else applicant_person(population)
        )
        self.person = p = population.person(index)
        self.role = role
        applications = [
            a for a in population.legal.applications if a.applicant.id_number == p.id_number
        ]
        self.application = (applications or population.legal.applications)[0].record_code
        disputes = [
            d for d in population.legal.disputes if d.community_code == p.grid.community.code
        ]
        self.dispute = (disputes or population.legal.disputes)[0].id
        recent = list(population.cases_of_grid(p.grid.ordinal, AS_OF - timedelta(days=60), AS_OF))
        own = [c for c in recent if c.reporter and c.reporter.id_number == p.id_number]
        # Staff read one whose description holds its caller's number, so that free text is
        # checked too; a resident their own, which they may rate.
        called = [c for c in recent if c.reporter and c.reporter.phone in c.description]
        chosen = own if role is Role.RESIDENT else called or own
        self.case = (chosen or recent)[0].number
        self.service = population.services.services[0].id
        self.center = population.services.centers[0].id
        engagement = population.engagement.grid(p.grid.ordinal)
        activity = engagement.activities[0]
        self.activity = activity.activity_id
        self.volunteer = next(iter(activity.signups))
        self.wish = engagement.wishes[0].wish_id
        self.topic = engagement.topics[0].topic_id
        found = population.case(self.case)
        self.department = found.department if found is not None else "BM09"

    def claims(self) -> dict[str, Any]:
        p = self.person
        by_role: dict[Role, dict[str, Any]] = {
            Role.RESIDENT: {"registry_number": p.registry_number, "id_number": p.id_number},
            Role.GRID_WORKER: {"grids": [p.grid.code]},
            Role.COMMUNITY_ADMIN: {"communities": [p.grid.community.code]},
            Role.DEPARTMENT: {"department": self.department},
        }
        return by_role.get(self.role, {})


def root_requests(schema: Any, t: Target) -> Iterator[tuple[str, str, int]]:
    """(label, document, paths) for each root field, with arguments that reach the target."""
    p = t.person
    grid, community = p.grid.code, p.grid.community.code
    ids = {
        "Resident": p.registry_number,
        "Household": p.household.code,
        "Building": p.building_code,
        "Grid": grid,
        "Community": community,
        "UrbanCase": t.case,
        "LegalAidCase": t.application,
        "Dispute": t.dispute,
        "Service": t.service,
        "ServiceCenter": t.center,
    }
    arguments = {
        "grid": f'(code: "{grid}")',
        "grids": f'(first: 3, community: "{community}")',
        "community": f'(code: "{community}")',
        "residents": f'(filter: {{grid: "{grid}"}}, first: 1)',
        "serviceCenters": f'(filter: {{community: "{community}"}})',
        "legalAidWorkstations": f'(community: "{community}")',
        "services": f'(filter: {{community: "{community}"}})',
    }
    query = schema.get_type("Query")
    for name in query.fields:
        text, paths = root_selection(schema, "Query", name)
        if not paths:
            continue
        if name in ("node", "case"):
            kinds = (
                ids
                if name == "node"
                else {k: ids[k] for k in ("UrbanCase", "LegalAidCase", "Dispute")}
            )
            for kind, key in kinds.items():
                text, paths = selections(schema, kind, frozenset({"Query"}), 1)
                document = '{ %s(id: "%s") { ... on %s { %s } } }' % (
                    name,
                    gid(kind, key),
                    kind,
                    text,
                )
                yield f"{name}({kind})", document, paths
        elif name == "resident":
            for label, argument in (
                ("registryNumber", f'registryNumber: "{p.registry_number}"'),
                ("idNumber", f'idNumber: "{p.id_number}"'),
                ("id", f'id: "{gid("Resident", p.registry_number)}"'),
            ):
                yield f"resident({label})", "{ resident(%s) { %s } }" % (argument, text), paths
        elif name == "cases":
            for kind in ("URBAN", "LEGAL_AID", "DISPUTE"):
                where = f'grid: "{grid}"' if kind == "URBAN" else f'community: "{community}"'
                yield (
                    f"cases({kind})",
                    "{ cases(filter: {kind: %s, %s}, first: 1) { %s } }" % (kind, where, text),
                    paths,
                )
        else:
            yield name, "{ %s%s { %s } }" % (name, arguments.get(name, ""), text), paths
    inputs = {
        "reportCase": '{gridCode: "%s", subClassCode: "0102", source: PATROL, description: "垃圾未清运",'
        ' address: "北苑路1号"%s}'
        % (grid, "" if t.role is Role.RESIDENT else f', reporterIdNumber: "{p.id_number}"'),
        "rateCase": f'{{caseNumber: "{t.case}", satisfaction: SATISFIED}}',
        "applyLegalAid": '{name: "%s", idNumber: "%s", phone: "%s", address: "%s", communityCode: "%s",'
        ' aidType: CIVIL_REPRESENTATION, caseType: CIVIL, description: "工资被拖欠", happenedOn: "2026-10-01"}'
        % (p.name, p.id_number, p.phone_digits or "13800000000", p.current_address, community),
        "enrolInService": f'{{registryNumber: "{p.registry_number}", serviceCode: "{t.service}", centerCode: "{t.center}"}}',
        "signUpForActivity": f'{{activityId: "{t.activity}"}}',
        "checkIn": f'{{activityId: "{t.activity}", volunteerId: "{gid("PlatformUser", t.volunteer)}"}}',
        "postWish": f'{{gridCode: "{grid}", content: "想学用智能手机"}}',
        "claimWish": f'{{wishId: "{t.wish}"}}',
        "fulfilWish": f'{{wishId: "{t.wish}"}}',
        "proposeTopic": f'{{gridCode: "{grid}", title: "加装充电桩", content: "议一议"}}',
        "voteOnTopic": f'{{topicId: "{t.topic}", choice: AGREE}}',
        "exchangePoints": '{rewardId: "RW01"}',
        **{
            name: f'{{caseNumber: "{t.case}"}}'
            for name in ("acceptCase", "registerCase", "reportIn", "closeCase")
        },
        "dispatchCase": f'{{caseNumber: "{t.case}", department: "BM09"}}',
        "whistle": f'{{caseNumber: "{t.case}", departments: ["BM09", "BM02"], '
        f'deadline: "{(AS_OF + timedelta(days=1)).isoformat()}"}}',
        "handleCase": f'{{caseNumber: "{t.case}", result: "已处理"}}',
        "verifyCase": f'{{caseNumber: "{t.case}", passed: true}}',
        **{
            name: f'{{caseNumber: "{t.case}", reason: "重复上报"}}'
            for name in ("voidCase", "returnCase")
        },
        "requestExtension": f'{{caseNumber: "{t.case}", days: 1, reason: "需协调"}}',
    }
    mutation = schema.get_type("Mutation")
    for name in mutation.fields:
        text, paths = root_selection(schema, "Mutation", name)
        assert name in inputs, f"no input for mutation {name}: add one here"
        if paths:
            yield name, "mutation { %s(input: %s) { %s } }" % (name, inputs[name], text), paths


def scope_of(population: Population, role: Role, t: Target) -> Any:
    applicants = {a.applicant.id_number for a in population.legal.applications}
    parties = {x.id_number for d in population.legal.disputes for x in d.parties}
    reporters: dict[str, bool] = {}

    def reported(person: Any) -> bool:
        if person.id_number not in reporters:
            ordinal = person.grid.ordinal
            cases = population.cases_of_grid(ordinal, population.history_start(), AS_OF)
            reporters[person.id_number] = any(
                c.reporter
                and (
                    c.reporter.id_number == person.id_number
                    or c.reporter.phone == person.phone_digits
                )
                for c in cases
            ) or any(
                c.reporter and c.reporter.id_number == person.id_number
                for cs in population.writes.cases_by_grid.values()
                for c in cs
            )
        return reporters[person.id_number]

    def in_scope(registry_number: str) -> bool:
        index = index_of_registry_number(registry_number)
        person = population.person(index) if index is not None else None
        if person is None:
            return False
        checks: dict[Role, Callable[[], bool]] = {
            Role.RESIDENT: lambda: registry_number == t.person.registry_number,
            Role.GRID_WORKER: lambda: person.grid.code == t.person.grid.code,
            Role.COMMUNITY_ADMIN: lambda: (
                person.grid.community.code == t.person.grid.community.code
            ),
            Role.DISTRICT_ADMIN: lambda: True,
            Role.CIVIL_AFFAIRS: lambda: True,
            Role.URBAN_MANAGEMENT: lambda: reported(person),
            Role.LEGAL_AID: lambda: person.id_number in applicants | parties,
        }
        return checks.get(role, lambda: False)()

    return in_scope


@dataclass
class Roomy:
    gateway: Gateway
    audit_path: Path
    schema: GraphQLSchema


async def run_matrix(
    roomy: Roomy, roles: list[Role], problems: Problems, only: set[str] | None = None
) -> tuple[int, int, list[tuple[str, bool]]]:
    """Runs every root for every role; (paths, requests, [(request id, carried personal)])."""
    gateway, schema = roomy.gateway, roomy.schema
    population = gateway.mocks.population
    paths = requests = 0
    answers: list[tuple[str, bool]] = []
    for role in roles:
        t = Target(population, role)
        who = gateway if role is Role.PUBLIC else gateway.as_role(role, **t.claims())
        checker = Checker(population, role, scope_of(population, role, t))
        for label, document, count in root_requests(schema, t):
            if only is not None and label not in only:
                continue
            paths += count
            requests += 1
            response = await who.post(document)
            assert response.status_code == 200, (role, label, response.text[:500])
            body = response.json()
            assert body.get("data") is not None or body.get("errors"), (role, label)
            for error in body.get("errors", []):
                code = error.get("extensions", {}).get("code")
                assert code not in ("INTERNAL", None), (role, label, error)
            carried = checker.check(body, problems, f"{role.value} {label}")
            answers.append((response.headers["x-request-id"], carried))
    return paths, requests, answers


@pytest.fixture
async def roomy(tmp_path: Path) -> AsyncIterator[Roomy]:
    # The tiny population: every path is walked; what it costs is the mocks' scans, not ours.
    gateway, app = await make_gateway("tiny", audit_path=str(tmp_path / "audit.log"), **ROOMY)
    yield Roomy(gateway, tmp_path / "audit.log", app.state.schema._schema)
    await gateway.client.aclose()
    await app.state.backends.aclose()


async def test_every_path_to_a_personal_field_for_every_role(roomy: Roomy) -> None:
    audit_path = roomy.audit_path
    problems = Problems()
    paths, requests, answers = await run_matrix(roomy, ROLES, problems)
    carried = [request_id for request_id, personal in answers if personal]
    lines = [json.loads(x) for x in audit_path.read_text(encoding="utf-8").splitlines()]
    audited = {x.get("request_id") for x in lines}
    print(
        f"\nleak matrix: {paths // len(ROLES)} root-to-personal-field paths for each of "
        f"{len(ROLES)} roles ({paths} in all) in {requests} requests; {len(carried)} answers "
        f"carried personal data, {len(set(carried) & audited)} of them audited"
    )
    assert problems.items == [], "\n".join(problems.items)
    assert paths >= 500
    assert carried, "no answer carried personal data: the matrix reached nothing"
    assert set(carried) <= audited, len(set(carried) - audited)


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (Role.DISTRICT_ADMIN, Kind.NAME),
        (Role.COMMUNITY_ADMIN, Kind.PHONE),
        (Role.URBAN_MANAGEMENT, Kind.ADDRESS),
    ],
)
async def test_a_deliberately_unmasked_field_fails_the_matrix(
    roomy: Roomy,
    monkeypatch: pytest.MonkeyPatch,
    role: Role,
    kind: Kind,
) -> None:
    unmasked = {**policy.VIEWS[kind], role: Access.WHOLE}
    # The gateway is changed; the checker keeps the documented policy.
    monkeypatch.setitem(
        policy.FIELD_POLICY,
        next(k for k, v in policy.PERSONAL_FIELDS.items() if v is kind),
        unmasked,
    )
    problems = Problems()
    await run_matrix(roomy, [role], problems, {"resident(registryNumber)", "cases(URBAN)"})
    assert problems.items, "the matrix did not notice an unmasked field"


async def test_a_phone_left_whole_in_free_text_fails_the_matrix(
    roomy: Roomy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    role = Role.COMMUNITY_ADMIN
    monkeypatch.setitem(
        enforcement.TEXT_VIEWS, role, {**enforcement.TEXT_VIEWS[role], Kind.PHONE: Access.WHOLE}
    )
    problems = Problems()
    await run_matrix(roomy, [role], problems, {"node(UrbanCase)"})
    assert any("phone inside a string" in item for item in problems.items), problems.items
