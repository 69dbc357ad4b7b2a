"""What the plugin's fixtures hand a test: the mock systems (in process or over sockets) with
their journals, faults and the population's look-ups, and a gateway with tokens per role."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.access.auth import Role, mint_token
from gateway.settings import Settings
from mocks import MockSet
from mocks.harness import Faults, Harness
from mocks.population import Person, Population
from mocks.scenario import SYSTEMS, Scenario, load_scenario
from mocks.scenario_run import Applied, find_resident


def system_key(system: str) -> str:
    """The mock set's key for a system named as the journal or the gateway names it
    (`civil-affairs`) or by its short name (`civil`)."""
    key = SYSTEMS.get(system)
    if key is None:
        raise KeyError(f"no system {system!r}; one of {', '.join(sorted(SYSTEMS))}")
    return key


@dataclass
class MockSystems:
    """The four mock systems over one population. `urls` is filled when they run over sockets;
    in process, `client(system)` talks to a system's ASGI app directly."""

    mocks: MockSet
    applied: Applied = field(default_factory=Applied)
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def population(self) -> Population:
        return self.mocks.population

    def app(self, system: str) -> Harness:
        return self.mocks.apps()[system_key(system)]

    def url(self, system: str) -> str:
        """The base URL of a system served over a socket (`govgraph_mock_servers`)."""
        key = system_key(system)
        if key not in self.urls:
            raise LookupError(
                "in process: use client(system), or the govgraph_mock_servers fixture"
            )
        return self.urls[key]

    def credentials(self, system: str) -> dict[str, str]:
        """The system's published demo credentials (appKey and secret, client ID and secret,
        user name and password, appid and secret)."""
        return dict(self.app(system).identity.credentials)

    def client(self, system: str) -> httpx.AsyncClient:
        """An async client of the system: over its socket if served, else in process."""
        if self.urls:
            return httpx.AsyncClient(base_url=self.url(system))
        transport = httpx.ASGITransport(self.app(system))
        return httpx.AsyncClient(transport=transport, base_url=f"http://{system_key(system)}")

    # -- the journal --------------------------------------------------------------------
    def calls_to(self, system: str, operation: str | None = None) -> list[dict[str, Any]]:
        """The system's recent calls (all, or one operation's), oldest first, each with its
        status, request ID, the request as sent (personal values masked) and any violation."""
        return self.app(system).journal.calls_to(operation)

    def violations(self, system: str) -> dict[str, int]:
        return dict(self.app(system).journal.violations)

    def reset_journals(self) -> None:
        for app in self.mocks.apps().values():
            app.journal.reset()

    # -- faults and contract checks -----------------------------------------------------
    @contextlib.contextmanager
    def fault(self, system: str, **faults: Any) -> Iterator[Faults]:
        """The system's faults while the block runs (as the admin API takes them: outage=True,
        latency_ms=800, error_rate=0.5 ...), restored after it."""
        app = self.app(system)
        before, app.faults = app.faults, Faults.parse(faults)
        try:
            yield app.faults
        finally:
            app.faults = before

    @contextlib.contextmanager
    def contract_checks_off(self, system: str) -> Iterator[None]:
        """For a negative test: the system takes what its contract would refuse."""
        app = self.app(system)
        before, app.validate = app.validate, False
        try:
            yield
        finally:
            app.validate = before

    # -- the population -----------------------------------------------------------------
    def find_resident(
        self,
        grid: str | None = None,
        tags: tuple[str, ...] | list[str] = (),
        min_age: int | None = None,
        max_age: int | None = None,
        platform_account: bool = False,
    ) -> Person:
        """The first seeded resident with all of these (tags by code or label, e.g. 独居老人)."""
        wanted: dict[str, Any] = {"as": "found", "tags": list(tags)}
        if grid is not None:
            wanted["grid"] = grid
        if min_age is not None:
            wanted["min_age"] = min_age
        if max_age is not None:
            wanted["max_age"] = max_age
        if platform_account:
            wanted["platform_account"] = True
        return find_resident(self.population, wanted)

    def person(self, alias: str) -> Person:
        """A resident the scenario named (`as = "alice"`)."""
        return self.applied.people[alias]

    def play(self, scenario: Scenario | str) -> Applied:
        """Another scenario on top, from a Scenario or a file's path; its faults start now."""
        loaded = load_scenario(scenario) if isinstance(scenario, str) else scenario
        applied = self.mocks.play(loaded)
        self.applied.people.update(applied.people)
        for mine, theirs in (
            (self.applied.cases, applied.cases),
            (self.applied.applications, applied.applications),
            (self.applied.wishes, applied.wishes),
        ):
            for key, values in theirs.items():
                mine.setdefault(key, []).extend(values)
        return applied


@dataclass
class GatewayHandle:
    """A govgraph gateway over a real socket, in front of the mock systems."""

    url: str
    settings: Settings
    mocks: MockSystems

    def token(self, role: Role | str, **claims: Any) -> str:
        """A signed token for a role, with its claims (grids=[...], communities=[...],
        registry_number=..., id_number=..., department=...)."""
        given = Role(role)
        return mint_token(
            self.settings.jwt_secret,
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            role=given,
            subject=str(claims.pop("subject", f"it-{given.value}")),
            **claims,
        )

    def token_for_resident(self, person: Person) -> str:
        return self.token(
            Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
        )

    def post(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"X-Purpose": "integration-test", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if document.lstrip().startswith("mutation"):
            sent.setdefault("Idempotency-Key", uuid.uuid4().hex)
        body = {"query": document, "variables": variables or {}}
        return httpx.post(f"{self.url}/graphql", json=body, headers=sent, timeout=60)

    def query(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The response's body (data and errors) of a GraphQL request answered with 200."""
        response = self.post(document, variables, token=token, headers=headers)
        if response.status_code != 200:
            raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
        body: dict[str, Any] = response.json()
        return body

    def breaker(self, system: str) -> str:
        """The gateway's breaker for a system: closed, open or half_open (from /readyz)."""
        name = self.mocks.app(system).identity.system  # each mock answers as its system's name
        ready = httpx.get(f"{self.url}/readyz", timeout=10).json()
        state: str = ready["backends"][name]["breaker"]
        return state
